"""BERT's tokenizer in pure Python: the reference twin of the C# tokenizer.

A straightforward transcription of the published algorithm (google-research/bert
tokenization.py: BasicTokenizer + WordpieceTokenizer), working on Python strings with
unicodedata, so it shares nothing with the C# code it checks: text cleaning, spaces around
CJK ideographs, whitespace split, lower-casing (str.lower), accent stripping (NFD without Mn),
punctuation split, then greedy longest-match-first WordPiece.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path


def _is_whitespace(char: str) -> bool:
    if char in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(char) == "Zs"


def _is_control(char: str) -> bool:
    if char in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(char) in ("Cc", "Cf")


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_chinese_char(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class BertTokenizer:
    """BERT basic tokenization + WordPiece over a vocabulary (token -> id).

    Args:
        vocab: dict mapping tokens (continuations written "##piece") to ids.
        lower_case, strip_accents, tokenize_chinese_chars: BERT's normalisation switches
            (strip_accents None follows lower_case).
        max_input_chars_per_word: longer words become the unknown token.
    """

    def __init__(self, vocab: dict, lower_case: bool = True, strip_accents=None,
                 tokenize_chinese_chars: bool = True, cls_token="[CLS]", sep_token="[SEP]",
                 unk_token="[UNK]", pad_token="[PAD]", max_input_chars_per_word: int = 100):
        self.vocab = vocab
        self.lower_case = lower_case
        self.strip_accents = lower_case if strip_accents is None else strip_accents
        self.tokenize_chinese_chars = tokenize_chinese_chars
        self.max_input_chars_per_word = max_input_chars_per_word
        for token in (cls_token, sep_token, unk_token):
            if token not in vocab:
                raise ValueError(f"the vocabulary has no {token} token")
        self.unk_token = unk_token
        self.cls_id = vocab[cls_token]
        self.sep_id = vocab[sep_token]
        self.pad_id = vocab.get(pad_token, 0)

    # ---- basic tokenizer -------------------------------------------------------------
    def _clean_text(self, text: str) -> str:
        output = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD or _is_control(char):
                continue
            output.append(" " if _is_whitespace(char) else char)
        return "".join(output)

    def _tokenize_chinese_chars(self, text: str) -> str:
        output = []
        for char in text:
            if _is_chinese_char(ord(char)):
                output.extend((" ", char, " "))
            else:
                output.append(char)
        return "".join(output)

    @staticmethod
    def _run_strip_accents(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")

    @staticmethod
    def _run_split_on_punc(text: str) -> list:
        output = []
        start_new_word = True
        for char in text:
            if _is_punctuation(char):
                output.append([char])
                start_new_word = True
            else:
                if start_new_word:
                    output.append([])
                start_new_word = False
                output[-1].append(char)
        return ["".join(x) for x in output]

    def basic_tokenize(self, text: str) -> list:
        """The words of BERT's basic tokenizer (before WordPiece)."""
        text = self._clean_text(text)
        if self.tokenize_chinese_chars:
            text = self._tokenize_chinese_chars(text)
        split_tokens = []
        for token in text.split():
            if self.lower_case:
                token = token.lower()
            if self.strip_accents:
                token = self._run_strip_accents(token)
            split_tokens.extend(self._run_split_on_punc(token))
        return " ".join(split_tokens).split()

    # ---- WordPiece -----------------------------------------------------------------------
    def wordpiece(self, word: str) -> list:
        """The pieces of one word, or [unk_token]."""
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        pieces = []
        start = 0
        while start < len(word):
            end = len(word)
            current = None
            while start < end:
                piece = word[start:end]
                if start > 0:
                    piece = "##" + piece
                if piece in self.vocab:
                    current = piece
                    break
                end -= 1
            if current is None:
                return [self.unk_token]
            pieces.append(current)
            start = end
        return pieces

    def tokenize(self, text: str) -> list:
        """The WordPiece tokens of text, without [CLS]/[SEP]."""
        return [piece for word in self.basic_tokenize(text) for piece in self.wordpiece(word)]

    def encode(self, text: str, max_length: int) -> list:
        """[CLS] ids... [SEP], keeping the first max_length - 2 pieces."""
        pieces = self.tokenize(text)[: max_length - 2]
        return [self.cls_id] + [self.vocab[p] for p in pieces] + [self.sep_id]


def load_vocab_txt(path) -> dict:
    """vocab.txt: one token per line, ids from 0 (a later duplicate overrides)."""
    vocab = {}
    try:
        with open(path, encoding="utf-8") as handle:
            for index, line in enumerate(handle):
                vocab[line.strip()] = index
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not valid UTF-8: {error}") from None
    return vocab


def _read_json(path):
    """A JSON file of the folder; a damaged one is a ValueError that names it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        raise ValueError(f"{path} is not valid JSON: {error}") from None


def from_folder(folder) -> BertTokenizer:
    """The tokenizer of a model folder: vocab.txt + tokenizer_config.json, else tokenizer.json."""
    folder = Path(folder)
    if (folder / "vocab.txt").is_file():
        settings = {}
        if (folder / "tokenizer_config.json").is_file():
            settings = _read_json(folder / "tokenizer_config.json")
        lower = settings.get("do_lower_case", True)
        lower = True if not isinstance(lower, bool) else lower
        strip = settings.get("strip_accents")
        strip = strip if isinstance(strip, bool) else None

        def name(key, default):
            value = settings.get(key)
            return value if isinstance(value, str) else default

        return BertTokenizer(load_vocab_txt(folder / "vocab.txt"), lower, strip,
                             settings.get("tokenize_chinese_chars", True) is not False,
                             name("cls_token", "[CLS]"), name("sep_token", "[SEP]"),
                             name("unk_token", "[UNK]"), name("pad_token", "[PAD]"))
    if (folder / "tokenizer.json").is_file():
        data = _read_json(folder / "tokenizer.json")
        model = data.get("model") or {}
        if model.get("type") != "WordPiece":
            raise ValueError(f"{folder / 'tokenizer.json'}: only WordPiece tokenizers (BERT) are supported")
        normalizer = data.get("normalizer") or {}
        lower = normalizer.get("lowercase", True)
        strip = normalizer.get("strip_accents")
        return BertTokenizer(dict(model["vocab"]), lower, strip if isinstance(strip, bool) else None,
                             normalizer.get("handle_chinese_chars", True) is not False,
                             unk_token=model.get("unk_token", "[UNK]"),
                             max_input_chars_per_word=model.get("max_input_chars_per_word", 100))
    raise FileNotFoundError(f"no tokenizer in {folder}: looked for vocab.txt and tokenizer.json")
