"""Sentence embeddings in Python: the `onnxruntime` Python package runs the model, the pure-Python
BERT tokenizer (_tokenizer_py) tokenizes, numpy pools. The fallback when libragkernels is absent;
same arguments, results (within float32 rounding) and errors as the native Embedder."""

from __future__ import annotations

import numpy as np

from . import _args
from ._folder import ModelFolder

INSTALL_HINT = ("ragkernels.Embedder needs either the native library (install ragkernels with the .NET SDK "
                "present, so that libragkernels is built) or the 'onnxruntime' Python package "
                "(pip install onnxruntime)")


def _onnxruntime():
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError(f"{INSTALL_HINT}: {error}") from None
    return onnxruntime


def pool(mode: str, hidden: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """hidden (rows, seq, dim) float32 and real lengths -> (rows, dim) float32."""
    rows, seq, dim = hidden.shape
    mask = (np.arange(seq)[None, :] < lengths[:, None])
    if mode == "cls":
        return hidden[:, 0, :].copy()
    if mode == "max":
        masked = np.where(mask[:, :, None], hidden, np.float32(-np.inf))
        return masked.max(axis=1)
    sums = (hidden * mask[:, :, None].astype(np.float32)).sum(axis=1, dtype=np.float32)
    scale = lengths.astype(np.float32) if mode == "mean" else np.sqrt(lengths.astype(np.float32))
    return sums / scale[:, None]


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    norms = np.sqrt((vectors.astype(np.float64) ** 2).sum(axis=1))
    return (vectors / np.maximum(norms, 1e-12)[:, None]).astype(np.float32)


class Embedder:
    """Sentence embeddings from a sentence-transformers model folder exported to ONNX; see
    ragkernels.embed._native.Embedder for the arguments, results and errors."""

    def __init__(self, model_dir, normalize=True, batch_size=32, max_length=None, threads=None, *,
                 onnxruntime_library=None):
        directory = _args.model_dir(model_dir)
        self._normalize = _args.normalize(normalize)
        self._batch_size = _args.batch_size(batch_size)
        limit = _args.max_length(max_length)
        intra = _args.threads(threads)
        ort = _onnxruntime()
        self._folder = ModelFolder(directory, limit)
        options = ort.SessionOptions()
        if intra:
            options.intra_op_num_threads = intra
        options.inter_op_num_threads = 1
        try:
            self._session = ort.InferenceSession(self._folder.model_path, sess_options=options,
                                                 providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own classes; keep its message
            name = type(error).__name__
            if "NoSuchFile" in name:
                raise FileNotFoundError(f"onnxruntime: {error}") from None
            if "InvalidProtobuf" in name or "InvalidGraph" in name or "NoModel" in name:
                raise ValueError(f"onnxruntime: {error}") from None
            raise RuntimeError(f"onnxruntime: {error}") from None
        inputs = [i.name for i in self._session.get_inputs()]
        outputs = [o.name for o in self._session.get_outputs()]
        if "input_ids" not in inputs or "attention_mask" not in inputs:
            raise ValueError(f"{self._folder.model_path}: the model's inputs are [{', '.join(inputs)}]; "
                             "a BERT encoder with input_ids and attention_mask is needed")
        self._inputs = inputs
        self._output = ("last_hidden_state" if "last_hidden_state" in outputs
                        else "token_embeddings" if "token_embeddings" in outputs else outputs[0])
        self._dim = self._folder.dim
        if self._dim <= 0:
            self._dim = self._run(np.array([[self._folder.tokenizer.cls_id, self._folder.tokenizer.sep_id]]),
                                  np.array([2])).shape[2]
        self.last_run_ns = 0

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_length(self) -> int:
        return self._folder.max_length

    def _run(self, ids: np.ndarray, lengths: np.ndarray, session=None) -> np.ndarray:
        session = session if session is not None else self._session
        mask = (np.arange(ids.shape[1])[None, :] < lengths[:, None]).astype(np.int64)
        feeds = {"input_ids": ids.astype(np.int64), "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(mask)
        return np.asarray(session.run([self._output], feeds)[0], dtype=np.float32)

    def embed(self, texts) -> np.ndarray:
        """Embeds a sequence of str into a float32 (len(texts), dim) array (row i = texts[i])."""
        items = _args.texts(texts)
        session = self._session  # one reference for the whole call: close() may run meanwhile
        if session is None:
            raise _args.closed_error()
        for text in items:
            text.encode("utf-8")  # the same UnicodeEncodeError as the native twin for lone surrogates
        tokenizer, limit = self._folder.tokenizer, self._folder.max_length
        encoded = [tokenizer.encode(text, limit) for text in items]
        order = sorted(range(len(items)), key=lambda i: (-len(encoded[i]), i))
        out = np.empty((len(items), self._dim), dtype=np.float32)
        for first in range(0, len(order), self._batch_size):
            rows = order[first:first + self._batch_size]
            lengths = np.array([len(encoded[i]) for i in rows])
            ids = np.full((len(rows), lengths.max()), tokenizer.pad_id, dtype=np.int64)
            for r, i in enumerate(rows):
                ids[r, :lengths[r]] = encoded[i]
            hidden = self._run(ids, lengths, session)
            if hidden.shape[2] != self._dim:
                raise ValueError(f"the model's output has hidden size {hidden.shape[2]} but the folder declares dimension {self._dim}")
            vectors = pool(self._folder.pooling, hidden, lengths)
            if self._normalize:
                vectors = l2_normalize(vectors)
            out[rows] = vectors
        return out

    def tokenize(self, texts, max_length=None) -> list:
        """Token ids ([CLS] ... [SEP]) of each text, truncated to max_length (default: the embedder's)."""
        items = _args.texts(texts)
        if self._session is None:
            raise _args.closed_error()
        limit = self._folder.max_length if max_length is None else max_length
        return [self._folder.tokenizer.encode(text, limit) for text in items]

    def close(self) -> None:
        """Releases the session; closing twice is harmless."""
        self._session = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
