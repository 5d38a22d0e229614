"""Which implementation the public API uses, decided once at import.

RAGKERNELS_IMPLEMENTATION=auto (default) uses the native library when it loads and passes
the ABI check, else the pure-Python twins; =native insists on the library (ImportError
with the reason otherwise); =python never loads it.
"""

from __future__ import annotations

import logging
import os
import warnings

_log = logging.getLogger("ragkernels")

_CHOICES = ("auto", "native", "python")

requested = os.environ.get("RAGKERNELS_IMPLEMENTATION", "auto").strip().lower() or "auto"
if requested not in _CHOICES:
    raise ImportError(
        f"RAGKERNELS_IMPLEMENTATION must be one of {', '.join(_CHOICES)}, got {requested!r}"
    )

native_lib = None
if requested != "python":
    from . import _native

    native_lib = _native.lib
    if native_lib is None:
        reason = _native.load_error or "unknown reason"
        if requested == "native":
            raise ImportError(f"RAGKERNELS_IMPLEMENTATION=native but the native library cannot be used: {reason}")
        if "ABI version" in reason or "RAGKERNELS_LIBRARY" in os.environ or reason.startswith("RAGKERNELS_FFI="):
            # The user has a library that we refuse: say so, since speed silently disappears.
            warnings.warn(f"ragkernels falls back to pure Python: {reason}", RuntimeWarning, stacklevel=2)
        else:
            _log.debug("ragkernels uses pure Python: %s", reason)

IMPLEMENTATION = "native" if native_lib is not None else "python"

if native_lib is not None:
    from . import _fork  # a forked child switches to the twins (the .NET runtime cannot follow)

    _fork.install(native_lib)


def implementation() -> str:
    """"native" when the public API calls libragkernels, "python" when it uses the twins."""
    return IMPLEMENTATION
