"""Find libragkernels, open it with cffi, and check that it speaks our ABI version.

The declarations come from ragkernels.h, the one file that defines the C ABI, so the
Python side cannot drift from the header a C user would read.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import cffi

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HEADER_PATH = PACKAGE_DIR / "ragkernels.h"
LIBRARY_DIR = Path(__file__).resolve().parent / "lib"

_DEFINE = re.compile(r"^#define\s+(RK_\w+)\s+(-?\d+)\s*$")


def library_filename() -> str:
    """The library's file name on this platform."""
    if sys.platform == "win32":
        return "libragkernels.dll"
    if sys.platform == "darwin":
        return "libragkernels.dylib"
    return "libragkernels.so"


def read_cdef(header: Path = HEADER_PATH) -> str:
    """The header with its preprocessor lines reduced to what cffi understands:
    integer constants; include guards, includes and extern "C" are dropped."""
    lines = []
    for line in header.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            match = _DEFINE.match(stripped)
            if match:
                lines.append(f"#define {match.group(1)} {match.group(2)}")
            continue
        if stripped in ('extern "C" {', "}"):
            continue
        lines.append(line)
    return "\n".join(lines)


def header_abi_version(cdef: str) -> int:
    match = re.search(r"^#define RK_ABI_VERSION (\d+)$", cdef, re.M)
    if match is None:  # pragma: no cover - the header always defines it
        raise RuntimeError(f"{HEADER_PATH} does not define RK_ABI_VERSION")
    return int(match.group(1))


def candidate_paths() -> list[Path]:
    """Where the library is looked for, in order: RAGKERNELS_LIBRARY alone when it is set,
    else the copy inside the installed package."""
    override = os.environ.get("RAGKERNELS_LIBRARY")
    if override:
        return [Path(override)]
    return [LIBRARY_DIR / library_filename()]


class LoadError(Exception):
    """The native library could not be used; the message says why."""


def load(ffi: cffi.FFI, expected_abi: int):
    """Opens the first candidate that exists and passes the ABI check.

    Returns the cffi library object. Raises LoadError with every reason otherwise.
    """
    reasons = []
    for path in candidate_paths():
        if not path.is_file():
            reasons.append(f"{path} does not exist")
            continue
        try:
            # RTLD_NODELETE: cffi would dlclose the library when the lib object is collected at
            # interpreter shutdown, unmapping code that the .NET thread pool's idle workers (started
            # by the parallel batch kernels) are still parked in: a segfault at exit. A NativeAOT
            # runtime cannot be unloaded anyway.
            lib = ffi.dlopen(str(path), ffi.RTLD_NOW | getattr(ffi, "RTLD_NODELETE", 0))
        except OSError as error:
            reasons.append(f"{path} could not be opened: {error}")
            continue
        try:
            actual = lib.rk_abi_version()
        except AttributeError:
            reasons.append(f"{path} does not export rk_abi_version; it is not a ragkernels library")
            continue
        if actual != expected_abi:
            reasons.append(
                f"{path} implements ABI version {actual}, but this ragkernels package needs "
                f"version {expected_abi}; rebuild the library (./build.sh) or reinstall the package"
            )
            continue
        return lib
    raise LoadError("; ".join(reasons))
