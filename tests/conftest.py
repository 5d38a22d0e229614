"""Shared fixtures: run each test once per available implementation.

The fixtures hand out modules, which hold no per-test state, so they are session-scoped
(hypothesis requires that of fixtures used by @given tests).

RAGKERNELS_IMPLEMENTATION=python restricts the suite to the pure-Python twins.
RAGKERNELS_REQUIRE_NATIVE=1 (set in CI) turns a missing native library into a failure
instead of a skip, so CI can never pass by testing only the fallback.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FORCED_PYTHON = os.environ.get("RAGKERNELS_IMPLEMENTATION", "").strip().lower() == "python"
REQUIRE_NATIVE = os.environ.get("RAGKERNELS_REQUIRE_NATIVE") == "1"

IMPLEMENTATIONS = ["python", "native"]


def native_lib():
    """The loaded library, or skip (fail under RAGKERNELS_REQUIRE_NATIVE=1) with the reason."""
    if FORCED_PYTHON:
        pytest.skip("RAGKERNELS_IMPLEMENTATION=python: this run tests the pure-Python twins only")
    from ragkernels import _native

    if _native.lib is None:
        reason = f"native library not available: {_native.load_error}"
        if REQUIRE_NATIVE:
            pytest.fail(f"RAGKERNELS_REQUIRE_NATIVE=1 but the {reason}")
        pytest.skip(reason)
    return _native.lib


def implementation_module(area: str, name: str):
    """ragkernels.<area>._py or ._native, skipping the native one where it cannot load."""
    if name == "native":
        native_lib()
    return importlib.import_module(f"ragkernels.{area}._{'py' if name == 'python' else 'native'}")


@pytest.fixture(scope="session", params=IMPLEMENTATIONS)
def signals(request):
    """The signals module of one implementation."""
    return implementation_module("signals", request.param)


@pytest.fixture(scope="session")
def py_signals():
    return implementation_module("signals", "python")


@pytest.fixture(scope="session")
def native_signals():
    return implementation_module("signals", "native")


@pytest.fixture(scope="session")
def lib():
    return native_lib()


@pytest.fixture(scope="session")
def ffi():
    from ragkernels._native import ffi

    return ffi


@pytest.fixture(scope="session", params=IMPLEMENTATIONS)
def bm25(request):
    """The bm25 module of one implementation."""
    return implementation_module("bm25", request.param)


@pytest.fixture(scope="session")
def py_bm25():
    return implementation_module("bm25", "python")


@pytest.fixture(scope="session")
def native_bm25():
    return implementation_module("bm25", "native")
