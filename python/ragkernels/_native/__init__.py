"""The native library, loaded once per process.

`lib` is the cffi library object, or None when the library is absent or unusable; in that
case `load_error` says why. `raise_for(status)` raises the exception for a non-zero status.

`binding` says how calls cross: "api" through the compiled cffi extension (`_cffi_binding`,
built by setup.py when a C compiler is available), "abi" through `ffi.dlopen` and libffi.
RAGKERNELS_FFI=api|abi forces one (default auto: api when it imports). `ffi` and `lib` always
come from the same FFI instance: cdata made by one FFI is refused by another's functions, so
every module must use this `ffi`, never a cffi.FFI() of its own.
"""

from __future__ import annotations

import logging

from . import _loader
from ._errors import ErrorMapper

_log = logging.getLogger("ragkernels")

_cdef = _loader.read_cdef()
ABI_VERSION = _loader.header_abi_version(_cdef)

binding, ffi, _compiled, _binding_note = _loader.choose_binding(_cdef)
if _binding_note:
    _log.debug("ragkernels binding %s: %s", binding, _binding_note)

lib = None
load_error: str | None = None
if ffi is None:
    # RAGKERNELS_FFI=api without a compiled binding: refuse, with the reason. An ABI-mode FFI
    # still serves the modules that build cdata without a library.
    load_error = _binding_note
    ffi = _loader.abi_ffi(_cdef)
    _log.debug("native library not used: %s", load_error)
else:
    try:
        lib = _loader.load(ffi, ABI_VERSION)
    except _loader.LoadError as error:
        load_error = str(error)
        _log.debug("native library not used: %s", load_error)

_errors = ErrorMapper(ffi, lib) if lib is not None else None


def raise_for(status: int):
    """Raises the exception that matches a non-zero status of the last call on this thread."""
    raise _errors.exception(status)


def library_path() -> str | None:
    """Where the loaded library came from, or None."""
    if lib is None:
        return None
    return str(_loader.candidate_paths()[0])
