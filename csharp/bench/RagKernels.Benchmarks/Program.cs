using BenchmarkDotNet.Running;

namespace RagKernels.Benchmarks;

/// <summary>C#-only kernel times (no FFI). Run: dotnet run -c Release -- --filter '*'.</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
