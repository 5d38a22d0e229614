"""Damaged files (issue 7): BM25 index files, vector index files and a model folder's
configuration/vocabulary files, mutated at random, must load or raise ValueError - never crash,
hang or allocate absurdly - in both implementations.

The mutation loop is tests/_file_fuzz.py, run in a child process per (format, implementation)
so a crash is a failing test naming the mutation (the child writes it to a trace file first).
The native child runs with the .NET heap capped at 512 MB (DOTNET_GCHeapHardLimit): an
allocation sized from a corrupt length field then fails as MemoryError, which is a failure
here, instead of quietly succeeding on a big machine. (Checked: with the cap, a 3,000,000-term
document fails with MemoryError; NativeAOT reads the value as hex and ignores it with a 0x prefix.)

Budget: RAGKERNELS_FILE_FUZZ_MUTATIONS (default 5,000) mutations per format and implementation
(bm25, vector: ~5-15 s each; model folder: 1,000 by default, each reloads a 30,522-token
vocabulary, ~20 s), seeded and reproducible (RAGKERNELS_FILE_FUZZ_SEED).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SHARED_DATA, native_lib

HERE = Path(__file__).resolve().parent
MUTATIONS = int(os.environ.get("RAGKERNELS_FILE_FUZZ_MUTATIONS", "5000"))
MODEL_MUTATIONS = int(os.environ.get("RAGKERNELS_FILE_FUZZ_MODEL_MUTATIONS", "1000"))
SEED = os.environ.get("RAGKERNELS_FILE_FUZZ_SEED", "20261122")
TOKENIZER_DIR = SHARED_DATA / "minilm-tokenizer"


def run(fmt, impl, mutations, tmp_path, *extra):
    if impl == "native":
        native_lib()
    env = dict(os.environ, DOTNET_GCHeapHardLimit="20000000")  # hex, without 0x (NativeAOT ignores "0x...")
    command = [sys.executable, str(HERE / "_file_fuzz.py"), fmt, impl, str(mutations), SEED, str(tmp_path), *extra]
    trace = tmp_path / "trace.txt"

    def last():
        return trace.read_text().strip() if trace.exists() else "(before the first mutation)"

    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{fmt}/{impl}: hung at {last()}")
    if done.returncode != 0:
        pytest.fail(f"{fmt}/{impl}: the child exited with {done.returncode} at {last()} "
                    f"(input kept in {tmp_path / 'failing-input'})\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout.splitlines()[-1])
    assert sum(report["kinds"].values()) == mutations
    assert sum(report["outcomes"].values()) == mutations
    return report


@pytest.mark.parametrize("fmt", ["bm25", "vector"])
def test_mutated_index_files(fmt, tmp_path):
    reports = {}
    for impl in ("python", "native"):
        (tmp_path / impl).mkdir()
        reports[impl] = report = run(fmt, impl, MUTATIONS, tmp_path / impl)
        # Most mutations must be refused; the rest (e.g. a flipped bit in a float with the
        # checksum repaired) load into a usable index, which the child searched.
        assert report["outcomes"].get("ValueError", 0) > MUTATIONS // 2, report["outcomes"]
    # The twins give the same outcome and message for every one of the files.
    assert reports["python"]["digest"] == reports["native"]["digest"]


@pytest.mark.skipif(not (TOKENIZER_DIR / "vocab.txt").is_file(), reason=f"{TOKENIZER_DIR} is absent")
@pytest.mark.parametrize("impl", ["python", "native"])
def test_mutated_model_folder(impl, tmp_path):
    report = run("model", impl, MODEL_MUTATIONS, tmp_path, str(TOKENIZER_DIR))
    assert report["outcomes"].get("loaded", 0) < MODEL_MUTATIONS
