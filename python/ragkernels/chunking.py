"""Split a text into overlapping chunks that know their exact span in the original text, so a
search result can cite it (pure Python: a regular expression scan and list slicing, ~tens of
milliseconds per megabyte of text; see the benchmark rows "chunk ...")."""

from __future__ import annotations

import numbers
import re
from typing import Callable, Iterable, NamedTuple

# A word is a maximal run of characters that are not whitespace (str.isspace()), so
# punctuation stays attached ("plans." is one word) and nothing is ever lost between words.
_WORD = re.compile(r"\S+")

UNITS = ("words", "tokens")


class Chunk(NamedTuple):
    """One chunk: `text == original[start:end]` always holds; `index` counts from 0."""

    text: str
    start: int
    end: int
    index: int


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"chunk: {name} must be an int, not {type(value).__name__}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"chunk: {name} must be at least {minimum}, got {value}")
    return value


def _token_spans(text: str, tokenizer: Callable) -> list[tuple[int, int]]:
    spans = []
    previous_start = previous_end = 0
    for position, span in enumerate(tokenizer(text)):
        try:
            start, end = span
        except (TypeError, ValueError):
            raise TypeError(f"chunk: the tokenizer must yield (start, end) pairs, got {span!r} at position {position}") from None
        if not (isinstance(start, numbers.Integral) and isinstance(end, numbers.Integral)):
            raise TypeError(f"chunk: token offsets must be ints, got {span!r} at position {position}")
        start, end = int(start), int(end)
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"chunk: token {position} has offsets ({start}, {end}) outside the text of length {len(text)}")
        if start == end:
            continue  # special tokens ([CLS], [SEP]) report empty spans: they cover no text
        if start < previous_start or end < previous_end:
            raise ValueError(f"chunk: token offsets must not go backwards: ({start}, {end}) after "
                             f"({previous_start}, {previous_end}) at position {position}")
        previous_start, previous_end = start, end
        spans.append((start, end))
    return spans


def chunk(text: str, size: int = 500, overlap: int = 50, unit: str = "words",
          tokenizer: Callable[[str], Iterable[tuple[int, int]]] | None = None) -> list[Chunk]:
    """Splits `text` into chunks of `size` units, each starting `size - overlap` units after the
    previous one, and returns them with their character offsets in `text`.

    Args:
        text: the text (str).
        size: units per chunk, an int >= 1.
        overlap: units shared by consecutive chunks, an int with 0 <= overlap < size.
        unit: "words" (maximal runs of non-whitespace characters, found with the regular
            expression r"\\S+"), or "tokens" (the spans a tokenizer reports).
        tokenizer: required for unit="tokens", refused otherwise: a callable taking the text
            and returning its tokens' character offsets as (start, end) pairs, in order
            (starts and ends never decreasing). Empty spans such as those of special tokens
            are skipped. For a Hugging Face fast tokenizer:
            `lambda t: tok(t, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]`.
    Returns:
        A list of Chunk(text, start, end, index), where text == original[start:end]: from the
        start of the chunk's first unit to the end of its last, with the original spacing in
        between. The last chunk ends at the last unit; no chunk lies entirely inside its
        predecessor's overlap. A text with no units gives [].
    Raises:
        TypeError: a non-str text, non-int size/overlap, a bad tokenizer result.
        ValueError: size < 1, overlap < 0 or >= size, an unknown unit, a tokenizer missing or
            given with the wrong unit, token offsets outside the text or going backwards.
    """
    if not isinstance(text, str):
        raise TypeError(f"chunk: text must be a str, not {type(text).__name__}")
    size = _check_int("size", size, 1)
    overlap = _check_int("overlap", overlap, 0)
    if overlap >= size:
        raise ValueError(f"chunk: overlap must be smaller than size, got overlap {overlap} and size {size}")
    if unit not in UNITS:
        raise ValueError(f"chunk: unit must be 'words' or 'tokens', got {unit!r}")
    if unit == "tokens":
        if tokenizer is None:
            raise ValueError("chunk: unit='tokens' needs a tokenizer (a callable returning (start, end) offsets)")
        if not callable(tokenizer):
            raise TypeError(f"chunk: tokenizer must be callable, not {type(tokenizer).__name__}")
        spans = _token_spans(text, tokenizer)
        starts = [s for s, _ in spans]
        ends = [e for _, e in spans]
    else:
        if tokenizer is not None:
            raise ValueError("chunk: a tokenizer is only used with unit='tokens'")
        starts = []
        ends = []
        for match in _WORD.finditer(text):
            starts.append(match.start())
            ends.append(match.end())
    count = len(starts)
    step = size - overlap
    chunks = []
    for first in range(0, count, step):
        last = min(first + size, count) - 1
        start, end = starts[first], ends[last]
        chunks.append(Chunk(text[start:end], start, end, len(chunks)))
        if last == count - 1:
            break
    return chunks
