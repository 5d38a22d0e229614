"""entity_overlap, numerical_consistency, negation_flip, traceability: golden values, the
spec's worked consequences, parity between the twins on generated text, batch forms and
errors (shared/spec/signals.md)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

SIGNALS = ["entity_overlap", "numerical_consistency", "negation_flip", "traceability"]

CLAIM = (
    "The Team Plan costs $19 per user per month and supports up to 25 users with email support. "
    "Phone support is available for all paid plans. We are SOC 2 Type II, ISO 27001, HIPAA, and FedRAMP certified."
)
SOURCE = (
    "Team Plan costs $19 per user per month, up to 25 users. Phone support is Enterprise only. "
    "All paid plans include a 14-day free trial. SOC 2 Type II and ISO 27001 certified."
)

# The golden table of shared/spec/signals.md: (a, b, entity_overlap, numerical, negation_flip, traceability).
GOLDEN = [
    ("Paris is the capital of France", "France has its capital in Paris", 1.0, None, False, 1.0),
    ("Paris is the capital of France", "The capital of France is Paris", 0.6666666666666666, None, False, 1.0),
    ("Alice works at Google", "Bob works at Microsoft", 0.0, None, False, 0.3333333333333333),
    ("", "", 1.0, None, False, 1.0),
    ("Met Paris and Berlin today", "Met Paris and London today", 0.3333333333333333, None, False, 0.75),
    ("Data retained for 90 days", "Data retained for 30 days", 1.0, False, False, 0.75),
    ("Population is 1,000,000", "City has 1,000,000 people", 0.0, True, False, 0.5),
    ("costs $99 per month", "price is $99", 1.0, True, False, 0.25),
    ("Phone support is not available for Team plan", "Phone support is available for all paid plans", 0.5, None, True, 0.6),
    ("The product does not support multi-user mode", "The product supports multi-user mode fully", 1.0, None, True, 0.75),
    ("HIPAA and FedRAMP certified", "SOC 2 Type II and ISO 27001 certified", 0.0, None, False, 0.3333333333333333),
    ("The speed is 100 km/h", "Speed: 100 km/h", 0.0, True, False, 0.6666666666666666),
    ("We don't offer refunds on annual plans", "We offer refunds on annual plans", 1.0, None, True, 1.0),
    (CLAIM, SOURCE, 0.2857142857142857, True, False, 0.5862068965517241),
]


def same(x, y) -> bool:
    """Equal values of equal types (True is not 1, 0.5 is not np.float64 mixed up with int)."""
    return type(x) is type(y) and x == y


@pytest.mark.parametrize("row", GOLDEN, ids=[str(i) for i in range(len(GOLDEN))])
def test_golden_rows(signals, row):
    a, b, entity, numerical, negation, trace = row
    assert same(signals.entity_overlap(a, b), entity)
    assert same(signals.numerical_consistency(a, b), numerical)
    assert same(signals.negation_flip(a, b), negation)
    assert same(signals.traceability(a, b), trace)


def test_public_api_is_dispatched():
    import ragkernels
    from ragkernels.signals import _native, _py

    expected = _native if ragkernels.implementation() == "native" else _py
    for name in SIGNALS:
        assert getattr(ragkernels, name) is getattr(expected, name)
        assert getattr(ragkernels, name + "_batch") is getattr(expected, name + "_batch")
        assert name in ragkernels.__all__ and name + "_batch" in ragkernels.__all__


# ---- the spec's consequences --------------------------------------------------------------

ENTITY_CASES = [
    ("(Paris)", {"Paris"}),
    ("O'Brien", {"Brien"}),
    ("Jean-Paul", {"Jean", "Paul"}),
    ("McDonald", set()), ("FedRAMP", set()), ("Plan9", set()), ("Café", set()), ("iPhone", set()),
    ("SOC", set()), ("I", set()),
    ("The Team Plan costs", {"The Team Plan"}),
    ("Team Plan. Phone", {"Team Plan", "Phone"}),
    ("New Yo1", {"New"}),
    ("New  York", {"New  York"}),
    ("New\u3000York and New York", {"New\u3000York", "New York"}),
    ("Über Paris_ Rome", {"Rome"}),
    ("Ab\u00e9 Cd", {"Cd"}),
]


@pytest.mark.parametrize("text, entities", ENTITY_CASES)
def test_entity_examples(signals, text, entities):
    # An independent check of the set: overlap 1.0 against exactly these entities (joined by
    # '; ', which no entity crosses), less against any proper subset or superset.
    joined = "; ".join(sorted(entities))
    assert signals.entity_overlap(text, joined) == 1.0
    if entities:
        assert signals.entity_overlap(text, joined + "; Zzzq") == len(entities) / (len(entities) + 1)
        assert signals.entity_overlap(text, "") == 0.0
    else:
        assert signals.entity_overlap(text, "Zzzq") == 0.0


NUMBER_CASES = [
    ("v2", set()), ("abc123", set()), ("_5", set()), ("Plan9", set()), ("1e5", set()), ("10am", set()),
    ("2nd", set()),
    ("-7", {"7"}), ("$19", {"19"}), ("COVID-19", {"19"}), ("1,000,000", {"1,000,000"}),
    ("It costs 99.", {"99"}), ("1.5%", {"1.5"}), ("3.5x", {"3."}), ("12.5kg", {"12."}),
    ("2024-01-15", {"2024", "01", "15"}),
    ("\u0661\u0662\u0663 items", {"\u0661\u0662\u0663"}), ("\uff11\uff12", {"\uff11\uff12"}),
]


@pytest.mark.parametrize("text, numbers", NUMBER_CASES)
def test_number_examples(signals, text, numbers):
    if not numbers:
        assert signals.numerical_consistency(text, "7") is None
        return
    for number in numbers:
        # A number ending in '.' only matches before a word character (its \b).
        probe = f"is {number}z" if number[-1] in ",." else f"is {number} "
        assert signals.numerical_consistency(text, probe) is True
    assert signals.numerical_consistency(text, "4444444") is False


def test_numbers_compare_as_written(signals):
    assert signals.numerical_consistency("1,000 users", "1000 users") is False
    assert signals.numerical_consistency("1,000 users", "no number") is None
    assert signals.numerical_consistency("no number", "1,000 users") is None


@pytest.mark.parametrize("before", ["a", " ", "_", ".", "-", "\u00e9", "\u3000", "x "])
@pytest.mark.parametrize("number", ["12", "\u0661\u0662", "\uff11\uff12", "1,5.", "1\u0662"])
def test_numbers_after_ascii_runs_in_non_ascii_text(py_signals, native_signals, before, number):
    # Non-ASCII text jumps over runs of ASCII non-digits; the \b before a number comes from the
    # last character jumped over (or from a non-ASCII one).
    for run in ("", "word " * 9, "z" * 40):
        text = f"\u00e9 {run}{before}{number} tail"
        for other in (number, "12", "\u0661\u0662 x", "none"):
            expected = py_signals.numerical_consistency(text, other)
            assert same(native_signals.numerical_consistency(text, other), expected), (text, other)


def test_python_patterns_give_the_spec_examples():
    # The twin's compiled patterns against the spec's lists, one by one.
    from ragkernels.signals._py import _ENTITY, _NUMBER

    for text, entities in ENTITY_CASES:
        assert set(_ENTITY.findall(text)) == entities, text
    for text, numbers in NUMBER_CASES:
        assert set(_NUMBER.findall(text)) == numbers, text


def test_negation_tokens_match_exactly(signals):
    base = "alpha beta gamma delta"
    assert signals.negation_flip(f"{base} NOT", base) is True
    assert signals.negation_flip(f"{base} not,", base) is False
    assert signals.negation_flip(f"{base} don\u2019t", base) is False  # curly apostrophe
    assert signals.negation_flip(f"{base} shouldn't", base) is True
    assert signals.negation_flip(f"{base} not", f"{base} never") is False  # both negated
    assert signals.negation_flip("alpha beta not", "alpha beta") is False  # overlap 2
    # Negation words never count towards the overlap.
    assert signals.negation_flip("alpha beta no not", "alpha beta not never") is False


def test_traceability_details(signals):
    assert signals.traceability("the and of", "anything") == 1.0  # only stop words
    assert signals.traceability("not never", "x") == 1.0  # only negation words
    assert signals.traceability("plans. plans", "plans") == 0.5  # punctuation stays attached
    assert signals.traceability("Price price PRICE", "price") == 1.0  # distinct after lower()
    assert signals.traceability("İstanbul", "i\u0307stanbul") == 1.0
    assert signals.traceability("İstanbul", "istanbul") == 0.0
    assert signals.traceability("ΟΔΟΣ", "οδος") == 1.0  # final sigma
    assert signals.traceability("ΟΔΟΣ", "οδοσ") == 0.0
    assert signals.traceability("ΣΑ", "σα") == 1.0
    assert signals.traceability("x\x1cy", "x") == 0.5  # \x1c-\x1f are whitespace to Python
    assert signals.traceability("x\u200by", "x") == 0.0  # U+200B is not
    assert signals.traceability("p\u3000q\x85r", "r") == 1 / 3


# ---- parity on generated text -------------------------------------------------------------

WHITESPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + \
    "\u2028\u2029\u202f\u205f\u3000"
ALPHABET = (
    [chr(c) for c in range(0x20, 0x7F)] + list(WHITESPACE) + ["\u200b"]
    + [chr(c) for c in range(0xA1, 0x180)]              # Latin-1, Latin Extended-A
    + [chr(c) for c in range(0x391, 0x3CA)] + ["ς"]      # Greek incl. Σ σ ς
    + [chr(c) for c in range(0x400, 0x460)]              # Cyrillic
    + [chr(c) for c in range(0x4E00, 0x4E10)]            # CJK
    + [chr(c) for c in range(0x660, 0x66A)]              # Arabic-Indic digits
    + [chr(c) for c in range(0xFF10, 0xFF1A)] + [chr(c) for c in range(0xFF21, 0xFF25)]  # full-width
    + [chr(c) for c in range(0x300, 0x310)]              # combining marks
    + ["İ", "_", "'", "\u2019", "\u2018", ".", ",", "$", "-"]
)
VOCABULARY = (
    "the a is not no never can't don't won't shouldn't without none nobody Paris France New York Team Plan "
    "Phone SOC ISO 2 19 $19 25 27001 1,000 1,000,000 3.5 12.5kg 2024-01-15 ΟΔΟΣ Σ İstanbul plans. support "
    "NOT Not cannot"
).split()

fragments = st.one_of(st.text(alphabet=ALPHABET, min_size=1, max_size=6), st.sampled_from(VOCABULARY))
separators = st.one_of(st.just(" "), st.text(alphabet=WHITESPACE, min_size=1, max_size=3), st.text(alphabet=ALPHABET, max_size=2))


@st.composite
def texts(draw, shared=()):
    parts = draw(st.lists(st.one_of(fragments, st.sampled_from(shared)) if shared else fragments, max_size=14))
    out = []
    for part in parts:
        out.append(part)
        out.append(draw(separators))
    return "".join(out)


@st.composite
def pairs(draw):
    claim = draw(texts())
    words = tuple(claim.split()) or ("x",)
    source = draw(texts(shared=words))
    return claim, source


def _parity(py_signals, native_signals, name, pair):
    claim, source = pair
    expected = getattr(py_signals, name)(claim, source)
    got = getattr(native_signals, name)(claim, source)
    assert same(got, expected), (claim, source)


PARITY = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PARITY
@given(pairs())
def test_parity_entity_overlap(py_signals, native_signals, pair):
    _parity(py_signals, native_signals, "entity_overlap", pair)


@PARITY
@given(pairs())
def test_parity_numerical_consistency(py_signals, native_signals, pair):
    _parity(py_signals, native_signals, "numerical_consistency", pair)


@PARITY
@given(pairs())
def test_parity_negation_flip(py_signals, native_signals, pair):
    _parity(py_signals, native_signals, "negation_flip", pair)


@PARITY
@given(pairs())
def test_parity_traceability(py_signals, native_signals, pair):
    _parity(py_signals, native_signals, "traceability", pair)


@pytest.mark.parametrize("space", sorted(set(WHITESPACE)), ids=lambda c: f"U+{ord(c):04X}")
def test_whitespace_across_a_block_edge(py_signals, native_signals, space):
    # The native split reads text 64 bytes at a time; a whitespace of 2 or 3 bytes can start in
    # one block and end in the next. An "é" makes the text non-ASCII whatever the whitespace.
    for offset in range(56, 136):
        for prefix in ("a" * offset, "\u00e9" + "a" * (offset - 2)):
            # negation_flip is True only when prefix, tail, word and not are split out exactly.
            claim = f"{prefix}{space}tail{space}word{space}not"
            for source in ("tail", "word x", f"tail word {prefix}"):
                for name in ("traceability", "negation_flip"):
                    expected = getattr(py_signals, name)(claim, source)
                    assert same(getattr(native_signals, name)(claim, source), expected), (name, offset, prefix[0])


def test_alphabet_holds_no_code_point_the_databases_disagree_on():
    from test_unicode_tables import documented

    assert not [c for c in ALPHABET if documented(ord(c))]


# ---- batch forms --------------------------------------------------------------------------

BATCH_DTYPES = {"entity_overlap": np.float64, "numerical_consistency": np.int8,
                "negation_flip": np.bool_, "traceability": np.float64}


def _as_batch_value(name, value):
    if name == "numerical_consistency":
        return {True: 1, False: 0, None: -1}[value]
    return value


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_equals_single_calls(signals, name):
    claims = [row[0] for row in GOLDEN] + ["ΟΔΟΣ \u0661\u0662 Paris", "İ Σ not", "", "x" * 5000 + " Rome 7"]
    sources = [row[1] for row in GOLDEN] + ["οδος \u0661\u0662 Paris", "i\u0307 σ", "Paris 7", "Rome 7 x"]
    batch = getattr(signals, name + "_batch")(claims, sources)
    assert isinstance(batch, np.ndarray) and batch.dtype == BATCH_DTYPES[name] and batch.shape == (len(claims),)
    single = getattr(signals, name)
    assert batch.tolist() == [_as_batch_value(name, single(c, s)) for c, s in zip(claims, sources)]


def assert_batch_matches_twin(py_signals, native_signals, name, claims, sources):
    """The native batch returns what the Python twin's batch returns, dtype included."""
    expected = getattr(py_signals, name + "_batch")(claims, sources)
    got = getattr(native_signals, name + "_batch")(claims, sources)
    assert got.dtype == expected.dtype and np.array_equal(got, expected)


@pytest.mark.parametrize("name", SIGNALS)
def test_large_batch_runs_in_parallel_and_matches(py_signals, native_signals, name):
    # Big enough for the native side to split the work over threads.
    rng = np.random.default_rng(5)
    words = (CLAIM + " " + SOURCE + " not ΟΔΟΣ İ \u0661\u0662").split()
    claims = [" ".join(rng.choice(words, size=rng.integers(0, 40))) for _ in range(3000)]
    sources = [" ".join(rng.choice(words, size=rng.integers(0, 60))) for _ in range(3000)]
    assert_batch_matches_twin(py_signals, native_signals, name, claims, sources)


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_of_repeated_claims_matches(py_signals, native_signals, name):
    # How guards call the batches: each claim against several sources, the same str object
    # pair after pair (the native side builds its claim side once), then claims interleaved.
    rng = np.random.default_rng(11)
    words = (CLAIM + " " + SOURCE + " not ΟΔΟΣ İ Σ \u0661\u0662 Paris 7").split()
    claims_pool = [" ".join(rng.choice(words, size=rng.integers(0, 40))) for _ in range(12)] + ["", "the a is"]
    sources_pool = [" ".join(rng.choice(words, size=rng.integers(0, 60))) for _ in range(30)]
    claims = [claim for claim in claims_pool for _ in sources_pool]
    sources = sources_pool * len(claims_pool)
    picks = rng.integers(0, len(claims_pool), size=3000)
    claims += [claims_pool[i] for i in np.repeat(picks, rng.integers(1, 4, size=picks.size))][:3000]
    sources += [sources_pool[i] for i in rng.integers(0, len(sources_pool), size=len(claims) - len(sources))]
    assert_batch_matches_twin(py_signals, native_signals, name, claims, sources)


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_of_claims_repeated_as_equal_copies_matches(py_signals, native_signals, name):
    # Pairs read from a file or a DataFrame repeat a claim as equal but separate str objects;
    # mixed in: claims of the same UTF-8 length that differ in one word, at the start or later.
    rng = np.random.default_rng(12)
    words = (CLAIM + " " + SOURCE + " not now ΟΔΟΣ ΟΔΟΙ İ Σ \u0661\u0662 Paris Parks 7 8").split()
    by_length = {}
    for word in words:
        by_length.setdefault(len(word.encode()), []).append(word)
    claims, sources = [], []
    while len(claims) < 3000:
        claim_words = list(rng.choice(words, size=rng.integers(1, 30)))
        source = " ".join(rng.choice(words, size=rng.integers(0, 50)))
        for _ in range(rng.integers(1, 6)):
            variant = list(claim_words)
            if rng.integers(3) == 0:
                k = rng.integers(len(variant))
                variant[k] = rng.choice(by_length[len(variant[k].encode())])
            text = " ".join(variant)
            claims.append("".join(list(text)))  # a new object, equal to the last when unchanged
            sources.append(source)
    assert any(a == b and a is not b for a, b in zip(claims, claims[1:]) if len(a) > 1)
    assert_batch_matches_twin(py_signals, native_signals, name, claims, sources)


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_of_repeated_sources_matches(py_signals, native_signals, name):
    # The other guard layout: each sentence of an answer against one retrieved passage, so a
    # source repeats pair after pair (one str object, or equal copies) while the claims change,
    # repeat too, hold no content word or are empty; some sources are empty or only "not".
    rng = np.random.default_rng(13)
    words = (CLAIM + " " + SOURCE + " not never ΟΔΟΣ İ Σ \u0661\u0662 Paris 7 the a").split()
    claims_pool = [" ".join(rng.choice(words, size=rng.integers(0, 30))) for _ in range(40)] + ["", "the a is", "not"]
    sources_pool = [" ".join(rng.choice(words, size=rng.integers(0, 80))) for _ in range(25)] + ["", "not"]
    claims, sources = [], []
    while len(claims) < 3000:
        source = sources_pool[rng.integers(len(sources_pool))]
        copies = rng.integers(2) == 1
        claim = claims_pool[rng.integers(len(claims_pool))]
        for _ in range(rng.integers(1, 12)):
            if rng.integers(3) > 0:  # else the claim repeats as well
                claim = claims_pool[rng.integers(len(claims_pool))]
            claims.append(claim)
            sources.append("".join(list(source)) if copies else source)
    assert_batch_matches_twin(py_signals, native_signals, name, claims, sources)


@pytest.mark.parametrize("name", SIGNALS)
def test_batches_never_take_a_text_of_an_earlier_call_for_a_new_one(py_signals, native_signals, name):
    # The native side converts non-ASCII text to UTF-8 per thread and hands a text equal to the
    # one before it the same conversion. Between calls, a freed str's memory is soon a new str
    # of the same size (same address, length and width) with other words: that must never count
    # as the same text. One pair per call, so every call runs on the calling thread.
    words = ["Ελλάδα", "Αθήνα", "not", "Paris", "ΟΔΟΣ", "İzmir", "7", "never"]
    rng = np.random.default_rng(14)
    source = "Ελλάδα Paris 7 not ΟΔΟΣ"
    for _ in range(200):
        claim = "".join(list(" ".join(rng.choice(words, size=6))))  # a new object each time
        assert_batch_matches_twin(py_signals, native_signals, name, [claim], [source])
        del claim


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_of_a_repeated_claim_longer_than_one_native_call(py_signals, native_signals, name):
    # 1.2 MB per claim, repeated: the batch is split into native calls of at most 4 MB of text
    # per side, and the split falls between two passes of the same object.
    claim = ("Paris Team Plan 19 not ΟΔΟΣ " * 40_000).strip()
    sources = ["Team Plan 19", "ΟΔΟΣ Paris", "no", "Paris 19 never", "x", "Team"]
    claims = [claim] * len(sources)
    assert_batch_matches_twin(py_signals, native_signals, name, claims, sources)


@pytest.mark.parametrize("name", SIGNALS)
def test_batch_accepts_any_sequence(signals, name):
    function = getattr(signals, name + "_batch")
    expected = function(["Paris 7", "b"], ["Paris 7", "c"])
    assert np.array_equal(function(("Paris 7", "b"), iter(["Paris 7", "c"])), expected)
    assert np.array_equal(function(np.array(["Paris 7", "b"]), ["Paris 7", "c"]), expected)
    empty = function([], [])
    assert empty.shape == (0,) and empty.dtype == BATCH_DTYPES[name]


# ---- errors: same type and message in both implementations --------------------------------

ARGUMENT_NAMES = {"entity_overlap": ("text_a", "text_b"), "numerical_consistency": ("text_a", "text_b"),
                  "negation_flip": ("claim", "source"), "traceability": ("claim", "source")}


@pytest.mark.parametrize("name", SIGNALS)
@pytest.mark.parametrize(
    "a, b, exception, message",
    [
        (None, "x", TypeError, "{f}: {a} must be a str, not NoneType"),
        ("x", None, TypeError, "{f}: {b} must be a str, not NoneType"),
        (b"x", "x", TypeError, "{f}: {a} must be a str, not bytes"),
        ("x", 3, TypeError, "{f}: {b} must be a str, not int"),
        (None, 3, TypeError, "{f}: {a} must be a str, not NoneType"),
        ("ok \ud800 x", "x", ValueError, "{f}: {a} contains a lone surrogate U+D800 at index 3 and cannot be encoded as UTF-8"),
        ("x", "\udfff", ValueError, "{f}: {b} contains a lone surrogate U+DFFF at index 0 and cannot be encoded as UTF-8"),
    ],
)
def test_single_call_errors(signals, name, a, b, exception, message):
    first, second = ARGUMENT_NAMES[name]
    with pytest.raises(exception) as raised:
        getattr(signals, name)(a, b)
    assert type(raised.value) is exception
    assert str(raised.value) == message.format(f=name, a=first, b=second)


@pytest.mark.parametrize("name", SIGNALS)
@pytest.mark.parametrize(
    "claims, sources, exception, message",
    [
        (["a", "b"], ["a"], ValueError, "{f}: claims and sources must have the same length, got 2 and 1"),
        (["a", None], ["a", "b"], TypeError, "{f}: claims[1] must be a str, not NoneType"),
        (["a", "b"], ["a", 7], TypeError, "{f}: sources[1] must be a str, not int"),
        (["a", None], [None, "b"], TypeError, "{f}: sources[0] must be a str, not NoneType"),
        (["a", "\ud83d"], ["a", "b"], ValueError,
         "{f}: claims[1] contains a lone surrogate U+D83D at index 0 and cannot be encoded as UTF-8"),
        ("ab", ["a", "b"], TypeError, "{f}: claims must be a sequence of str, not str"),
        (["a"], 5, TypeError, "{f}: sources must be a sequence of str, not int"),
        (None, ["a"], TypeError, "{f}: claims must be a sequence of str, not NoneType"),
    ],
)
def test_batch_errors(signals, name, claims, sources, exception, message):
    function = name + "_batch"
    with pytest.raises(exception) as raised:
        getattr(signals, function)(claims, sources)
    assert type(raised.value) is exception
    assert str(raised.value) == message.format(f=function)


def test_word_lists_are_the_specs():
    from ragkernels.signals._words import NEG_WORDS, STOP_WORDS

    spec = (__import__("conftest").REPO.parent / "shared" / "spec" / "signals.md")
    if not spec.is_file():
        pytest.skip(f"{spec} is absent: the word lists cannot be compared with the spec's text")
    text = spec.read_text(encoding="utf-8")
    blocks = re.findall(r"\((\d+) words, exact[^\n]*\n\n((?:    [^\n]*\n)+)", text)
    assert [int(n) for n, _ in blocks] == [54, 24]
    assert STOP_WORDS == frozenset(blocks[0][1].split()) and len(STOP_WORDS) == 54
    assert NEG_WORDS == frozenset(blocks[1][1].split()) and len(NEG_WORDS) == 24


def test_process_exits_cleanly_after_parallel_batches(native_signals):
    # The batch kernels start .NET thread-pool workers; the library must stay mapped while they
    # exist (it is opened with RTLD_NODELETE), or interpreter shutdown ends in a segfault.
    import subprocess
    import sys

    code = (
        "import ragkernels.signals._native as n\n"
        "claims = ['Paris is the capital of France ' * 20] * 2000\n"
        "sources = ['France has its capital in Paris ' * 20] * 2000\n"
        "for _ in range(20):\n"
        "    assert n.traceability_batch(claims, sources)[0] == 1.0\n"
        "    n.entity_overlap_batch(claims, sources)\n"
    )
    for _ in range(3):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
