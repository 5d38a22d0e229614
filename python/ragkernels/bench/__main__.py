"""python -m ragkernels.bench: the cross-language benchmark report.

Times every available kernel from Python (FFI included) in the pure-Python twin and the
native library, inside C# without the FFI, and in peer libraries when importable; prints a
Markdown table and writes <date>-<commit>.{json,md,png} under benchmarks/results/<machine>/.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import types
from pathlib import Path

from . import _compare, _report
from ._cases import Case, all_cases
from ._environment import header
from ._timing import ROUNDS, summarize, time_calls, timer_overhead_ns

QUICK = {"iterations": 1000, "warmup": 100}


def _module(area: str, implementation: str):
    if implementation == "native":
        from .. import _native

        if _native.lib is None:
            return None
    name = "_py" if implementation == "python" else "_native"
    try:
        return importlib.import_module(f"ragkernels.{area}.{name}")
    except ImportError:
        return None


def _csharp_times(workload: str, iterations: int, warmup: int) -> list[float] | None:
    """Per-call times of the C# workload of that name, or None when the library has none."""
    from .. import _native

    ffi, lib = _native.ffi, _native.lib
    if lib is None:
        return None
    name = workload.encode()
    times = ffi.new("double[]", iterations)
    status = lib.rk_bench_kernel(name, len(name), warmup, times, iterations)
    if status == lib.RK_NOT_FOUND:
        return None
    if status:
        _native.raise_for(status)
    return list(times)


def parse_peer(spec: str):
    """'module:function[=kernel]' -> (label, function, kernel name or None)."""
    target, _, kernel = spec.partition("=")
    module_name, sep, function_name = target.partition(":")
    if not sep or not module_name or not function_name:
        raise argparse.ArgumentTypeError(f"--peer takes module:function[=kernel], got {spec!r}")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError) as error:
        raise argparse.ArgumentTypeError(f"--peer {spec}: {error}") from None
    return f"{module_name}:{function_name}", function, kernel or None


def _user_peers(case: Case, user_peers) -> dict:
    found = {}
    for label, function, kernel in user_peers:
        matches = case.kernel == kernel if kernel else case.peer_function == function.__name__
        if matches and case.peer_function:
            stand_in = types.SimpleNamespace(**{case.peer_function: function})
            found[label] = (lambda stand_in=stand_in: case.make(stand_in))
    return found


def _interleaved(timers: dict, iterations: int, warmup: int) -> dict:
    """{key: per-call ns} from `timers` ({key: function(count, warmup) -> list or None}), run in
    ROUNDS alternating rounds that add up to `iterations` calls each. The first round of each
    warms up with `warmup` calls; later rounds with a tenth of their own size, as the other
    implementations ran in between. A timer that returns None is dropped."""
    rounds = max(1, min(ROUNDS, iterations))
    results = {key: [] for key in timers}
    live = dict(timers)
    for r in range(rounds):
        count = iterations // rounds + (1 if r < iterations % rounds else 0)
        warm = warmup if r == 0 else max(1, min(warmup, count // 10))
        for key, timer in list(live.items()):
            times = timer(count, warm)
            if times is None:
                del live[key]
                results.pop(key)
                continue
            results[key].extend(times)
    return results


def run(iterations: int, warmup: int, kernels: list[str] | None, user_peers=(), quick: bool = False) -> dict:
    from .. import _native

    overhead = timer_overhead_ns()
    floor = None
    if _native.lib is not None:
        floor = summarize(time_calls(_native.lib.rk_bench_noop, iterations, warmup, overhead))
    results = []
    for case in all_cases():
        if kernels and not any(k.lower() in case.kernel.lower() for k in kernels):
            continue
        n = iterations
        if case.iterations:
            n = min(n, max(5, case.iterations // 10 if quick else case.iterations))
        w = max(1, min(warmup, n // 10))
        row = {"kernel": case.kernel, "input": case.input, "notes": case.notes, "items": case.items,
               "unit": case.unit, "iterations": n}
        # Everything timed for this row, by the key it is reported under.
        timers = {}
        for implementation in ("python", "native"):
            module = _module(case.area, implementation)
            call = case.make(module) if module is not None else None
            if call is not None:
                timers[implementation] = (lambda count, warm, call=call: time_calls(call, count, warm, overhead))
        if case.workload:
            timers["csharp"] = (lambda count, warm, workload=case.workload: _csharp_times(workload, count, warm))
        peers = dict(case.peers)
        peers.update(_user_peers(case, user_peers))
        for name, factory in peers.items():
            call = factory()
            if call is None:
                row.setdefault("peers", {})[name] = None
                continue
            timers["peer:" + name] = (lambda count, warm, call=call: time_calls(call, count, warm, overhead))
        _report.progress(case.kernel)
        for key, times in _interleaved(timers, n, w).items():
            if key.startswith("peer:"):
                row.setdefault("peers", {})[key[5:]] = summarize(times)
            else:
                row[key] = summarize(times)
        results.append(row)
    _report.progress_done()
    return {"header": header(), "timer_overhead_ns": overhead, "ffi_floor": floor,
            "iterations": iterations, "warmup": warmup, "quick": quick, "results": results}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ragkernels.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", nargs="+", metavar="NAME", help="only rows whose kernel name contains one of these")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK['iterations']} timed calls per row (slow rows fewer): a look in under a minute")
    parser.add_argument("--iterations", type=int, default=20000, help="timed calls per row and implementation (default 20000)")
    parser.add_argument("--warmup", type=int, default=2000, help="untimed calls before timing (default 2000)")
    parser.add_argument("--peer", action="append", default=[], type=parse_peer, metavar="MODULE:FUNCTION[=KERNEL]",
                        help="also time your own function with the same signature (e.g. mymod:trend_drop)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the JSON report here")
    parser.add_argument("--out", type=Path, metavar="DIR", help="results folder (default benchmarks/results/<machine>)")
    parser.add_argument("--no-save", action="store_true", help="print only; write no files")
    parser.add_argument("--compare", type=Path, metavar="OLD.json",
                        help=f"print the change per row against an earlier report; exit 1 on a regression "
                             f"(median > {_compare.THRESHOLD * 100:.0f}%% and > {_compare.MIN_DELTA_US} µs slower)")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.warmup < 0:
        parser.error("--iterations must be >= 1 and --warmup >= 0")
    iterations, warmup = (QUICK["iterations"], QUICK["warmup"]) if args.quick else (args.iterations, args.warmup)

    report = run(iterations, warmup, args.kernels, args.peer, args.quick)
    print(_report.markdown(report))
    if not args.no_save:
        written = _report.write(report, args.out)
        print("\nwritten: " + ", ".join(str(p) for p in written), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if args.compare:
        text, regressed = _compare.compare(report, json.loads(args.compare.read_text()))
        print("\n" + text)
        if regressed:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
