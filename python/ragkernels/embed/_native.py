"""Sentence embeddings through libragkernels (C# tokenizer + ONNX Runtime's C API)."""

from __future__ import annotations

import threading
import weakref

import numpy as np

from .._native import ffi, lib, raise_for
from .._native._handle import HandleOwner
from .. import _slices
from . import _args, _runtime

if lib is None:  # pragma: no cover - the dispatcher never imports this module then
    raise ImportError("libragkernels is not loaded")

# Interruptibility (issue 7): embed() works in native calls of about _slices.TARGET_SECONDS.
# The texts are sorted by token count (longest first, ties in input order) over the whole input,
# as the library sorts them within a call, and cut into slices of whole batches in that order:
# every ONNX Runtime batch is then the same as in one call over all the texts (same rows, same
# padding), so results do not depend on the slicing. One batch is one ORT Run, which can take
# longer than the target: each call therefore runs cancellable, and Ctrl-C terminates the Run
# under way through its OrtRunOptions (rk_embed_run_cancellable / rk_embed_cancel).
_TOKENIZE_PROBE = 256  # texts in the first slice of the length pass
_LARGEST = 4096  # texts per call at most: bounds the library's token buffer (texts x max_length)


def _token_counts(handle, items: list, raise_) -> np.ndarray:
    """Token count of each text ([CLS]/[SEP] included, truncated as embed() does), from the
    library's tokenizer in slices (ids are not copied out: capacity 0 asks for lengths only)."""
    lengths = np.zeros(len(items), dtype=np.int64)
    needed = ffi.new("int64_t*")
    for start, stop in _slices.slices(len(items), _TOKENIZE_PROBE):
        text, offsets = _pack(items[start:stop])
        status = lib.rk_embed_tokenize(handle, text, ffi.from_buffer("int64_t[]", offsets), stop - start, 0, ffi.NULL, 0,
                                       ffi.from_buffer("int64_t[]", lengths[start:stop], require_writable=True), needed)
        if status and status != lib.RK_BUFFER_TOO_SMALL:
            raise_(status)
    return lengths


_run_cancellable = lib.rk_embed_run_cancellable
# Calls with less UTF-8 than this (about a hundred tokens: a query) run directly, not cancellable.
_DIRECT_BYTES = 512


def _raise(status: int):
    from .. import _native

    if status == lib.RK_ONNXRUNTIME_MISSING:
        raise ImportError(_native._errors.message())
    if status == lib.RK_IO:
        raise FileNotFoundError(_native._errors.message())
    raise_for(status)


def _pack(texts: list) -> tuple:
    """One UTF-8 buffer and int64 offsets (len + 1) for a list of str."""
    encoded = [t.encode("utf-8") for t in texts]  # a lone surrogate raises UnicodeEncodeError (a ValueError)
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return b"".join(encoded), offsets


def _open(model_dir: str, runtime_paths: list, max_length: int, threads: int, normalize: bool, tokenizer_only: bool) -> int:
    directory = model_dir.encode("utf-8", "surrogateescape")
    paths = "\n".join(runtime_paths).encode("utf-8", "surrogateescape")
    handle = ffi.new("uint64_t*")
    status = lib.rk_embed_create(directory, len(directory), paths, len(paths), max_length, threads,
                                 int(normalize), int(tokenizer_only), handle)
    if status:
        _raise(status)
    return handle[0]


class Embedder(HandleOwner):
    """Sentence embeddings from a sentence-transformers model folder exported to ONNX.

    Args:
        model_dir: the folder (str or path): ``onnx/model.onnx`` or ``model.onnx``, ``vocab.txt``
            (+ ``tokenizer_config.json``) or ``tokenizer.json``, and optionally ``config.json``,
            ``sentence_bert_config.json`` (max_seq_length) and ``1_Pooling/config.json``
            (mean, CLS, max or mean-sqrt-len pooling; mean when absent).
        normalize: L2-normalise each vector (bool).
        batch_size: texts per ONNX Runtime run, 1..65536; texts are sorted by length first and
            each batch is padded only to its longest text.
        max_length: tokens per text including [CLS]/[SEP] (2..the model's positions); None =
            the folder's max_seq_length. Longer texts are truncated.
        threads: ONNX Runtime intra-op threads (1..1024); None = one per physical core.
        onnxruntime_library: path of ONNX Runtime's shared library to use first; otherwise
            $RAGKERNELS_ONNXRUNTIME, the ``onnxruntime`` Python package's library, the copy
            installed with ragkernels, then the system library path.
    Raises:
        TypeError / ValueError: bad arguments or a malformed folder (ORT's message for a
        corrupt model); FileNotFoundError: folder, model or tokenizer missing;
        ImportError: ONNX Runtime not found; RuntimeError: other ONNX Runtime errors.

    Thread-safe: several threads may call embed() at once. Use as a context manager or call
    close(); a closed Embedder raises ValueError.
    """

    def __init__(self, model_dir, normalize=True, batch_size=32, max_length=None, threads=None, *,
                 onnxruntime_library=None):
        directory = _args.model_dir(model_dir)
        self._normalize = _args.normalize(normalize)
        self._batch_size = _args.batch_size(batch_size)
        self._handle = _open(directory, _runtime.candidates(onnxruntime_library), _args.max_length(max_length),
                             _args.threads(threads), self._normalize, False)
        self._finalizer = weakref.finalize(self, lib.rk_embed_free, self._handle)
        dim, limit = ffi.new("int64_t*"), ffi.new("int64_t*")
        status = lib.rk_embed_dim(self._handle, dim, limit)
        if status:
            _raise(status)
        self._dim = dim[0]
        self._max_length = limit[0]
        self._local = threading.local()
        #: nanoseconds spent inside ONNX Runtime's Run during the last embed() on this thread.
        self.last_run_ns = 0

    @property
    def dim(self) -> int:
        """The vector size (int)."""
        return self._dim

    @property
    def max_length(self) -> int:
        """Tokens per text, [CLS] and [SEP] included (int)."""
        return self._max_length

    def embed(self, texts) -> np.ndarray:
        """Embeds a sequence of str; returns a float32 array of shape (len(texts), dim), row i
        for texts[i]. An empty sequence gives shape (0, dim).

        Many texts are embedded in native calls of about 50 ms (whole batches of the
        length-sorted texts, so results do not depend on the cut), each in a worker thread that
        Ctrl-C cancels, the ONNX Runtime batch in progress included; KeyboardInterrupt is then
        raised and the Embedder stays usable."""
        items = _args.texts(texts)
        handle = self._handle
        if not handle:
            raise _args.closed_error()
        out = np.empty((len(items), self._dim), dtype=np.float32)
        run_ns = ffi.new("int64_t*")
        total_ns = 0
        if not items:
            self.last_run_ns = 0
            return out
        if len(items) <= self._batch_size:
            # One batch: one call, as before (nothing to sort or to cut).
            self._run(handle, items, out, run_ns)
            self.last_run_ns = run_ns[0]
            return out
        lengths = _token_counts(handle, items, self._raise)
        order = np.lexsort((np.arange(len(items)), -lengths))  # longest first, ties in input order
        # Cost of a text ~ its token count (after the sort a batch pads to about that width).
        widths = lengths[order]
        cost = np.zeros(len(items) + 1, dtype=np.float64)
        np.cumsum(widths, out=cost[1:])
        rows = np.empty((0, self._dim), dtype=np.float32)
        for start, stop in _slices.slices(len(items), self._batch_size, cost=cost.tolist(), multiple=self._batch_size,
                                             largest=_LARGEST):
            picked = order[start:stop]
            if rows.shape[0] < stop - start:
                rows = np.empty((stop - start, self._dim), dtype=np.float32)
            part = rows[:stop - start]
            self._run(handle, [items[i] for i in picked.tolist()], part, run_ns)
            out[picked] = part
            total_ns += run_ns[0]
        self.last_run_ns = total_ns
        return out

    def _run(self, handle, texts: list, out: np.ndarray, run_ns) -> None:
        # One ONNX Runtime batch can take half a second (32 x 128 tokens, MiniLM-L6), so each
        # call runs cancellable: in a worker thread while this one waits; Ctrl-C sets the flag
        # and rk_embed_cancel stops the Run under way (_slices.cancellable).
        text, offsets = _pack(texts)
        offsets, output = ffi.from_buffer("int64_t[]", offsets), ffi.from_buffer("float[]", out, require_writable=True)
        if len(text) < _DIRECT_BYTES:  # a few milliseconds: a worker thread would cost more than it saves
            status = lib.rk_embed_run(handle, text, offsets, len(texts), self._batch_size, output, out.size, run_ns)
            if status:
                self._raise(status)
            return
        flag = ffi.new("int32_t[1]")
        status = _slices.cancellable(
            lambda: _run_cancellable(handle, text, offsets, len(texts), self._batch_size, output, out.size, run_ns, flag),
            flag, lambda: lib.rk_embed_cancel(handle, flag))
        if status:
            self._raise(status)

    def tokenize(self, texts, max_length=None) -> list:
        """Token ids ([CLS] ... [SEP]) of each text, truncated to max_length (default: the
        embedder's); for tests and diagnostics."""
        return _tokenize(self._handle, texts, max_length, self._raise)

    def _raise(self, status: int):
        if not self._handle:
            raise _args.closed_error()
        _raise(status)


def _tokenize(handle, texts, max_length, raise_) -> list:
    items = _args.texts(texts)
    if not handle:
        raise _args.closed_error()
    limit = 0 if max_length is None else max_length
    text, offsets = _pack(items)
    lengths = np.zeros(len(items), dtype=np.int64)
    needed = ffi.new("int64_t*")
    capacity = max(16, len(text) + 2 * len(items))
    while True:
        ids = np.empty(capacity, dtype=np.int32)
        status = lib.rk_embed_tokenize(handle, text, ffi.from_buffer("int64_t[]", offsets), len(items), limit,
                                       ffi.from_buffer("int32_t[]", ids, require_writable=True), capacity,
                                       ffi.from_buffer("int64_t[]", lengths, require_writable=True), needed)
        if status == lib.RK_BUFFER_TOO_SMALL:
            capacity = needed[0]
            continue
        if status:
            raise_(status)
        break
    result, start = [], 0
    for n in lengths.tolist():
        result.append(ids[start:start + n].tolist())
        start += n
    return result


class Tokenizer(HandleOwner):
    """The native BERT tokenizer of a model folder alone (no model, no ONNX Runtime)."""

    def __init__(self, model_dir, max_length=None):
        self._handle = _open(_args.model_dir(model_dir), [], _args.max_length(max_length), 0, False, True)
        self._finalizer = weakref.finalize(self, lib.rk_embed_free, self._handle)

    def encode_batch(self, texts, max_length=None) -> list:
        return _tokenize(self._handle, texts, max_length, self._raise)

    def _raise(self, status: int):
        if not self._handle:
            raise _args.closed_error()
        _raise(status)
