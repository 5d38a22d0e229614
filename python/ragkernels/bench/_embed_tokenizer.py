"""The pure-Python tokenizer for benchmark rows, loaded once per folder."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4)
def python_tokenizer(folder):
    from ..embed import _tokenizer_py

    return _tokenizer_py.from_folder(folder)
