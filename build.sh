#!/usr/bin/env bash
# ragkernels: set up, build, install, test and benchmark, with one command each.
#
#   ./build.sh          set up what is missing, build the native library, install the package
#                       into .venv, and run the benchmark report (the main job)
#   ./build.sh test     set up and build as above, then xunit and pytest (pytest twice: as
#                       installed, and with RAGKERNELS_IMPLEMENTATION=python); fails on any failure
#   ./build.sh bench    the benchmark report only (after a build); extra arguments go to it
#   ./build.sh bench-dotnet  the BenchmarkDotNet suite (C# only, every report workload, ShortRun);
#                       extra arguments go to BenchmarkDotNet; its tables are copied to
#                       benchmarks/results/<machine>/dotnet/
#   ./build.sh soak     the reliability soak (issue 7, ~2-3 min, not in `test`): 8 threads on every
#                       kernel for 30 s, RSS over 1,000,000 calls per signal, GIL scaling
#   ./build.sh clean    remove build outputs and the venv
#
# Needs the .NET SDK (8+; the native library targets the framework in Directory.Build.props).
# On Debian/Ubuntu it installs the Python packages it needs with apt-get (as root, or with sudo).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
SYSTEM_PYTHON=${RAGKERNELS_SYSTEM_PYTHON:-/usr/bin/python3}
DEBIAN_PACKAGES=(python3-numpy python3-cffi python3-pytest python3-hypothesis python3-onnx python3-venv
                 python3-scipy python3-matplotlib python3-tqdm python3-pip python3-dev)
PYTHON_MODULES="numpy, cffi, pytest, hypothesis, onnx, matplotlib, tqdm, ensurepip"

say() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# The Python headers (python3-dev) let setup.py compile the cffi binding (API mode); without
# them the package still works, through cffi's slower ABI mode.
has_python_headers() {
  "$SYSTEM_PYTHON" -c "import os, sysconfig, sys; sys.exit(not os.path.isfile(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" 2>/dev/null
}

ensure_python() {
  if [[ -x $SYSTEM_PYTHON ]] && "$SYSTEM_PYTHON" -c "import $PYTHON_MODULES" 2>/dev/null; then
    if has_python_headers; then return; fi
    if ! command -v apt-get >/dev/null; then
      say "no Python headers for $SYSTEM_PYTHON: the compiled cffi binding is skipped (ABI mode)"
      return
    fi
  fi
  if ! command -v apt-get >/dev/null; then
    die "$SYSTEM_PYTHON lacks some of: $PYTHON_MODULES. Install them (or point RAGKERNELS_SYSTEM_PYTHON at an interpreter that has them)."
  fi
  say "installing Debian's Python packages: ${DEBIAN_PACKAGES[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${DEBIAN_PACKAGES[@]}"
  "$SYSTEM_PYTHON" -c "import $PYTHON_MODULES" || die "$SYSTEM_PYTHON still lacks some of: $PYTHON_MODULES"
}

ensure_venv() {
  if [[ ! -x $PY ]] || ! "$PY" -c "import numpy, cffi" 2>/dev/null; then
    say "creating .venv from $SYSTEM_PYTHON (with system site packages)"
    rm -rf "$VENV"
    "$SYSTEM_PYTHON" -m venv --system-site-packages "$VENV"
  fi
}

ensure_dotnet() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is required: https://dot.net"
}

# ONNX Runtime for the embeddings: the CPU library from the npm package onnxruntime-node
# (npm pack runs no install scripts), verified by sha256 and cached in .cache/onnxruntime (ignored
# by git); setup.py copies it next to libragkernels (and fetches it the same way under plain pip).
ORT_VERSION=1.22.0
ORT_SHA256=08cf3bf4218f0e816c2a534e960d85221274cb319569bdf1136b29da7065b015
ensure_onnxruntime() {
  local dir="$ROOT/.cache/onnxruntime" lib="$ROOT/.cache/onnxruntime/libonnxruntime.so.1"
  [[ $(uname -s) == Linux && $(uname -m) == x86_64 ]] || { say "no pinned ONNX Runtime for this platform: skipped"; return; }
  if [[ -f $lib ]] && [[ $(sha256sum "$lib" | cut -d' ' -f1) == "$ORT_SHA256" ]]; then return; fi
  command -v npm >/dev/null || { say "npm not found: ONNX Runtime not fetched (the Embedder looks for an installed one)"; return; }
  say "fetching ONNX Runtime $ORT_VERSION (npm pack onnxruntime-node)"
  mkdir -p "$dir"
  (cd "$dir" && npm pack "onnxruntime-node@$ORT_VERSION" --pack-destination "$dir" >/dev/null) || die "npm pack onnxruntime-node failed"
  tar xzf "$dir/onnxruntime-node-$ORT_VERSION.tgz" -C "$dir" --strip-components=5 package/bin/napi-v6/linux/x64/libonnxruntime.so.1
  rm -f "$dir/onnxruntime-node-$ORT_VERSION.tgz"
  [[ $(sha256sum "$lib" | cut -d' ' -f1) == "$ORT_SHA256" ]] || { rm -f "$lib"; die "libonnxruntime.so.1: sha256 mismatch"; }
}

setup() {
  ensure_python
  ensure_venv
  ensure_dotnet
  ensure_onnxruntime
  say "restoring NuGet packages"
  dotnet restore Kernels.sln --nologo
}

build() {
  say "building the native library and installing ragkernels into .venv"
  # --no-build-isolation: builds offline with the venv's setuptools; setup.py runs dotnet publish.
  "$PY" -m pip install --no-build-isolation --no-deps --force-reinstall -q . \
    || die "pip install failed"
  "$PY" -c "import ragkernels; print('ragkernels', ragkernels.__version__, 'implementation:', ragkernels.implementation())"
}

run_tests() {
  say "xunit"
  dotnet test Kernels.sln -c Release --nologo
  say "pytest (as installed)"
  "$PY" -m pytest -q
  say "pytest (RAGKERNELS_IMPLEMENTATION=python)"
  RAGKERNELS_IMPLEMENTATION=python "$PY" -m pytest -q
}

bench() {
  say "benchmark report"
  "$PY" -m ragkernels.bench "$@"
}

bench_dotnet() {
  say "BenchmarkDotNet suite"
  local slug artifacts="$ROOT/build/BenchmarkDotNet.Artifacts"
  slug=$("$PY" -c "from ragkernels.bench._environment import header, machine_slug; print(machine_slug(header()))")
  # Default: every report workload (WorkloadBenchmarks) with BenchmarkDotNet's ShortRun job,
  # a few minutes on 2 cores; pass BenchmarkDotNet arguments to choose otherwise
  # (e.g. ./build.sh bench-dotnet --filter '*' for every class with the default job).
  local args=("$@")
  [[ ${#args[@]} -gt 0 ]] || args=(--filter '*WorkloadBenchmarks*' --job short)
  rm -rf "$artifacts"
  # The tokenizer workloads read the MiniLM vocabulary; BenchmarkDotNet runs them elsewhere.
  if [[ -z ${RAGKERNELS_MINILM_TOKENIZER:-} && -d "$ROOT/../shared/data/minilm-tokenizer" ]]; then
    export RAGKERNELS_MINILM_TOKENIZER="$(cd "$ROOT/../shared/data/minilm-tokenizer" && pwd)"
  fi
  dotnet run -c Release --project csharp/bench/RagKernels.Benchmarks -- "${args[@]}" \
    --exporters github --memory --artifacts "$artifacts"
  mkdir -p "benchmarks/results/$slug/dotnet"
  cp "$artifacts"/results/*-report-github.md "benchmarks/results/$slug/dotnet/"
  echo "BenchmarkDotNet tables: benchmarks/results/$slug/dotnet/" >&2
}

clean() {
  rm -rf "$VENV" build dist python/*.egg-info python/ragkernels/_native/lib
  find csharp -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
}

verb=${1:-all}
[[ $# -gt 0 ]] && shift
# The reliability soak (tests/soak.py): outside the default suite; prints its numbers, fails on a
# wrong result, an RSS drift over 5 % or a 2-thread speed-up under 1.6.
soak() {
  say "reliability soak"
  RAGKERNELS_REQUIRE_NATIVE=1 "$PY" tests/soak.py
}

case "$verb" in
  all) setup; build; bench "$@" ;;
  test) setup; build; run_tests ;;
  bench) ensure_venv; bench "$@" ;;
  bench-dotnet) ensure_venv; bench_dotnet "$@" ;;
  soak) setup; build; soak ;;
  clean) clean ;;
  -h|--help|help) sed -n '2,16p' "$0" ;;
  *) die "unknown verb '$verb' (use: test, bench, soak, clean, or nothing)" ;;
esac
