"""chunk: offsets reproduce the chunk text, windows follow size and overlap, tokens mode,
argument checks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from ragkernels import Chunk, chunk

# Letters, punctuation and a spread of whitespace (Unicode spaces, line breaks, NBSP, and
# U+200B, which is not whitespace).
alphabet = st.sampled_from(list("abcé.,'-") + [" ", "  ", "\n", "\t", "\u00a0", "\u2003", "\u3000", "\u200b", "\x1c"])
texts = st.lists(alphabet, max_size=400).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(1, 12), st.data())
def test_offsets_reproduce_text_and_windows_follow_size_and_overlap(text, size, data):
    overlap = data.draw(st.integers(0, size - 1))
    chunks = chunk(text, size=size, overlap=overlap)
    words = text.split()  # str.split() splits on the same whitespace as r"\S+" finds words between
    step = size - overlap
    expected = []
    for first in range(0, len(words), step):
        expected.append(words[first:first + size])
        if first + size >= len(words):
            break
    assert [c.text.split() for c in chunks] == expected
    for index, c in enumerate(chunks):
        assert text[c.start:c.end] == c.text
        assert c.index == index
        assert c.text == c.text.strip() or not c.text.split()
    if words:
        assert chunks[0].start == len(text) - len(text.lstrip())
        assert chunks[-1].end == max(m.end() for m in re.finditer(r"\S+", text))


def test_small_example_by_hand():
    text = "One two  three\nfour five six seven"
    assert chunk(text, size=3, overlap=1) == [
        Chunk("One two  three", 0, 14, 0),
        Chunk("three\nfour five", 9, 24, 1),
        Chunk("five six seven", 20, 34, 2),
    ]
    assert chunk(text, size=10, overlap=0) == [Chunk(text, 0, len(text), 0)]
    assert chunk("   \n ", size=3, overlap=1) == []
    assert chunk("", size=3, overlap=1) == []


def word_and_punctuation_offsets(text):
    """A tokenizer in the style of BERT's basic tokenizer: words and single punctuation marks,
    plus empty spans for special tokens at both ends."""
    return [(0, 0)] + [m.span() for m in re.finditer(r"\w+|[^\w\s]", text)] + [(len(text), len(text))]


def test_tokens_unit_with_a_tokenizer():
    text = "Hello, world! It's fine."
    chunks = chunk(text, size=4, overlap=2, unit="tokens", tokenizer=word_and_punctuation_offsets)
    # tokens: Hello , world ! It ' s fine .
    assert [c.text for c in chunks] == ["Hello, world!", "world! It'", "It's fine", "s fine."]
    for c in chunks:
        assert text[c.start:c.end] == c.text


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(1, 8), st.data())
def test_tokens_offsets_reproduce_text(text, size, data):
    overlap = data.draw(st.integers(0, size - 1))
    for c in chunk(text, size=size, overlap=overlap, unit="tokens", tokenizer=word_and_punctuation_offsets):
        assert text[c.start:c.end] == c.text


@pytest.mark.parametrize(
    "kwargs, exception, message",
    [
        ({"size": 0}, ValueError, "chunk: size must be at least 1, got 0"),
        ({"size": 5, "overlap": 5}, ValueError, "chunk: overlap must be smaller than size, got overlap 5 and size 5"),
        ({"overlap": -1}, ValueError, "chunk: overlap must be at least 0, got -1"),
        ({"size": 2.5}, TypeError, "chunk: size must be an int, not float"),
        ({"unit": "sentences"}, ValueError, "chunk: unit must be 'words' or 'tokens', got 'sentences'"),
        ({"unit": "tokens"}, ValueError, "chunk: unit='tokens' needs a tokenizer"),
        ({"tokenizer": str.split}, ValueError, "chunk: a tokenizer is only used with unit='tokens'"),
        ({"unit": "tokens", "tokenizer": 5}, TypeError, "chunk: tokenizer must be callable, not int"),
        ({"unit": "tokens", "tokenizer": lambda t: [(0, 99)]}, ValueError,
         "chunk: token 0 has offsets (0, 99) outside the text of length 5"),
        ({"unit": "tokens", "tokenizer": lambda t: [(2, 3), (0, 1)]}, ValueError,
         "chunk: token offsets must not go backwards"),
        ({"unit": "tokens", "tokenizer": lambda t: ["ab"]}, TypeError, "chunk: token offsets must be ints"),
        ({"unit": "tokens", "tokenizer": lambda t: [5]}, TypeError, "chunk: the tokenizer must yield (start, end) pairs"),
    ],
)
def test_argument_errors(kwargs, exception, message):
    with pytest.raises(exception) as raised:
        chunk("a b c", **kwargs)
    assert str(raised.value).startswith(message)


def test_text_must_be_str():
    with pytest.raises(TypeError, match="chunk: text must be a str, not bytes"):
        chunk(b"a b")
