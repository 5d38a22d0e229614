"""Benchmark rows for the embeddings' tokenizer (the model runs are in `python -m
ragkernels.bench.embed`: one embedding call takes milliseconds, too long for this harness's
thousands of iterations). Rows are skipped when the all-MiniLM-L6-v2 tokenizer is absent."""

from __future__ import annotations

from pathlib import Path

from ._cases import Case
from ._embed_texts import corpus

TOKENIZER_DIR = Path.cwd().parent / "shared" / "data" / "minilm-tokenizer"


def _tokenizer_call(text: str):
    def make(module):
        if not (TOKENIZER_DIR / "vocab.txt").is_file():
            return None
        if module.__name__.endswith("._py"):
            from ._embed_tokenizer import python_tokenizer

            encode = python_tokenizer(TOKENIZER_DIR).encode
            return lambda: encode(text, 100000)
        tokenizer = module.Tokenizer(TOKENIZER_DIR)
        encode_batch = tokenizer.encode_batch
        texts = [text]
        return lambda: encode_batch(texts, 100000)
    return make


CASES = [
    Case("embed.tokenize (paragraph)", "120 words, all-MiniLM-L6-v2 vocab, [CLS]/[SEP] ids", "embed",
         _tokenizer_call(corpus(1, 120)[0]), notes="Python: _tokenizer_py; native includes building the id list"),
    Case("embed.tokenize (short)", "12 words", "embed", _tokenizer_call(corpus(1, 12)[0])),
]
