"""Turn a non-zero status from the C ABI into the matching Python exception."""

from __future__ import annotations

# Status codes are read from ragkernels.h by cffi; the classes follow ARCHITECTURE.md.
_EXCEPTION_BY_NAME = {
    "RK_INVALID_ARGUMENT": ValueError,
    "RK_NULL_POINTER": ValueError,
    "RK_BUFFER_TOO_SMALL": ValueError,
    "RK_INVALID_HANDLE": ValueError,
    "RK_INVALID_UTF8": ValueError,
    "RK_NOT_FOUND": KeyError,
    "RK_IO": OSError,
    "RK_FORMAT": ValueError,
    "RK_OUT_OF_MEMORY": MemoryError,
    "RK_CANCELLED": KeyboardInterrupt,
    "RK_INTERNAL": RuntimeError,
}


class ErrorMapper:
    """Reads the last error message from the library and raises the exception for a status."""

    def __init__(self, ffi, lib):
        self._ffi = ffi
        self._lib = lib
        self._by_code = {getattr(lib, name): cls for name, cls in _EXCEPTION_BY_NAME.items()}

    def message(self) -> str:
        ffi, lib = self._ffi, self._lib
        needed = ffi.new("int64_t*")
        buffer = ffi.new("uint8_t[]", 512)
        status = lib.rk_last_error_message(buffer, 512, needed)
        if status == lib.RK_BUFFER_TOO_SMALL:
            buffer = ffi.new("uint8_t[]", needed[0])
            status = lib.rk_last_error_message(buffer, needed[0], needed)
        if status != lib.RK_OK:
            return "(the library could not report its error message)"
        return bytes(ffi.buffer(buffer, needed[0])).decode("utf-8", "replace")

    def exception(self, status: int) -> BaseException:
        cls = self._by_code.get(status, RuntimeError)
        message = self.message()
        if cls is RuntimeError and status not in self._by_code:
            message = f"unknown status {status} from libragkernels: {message}"
        return cls(message)

    def raise_for(self, status: int):
        raise self.exception(status)
