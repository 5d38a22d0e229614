using System;
using System.IO;
using System.Text;
using BenchmarkDotNet.Attributes;
using RagKernels.Embedding;

namespace RagKernels.Benchmarks;

/// <summary>The WordPiece tokenizer on the all-MiniLM-L6-v2 vocabulary (RAGKERNELS_MINILM_TOKENIZER
/// or ../shared/data/minilm-tokenizer beside the repository): one 120-word paragraph per call.
/// MemoryDiagnoser shows the per-call allocation (none expected).</summary>
[MemoryDiagnoser]
public class BertTokenizerBenchmarks
{
    private BertTokenizer _tokenizer = null!;
    private byte[] _paragraph = [];
    private readonly int[] _ids = new int[512];

    [GlobalSetup]
    public void Setup()
    {
        string folder = Environment.GetEnvironmentVariable("RAGKERNELS_MINILM_TOKENIZER") is { Length: > 0 } configured
            ? configured : DefaultFolder();
        _tokenizer = new ModelFolder(folder, 0, requireModel: false).Tokenizer;
        var text = new StringBuilder();
        string[] words = ["The", "retrieval", "augmented", "generation", "pipeline", "embeds", "café", "naïve", "unaffable",
                          "documents,", "and", "searches", "3.14", "neighbours."];
        for (int i = 0; i < 120; i++)
        {
            text.Append(words[i * 7 % words.Length]).Append(' ');
        }
        _paragraph = Encoding.UTF8.GetBytes(text.ToString());
    }

    // BenchmarkDotNet runs the benchmark in a child process in another folder, so the default is
    // found from this source file's place in the repository (csharp/bench/RagKernels.Benchmarks/).
    private static string DefaultFolder([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "..", "shared", "data", "minilm-tokenizer"));

    [Benchmark]
    public int EncodeParagraph() => _tokenizer.Encode(_paragraph, _ids, 512);
}
