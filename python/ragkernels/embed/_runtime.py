"""Where ONNX Runtime's shared library may be, in the order the native Embedder tries them."""

from __future__ import annotations

import glob
import importlib.util
import os
import sys
from pathlib import Path

PACKAGE_LIB_DIR = Path(__file__).resolve().parent.parent / "_native" / "lib"


def library_name() -> str:
    if sys.platform == "win32":
        return "onnxruntime.dll"
    if sys.platform == "darwin":
        return "libonnxruntime.dylib"
    return "libonnxruntime.so.1"


def python_package_library() -> str | None:
    """The library inside an installed `onnxruntime` Python package (found without importing it)."""
    try:
        spec = importlib.util.find_spec("onnxruntime")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        capi = Path(location) / "capi"
        pattern = "onnxruntime.dll" if sys.platform == "win32" else "libonnxruntime*.dylib" if sys.platform == "darwin" else "libonnxruntime.so*"
        found = sorted(glob.glob(str(capi / pattern)))
        if found:
            return found[0]
    return None


def candidates(explicit: str | os.PathLike | None = None) -> list[str]:
    """Explicit path, $RAGKERNELS_ONNXRUNTIME, the onnxruntime Python package's library, the copy
    the build put inside ragkernels; the native side then tries the system library path."""
    paths = []
    if explicit is not None:
        paths.append(os.fspath(explicit))
    if os.environ.get("RAGKERNELS_ONNXRUNTIME"):
        paths.append(os.environ["RAGKERNELS_ONNXRUNTIME"])
    from_python = python_package_library()
    if from_python:
        paths.append(from_python)
    bundled = PACKAGE_LIB_DIR / library_name()
    if bundled.is_file():
        paths.append(str(bundled))
    return paths
