"""Packaging: the wheel carries the library (a platform wheel), builds without .NET as pure
Python, and an editable install finds its library; with a C compiler and Python.h the wheel also
carries the compiled cffi binding and the fastcall extension and is a CPython wheel. These build
for real, so they are slow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.packaging


def pip_wheel(tmp_path: Path, env_changes: dict) -> Path:
    env = dict(os.environ)
    env.update(env_changes)
    out = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q", "-w", str(out), str(REPO)],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("ragkernels-*.whl")
    return wheel


def can_compile_binding() -> bool:
    include = sysconfig.get_paths().get("include")
    return bool(shutil.which("cc") or shutil.which("gcc")) and bool(include) and (Path(include) / "Python.h").is_file()


def cpython_tag() -> str:
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def test_without_dotnet_the_wheel_is_pure_python(tmp_path):
    # A PATH without dotnet is what a machine without the .NET SDK looks like to setup.py.
    wheel = pip_wheel(tmp_path, {"PATH": str(tmp_path / "empty-bin")})
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "ragkernels/ragkernels.h" in names
    assert not [n for n in names if "libragkernels" in n or "libonnxruntime" in n]


def test_with_dotnet_the_wheel_carries_the_library(tmp_path):
    if shutil.which("dotnet") is None:
        pytest.skip("the .NET SDK is needed to build the native library")
    wheel = pip_wheel(tmp_path, {})
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("ragkernels/_native/lib/libragkernels.") for n in names)
    assert any(n.endswith(".dist-info/LICENSE") for n in names), names  # MIT asks for its notice
    assert "ragkernels/_native/THIRD_PARTY_NOTICES.txt" in names  # and so do .NET's and ONNX Runtime's
    if (REPO / ".cache" / "onnxruntime" / "libonnxruntime.so.1").is_file():
        # The build fetched ONNX Runtime for the Embedder (issue 4): it ships beside libragkernels.
        assert "ragkernels/_native/lib/libonnxruntime.so.1" in names
    bindings = [n for n in names if n.startswith("ragkernels/_native/_cffi_binding.")]
    assert not wheel.name.endswith("-any.whl")
    if can_compile_binding():
        # The compiled cffi binding is a CPython extension: the wheel says which CPython.
        assert f"-{cpython_tag()}-{cpython_tag()}-" in wheel.name, wheel.name
        assert len(bindings) == 1 and bindings[0].endswith(sysconfig.get_config_var("EXT_SUFFIX"))
        fastcall = [n for n in names if n.startswith("ragkernels/_native/_fastcall.")]
        assert len(fastcall) == 1 and fastcall[0].endswith(sysconfig.get_config_var("EXT_SUFFIX")), names
        # Its source is not shipped, nor any other C file.
        assert not [n for n in names if n.endswith(".c")]
    else:
        assert "-py3-none-" in wheel.name and not bindings


def test_without_the_binding_the_wheel_serves_every_python3(tmp_path):
    if shutil.which("dotnet") is None:
        pytest.skip("the .NET SDK is needed to build the native library")
    wheel = pip_wheel(tmp_path, {"RAGKERNELS_SKIP_BINDING": "1", "RAGKERNELS_SKIP_FASTCALL": "1"})
    assert "-py3-none-" in wheel.name and not wheel.name.endswith("-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("ragkernels/_native/lib/libragkernels.") for n in names)
    # build/lib is reused between builds: extensions compiled by an earlier build are not shipped.
    assert not [n for n in names if "_cffi_binding" in n or "_fastcall" in n]


def test_the_fastcall_extension_alone_makes_a_cpython_wheel(tmp_path):
    if shutil.which("dotnet") is None:
        pytest.skip("the .NET SDK is needed to build the native library")
    if not can_compile_binding():
        pytest.skip("no C compiler or Python.h: the fastcall extension cannot be built here")
    wheel = pip_wheel(tmp_path, {"RAGKERNELS_SKIP_BINDING": "1"})
    assert f"-{cpython_tag()}-{cpython_tag()}-" in wheel.name, wheel.name
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "_cffi_binding" in n]
    assert [n for n in names if n.startswith("ragkernels/_native/_fastcall.")]


def build_sdist(tmp_path: Path) -> Path:
    """The source distribution, built by the PEP 517 hook that pip and `python -m build` call."""
    out = tmp_path / "sdist"
    out.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))",
         str(out)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (sdist,) = out.glob("ragkernels-*.tar.gz")
    return sdist


def test_the_sdist_has_what_the_native_build_needs(tmp_path):
    sdist = build_sdist(tmp_path)
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    tracked = subprocess.run(["git", "ls-files", "csharp/src"], capture_output=True, text=True, cwd=REPO)
    if tracked.returncode == 0 and tracked.stdout:
        # Every tracked source of the native library, so pip on a machine with PyPI builds what a clone builds.
        missing = sorted(set(tracked.stdout.split()) - names)
        assert not missing, missing
    for needed in ["setup.py", "pyproject.toml", "Directory.Build.props", "LICENSE",
                   "csharp/src/RagKernels.Native/RagKernels.Native.csproj",
                   "python/ragkernels/ragkernels.h", "python/ragkernels/_native/_fastcall.c",
                   "python/ragkernels/_native/_binding_build.py"]:
        assert needed in names, needed
    shipped_binaries = [n for n in names if n.endswith((".so", ".dll", ".dylib", ".pyd", ".onnx"))
                        or "/bin/" in n or "/obj/" in n]
    assert not shipped_binaries, shipped_binaries


def test_a_wheel_built_from_the_sdist_carries_the_library(tmp_path):
    if shutil.which("dotnet") is None:
        pytest.skip("the .NET SDK is needed to build the native library")
    sdist = build_sdist(tmp_path)
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked")
    (source,) = (tmp_path / "unpacked").iterdir()
    out = tmp_path / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q", "-w", str(out), str(source)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = out.glob("ragkernels-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("ragkernels/_native/lib/libragkernels.") for n in names), names
    if can_compile_binding():
        assert [n for n in names if n.startswith("ragkernels/_native/_fastcall.")], names
    assert not [n for n in names if n.endswith(".c")]


def test_editable_install_loads_the_native_library(tmp_path):
    if shutil.which("dotnet") is None:
        pytest.skip("the .NET SDK is needed to build the native library")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "-e", str(REPO)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGKERNELS_")}
    probe = subprocess.run(
        [str(python), "-c", "import ragkernels, ragkernels._native as n; "
                            "print(ragkernels.implementation(), n.binding_name(), ragkernels.__file__)"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )
    assert probe.returncode == 0, probe.stderr
    implementation, binding, location = probe.stdout.split()
    assert implementation == "native"
    # The editable install compiled the binding into the source folder, as it put the library there.
    assert binding == ("api+fastcall" if can_compile_binding() else "abi")
    assert Path(location).resolve().is_relative_to((REPO / "python").resolve())
