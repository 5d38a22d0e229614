# ragkernels: the same verbs as build.sh, for PowerShell (Windows, or pwsh elsewhere).
#   ./build.ps1          set up, build, install into .venv, run the benchmark report
#   ./build.ps1 test     set up and build, then xunit and pytest (twice: as installed, and
#                        with RAGKERNELS_IMPLEMENTATION=python); fails on any failure
#   ./build.ps1 bench    the benchmark report only
#   ./build.ps1 bench-dotnet  the BenchmarkDotNet suite; tables copied to benchmarks/results/<machine>/dotnet/
#   ./build.ps1 clean    remove build outputs and the venv
# Needs the .NET SDK and a Python 3.9+ with numpy, cffi, pytest and hypothesis (or pip access).
param([string]$Verb = "all", [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot

$IsWin = ($PSVersionTable.PSEdition -eq "Desktop") -or $IsWindows
$Venv = Join-Path $PSScriptRoot ".venv"
$Py = if ($IsWin) { Join-Path $Venv "Scripts/python.exe" } else { Join-Path $Venv "bin/python" }
$SystemPython = if ($env:RAGKERNELS_SYSTEM_PYTHON) { $env:RAGKERNELS_SYSTEM_PYTHON } elseif ($IsWin) { "python" } else { "/usr/bin/python3" }

function Invoke-Checked([string]$Exe, [string[]]$Arguments) {
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "failed ($LASTEXITCODE): $Exe $($Arguments -join ' ')" }
}

function Initialize-Environment {
    if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) { throw "the .NET SDK (dotnet) is required: https://dot.net" }
    if (-not (Test-Path $Py)) {
        Write-Host "== creating .venv from $SystemPython"
        Invoke-Checked $SystemPython @("-m", "venv", "--system-site-packages", $Venv)
    }
    & $Py -c "import numpy, cffi, pytest, hypothesis"
    if ($LASTEXITCODE -ne 0) {
        Write-Host "== installing Python packages with pip"
        Invoke-Checked $Py @("-m", "pip", "install", "numpy", "cffi", "pytest", "hypothesis", "onnx", "matplotlib", "tqdm", "setuptools", "wheel")
    }
    Invoke-Checked dotnet @("restore", "Kernels.sln", "--nologo")
}

function Build-Package {
    Write-Host "== building the native library and installing ragkernels into .venv"
    Invoke-Checked $Py @("-m", "pip", "install", "--no-build-isolation", "--no-deps", "--force-reinstall", "-q", ".")
    Invoke-Checked $Py @("-c", "import ragkernels; print('ragkernels', ragkernels.__version__, 'implementation:', ragkernels.implementation())")
}

function Invoke-Tests {
    Invoke-Checked dotnet @("test", "Kernels.sln", "-c", "Release", "--nologo")
    Invoke-Checked $Py @("-m", "pytest", "-q")
    $env:RAGKERNELS_IMPLEMENTATION = "python"
    try { Invoke-Checked $Py @("-m", "pytest", "-q") } finally { Remove-Item Env:RAGKERNELS_IMPLEMENTATION }
}

switch ($Verb) {
    "all" { Initialize-Environment; Build-Package; Invoke-Checked $Py (@("-m", "ragkernels.bench") + $Rest) }
    "test" { Initialize-Environment; Build-Package; Invoke-Tests }
    "bench" { Invoke-Checked $Py (@("-m", "ragkernels.bench") + $Rest) }
    "bench-dotnet" {
        $Slug = & $Py -c "from ragkernels.bench._environment import header, machine_slug; print(machine_slug(header()))"
        $Artifacts = Join-Path $PSScriptRoot "build/BenchmarkDotNet.Artifacts"
        $Filter = if ($Rest) { $Rest } else { @("*") }
        Invoke-Checked dotnet (@("run", "-c", "Release", "--project", "csharp/bench/RagKernels.Benchmarks", "--", "--filter") + $Filter + @("--exporters", "github", "--artifacts", $Artifacts))
        $Target = "benchmarks/results/$Slug/dotnet"
        New-Item -ItemType Directory -Force -Path $Target | Out-Null
        Copy-Item (Join-Path $Artifacts "results/*-report-github.md") $Target
    }
    "clean" {
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Venv, "build", "dist", "python/ragkernels/_native/lib"
        Get-ChildItem -Path csharp -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
    }
    default { throw "unknown verb '$Verb' (use: test, bench, clean, or nothing)" }
}
