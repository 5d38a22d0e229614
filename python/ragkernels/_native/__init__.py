"""The native library, loaded once per process.

`lib` is the cffi library object, or None when the library is absent or unusable; in that
case `load_error` says why. `raise_for(status)` raises the exception for a non-zero status.
"""

from __future__ import annotations

import logging

import cffi

from . import _loader
from ._errors import ErrorMapper

_log = logging.getLogger("ragkernels")

ffi = cffi.FFI()
_cdef = _loader.read_cdef()
ffi.cdef(_cdef)
ABI_VERSION = _loader.header_abi_version(_cdef)

lib = None
load_error: str | None = None
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
