"""The part every Python class that owns a native handle shares."""

from __future__ import annotations


class HandleOwner:
    """close() and the context manager for an object holding `_handle` (0 once closed) and a
    `_finalizer` (weakref.finalize that frees the handle, so a forgotten object is freed too)."""

    __slots__ = ()

    def close(self) -> None:
        """Releases the native object; closing twice is harmless. A closed object raises
        ValueError when used."""
        if self._handle:
            self._handle = 0
            self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
