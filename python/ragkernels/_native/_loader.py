"""Find libragkernels, open it with cffi, and check that it speaks our ABI version.

The declarations come from ragkernels.h, the one file that defines the C ABI, so the
Python side cannot drift from the header a C user would read.

Two bindings call the same library: "api", the compiled cffi extension `_cffi_binding` that
setup.py generates from the header (plain C calls, no libffi), used when it was built and
imports; and "abi", `ffi.dlopen` through libffi (slower per call, needs no compiler).
RAGKERNELS_FFI=api|abi forces one.

On top of either binding, the hand-written extension `_fastcall` (_fastcall.c, also built by
setup.py; it does not link the library, Python hands it the export addresses after the ABI check)
is a faster path for the hottest small calls. RAGKERNELS_FASTCALL=0 turns it off.
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


FFI_CHOICES = ("auto", "api", "abi")


def requested_binding() -> str:
    """RAGKERNELS_FFI: "auto" (default: api when the compiled binding imports, else abi),
    "api" or "abi". ImportError for any other value."""
    requested = os.environ.get("RAGKERNELS_FFI", "auto").strip().lower() or "auto"
    if requested not in FFI_CHOICES:
        raise ImportError(f"RAGKERNELS_FFI must be one of {', '.join(FFI_CHOICES)}, got {requested!r}")
    return requested


def compiled_binding():
    """The compiled binding module, or the reason (a str) why it cannot be used."""
    try:
        from . import _cffi_binding
    except ImportError as error:
        return f"the compiled cffi binding is not available ({error})"
    return _cffi_binding


def fastcall_module():
    """(the _fastcall extension module or None, why not or None). RAGKERNELS_FASTCALL=0 turns
    it off; any other value (default 1) uses it when it imports."""
    if os.environ.get("RAGKERNELS_FASTCALL", "1").strip() == "0":
        return None, "RAGKERNELS_FASTCALL=0"
    try:
        from . import _fastcall
    except ImportError as error:
        return None, f"the fastcall extension is not available ({error})"
    return _fastcall, None


def abi_ffi(cdef: str) -> cffi.FFI:
    """An ABI-mode FFI that knows the header's declarations."""
    ffi = cffi.FFI()
    ffi.cdef(cdef)
    return ffi


def choose_binding(cdef: str):
    """(name, ffi, compiled module or None, note): the binding RAGKERNELS_FFI asks for.

    Under "api" without a usable compiled binding, name is "api" and ffi None; note says why.
    Under "auto" the fallback to "abi" is silent (note says why, for debugging)."""
    requested = requested_binding()
    if requested != "abi":
        module = compiled_binding()
        if not isinstance(module, str) and module.lib.RKPY_HEADER_HASH != _header_hash(cdef):
            module = ("the compiled cffi binding was generated from another ragkernels.h than this "
                      "package's; reinstall the package to rebuild it")
        if not isinstance(module, str):
            return "api", module.ffi, module, None
        if requested == "api":
            return "api", None, None, f"RAGKERNELS_FFI=api but {module}"
        return "abi", abi_ffi(cdef), None, module
    return "abi", abi_ffi(cdef), None, None


def _header_hash(cdef: str) -> int:
    # The same fingerprint as _binding_build.header_hash (kept in sync by a test).
    import hashlib

    return int(hashlib.sha256(cdef.encode("utf-8")).hexdigest()[:15], 16)


def _open_compiled(module, path: Path):
    """Binds the compiled module's function pointers to the library at path; its lib object."""
    error = module.ffi.new("char[]", 1024)
    if module.lib.rkpy_bind(os.fsencode(path), error, 1024) != 0:
        raise OSError(module.ffi.string(error).decode("utf-8", "replace"))
    return module.lib


def load(ffi: cffi.FFI, expected_abi: int):
    """Opens the first candidate that exists and passes the ABI check.

    `ffi` is either an ABI-mode FFI with the header's declarations (the library is opened with
    ffi.dlopen) or the compiled binding's own ffi (its pointers are bound to the library).
    Returns the cffi library object. Raises LoadError with every reason otherwise.
    """
    module = compiled_binding()
    if isinstance(module, str) or ffi is not module.ffi:
        module = None
    reasons = []
    for path in candidate_paths():
        if not path.is_file():
            reasons.append(f"{path} does not exist")
            continue
        if module is not None:
            try:
                lib = _open_compiled(module, path)
            except OSError as error:
                # A library of another ABI version may lack some symbols: say which version it
                # is, as the ABI-mode path does, rather than only which symbol is missing.
                actual = _probe_abi_version(path)
                if actual is not None and actual != expected_abi:
                    reasons.append(_abi_mismatch(path, actual, expected_abi))
                else:
                    reasons.append(f"{path} could not be opened: {error}")
                continue
            actual = lib.rk_abi_version()
            if actual != expected_abi:
                reasons.append(_abi_mismatch(path, actual, expected_abi))
                continue
            return lib
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
            reasons.append(_abi_mismatch(path, actual, expected_abi))
            continue
        return lib
    raise LoadError("; ".join(reasons))


def _abi_mismatch(path: Path, actual: int, expected: int) -> str:
    return (f"{path} implements ABI version {actual}, but this ragkernels package needs "
            f"version {expected}; rebuild the library (./build.sh) or reinstall the package")


def _probe_abi_version(path: Path) -> int | None:
    """rk_abi_version of the library at path through a throwaway ABI-mode FFI, or None."""
    probe = cffi.FFI()
    probe.cdef("int32_t rk_abi_version(void);")
    try:
        return probe.dlopen(str(path), probe.RTLD_NOW | getattr(probe, "RTLD_NODELETE", 0)).rk_abi_version()
    except (OSError, AttributeError):
        return None
