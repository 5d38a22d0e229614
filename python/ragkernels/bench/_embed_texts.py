"""Deterministic English-like texts for the embedding benchmarks; the same generator as
csharp/src/RagKernels.Native/Bench/EmbedWorkloads.cs (Corpus), so both sides tokenize the same text."""

from __future__ import annotations

VOCABULARY = [
    "the", "retrieval", "augmented", "generation", "pipeline", "embeds", "each", "document", "into", "a",
    "vector", "and", "searches", "nearest", "neighbours", "with", "cosine", "similarity", "Transformers",
    "tokenization", "of", "café", "naïve", "résumé", "unaffable", "hyperparameters", "2024", "3.14", "GPU",
    "is", "not", "that", "fast", "when", "batches", "are", "padded", "to", "maximum", "length", "quickly",
    "ONNX", "Runtime", "runs", "models", "exported", "from", "PyTorch", "sentence", "encoders", "language",
]


def corpus(count: int, words: int, seed: int = 12345) -> list:
    """`count` texts of `words` words each (a 32-bit LCG, as in the C# workload)."""
    state = seed
    texts = []
    for _ in range(count):
        parts = []
        for _ in range(words):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            parts.append(VOCABULARY[(state >> 8) % len(VOCABULARY)])
            r = (state >> 20)
            parts.append(", " if r % 11 == 0 else ". " if r % 17 == 0 else " ")
        texts.append("".join(parts))
    return texts
