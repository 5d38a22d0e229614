"""The report as people read it (Markdown) and where results are written."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ._environment import machine_slug
from ._timing import ROUNDS


def progress(message: str) -> None:
    """Which row is running, on stderr, only when stderr is a terminal."""
    if sys.stderr.isatty():
        print(f"\r\x1b[K… {message}", end="", file=sys.stderr, flush=True)


def progress_done() -> None:
    if sys.stderr.isatty():
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def fmt_us(us: float | None) -> str:
    if us is None:
        return "–"
    if us < 10:
        return f"{us:.2f}"
    if us < 1000:
        return f"{us:.1f}"
    return f"{us:,.0f}"


def _cell(stats: dict | None) -> str:
    return "–" if not stats else f"{fmt_us(stats['median_us'])} ({fmt_us(stats['p95_us'])})"


def fmt_rate(per_second: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if per_second >= scale:
            return f"{per_second / scale:.2f}{unit}"
    return f"{per_second:.0f}"


def speedup(row: dict) -> float | None:
    py, nat = row.get("python"), row.get("native")
    if py and nat and nat["median_us"] > 0:
        return py["median_us"] / nat["median_us"]
    return None


def ffi_share(row: dict) -> float | None:
    """The share of a native call from Python that is not the kernel itself: crossing the
    boundary, converting arguments, and the Python wrapper."""
    nat, cs = row.get("native"), row.get("csharp")
    if nat and cs and nat["median_us"] > 0:
        return max(0.0, (nat["median_us"] - cs["median_us"]) / nat["median_us"])
    return None


def method(report: dict) -> str:
    return (
        f"Method: per row, {report['warmup']} warm-up calls are discarded, then up to {report['iterations']} "
        f"single calls are timed one by one with time.perf_counter_ns with the garbage collector off, in {ROUNDS} rounds that "
        f"alternate between the implementations (so a change of machine speed during the run hits all alike); the cost of "
        f"timing an empty call ({report['timer_overhead_ns']:.0f} ns) is subtracted. Cells are median µs (p95 µs). "
        f"*Python twin* is the pure-Python implementation, *native* the C# kernel called from Python through cffi "
        f"(FFI and argument conversion included), *C#* the same kernel on the same input timed inside the library "
        f"(Stopwatch, no FFI). *FFI share* = (native − C#) / native. *Speed-up* = Python twin / native. "
        f"JSON results add p99, min and max."
    )


def table(report: dict) -> str:
    """The main table, also embedded in the README."""
    lines = [
        "| kernel | input | Python twin | native (from Python) | C# (no FFI) | FFI share | speed-up | throughput native / twin |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["results"]:
        up, share = speedup(row), ffi_share(row)
        rate = "–"
        if row.get("items") and row.get("native") and row.get("python"):
            per_call = row["items"]
            rate = (f"{fmt_rate(per_call / (row['native']['median_us'] * 1e-6))} / "
                    f"{fmt_rate(per_call / (row['python']['median_us'] * 1e-6))} {row.get('unit', 'items')}/s")
        lines.append("| " + " | ".join([
            row["kernel"], row["input"], _cell(row.get("python")), _cell(row.get("native")),
            _cell(row.get("csharp")), "–" if share is None else f"{share:.0%}",
            "–" if up is None else f"{up:.1f}×", rate,
        ]) + " |")
    return "\n".join(lines)


def peers_table(report: dict) -> str | None:
    lines = []
    for row in report["results"]:
        for name, stats in row.get("peers", {}).items():
            nat = row.get("native")
            if stats is None:
                lines.append(f"| {row['kernel']} | {row['input']} | {name} | not importable | {_cell(nat)} | – |")
                continue
            ratio = f"{stats['median_us'] / nat['median_us']:.1f}×" if nat else "–"
            lines.append(f"| {row['kernel']} | {row['input']} | {name} | {_cell(stats)} | {_cell(nat)} | {ratio} |")
    if not lines:
        return None
    return "\n".join([
        "| kernel | input | peer | peer µs | ragkernels native µs | ragkernels faster by |",
        "|---|---|---|---:|---:|---:|",
        *lines,
    ])


def markdown(report: dict) -> str:
    head = report["header"]
    parts = [
        f"# ragkernels benchmark report",
        "",
        f"ragkernels {head['package_version']} (commit {head['git_commit']}), implementation **{head['implementation']}**"
        + (f", cffi binding **{head['binding']}**" if head.get("binding") else "")
        + f" ({head.get('library_build') or 'no native library'}); {head['python']}, .NET SDK {head['dotnet_sdk']}; "
        f"{head['cpu']}, {head['cores']} cores; {head['os']}; {head['date']}.",
        "",
        method(report),
        "",
    ]
    floor = report.get("ffi_floor")
    if floor:
        parts += [f"Empty native call (the FFI floor): median {fmt_us(floor['median_us'])} µs, "
                  f"p95 {fmt_us(floor['p95_us'])} µs.", ""]
    parts.append(table(report))
    peers = peers_table(report)
    if peers:
        parts += ["", "Peers on the same input in the same run:", "", peers]
    notes = [f"- {row['kernel']}: {row['notes']}" for row in report["results"] if row.get("notes")]
    if notes:
        parts += ["", "Notes:", *notes]
    return "\n".join(parts)


def results_folder(report: dict, out: Path | None) -> Path:
    return out or Path.cwd() / "benchmarks" / "results" / machine_slug(report["header"])


def write(report: dict, out: Path | None) -> list[Path]:
    """Writes <date>-<commit>.json / .md / .png into the results folder; returns the paths."""
    from . import _chart

    head = report["header"]
    folder = results_folder(report, out)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{head['date'][:10]}-{head['git_commit']}"
    json_path = folder / f"{stem}.json"
    md_path = folder / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    md_path.write_text(markdown(report) + "\n")
    written = [json_path, md_path]
    png_path = folder / f"{stem}.png"
    if _chart.draw(report, png_path):
        written.append(png_path)
    return written
