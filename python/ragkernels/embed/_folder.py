"""A sentence-transformers model folder read in Python, for the pure-Python twin; the same
files, defaults and messages as the C# ModelFolder."""

from __future__ import annotations

import json
from pathlib import Path

from . import _tokenizer_py

POOLING_KEYS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
}


def _json(path: Path):
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_bytes())
    except ValueError as error:
        raise ValueError(f"{path} is not valid JSON: {error}") from None


def _int(doc, key) -> int:
    value = doc.get(key) if isinstance(doc, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


class ModelFolder:
    """model_path, tokenizer, pooling ("mean" | "cls" | "max" | "mean_sqrt_len"), max_length, dim."""

    def __init__(self, directory: str, max_length: int, require_model: bool = True):
        folder = Path(directory)
        if not folder.is_dir():
            raise FileNotFoundError(f"model folder not found: {directory}")
        found = [p for p in (folder / "onnx" / "model.onnx", folder / "model.onnx") if p.is_file()]
        self.model_path = str(found[0]) if found else None
        if self.model_path is None and require_model:
            raise FileNotFoundError(f"no ONNX model in {directory}: looked for onnx/model.onnx and model.onnx")
        config = _json(folder / "config.json")
        vocab_size = _int(config, "vocab_size")
        self.max_positions = _int(config, "max_position_embeddings")
        hidden = _int(config, "hidden_size")
        self.tokenizer = _tokenizer_py.from_folder(folder)
        source = folder / ("vocab.txt" if (folder / "vocab.txt").is_file() else "tokenizer.json")
        count = max(self.tokenizer.vocab.values()) + 1
        if vocab_size > 0 and count > vocab_size:
            raise ValueError(f"{source} has {count} tokens but config.json says the model has vocab_size "
                             f"{vocab_size}: the tokenizer does not belong to this model")
        folder_max = _int(_json(folder / "sentence_bert_config.json"), "max_seq_length")
        if folder_max <= 0:
            folder_max = self.max_positions if self.max_positions > 0 else 512
        limit = self.max_positions if self.max_positions > 0 else 2147483647
        if max_length != 0 and not 2 <= max_length <= limit:
            raise ValueError(f"max_length must be between 2 and {limit}, got {max_length}")
        self.max_length = max_length if max_length != 0 else min(folder_max, limit)
        pooling = _json(folder / "1_Pooling" / "config.json")
        if pooling is None:
            self.pooling = "mean"
        else:
            chosen = [mode for key, mode in POOLING_KEYS.items() if pooling.get(key) is True]
            if len(chosen) != 1:
                raise ValueError(
                    "1_Pooling/config.json must enable exactly one of pooling_mode_cls_token, pooling_mode_mean_tokens, "
                    "pooling_mode_max_tokens, pooling_mode_mean_sqrt_len_tokens (concatenated poolings are not supported)")
            self.pooling = chosen[0]
        declared = _int(pooling, "word_embedding_dimension")
        self.dim = declared if declared > 0 else hidden
