"""Builds libragkernels with `dotnet publish` (NativeAOT) while the wheel is built, and puts
it inside the package. Without a .NET SDK the package installs as pure Python and says so.

RAGKERNELS_SKIP_NATIVE=1 skips the native build on purpose.
"""

from __future__ import annotations

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


class BuildPyWithNative(build_py):
    def run(self):
        super().run()
        # An editable install maps the package to the source folder, so the library must be
        # there; a regular build puts it into the wheel's build folder.
        if getattr(self, "editable_mode", False):
            target = SOURCE_LIB_DIR
        else:
            target = Path(self.build_lib) / "ragkernels" / "_native" / "lib"
        if not publish_native(target) and not getattr(self, "editable_mode", False):
            # build/lib is reused between builds: never ship a library left by an earlier one.
            stale = target / _library_name()
            if stale.exists():
                stale.unlink()


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
            if self.distribution.has_ext_modules():
                # The library does not use the CPython ABI: one wheel serves every Python 3.
                return "py3", "none", plat
            return python, abi, plat

    cmdclass["bdist_wheel"] = PlatformWheel
except ImportError:  # pragma: no cover - wheel is always present when building wheels
    pass

setup(distclass=NativeDistribution, cmdclass=cmdclass)
