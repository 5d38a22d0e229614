"""Builds libragkernels with `dotnet publish` (NativeAOT) while the wheel is built, and puts
it inside the package. Without a .NET SDK the package installs as pure Python and says so.

RAGKERNELS_SKIP_NATIVE=1 skips the native build on purpose.

With the library it also compiles the cffi binding (API mode) generated from ragkernels.h, when a
C compiler and the Python headers are available (else the package calls the library through
cffi's ABI mode, slower per call). RAGKERNELS_SKIP_BINDING=1 skips it on purpose.

It also compiles the fastcall extension (_native/_fastcall.c, plain CPython C API), a faster call
path for the hottest small calls; without it they go through cffi. RAGKERNELS_SKIP_FASTCALL=1
skips it on purpose.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parent
NATIVE_PROJECT = ROOT / "csharp" / "src" / "RagKernels.Native" / "RagKernels.Native.csproj"
SOURCE_LIB_DIR = ROOT / "python" / "ragkernels" / "_native" / "lib"


def _library_name() -> str:
    if sys.platform == "win32":
        return "libragkernels.dll"
    if sys.platform == "darwin":
        return "libragkernels.dylib"
    return "libragkernels.so"


def _runtime_identifier() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    system = {"win32": "win", "darwin": "osx"}.get(sys.platform, "linux")
    return f"{system}-{arch}"


def _say(message: str) -> None:
    # pip hides a build's stdout unless -v; stderr reaches the user on failure and with -v.
    print(f"ragkernels: {message}", file=sys.stderr, flush=True)


def publish_native(target_dir: Path) -> bool:
    """Publishes the NativeAOT library into target_dir; False when it cannot be built here."""
    if os.environ.get("RAGKERNELS_SKIP_NATIVE") == "1":
        _say("RAGKERNELS_SKIP_NATIVE=1: installing the pure-Python implementation only")
        return False
    dotnet = shutil.which("dotnet")
    if dotnet is None:
        _say("no .NET SDK (dotnet) found: installing the pure-Python implementation only "
             "(install the .NET SDK and reinstall for the native kernels)")
        return False
    if not NATIVE_PROJECT.is_file():
        _say(f"{NATIVE_PROJECT} is missing: installing the pure-Python implementation only")
        return False
    publish_dir = ROOT / "build" / "native" / _runtime_identifier()
    command = [dotnet, "publish", str(NATIVE_PROJECT), "-c", "Release", "-r", _runtime_identifier(),
               "-o", str(publish_dir), "-nologo"]
    _say("building the native library: " + " ".join(command))
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit("ragkernels: dotnet publish failed (see the output above); set "
                         "RAGKERNELS_SKIP_NATIVE=1 to install the pure-Python implementation only")
    built = publish_dir / _library_name()
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, target_dir / _library_name())
    return True


# ONNX Runtime for the embeddings (issue 4): the CPU library from the npm package
# onnxruntime-node (NuGet's and PyPI's are not reachable everywhere we build), cached in .cache/
# (ignored by git) and copied next to libragkernels. build.sh's ensure_onnxruntime does the same.
ORT_VERSION = "1.22.0"
ORT_CACHE = ROOT / ".cache" / "onnxruntime"
ORT_FILE = "libonnxruntime.so.1"
ORT_SHA256 = {"linux-x64": "08cf3bf4218f0e816c2a534e960d85221274cb319569bdf1136b29da7065b015"}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_onnxruntime() -> Path | None:
    """The verified ONNX Runtime library in the cache, fetching it when absent; None (with a
    message) when this platform has no pinned copy or it cannot be fetched."""
    rid = _runtime_identifier()
    expected = ORT_SHA256.get(rid)
    if expected is None:
        _say(f"no pinned ONNX Runtime for {rid}: the Embedder will look for an installed one at run time")
        return None
    cached = ORT_CACHE / ORT_FILE
    if cached.is_file() and _sha256(cached) == expected:
        return cached
    npm = shutil.which("npm")
    if npm is None:
        _say("npm not found: cannot fetch ONNX Runtime; the Embedder will look for an installed one at run time")
        return None
    ORT_CACHE.mkdir(parents=True, exist_ok=True)
    package = f"onnxruntime-node-{ORT_VERSION}.tgz"
    _say(f"fetching ONNX Runtime {ORT_VERSION} (npm pack onnxruntime-node)")
    # npm pack downloads the tarball without running install scripts (a plain install fetches CUDA parts).
    if subprocess.run([npm, "pack", f"onnxruntime-node@{ORT_VERSION}", "--pack-destination", str(ORT_CACHE)],
                      cwd=ORT_CACHE, stdout=subprocess.DEVNULL).returncode != 0:
        _say("npm pack onnxruntime-node failed: the Embedder will look for an installed ONNX Runtime at run time")
        return None
    arch = rid.split("-")[1]
    member = f"package/bin/napi-v6/linux/{arch}/{ORT_FILE}"
    if subprocess.run(["tar", "xzf", str(ORT_CACHE / package), "-C", str(ORT_CACHE), "--strip-components=5", member]).returncode != 0:
        _say(f"{package} has no {member}")
        return None
    (ORT_CACHE / package).unlink(missing_ok=True)
    actual = _sha256(cached)
    if actual != expected:
        cached.unlink()
        raise SystemExit(f"ragkernels: {ORT_FILE} from onnxruntime-node {ORT_VERSION} has sha256 {actual}, expected {expected}")
    return cached


def copy_onnxruntime(target_dir: Path) -> None:
    if os.environ.get("RAGKERNELS_SKIP_NATIVE") == "1":
        return
    library = fetch_onnxruntime()
    if library is not None:
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target_dir / ORT_FILE)


# ---- compiled cffi binding (API mode) -------------------------------------------------------
# Generated from ragkernels.h by python/ragkernels/_native/_binding_build.py and compiled into
# ragkernels/_native/_cffi_binding.<EXT_SUFFIX>. The wheel is then a CPython extension wheel
# (cp311-cp311-<plat>); without it, a py3-none-<plat> wheel that uses ABI mode.
NATIVE_SOURCE_DIR = ROOT / "python" / "ragkernels" / "_native"
BINDING_STEM = "_cffi_binding"
_binding_built = False


def _load_by_path(name: str, path: Path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _remove_extension(target_dir: Path, stem: str) -> None:
    """Removes compiled extensions named stem.* (left by an earlier build) from target_dir."""
    for stale in target_dir.glob(stem + ".*"):
        if stale.suffix in (".so", ".pyd", ".dylib"):
            stale.unlink()


def _install_extension(built: Path, target_dir: Path, stem: str, what: str) -> None:
    """Puts the freshly compiled extension into target_dir, replacing any earlier one."""
    _remove_extension(target_dir, stem)
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, target_dir / built.name)
    _say(f"compiled the {what} {built.name}")


def build_binding(target_dir: Path) -> bool:
    """Compiles the binding into target_dir (the package's _native folder); False, with a
    message, when it cannot be built here."""
    global _binding_built
    if os.environ.get("RAGKERNELS_SKIP_BINDING") == "1":
        _say("RAGKERNELS_SKIP_BINDING=1: no compiled cffi binding (calls go through cffi's ABI mode)")
        return False
    import sysconfig

    include = sysconfig.get_paths().get("include")
    if not include or not (Path(include) / "Python.h").is_file():
        _say(f"no Python headers (Python.h in {include}; Debian: apt-get install python3-dev): "
             "no compiled cffi binding, calls go through cffi's ABI mode")
        return False
    try:
        loader = _load_by_path("_ragkernels_loader", NATIVE_SOURCE_DIR / "_loader.py")
        builder = _load_by_path("_ragkernels_binding_build", NATIVE_SOURCE_DIR / "_binding_build.py")
        built = builder.compile_binding(loader.read_cdef(), ROOT / "build" / "cffi")
    except Exception as error:  # no compiler, a broken toolchain: the package still works
        _say(f"the cffi binding could not be compiled ({type(error).__name__}: {error}): "
             "calls go through cffi's ABI mode")
        return False
    _install_extension(built, target_dir, BINDING_STEM, "cffi binding")
    _binding_built = True
    return True


# ---- the fastcall extension ----------------------------------------------------------------
# python/ragkernels/_native/_fastcall.c, a hand-written CPython extension compiled into
# ragkernels/_native/_fastcall.<EXT_SUFFIX>: a faster call path to the library's exports (it does
# not link the library; Python hands it the addresses at import). Optional like the binding:
# without it (no compiler, no Python headers, RAGKERNELS_SKIP_FASTCALL=1) the cffi path is used.
# It needs only Python.h (no numpy headers), so it builds under pip's build isolation too.
FASTCALL_STEM = "_fastcall"
_fastcall_built = False


def build_fastcall(target_dir: Path) -> bool:
    """Compiles the fastcall extension into target_dir (the package's _native folder); False,
    with a message, when it cannot be built here."""
    global _fastcall_built
    if os.environ.get("RAGKERNELS_SKIP_FASTCALL") == "1":
        _say("RAGKERNELS_SKIP_FASTCALL=1: no fastcall extension (calls go through cffi)")
        return False
    import sysconfig

    include = sysconfig.get_paths().get("include")
    if not include or not (Path(include) / "Python.h").is_file():
        _say(f"no Python headers (Python.h in {include}): no fastcall extension, calls go through cffi")
        return False
    try:
        from setuptools import Extension

        source = NATIVE_SOURCE_DIR / (FASTCALL_STEM + ".c")
        name = "ragkernels._native." + FASTCALL_STEM
        dist = Distribution({"name": "ragkernels-fastcall", "ext_modules": [
            Extension(name, [str(source.relative_to(ROOT))])]})
        command = dist.get_command_obj("build_ext")
        command.build_lib = str(ROOT / "build" / "fastcall" / "lib")
        command.build_temp = str(ROOT / "build" / "fastcall" / "temp")
        command.inplace = False
        command.ensure_finalized()
        command.run()
        built = Path(command.get_ext_fullpath(name))
    except Exception as error:  # no compiler, a broken toolchain: the package still works
        _say(f"the fastcall extension could not be compiled ({type(error).__name__}: {error}): "
             "calls go through cffi")
        return False
    _install_extension(built, target_dir, FASTCALL_STEM, "fastcall extension")
    _fastcall_built = True
    return True


class BuildPyWithNative(build_py):
    def run(self):
        super().run()
        # An editable install maps the package to the source folder, so the library must be
        # there; a regular build puts it into the wheel's build folder.
        if getattr(self, "editable_mode", False):
            target = SOURCE_LIB_DIR
        else:
            target = Path(self.build_lib) / "ragkernels" / "_native" / "lib"
        built = publish_native(target)
        if built:
            copy_onnxruntime(target)
        if not built and not getattr(self, "editable_mode", False):
            # build/lib is reused between builds: never ship a library left by an earlier one.
            for stale in (target / _library_name(), target / ORT_FILE):
                if stale.exists():
                    stale.unlink()
        # The binding sits in the package's _native folder (the library's parent).
        if not (built and build_binding(target.parent)) and not getattr(self, "editable_mode", False):
            _remove_extension(target.parent, BINDING_STEM)
        # The fastcall extension works over either binding (api or abi).
        if not (built and build_fastcall(target.parent)) and not getattr(self, "editable_mode", False):
            _remove_extension(target.parent, FASTCALL_STEM)


class NativeDistribution(Distribution):
    def has_ext_modules(self):
        # A wheel carrying the library is platform specific. Decided before build_py runs,
        # so ask the same question build_py will.
        return os.environ.get("RAGKERNELS_SKIP_NATIVE") != "1" and shutil.which("dotnet") is not None


cmdclass = {"build_py": BuildPyWithNative}

try:
    from wheel.bdist_wheel import bdist_wheel

    class PlatformWheel(bdist_wheel):
        def get_tag(self):
            python, abi, plat = super().get_tag()
            if _binding_built or _fastcall_built:
                # The compiled binding and the fastcall extension are CPython extensions: cp311-cp311-<plat>.
                return python, abi, plat
            if self.distribution.has_ext_modules():
                # The library does not use the CPython ABI: one wheel serves every Python 3.
                return "py3", "none", plat
            return python, abi, plat

    cmdclass["bdist_wheel"] = PlatformWheel
except ImportError:  # pragma: no cover - wheel is always present when building wheels
    pass

setup(distclass=NativeDistribution, cmdclass=cmdclass)
