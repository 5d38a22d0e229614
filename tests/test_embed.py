"""Sentence embeddings (issue 4): a tiny generated BERT with the real all-MiniLM-L6-v2 tokenizer,
checked against a numpy forward pass of the same weights written here.

The native Embedder runs the model through ONNX Runtime. The Python twin runs it through the
`onnxruntime` Python package; where that package is not installed, the twin's pipeline
(tokenize, sort, pad, pool, normalise) is tested with a stand-in session that runs the numpy
forward pass below, and the tests that need real ONNX Runtime behaviour skip for it.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import threading
import types

import numpy as np
import pytest

from conftest import SHARED_DATA, implementation_module

TOKENIZER_DIR = SHARED_DATA / "minilm-tokenizer"
HAS_ORT_PACKAGE = importlib.util.find_spec("onnxruntime") is not None

pytestmark = pytest.mark.skipif(not (TOKENIZER_DIR / "vocab.txt").is_file(),
                                reason=f"{TOKENIZER_DIR} (the all-MiniLM-L6-v2 tokenizer) is absent")

onnx = pytest.importorskip("onnx", reason="python3-onnx is needed to generate the test models")

from ragkernels.bench import _bert_model  # noqa: E402  (needs onnx)

TINY = _bert_model.Architecture(hidden=32, layers=2, heads=4, intermediate=64)
SEED = 20240611

TEXTS = [
    "The quick brown fox jumps over the lazy dog.",
    "Sentence embeddings turn text into vectors.",
    "",
    "naïve café résumé — Ünïcödé",
    "中文分词测试 and 日本語のテキスト",
    "short",
    "A somewhat longer sentence, with punctuation; numbers like 3.14159 and 2024, and CAPITALS!",
]


# ---- the independent reference: numpy forward pass of the generated BERT -------------------

def _layer_norm(x, gamma, beta, eps):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _erf(x):
    from math import erf

    return np.vectorize(erf)(x)


def forward(weights, arch, ids, mask):
    """last_hidden_state for int arrays ids, mask of shape (batch, sequence), in float64."""
    w = {k: v.astype(np.float64) for k, v in weights.items()}
    batch, seq = ids.shape
    hd = arch.hidden // arch.heads
    x = w["word"][ids] + w["position"][:seq][None] + w["type"][0][None, None]
    x = _layer_norm(x, w["emb_gamma"], w["emb_beta"], arch.eps)
    bias = (1.0 - mask)[:, None, None, :] * -10000.0
    for i in range(arch.layers):
        p = f"l{i}"

        def heads(name):
            y = x @ w[f"{p}.{name}.w"] + w[f"{p}.{name}.b"]
            return y.reshape(batch, seq, arch.heads, hd).transpose(0, 2, 1, 3)

        q, k, v = heads("q"), heads("k"), heads("v")
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, arch.hidden)
        x = _layer_norm(context @ w[f"{p}.o.w"] + w[f"{p}.o.b"] + x, w[f"{p}.ln1.gamma"], w[f"{p}.ln1.beta"], arch.eps)
        up = x @ w[f"{p}.up.w"] + w[f"{p}.up.b"]
        gelu = 0.5 * up * (1.0 + _erf(up / np.sqrt(2.0)))
        x = _layer_norm(gelu @ w[f"{p}.down.w"] + w[f"{p}.down.b"] + x, w[f"{p}.ln2.gamma"], w[f"{p}.ln2.beta"], arch.eps)
    return x


def reference_vector(weights, arch, ids, pooling="mean", normalize=True):
    """One text's sentence vector from its token ids, each text run alone (no padding)."""
    ids = np.asarray([ids])
    hidden = forward(weights, arch, ids, np.ones_like(ids, dtype=np.float64))[0]
    if pooling == "mean":
        v = hidden.mean(0)
    elif pooling == "cls":
        v = hidden[0]
    elif pooling == "max":
        v = hidden.max(0)
    else:
        v = hidden.sum(0) / np.sqrt(len(hidden))
    if normalize:
        v = v / max(np.linalg.norm(v), 1e-12)
    return v


# ---- fixtures --------------------------------------------------------------------------------

MODELS = {}  # model path -> weights, for the stand-in onnxruntime


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-bert")
    weights = _bert_model.write_folder(folder, TOKENIZER_DIR, TINY, SEED)
    MODELS[str(folder / "onnx" / "model.onnx")] = weights
    return folder, weights


def _with_pooling(tmp_path, folder, pooling):
    copy = tmp_path / f"pool-{pooling}"
    shutil.copytree(folder, copy)
    MODELS[str(copy / "onnx" / "model.onnx")] = MODELS[str(folder / "onnx" / "model.onnx")]
    modes = {"cls": "pooling_mode_cls_token", "mean": "pooling_mode_mean_tokens", "max": "pooling_mode_max_tokens",
             "mean_sqrt_len": "pooling_mode_mean_sqrt_len_tokens"}
    import json

    (copy / "1_Pooling" / "config.json").write_text(json.dumps(
        {"word_embedding_dimension": TINY.hidden, **{key: mode == pooling for mode, key in modes.items()}}))
    return copy


def _stand_in_onnxruntime():
    """A module with onnxruntime's SessionOptions/InferenceSession API running `forward`."""
    module = types.ModuleType("onnxruntime")

    class SessionOptions:
        intra_op_num_threads = 0
        inter_op_num_threads = 0

    class _Arg:
        def __init__(self, name):
            self.name = name

    class InferenceSession:
        def __init__(self, path, sess_options=None, providers=None):
            self.weights = MODELS[path]

        def get_inputs(self):
            return [_Arg("input_ids"), _Arg("attention_mask"), _Arg("token_type_ids")]

        def get_outputs(self):
            return [_Arg("last_hidden_state")]

        def run(self, names, feeds):
            ids, mask = feeds["input_ids"], feeds["attention_mask"].astype(np.float64)
            return [forward(self.weights, TINY, ids, mask).astype(np.float32)]

    module.SessionOptions = SessionOptions
    module.InferenceSession = InferenceSession
    return module


@pytest.fixture(scope="session", params=["python", "native"])
def embed_impl(request):
    """(name, Embedder class) of one implementation."""
    module = implementation_module("embed", request.param)
    if request.param == "python" and not HAS_ORT_PACKAGE:
        def make(*args, **kwargs):
            saved = sys.modules.get("onnxruntime")
            sys.modules["onnxruntime"] = _stand_in_onnxruntime()
            try:
                return module.Embedder(*args, **kwargs)
            finally:
                if saved is None:
                    del sys.modules["onnxruntime"]
                else:
                    sys.modules["onnxruntime"] = saved
        return "python-stand-in", make
    return request.param, module.Embedder


@pytest.fixture(scope="session")
def py_tokenizer():
    from ragkernels.embed import _tokenizer_py

    return _tokenizer_py.from_folder(TOKENIZER_DIR)


def _needs_real_runtime(name):
    if name == "python-stand-in":
        pytest.skip("the onnxruntime Python package is not installed: this checks ONNX Runtime's own behaviour")


# ---- embeddings ----------------------------------------------------------------------------

@pytest.mark.parametrize("normalize", [True, False])
def test_embeddings_equal_numpy_forward_pass(embed_impl, tiny, py_tokenizer, normalize):
    _, Embedder = embed_impl
    folder, weights = tiny
    with Embedder(folder, normalize=normalize, batch_size=3) as embedder:
        assert embedder.dim == TINY.hidden
        vectors = embedder.embed(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), TINY.hidden) and vectors.flags.c_contiguous
    for text, vector in zip(TEXTS, vectors):
        expected = reference_vector(weights, TINY, py_tokenizer.encode(text, 256), normalize=normalize)
        np.testing.assert_allclose(vector, expected, atol=1e-5, rtol=0)
    if normalize:
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("pooling", ["cls", "max", "mean_sqrt_len"])
def test_pooling_modes_from_the_folder(embed_impl, tiny, py_tokenizer, tmp_path, pooling):
    _, Embedder = embed_impl
    folder = _with_pooling(tmp_path, tiny[0], pooling)
    with Embedder(folder, normalize=False, batch_size=4) as embedder:
        vectors = embedder.embed(TEXTS)
    for text, vector in zip(TEXTS, vectors):
        expected = reference_vector(tiny[1], TINY, py_tokenizer.encode(text, 256), pooling=pooling, normalize=False)
        np.testing.assert_allclose(vector, expected, atol=1e-5, rtol=0)


def test_batch_size_does_not_change_the_vectors(embed_impl, tiny):
    _, Embedder = embed_impl
    results = []
    for batch_size in (1, 2, 5, 64):
        with Embedder(tiny[0], batch_size=batch_size) as embedder:
            results.append(embedder.embed(TEXTS * 3))
    for other in results[1:]:
        np.testing.assert_allclose(other, results[0], atol=1e-5, rtol=0)


def test_rows_follow_the_callers_order(embed_impl, tiny):
    _, Embedder = embed_impl
    with Embedder(tiny[0], batch_size=2) as embedder:
        forward_order = embedder.embed(TEXTS)
        backward = embedder.embed(TEXTS[::-1])
        alone = np.stack([embedder.embed([t])[0] for t in TEXTS])
    np.testing.assert_allclose(backward[::-1], forward_order, atol=1e-5, rtol=0)
    np.testing.assert_allclose(alone, forward_order, atol=1e-5, rtol=0)


def test_empty_list_and_empty_string(embed_impl, tiny, py_tokenizer):
    _, Embedder = embed_impl
    folder, weights = tiny
    with Embedder(folder) as embedder:
        none = embedder.embed([])
        assert none.shape == (0, TINY.hidden) and none.dtype == np.float32
        assert embedder.embed(()).shape == (0, TINY.hidden)
        empty = embedder.embed([""])
    cls_sep = [py_tokenizer.cls_id, py_tokenizer.sep_id]
    np.testing.assert_allclose(empty[0], reference_vector(weights, TINY, cls_sep), atol=1e-5, rtol=0)


def test_long_text_is_truncated(embed_impl, tiny, py_tokenizer):
    _, Embedder = embed_impl
    folder, weights = tiny
    text = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 200)[:10000]
    assert len(text) == 10000
    with Embedder(folder, max_length=64) as embedder:
        assert embedder.max_length == 64
        vector = embedder.embed([text])[0]
    ids = py_tokenizer.encode(text, 64)
    assert len(ids) == 64
    np.testing.assert_allclose(vector, reference_vector(weights, TINY, ids), atol=1e-5, rtol=0)
    with Embedder(folder) as embedder:  # the folder's max_seq_length (256)
        assert embedder.max_length == 256
        assert embedder.embed([text, "x"]).shape == (2, TINY.hidden)


def test_use_after_close_raises(embed_impl, tiny):
    _, Embedder = embed_impl
    embedder = Embedder(tiny[0])
    embedder.close()
    embedder.close()
    with pytest.raises(ValueError, match="Embedder is closed"):
        embedder.embed(["text"])
    with Embedder(tiny[0]) as inside:
        inside.embed(["text"])
    with pytest.raises(ValueError, match="Embedder is closed"):
        inside.embed(["text"])


def test_argument_errors(embed_impl, tiny):
    _, Embedder = embed_impl
    with pytest.raises(ValueError, match="batch_size must be between 1 and 65536, got 0"):
        Embedder(tiny[0], batch_size=0)
    with pytest.raises(TypeError, match="normalize must be a bool"):
        Embedder(tiny[0], normalize=1)
    with pytest.raises(ValueError, match="max_length must be between 2 and 512, got 513"):
        Embedder(tiny[0], max_length=513)
    with pytest.raises(TypeError, match="model_dir must be a str or os.PathLike"):
        Embedder(42)
    with Embedder(tiny[0]) as embedder:
        with pytest.raises(TypeError, match="not a single str"):
            embedder.embed("one text")
        with pytest.raises(TypeError, match=r"texts\[1\] must be a str, not int"):
            embedder.embed(["a", 1])
        with pytest.raises(UnicodeEncodeError):
            embedder.embed(["lone \ud800 surrogate"])


def test_missing_folder_and_model(embed_impl, tiny, tmp_path):
    _, Embedder = embed_impl
    with pytest.raises(FileNotFoundError, match="model folder not found"):
        Embedder(tmp_path / "nowhere")
    folder = tmp_path / "no-model"
    shutil.copytree(tiny[0], folder)
    (folder / "onnx" / "model.onnx").unlink()
    with pytest.raises(FileNotFoundError, match="no ONNX model in .*looked for onnx/model.onnx and model.onnx"):
        Embedder(folder)


def test_corrupt_model_gives_onnxruntimes_message(embed_impl, tiny, tmp_path):
    name, Embedder = embed_impl
    _needs_real_runtime(name)
    folder = tmp_path / "corrupt"
    shutil.copytree(tiny[0], folder)
    (folder / "onnx" / "model.onnx").write_bytes(b"this is not a protobuf" * 10)
    with pytest.raises(ValueError, match="onnxruntime: .*(?i:protobuf|parse|model)"):
        Embedder(folder)


def test_mismatched_vocabulary_is_refused(embed_impl, tiny, tmp_path):
    _, Embedder = embed_impl
    folder = tmp_path / "mismatch"
    shutil.copytree(tiny[0], folder)
    import json

    config = json.loads((folder / "config.json").read_text())
    config["vocab_size"] = 1000
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="vocab.txt has 30522 tokens but config.json says the model has vocab_size 1000"):
        Embedder(folder)


def test_missing_tokenizer(embed_impl, tiny, tmp_path):
    _, Embedder = embed_impl
    folder = tmp_path / "no-tokenizer"
    shutil.copytree(tiny[0], folder)
    (folder / "vocab.txt").unlink()
    (folder / "tokenizer.json").unlink()
    with pytest.raises(FileNotFoundError, match="no tokenizer in .*looked for vocab.txt and tokenizer.json"):
        Embedder(folder)


def test_tokenizer_json_alone_gives_the_same_vectors(embed_impl, tiny, tmp_path):
    _, Embedder = embed_impl
    folder = tmp_path / "json-only"
    shutil.copytree(tiny[0], folder)
    MODELS[str(folder / "onnx" / "model.onnx")] = tiny[1]
    (folder / "vocab.txt").unlink()
    with Embedder(tiny[0]) as a, Embedder(folder) as b:
        np.testing.assert_allclose(b.embed(TEXTS), a.embed(TEXTS), atol=1e-6, rtol=0)


def test_threads_and_concurrent_calls(embed_impl, tiny):
    _, Embedder = embed_impl
    with Embedder(tiny[0], threads=1) as embedder:
        expected = embedder.embed(TEXTS)
        results, errors = [], []

        def work():
            try:
                for _ in range(5):
                    results.append(embedder.embed(TEXTS))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6, rtol=0)


def test_close_while_other_threads_embed(embed_impl, tiny):
    """Closing races with running: every call either completes or raises 'closed', never crashes."""
    _, Embedder = embed_impl
    embedder = Embedder(tiny[0])
    outcomes = []

    def work():
        for _ in range(20):
            try:
                outcomes.append(embedder.embed(TEXTS).shape)
            except ValueError as error:
                outcomes.append(str(error))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    embedder.close()
    for t in threads:
        t.join()
    assert set(outcomes) <= {(len(TEXTS), TINY.hidden), "Embedder is closed"}


def test_python_twin_says_what_to_install_without_onnxruntime(monkeypatch, tiny):
    from ragkernels.embed import _py

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import fails as if not installed
    with pytest.raises(ImportError, match=r"pip install onnxruntime"):
        _py.Embedder(tiny[0])


# ---- the C ABI -------------------------------------------------------------------------------

def test_stale_and_foreign_handles_are_refused(lib, ffi, tiny):
    from ragkernels.embed import _native

    embedder = _native.Embedder(tiny[0])
    handle = embedder._handle
    dim, limit = ffi.new("int64_t*"), ffi.new("int64_t*")
    assert lib.rk_embed_dim(handle, dim, limit) == lib.RK_OK and dim[0] == TINY.hidden
    embedder.close()
    assert lib.rk_embed_dim(handle, dim, limit) == lib.RK_INVALID_HANDLE
    assert lib.rk_embed_free(handle) == lib.RK_INVALID_HANDLE
    window = ffi.new("uint64_t*")
    assert lib.rk_trend_window_create(5, window) == lib.RK_OK
    assert lib.rk_embed_dim(window[0], dim, limit) == lib.RK_INVALID_HANDLE
    assert lib.rk_trend_window_free(window[0]) == lib.RK_OK


def test_run_checks_buffers_and_utf8(lib, ffi, tiny):
    from ragkernels.embed import _native

    with _native.Embedder(tiny[0]) as embedder:
        handle = embedder._handle
        out = np.zeros((1, TINY.hidden), dtype=np.float32)
        buf = ffi.from_buffer("float[]", out, require_writable=True)
        text = b"\xff\xfe"
        offsets = ffi.new("int64_t[]", [0, 2])
        assert lib.rk_embed_run(handle, text, offsets, 1, 8, buf, out.size, ffi.NULL) == lib.RK_INVALID_UTF8
        good = ffi.new("int64_t[]", [0, 1])
        assert lib.rk_embed_run(handle, b"a", good, 1, 8, buf, out.size - 1, ffi.NULL) == lib.RK_INVALID_ARGUMENT
        assert lib.rk_embed_run(handle, b"a", good, 1, 0, buf, out.size, ffi.NULL) == lib.RK_INVALID_ARGUMENT
        assert lib.rk_embed_run(handle, b"ab", ffi.new("int64_t[]", [0, 2, 1]), 2, 8, buf, out.size * 2, ffi.NULL) \
            == lib.RK_INVALID_ARGUMENT
        run_ns = ffi.new("int64_t*")
        assert lib.rk_embed_run(handle, b"a", good, 1, 8, buf, out.size, run_ns) == lib.RK_OK
        assert run_ns[0] > 0 and np.isclose(np.linalg.norm(out), 1.0)


def test_tokenizer_only_handles_cannot_embed(lib, ffi, tiny):
    from ragkernels.embed import _native

    tokenizer = _native.Tokenizer(tiny[0])
    try:
        out = ffi.new("float[]", TINY.hidden)
        status = lib.rk_embed_run(tokenizer._handle, b"a", ffi.new("int64_t[]", [0, 1]), 1, 8, out, TINY.hidden, ffi.NULL)
        assert status == lib.RK_INVALID_ARGUMENT
    finally:
        tokenizer.close()


def test_runtime_missing_is_an_import_error(tmp_path, tiny, lib):
    """A library with no ONNX Runtime beside it and only a wrong path to try: ImportError that
    lists where it looked. (Run in a fresh process: a process keeps the runtime it loaded.)"""
    import os
    import subprocess

    from ragkernels._native import _loader

    alone = tmp_path / "lib"
    alone.mkdir()
    shutil.copy2(_loader.candidate_paths()[0], alone / _loader.library_filename())
    code = (
        "import ragkernels.embed._runtime as r\n"
        "r.candidates = lambda explicit=None: [explicit]\n"
        "from ragkernels.embed._native import Embedder\n"
        "try:\n"
        f"    Embedder({str(tiny[0])!r}, onnxruntime_library='/nonexistent/libonnxruntime.so.1')\n"
        "except ImportError as e:\n"
        "    print('IMPORTERROR', e)\n"
    )
    env = dict(os.environ, RAGKERNELS_LIBRARY=str(alone / _loader.library_filename()), RAGKERNELS_IMPLEMENTATION="native")
    env.pop("RAGKERNELS_ONNXRUNTIME", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    if "IMPORTERROR" not in result.stdout and not result.stderr:
        pytest.skip("an ONNX Runtime on the system library path was found, so it cannot be made missing")
    assert "IMPORTERROR ONNX Runtime not found" in result.stdout, result.stdout + result.stderr
    assert "/nonexistent/libonnxruntime.so.1: no such file" in result.stdout
    assert "RAGKERNELS_ONNXRUNTIME" in result.stdout
