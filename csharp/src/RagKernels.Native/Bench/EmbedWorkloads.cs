using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using RagKernels.Embedding;

namespace RagKernels.Native.Bench;

/// <summary>
/// The WordPiece tokenizer on the all-MiniLM-L6-v2 vocabulary (../shared/data/minilm-tokenizer,
/// or RAGKERNELS_MINILM_TOKENIZER), over <see cref="Corpus"/>: registered only when that folder is
/// found, so the report simply has no C# column without it.
/// </summary>
internal static class EmbedWorkloads
{
    public static void Register(Dictionary<string, Func<Func<double>>> factories)
    {
        string? folder = FindTokenizerFolder();
        if (folder is null)
        {
            return;
        }
        // The same texts as python/ragkernels/bench/_embed_texts.py; each call returns its
        // piece count, so tokens per second = pieces / time.
        factories["embed.tokenize (paragraph)"] = () => Workload(folder, Corpus(1, 120)[0]);
        factories["embed.tokenize (short)"] = () => Workload(folder, Corpus(1, 12)[0]);
    }

    private static Func<double> Workload(string folder, byte[] text)
    {
        BertTokenizer tokenizer = new ModelFolder(folder, 0, requireModel: false).Tokenizer;
        int[] scratch = new int[1 << 16];
        return () => tokenizer.CountPieces(text, scratch);
    }

    private static string? FindTokenizerFolder()
    {
        string? configured = Environment.GetEnvironmentVariable("RAGKERNELS_MINILM_TOKENIZER");
        string[] candidates = configured is { Length: > 0 } ? [configured]
            : [Path.Combine("..", "shared", "data", "minilm-tokenizer"), Path.Combine("shared", "data", "minilm-tokenizer")];
        foreach (string candidate in candidates)
        {
            if (File.Exists(Path.Combine(candidate, "vocab.txt")))
            {
                return candidate;
            }
        }
        return null;
    }

    /// <summary>Deterministic English-like paragraphs of about <paramref name="words"/> words, with
    /// capitals, punctuation, numbers and a few accented and rare words (a fixed LCG, no Random,
    /// so every run and machine tokenizes the same text).</summary>
    public static byte[][] Corpus(int count, int words)
    {
        string[] vocabulary =
        [
            "the", "retrieval", "augmented", "generation", "pipeline", "embeds", "each", "document", "into", "a",
            "vector", "and", "searches", "nearest", "neighbours", "with", "cosine", "similarity", "Transformers",
            "tokenization", "of", "café", "naïve", "résumé", "unaffable", "hyperparameters", "2024", "3.14", "GPU",
            "is", "not", "that", "fast", "when", "batches", "are", "padded", "to", "maximum", "length", "quickly",
            "ONNX", "Runtime", "runs", "models", "exported", "from", "PyTorch", "sentence", "encoders", "language",
        ];
        var texts = new byte[count][];
        uint state = 12345;
        var builder = new StringBuilder();
        for (int t = 0; t < count; t++)
        {
            builder.Clear();
            for (int w = 0; w < words; w++)
            {
                state = state * 1664525 + 1013904223;
                builder.Append(vocabulary[(state >> 8) % (uint)vocabulary.Length]);
                builder.Append((state >> 20) % 11 == 0 ? ", " : (state >> 20) % 17 == 0 ? ". " : " ");
            }
            texts[t] = Encoding.UTF8.GetBytes(builder.ToString());
        }
        return texts;
    }
}
