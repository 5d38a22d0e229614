"""The C# BERT/WordPiece tokenizer against the pure-Python transcription of the published
algorithm (ragkernels.embed._tokenizer_py), and both against published examples."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FORCED_PYTHON, SHARED_DATA, native_lib

TOKENIZER_DIR = SHARED_DATA / "minilm-tokenizer"
needs_vocab = pytest.mark.skipif(not (TOKENIZER_DIR / "vocab.txt").is_file(),
                                 reason=f"{TOKENIZER_DIR} (the all-MiniLM-L6-v2 tokenizer) is absent")

# Unicode-heavy corpus: CJK, kana, Hangul, accents (precomposed and combining), Greek final
# sigma, Turkish dotted I, punctuation of many scripts, control and format characters, emoji,
# zero-width characters, very long words, digits, mixed scripts.
CORPUS = [
    "Hello, World!",
    " \tHeLLo!how  \n Are yoU?  ",
    "H\u00e9llo",
    "ah\u535a\u63a8zz",
    "UNwant\u00e9d,running",
    "unaffable",
    "naïve café résumé Ünïcödé façade coöperate",
    "Cafe\u0301 crème bru\u0302le\u0301e",
    "ΟΔΥΣΣΕΥΣ Σίσυφος ΣΑΣ. ΣΑΣ' Σ ΑΣ-ΑΣ",
    "İstanbul'da İyi Iğdır ıııı",
    "Straße STRASSE ß ẞ",
    "中文分词测试，没有空格。",
    "日本語のテキスト、カタカナとひらがな！",
    "한국어 문장입니다. 안녕하세요",
    "Привет, мир! Ёлка и ёжик.",
    "مرحبا بالعالم؟ ١٢٣",
    "שלום עולם",
    "हिन्दी पाठ। संस्कृतम्",
    "ไทยภาษา ไม่มีช่องว่าง",
    "emoji 😀🎉👍🏽 👨‍👩‍👧 flags 🇫🇷 text",
    "control\x00chars\x01\x07\x1b[0m and\ufffdreplacement\u200bzero\u200dwidth\ufeffbom",
    "tabs\tnew\nlines\r\nand\u00a0nbsp\u2003em\u3000ideographic",
    "line\u2028separator\u2029paragraph\u0085next\u000bvertical\u000cform\u001cfile",
    "«quotes» „German“ ‘single’ — dashes – … ellipsis ¿¡ inverted",
    "math ∑∫√∞ ≠ ≤ ± × ÷ currency $€£¥₹ 100%",
    "x" * 100,
    "y" * 101,
    "supercalifragilisticexpialidocious " * 3,
    "a" * 250 + " b",
    "word" + "\u0301" * 120,
    "ﬁ ligature ﬀ ﬃ Ⅻ ① ２０２４ ＡＢＣ ｶﾀｶﾅ",
    "\u1e9b\u0323 \u212b \u2126 \u00c5 \u0041\u030a",
    "𠀀𠀁 𪜀 CJK ext B and compat \uf900\uf901 \u2f800",
    "[CLS] [SEP] [UNK] [PAD] [MASK] ## ##ing",
    "e-mail: someone@example.com, url: https://example.org/path?q=1&r=2#frag",
    "C++ C# F# .NET node.js 3.14159 1,000,000 10^6 2e-5",
    "",
    "   ",
    "\u0301\u0302\u0303",
    "ǅemal ǈubica ǋego",
    "ᾼ ῌ ῼ ᾈ",
]


@pytest.fixture(scope="module")
def reference():
    from ragkernels.embed import _tokenizer_py

    return _tokenizer_py.from_folder(TOKENIZER_DIR)


@pytest.fixture(scope="module")
def native():
    native_lib()
    from ragkernels.embed._native import Tokenizer

    tokenizer = Tokenizer(TOKENIZER_DIR)
    yield tokenizer
    tokenizer.close()


def _ids(tokenizer, words):
    return [tokenizer.vocab[w] for w in words]


@needs_vocab
def test_published_basic_tokenizer_examples(reference):
    # google-research/bert tokenization_test.py (lower-casing basic tokenizer).
    assert reference.basic_tokenize(" \tHeLLo!how  \n Are yoU?  ") == ["hello", "!", "how", "are", "you", "?"]
    assert reference.basic_tokenize("H\u00e9llo") == ["hello"]
    assert reference.basic_tokenize("ah\u535a\u63a8zz") == ["ah", "\u535a", "\u63a8", "zz"]


def test_published_wordpiece_examples(tmp_path):
    """tokenization_test.py's toy vocabulary: 'unwanted running' -> un ##want ##ed runn ##ing."""
    from ragkernels.embed import _tokenizer_py

    vocab = ["[UNK]", "[CLS]", "[SEP]", "want", "##want", "##ed", "wa", "un", "runn", "##ing", ","]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    expected = {
        "unwanted running": ["un", "##want", "##ed", "runn", "##ing"],
        "unwantedX running": ["[UNK]", "runn", "##ing"],
        "UNwant\u00e9d,running": ["un", "##want", "##ed", ",", "runn", "##ing"],
        "": [],
    }
    ids = {token: i for i, token in enumerate(vocab)}
    reference = _tokenizer_py.from_folder(tmp_path)
    for text, tokens in expected.items():
        assert reference.tokenize(text) == tokens
    if FORCED_PYTHON:
        return
    native_lib()
    from ragkernels.embed._native import Tokenizer

    tokenizer = Tokenizer(tmp_path)
    try:
        got = tokenizer.encode_batch(list(expected), max_length=64)
    finally:
        tokenizer.close()
    assert got == [[1] + [ids[t] for t in tokens] + [2] for tokens in expected.values()]


@needs_vocab
def test_spot_checks_with_the_minilm_vocabulary(reference):
    cases = {
        "Hello, World!": ["hello", ",", "world", "!"],
        "naïve Café": ["naive", "cafe"],
        "ah中文zz": ["ah", "中", "文", "z", "##z"],
        "ah\u535a\u63a8zz": ["ah", "\u535a", "[UNK]", "z", "##z"],
        "running": ["running"],
        "x" * 101: ["[UNK]"],
    }
    for text, words in cases.items():
        assert reference.encode(text, 512) == [reference.cls_id] + _ids(reference, words) + [reference.sep_id]
    # A word the vocabulary lacks splits into a start piece and "##" continuations that all exist.
    pieces = reference.tokenize("unaffable")
    assert len(pieces) > 1 and pieces[0] in reference.vocab and all(p.startswith("##") for p in pieces[1:])
    assert "".join(p.removeprefix("##") for p in pieces) == "unaffable"


@needs_vocab
def test_native_ids_equal_the_reference_on_the_unicode_corpus(native, reference):
    got = native.encode_batch(CORPUS, max_length=100000)
    for text, ids in zip(CORPUS, got):
        assert ids == reference.encode(text, 100000), text


@needs_vocab
def test_truncation_keeps_the_first_pieces(native, reference):
    text = " ".join(CORPUS)
    for limit in (2, 3, 10, 256):
        assert native.encode_batch([text], max_length=limit) == [reference.encode(text, limit)]


@needs_vocab
@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cn", "Cs")), max_size=40), max_size=8))
def test_native_ids_equal_the_reference_on_generated_text(native, reference, texts):
    # Only characters assigned in Python's Unicode version: .NET's tables may be newer.
    assert native.encode_batch(texts, max_length=100000) == [reference.encode(t, 100000) for t in texts]


@needs_vocab
def test_tokenizer_json_and_vocab_txt_agree(native, tmp_path):
    import shutil

    from ragkernels.embed._native import Tokenizer

    shutil.copy2(TOKENIZER_DIR / "tokenizer.json", tmp_path / "tokenizer.json")
    from_json = Tokenizer(tmp_path)
    try:
        assert from_json.encode_batch(CORPUS, max_length=100000) == native.encode_batch(CORPUS, max_length=100000)
    finally:
        from_json.close()


def test_corpus_characters_are_known_to_pythons_unicode_tables():
    # The corpus is only meaningful where both sides know the characters.
    assert all(unicodedata.category(c) != "Cn" for text in CORPUS for c in text)
