"""File fuzzer (issue 7), run as a child process by tests/test_file_fuzz.py.

    python tests/_file_fuzz.py FORMAT IMPLEMENTATION MUTATIONS SEED DIRECTORY

FORMAT: bm25, vector or model (a model folder's config.json / vocab.txt / tokenizer.json /
1_Pooling/config.json / sentence_bert_config.json, read by the tokenizer-only embedder).
IMPLEMENTATION: python or native.

A good file is written once; then MUTATIONS mutated copies (seeded, reproducible) are loaded.
Each load must either succeed and give a usable object or raise ValueError (the "this file is
corrupt" exception of both implementations; OSError/FileNotFoundError for a model folder whose
file became unreadable); anything else - another exception, MemoryError (the parent caps the .NET
heap at 512 MB, so an allocation of absurd size surfaces as one), a crash, a hang - fails.
Half of the mutations repair the checksums afterwards, so the parser behind the checksum meets
damaged structure (huge counts and lengths, wrong offsets) instead of stopping at the checksum.
Prints a JSON summary: mutations per kind, outcomes, messages seen.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import sys
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

HUGE_VALUES = [0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 2**63 - 1, 2**64 - 1, 2**62, 2**32, 2**40, 1 << 31, 0]


def fix_bm25(data: bytearray) -> bytearray:
    if len(data) >= 4:
        struct.pack_into("<I", data, len(data) - 4, zlib.crc32(bytes(data[:-4])))
    return data


def fix_vector(data: bytearray) -> bytearray:
    if len(data) >= 48:
        struct.pack_into("<I", data, 40, zlib.crc32(bytes(data[48:])))
        struct.pack_into("<I", data, 44, zlib.crc32(bytes(data[:44])))
    return data


def mutate(rng: random.Random, good: bytes, fix) -> tuple[str, bytes]:
    data = bytearray(good)
    kind = rng.choice(["flip", "truncate", "huge_field", "garbage", "splice", "zero_run"])
    if kind == "flip" and data:
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data) * 8)
            data[i // 8] ^= 1 << (i % 8)
    elif kind == "truncate":
        data = data[:rng.randrange(len(data))]
    elif kind == "huge_field" and len(data) >= 8:
        width = rng.choice([4, 8])
        at = rng.randrange(0, len(data) - width + 1)
        value = rng.choice(HUGE_VALUES) & ((1 << (8 * width)) - 1)
        data[at:at + width] = value.to_bytes(width, "little")
    elif kind == "garbage":
        keep = rng.choice([0, 8, 48, len(data) // 2])
        data = data[:keep] + bytearray(rng.randbytes(rng.randint(0, 2 * len(good))))
    elif kind == "splice" and len(data) > 2:
        a, b = sorted(rng.sample(range(len(data)), 2))
        data = data[:a] + data[b:] if rng.random() < 0.5 else data[:b] + data[a:b] + data[b:]
    elif kind == "zero_run" and data:
        a = rng.randrange(len(data))
        data[a:a + rng.randint(1, 16)] = b"\x00" * len(data[a:a + 16])
    repaired = fix is not None and rng.random() < 0.5
    if repaired:
        data = fix(data)
    return kind + ("+crc" if repaired else ""), bytes(data)


def bm25_target(impl, directory: Path):
    module = __import__(f"ragkernels.bm25._{'py' if impl == 'python' else 'native'}", fromlist=["BM25Index"])
    index = module.BM25Index(method="okapi", tokenizer="word")
    index.add(["the quick brown fox", "paris is the capital of france", "caf\u00e9 au lait", "",
               "foxes are not dogs, never"], ids=["a", 7, "c", "d", "e"])
    path = directory / "good.bm25"
    index.save(path)
    index.close()

    def load(path):
        loaded = module.BM25Index.load(path)
        try:
            len(loaded)
            loaded.search("fox paris", k=3)
        finally:
            loaded.close()

    return path.read_bytes(), fix_bm25, load


def vector_target(impl, directory: Path):
    module = __import__(f"ragkernels.vector._{'py' if impl == 'python' else 'native'}", fromlist=["VectorIndex"])
    index = module.VectorIndex(dim=3, metric="cosine")
    index.add(np.random.default_rng(3).standard_normal((5, 3)).astype(np.float32))
    path = directory / "good.vec"
    index.save(path)
    index.close()

    def load(path):
        loaded = module.VectorIndex.load(path)
        try:
            len(loaded)
            loaded.search(np.ones(loaded.dim, dtype=np.float32), k=3)
        finally:
            loaded.close()

    return path.read_bytes(), fix_vector, load


MODEL_FILES = ["config.json", "vocab.txt", "tokenizer.json", "1_Pooling/config.json", "sentence_bert_config.json",
               "tokenizer_config.json", "special_tokens_map.json"]


def model_target(impl, directory: Path, source: Path):
    """The tokenizer-only embedder reads the folder's configuration and vocabulary (no model):
    mutations go to one of those files, chosen at random each time."""
    import shutil

    if impl == "native":
        from ragkernels.embed._native import Tokenizer

        def open_folder(folder):
            tokenizer = Tokenizer(folder)
            try:
                tokenizer.encode_batch(["Paris is lovely", ""])
            finally:
                tokenizer.close()
    else:
        from ragkernels.embed._folder import ModelFolder

        def open_folder(folder):
            model = ModelFolder(str(folder), 0, require_model=False)
            model.tokenizer.encode("Paris is lovely", model.max_length)

    folder = directory / "model"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("*.onnx", "onnx"))
    originals = {name: (folder / name).read_bytes() for name in MODEL_FILES if (folder / name).is_file()}
    state = {"file": None}

    def choose(rng):
        state["file"] = rng.choice(sorted(originals))
        return originals[state["file"]]

    def load(path):
        data = Path(path).read_bytes()
        for name, original in originals.items():
            (folder / name).write_bytes(data if name == state["file"] else original)
        open_folder(folder)

    return choose, None, load


def main():
    fmt, impl, mutations, seed, directory = sys.argv[1:6]
    directory = Path(directory)
    rng = random.Random(int(seed))
    if fmt == "bm25":
        good, fix, load = bm25_target(impl, directory)
    elif fmt == "vector":
        good, fix, load = vector_target(impl, directory)
    else:
        good, fix, load = model_target(impl, directory, Path(sys.argv[6]))
    trace = os.open(directory / "trace.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    kinds, outcomes, messages = Counter(), Counter(), Counter()
    sequence = hashlib.sha256()  # every outcome in order: equal digests = the twins agree on each file
    target = directory / "mutated"
    for i in range(int(mutations)):
        base = good(rng) if callable(good) else good
        kind, data = mutate(rng, base, fix)
        kinds[kind] += 1
        target.write_bytes(data)
        os.pwrite(trace, f"mutation {i} ({kind}), {len(data)} bytes\n".ljust(80).encode(), 0)
        try:
            load(target)
            outcomes["loaded"] += 1
            sequence.update(b"loaded\n")
        except (ValueError, OSError) as error:
            if isinstance(error, OSError) and fmt != "model":
                raise
            outcomes[type(error).__name__] += 1
            message = str(error).replace(str(directory), "<dir>")
            messages[message[:90]] += 1
            sequence.update(f"{type(error).__name__}: {message}\n".encode())
        except Exception:
            (directory / "failing-input").write_bytes(data)
            raise
    print(json.dumps({"kinds": kinds, "outcomes": outcomes, "messages": dict(messages.most_common(40)),
                      "digest": sequence.hexdigest()}))


if __name__ == "__main__":
    main()
