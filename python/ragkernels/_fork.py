"""What happens to the native library in a child of os.fork() (multiprocessing's "fork" start
method, gunicorn --preload, Celery's prefork pool).

The NativeAOT .NET runtime inside libragkernels does not survive fork: fork copies only the
calling thread, and the runtime's own threads (background GC, finalizer) and any lock they held
are gone in the child. Measured here: a child whose parent had already run a few collections
hangs in its first collection. There is no way to restart the runtime in the same process, so
the child switches to the pure-Python twins (identical results, slower) and says so once with a
RuntimeWarning; objects created before the fork raise a RuntimeError that says why, instead of
calling into the copied runtime (which could hang).

Keeping the native library in the child is not offered: even a parent that had only imported
the package produced children that hung in a later collection.

To keep native speed in workers: import ragkernels after the fork, or use the "spawn" or
"forkserver" start method (gunicorn: without --preload).
"""

from __future__ import annotations

import os
import sys
import warnings
import weakref

FORKED_MESSAGE = (
    "this ragkernels object was created before os.fork(): the native library cannot be used in a "
    "forked child (the .NET runtime does not survive fork). Create the object again in the child "
    "(it then uses the pure-Python implementation), or start workers with 'spawn'/'forkserver'."
)

forked = False


class _ForkedLibrary:
    """Stands in for the cffi library object in a forked child: every export raises."""

    def __getattr__(self, name):
        if name.startswith("RK_"):  # status constants are plain integers, still fine to read
            return getattr(_real_lib, name)
        raise RuntimeError(FORKED_MESSAGE)


_real_lib = None


def _refuse(*args, **kwargs):
    raise RuntimeError(FORKED_MESSAGE)


def _python_bindings() -> dict:
    """module name -> {public name: pure-Python object} for the areas with a native path."""
    from .signals import _py as signals_py
    from .vector._api import make_public

    bindings = {}
    if "ragkernels.signals" in sys.modules:
        module = sys.modules["ragkernels.signals"]
        bindings["ragkernels.signals"] = {name: getattr(signals_py, name) for name in module.__all__}
    if "ragkernels.bm25" in sys.modules:
        from .bm25._py import BM25Index

        bindings["ragkernels.bm25"] = {"BM25Index": BM25Index}
    if "ragkernels.vector" in sys.modules:
        from .vector import _py as vector_py

        index, rrf = make_public(vector_py.VectorIndex, vector_py.rrf)
        bindings["ragkernels.vector"] = {"VectorIndex": index, "rrf": rrf}
    if "ragkernels.embed" in sys.modules:
        from .embed._py import Embedder

        bindings["ragkernels.embed"] = {"Embedder": Embedder}
    return bindings


def _after_fork_in_child() -> None:
    global forked
    forked = True
    from . import _dispatch, _native

    if _native.fastcall is not None:
        # Its functions call the exports directly: from now on they all take their fallbacks
        # (the cffi wrappers, which refuse below), also through references taken before the fork.
        _native.fastcall.unbind()
    if _dispatch.IMPLEMENTATION != "native":
        return
    lib = _native.lib
    # The library's functions, as the native modules hold them (some cache them in globals).
    exports = {id(getattr(lib, name)): name for name in dir(lib) if name.startswith("rk_")}
    # Finalisers of objects made before the fork would call into the copied runtime.
    for finalizer in list(getattr(weakref.finalize, "_registry", {})):
        info = finalizer.peek()
        if info is not None and id(info[1]) in exports:
            finalizer.detach()
    stub = _ForkedLibrary()
    for name, module in list(sys.modules.items()):
        if name != "ragkernels" and not name.startswith("ragkernels."):
            continue
        if module is lib:  # the compiled binding registers its lib object as a module too
            continue
        for attribute, value in list(vars(module).items()):
            if value is lib:
                setattr(module, attribute, stub)
            elif id(value) in exports:
                setattr(module, attribute, _refuse)
    top = sys.modules.get("ragkernels")
    for module_name, names in _python_bindings().items():
        module = sys.modules[module_name]
        for name, value in names.items():
            old = getattr(module, name, None)
            setattr(module, name, value)
            if top is not None and old is not None and getattr(top, name, None) is old:
                setattr(top, name, value)
    _dispatch.IMPLEMENTATION = "python"
    warnings.warn(
        "ragkernels: this process was forked after the native library was loaded; the .NET runtime "
        "does not survive fork, so this process now uses the pure-Python implementation (same "
        "results, slower). Import ragkernels after the fork or use the 'spawn'/'forkserver' start "
        "method to keep native speed.",
        RuntimeWarning, stacklevel=2)


def install(lib) -> None:
    """Registers the after-fork hook once (called by _dispatch when the native library is used)."""
    global _real_lib
    if _real_lib is None and hasattr(os, "register_at_fork"):
        _real_lib = lib
        os.register_at_fork(after_in_child=_after_fork_in_child)
