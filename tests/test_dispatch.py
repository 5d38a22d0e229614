"""Choosing the implementation: environment variables, fallback and warnings (in subprocesses,
since the choice is made once at import)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import FORCED_PYTHON, native_lib

PROBE = "import ragkernels, warnings; print(ragkernels.implementation()); print(ragkernels.trend_drop([0.8, 0.2]))"


def run(env_changes: dict, code: str = PROBE, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGKERNELS_")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "-W", "always", "-c", code], env=env, capture_output=True, text=True, cwd=cwd)


def test_python_is_forced_by_the_environment():
    result = run({"RAGKERNELS_IMPLEMENTATION": "python"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "0.6000000000000001"]


def test_auto_uses_the_native_library_when_it_loads():
    native_lib()
    result = run({})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["native", "0.6000000000000001"]
    assert result.stderr == ""


def test_unknown_choice_is_an_import_error():
    result = run({"RAGKERNELS_IMPLEMENTATION": "fast"})
    assert result.returncode != 0
    assert "RAGKERNELS_IMPLEMENTATION must be one of auto, native, python, got 'fast'" in result.stderr


def test_a_missing_library_falls_back_with_a_warning_when_named_explicitly(tmp_path):
    missing = tmp_path / "nowhere" / "libragkernels.so"
    result = run({"RAGKERNELS_LIBRARY": str(missing)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["python", "0.6000000000000001"]
    assert "falls back to pure Python" in result.stderr and "does not exist" in result.stderr


def test_native_insists_and_says_why(tmp_path):
    not_a_library = tmp_path / "libragkernels.so"
    not_a_library.write_bytes(b"this is not an ELF file")
    result = run({"RAGKERNELS_IMPLEMENTATION": "native", "RAGKERNELS_LIBRARY": str(not_a_library)})
    assert result.returncode != 0
    assert "ImportError: RAGKERNELS_IMPLEMENTATION=native but the native library cannot be used" in result.stderr
    assert "could not be opened" in result.stderr


def test_a_library_of_another_abi_version_is_refused_with_a_warning(tmp_path):
    compiler = next((c for c in ("cc", "gcc", "clang") if __import__("shutil").which(c)), None)
    if compiler is None:
        pytest.skip("a C compiler is needed to build a stand-in library with another ABI version")
    source = tmp_path / "fake.c"
    source.write_text("int rk_abi_version(void) { return 424242; }\n")
    fake = tmp_path / "libragkernels.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(fake), str(source)], check=True)
    result = run({"RAGKERNELS_LIBRARY": str(fake)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "python"
    assert "implements ABI version 424242, but this ragkernels package needs version" in result.stderr
    assert "RuntimeWarning" in result.stderr


def test_public_api_follows_the_choice():
    import ragkernels
    from ragkernels.signals import _native, _py

    expected = _py if FORCED_PYTHON or ragkernels.implementation() == "python" else _native
    assert ragkernels.trend_drop is expected.trend_drop
    assert ragkernels.TrendWindow is expected.TrendWindow
