"""python -m ragkernels.bench: the cross-language benchmark report.

Times every kernel from Python (FFI included) in the pure-Python twin and the native
library, prints a Markdown table and writes JSON + Markdown under
benchmarks/results/<machine>/ (or --out).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

from . import _report
from ._cases import all_cases
from ._timing import summarize, time_calls, timer_overhead_ns


def _module(area: str, implementation: str):
    name = "_py" if implementation == "python" else "_native"
    try:
        return importlib.import_module(f"ragkernels.{area}.{name}")
    except ImportError:
        return None


def _csharp_times(native, workload: str, iterations: int, warmup: int) -> list[float] | None:
    """Per-call times of the C# workload of that name, or None when the library has none."""
    ffi, lib = native.ffi, native.lib
    name = workload.encode()
    times = ffi.new("double[]", iterations)
    status = lib.rk_bench_kernel(name, len(name), warmup, times, iterations)
    if status == lib.RK_NOT_FOUND:
        return None
    if status:
        native.raise_for(status)
    return list(times)


def run(iterations: int, warmup: int, kernels: list[str] | None) -> dict:
    from ragkernels import _native

    overhead = timer_overhead_ns()
    results = []
    floor = None
    if _native.lib is not None:
        noop = _native.lib.rk_bench_noop
        floor = summarize(time_calls(noop, iterations, warmup, overhead))
    for case in all_cases():
        if kernels and not any(k in case.kernel for k in kernels):
            continue
        row = {"kernel": case.kernel, "input": case.input, "notes": case.notes}
        if case.items:
            row["items"] = case.items
        case_iterations = min(iterations, case.iterations) if case.iterations else iterations
        case_warmup = min(warmup, max(1, case_iterations // 10)) if case.iterations else warmup
        for implementation in ("python", "native"):
            module = _module(case.area, implementation)
            call = case.make(module) if module is not None else None
            if call is None:
                continue
            _report.progress(f"{case.kernel} [{implementation}]")
            row[implementation] = summarize(time_calls(call, case_iterations, case_warmup, overhead))
        workload = case.kernel if case.csharp == "" else case.csharp
        if workload and _native.lib is not None:
            _report.progress(f"{case.kernel} [C#]")
            times = _csharp_times(_native, workload, case_iterations, case_warmup)
            if times is not None:
                row["csharp"] = summarize(times)
        results.append(row)
    return {"header": _report.header(), "timer_overhead_ns": overhead, "ffi_floor": floor,
            "iterations": iterations, "warmup": warmup, "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ragkernels.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000, help="timed calls per kernel and implementation")
    parser.add_argument("--warmup", type=int, default=2000, help="untimed calls first")
    parser.add_argument("--quick", action="store_true", help="fewer iterations, for a fast look")
    parser.add_argument("--kernels", nargs="*", help="only kernels whose name contains one of these")
    parser.add_argument("--out", type=Path, default=None, help="results folder (default benchmarks/results/<machine>)")
    parser.add_argument("--json", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    iterations, warmup = (2000, 200) if args.quick else (args.iterations, args.warmup)

    report = run(iterations, warmup, args.kernels)
    markdown = _report.markdown(report)
    print(markdown)
    written = _report.write(report, markdown, args.out)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    print(f"\nwritten: {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
