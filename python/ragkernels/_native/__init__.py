"""The native library, loaded once per process.

`lib` is the cffi library object, or None when the library is absent or unusable; in that
case `load_error` says why. `raise_for(status)` raises the exception for a non-zero status.

`binding` says how calls cross: "api" through the compiled cffi extension (`_cffi_binding`,
built by setup.py when a C compiler is available), "abi" through `ffi.dlopen` and libffi.
RAGKERNELS_FFI=api|abi forces one (default auto: api when it imports). `ffi` and `lib` always
come from the same FFI instance: cdata made by one FFI is refused by another's functions, so
every module must use this `ffi`, never a cffi.FFI() of its own.

`fastcall` is the hand-written extension `_fastcall` (built by setup.py next to the cffi binding,
see _fastcall.c) when it is in use, else None (`fastcall_note` says why): a faster call path to
the same exports for the calls where cffi's own cost dominates (the four pairwise signals, their
batches, BM25Index.search). The areas bind it with `bind_fastcall`; every unusual case still goes
through their cffi wrappers. RAGKERNELS_FASTCALL=0 turns it off (default: used when it imports).
`binding_name()` says what is in use, e.g. "api+fastcall".
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

fastcall = None
fastcall_note: str | None = "the native library is not loaded"
if lib is not None:
    fastcall, fastcall_note = _loader.fastcall_module()
    if fastcall_note:
        _log.debug("ragkernels fastcall not used: %s", fastcall_note)


def address_of(name: str) -> int:
    """The address of the export `name` as the loaded binding calls it (api: the compiled
    binding's forwarder; abi: the library's symbol)."""
    return int(ffi.cast("uintptr_t", ffi.addressof(lib, name)))


def bind_fastcall(names, fallbacks=None, docs=None):
    """Hands the addresses of the exports `names` (and the single calls' fallbacks / docstrings,
    keyed by export name) to the fastcall extension; the extension module, or None when it is
    not in use (then the caller keeps its cffi path)."""
    global fastcall, fastcall_note
    if fastcall is None:
        return None
    try:
        fastcall.bind({name: address_of(name) for name in names}, fallbacks, docs)
    except Exception as error:  # pragma: no cover - a broken build: keep the cffi path
        fastcall, fastcall_note = None, f"binding the fastcall extension failed: {error!r}"
        _log.debug("ragkernels fastcall not used: %s", fastcall_note)
        return None
    return fastcall


def binding_name() -> str | None:
    """How calls cross into the library: "api" or "abi", with "+fastcall" when the fastcall
    extension serves the hot calls; None without the library."""
    if lib is None:
        return None
    return binding + ("+fastcall" if fastcall is not None else "")


def raise_for(status: int):
    """Raises the exception that matches a non-zero status of the last call on this thread."""
    raise _errors.exception(status)


def library_path() -> str | None:
    """Where the loaded library came from, or None."""
    if lib is None:
        return None
    return str(_loader.candidate_paths()[0])
