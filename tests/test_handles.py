"""Handles of the Python classes (issue 7): TrendWindow, BM25Index, VectorIndex, Embedder.

Use after close raises ValueError (both implementations); close twice is harmless (a no-op, as
for Python files) and the object stays closed; a native object pointed at a handle of another
kind, a freed one or a forged value raises ValueError instead of touching memory; an object the
user forgets to close is freed by its finaliser, which is checked through the ABI (the handle is
gone: RK_INVALID_HANDLE).
"""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from conftest import SHARED_DATA, implementation_module, native_lib

TOKENIZER_DIR = SHARED_DATA / "minilm-tokenizer"


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    if not (TOKENIZER_DIR / "vocab.txt").is_file():
        pytest.skip(f"{TOKENIZER_DIR} (the all-MiniLM-L6-v2 tokenizer) is absent")
    pytest.importorskip("onnx", reason="python3-onnx is needed to generate the test model")
    from ragkernels.bench import _bert_model

    folder = tmp_path_factory.mktemp("handles-bert")
    _bert_model.write_folder(folder, TOKENIZER_DIR, _bert_model.Architecture(hidden=16, layers=1, heads=2,
                                                                              intermediate=32), 5)
    return folder


def make(kind, impl, model_dir=None):
    """(object, a call that uses it) for one class of one implementation."""
    if kind == "trend":
        obj = implementation_module("signals", impl).TrendWindow(4)
        return obj, lambda: obj.push(0.5)
    if kind == "bm25":
        obj = implementation_module("bm25", impl).BM25Index()
        obj.add(["the quick brown fox", "paris in spring"])
        return obj, lambda: obj.search("fox", k=2)
    if kind == "vector":
        obj = implementation_module("vector", impl).VectorIndex(dim=3)
        obj.add(np.eye(3, dtype=np.float32))
        return obj, lambda: obj.search(np.ones(3, dtype=np.float32), k=2)
    if impl == "python":
        pytest.importorskip("onnxruntime", reason="the Python Embedder needs the onnxruntime package")
    obj = implementation_module("embed", impl).Embedder(model_dir)
    return obj, lambda: obj.embed(["a short text"])


KINDS = ["trend", "bm25", "vector", "embed"]


def needs_model(kind, request):
    return request.getfixturevalue("model_dir") if kind == "embed" else None


@pytest.mark.parametrize("impl", ["python", "native"])
@pytest.mark.parametrize("kind", KINDS)
def test_use_after_close_and_double_close(kind, impl, request):
    obj, use = make(kind, impl, needs_model(kind, request))
    use()
    obj.close()
    with pytest.raises(ValueError, match="closed"):
        use()
    obj.close()  # a second close does nothing
    with pytest.raises(ValueError, match="closed"):
        use()
    if hasattr(obj, "__enter__"):
        obj2, use2 = make(kind, impl, needs_model(kind, request))
        with obj2:
            use2()
        with pytest.raises(ValueError, match="closed"):
            use2()
        obj2.close()


# What the native handles encode (HandleTable.cs): kind << 56 | generation << 32 | slot + 1.
def forged_values(handle, other):
    return {
        "another kind's handle": other,
        "zero": 0,
        "all ones": 2**64 - 1,
        "generation changed": handle ^ (1 << 32),
        "slot changed": handle + 1000,
        "kind changed": handle ^ (1 << 57),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_foreign_freed_and_forged_handles_raise(kind, request):
    native_lib()
    obj, use = make(kind, "native", needs_model(kind, request))
    other, _ = make("trend" if kind != "trend" else "vector", "native")
    try:
        real = obj._handle
        freed, _ = make(kind, "native", needs_model(kind, request))
        freed_handle = freed._handle
        freed.close()
        cases = forged_values(real, other._handle)
        cases["freed"] = freed_handle
        for label, value in cases.items():
            obj._handle = value
            with pytest.raises(ValueError):
                use()
            assert label  # (the label names the case in a failure's traceback)
        obj._handle = real
        use()  # the forged calls changed nothing
        assert other is not None
    finally:
        obj._handle = real
        obj.close()
        other.close()


def handle_alive(lib, ffi, kind, handle) -> bool:
    out = ffi.new("int64_t*")
    if kind == "trend":
        status = lib.rk_trend_window_reset(handle)
    elif kind == "bm25":
        status = lib.rk_bm25_len(handle, out)
    elif kind == "vector":
        status = lib.rk_vector_index_count(handle, out)
    else:
        status = lib.rk_embed_dim(handle, out, ffi.new("int64_t*"))
    assert status in (lib.RK_OK, lib.RK_INVALID_HANDLE)
    return status == lib.RK_OK


@pytest.mark.parametrize("kind", KINDS)
def test_finaliser_frees_a_forgotten_native_object(kind, request, ffi):
    lib = native_lib()
    obj, use = make(kind, "native", needs_model(kind, request))
    use()
    handle = obj._handle
    gone = weakref.ref(obj)
    assert handle_alive(lib, ffi, kind, handle)
    del obj, use
    gc.collect()
    assert gone() is None
    assert not handle_alive(lib, ffi, kind, handle)


@pytest.mark.parametrize("kind", ["trend", "bm25", "vector"])
def test_forgotten_python_twin_is_collected(kind):
    obj, use = make(kind, "python")
    use()
    gone = weakref.ref(obj)
    del obj, use
    gc.collect()
    assert gone() is None
