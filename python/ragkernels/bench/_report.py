"""The report's header (what ran where), its Markdown table, and where results are written."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

from .._dispatch import implementation
from .._version import __version__


def progress(message: str) -> None:
    """Which kernel is running, on stderr, only when stderr is a terminal."""
    if sys.stderr.isatty():
        print(f"\r\x1b[K… {message}", end="", file=sys.stderr, flush=True)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True,
                             cwd=Path.cwd(), timeout=5)
        if out.returncode == 0:
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "unknown"


def _dotnet_version() -> str:
    try:
        out = subprocess.run(["dotnet", "--version"], capture_output=True, text=True, timeout=20)
        if out.returncode == 0:
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return "not installed"


def header() -> dict:
    from .. import _native

    return {
        "package_version": __version__,
        "git_commit": _git_commit(),
        "implementation": implementation(),
        "library": _native.library_path(),
        "python": platform.python_version(),
        "dotnet_sdk": _dotnet_version(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "os": f"{platform.system()} {platform.release()}",
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def machine_slug(head: dict) -> str:
    cpu = re.sub(r"[^a-z0-9]+", "-", head["cpu"].lower()).strip("-")
    return f"{cpu}-{head['cores']}c"


def _fmt(us: float) -> str:
    return f"{us:,.2f}" if us < 100 else f"{us:,.0f}"


def markdown(report: dict) -> str:
    head = report["header"]
    lines = [
        f"ragkernels {head['package_version']} ({head['git_commit']}), implementation: {head['implementation']}; "
        f"Python {head['python']}, .NET SDK {head['dotnet_sdk']}; {head['cpu']}, {head['cores']} cores; "
        f"{head['os']}; {head['date']}",
        "",
        f"Method: {report['warmup']} warm-up calls discarded, then {report['iterations']} timed single calls per "
        f"row with time.perf_counter_ns, garbage collector off, the cost of timing an empty call "
        f"({report['timer_overhead_ns']:.0f} ns) subtracted. Native times are measured from Python and include "
        f"the FFI call; \"C#\" rows time the same kernel on the same input inside the library "
        f"(Stopwatch, no FFI), so native − C# is the cost of crossing the boundary.",
        "",
    ]
    if report.get("ffi_floor"):
        floor = report["ffi_floor"]
        lines += [f"Empty native call (FFI floor): median {_fmt(floor['median_us'])} µs, p95 {_fmt(floor['p95_us'])} µs.", ""]
    lines += [
        "| kernel | input | Python median µs | Python p95 µs | native median µs | native p95 µs "
        "| C# median µs | speed-up |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["results"]:
        py, nat = row.get("python"), row.get("native")
        cells = [row["kernel"], row["input"]]
        cells += [_fmt(py["median_us"]), _fmt(py["p95_us"])] if py else ["–", "–"]
        cells += [_fmt(nat["median_us"]), _fmt(nat["p95_us"])] if nat else ["–", "–"]
        cells.append(_fmt(row["csharp"]["median_us"]) if row.get("csharp") else "–")
        cells.append(f"{py['median_us'] / nat['median_us']:.1f}×" if py and nat and nat["median_us"] > 0 else "–")
        lines.append("| " + " | ".join(cells) + " |")
    batch_rows = [row for row in report["results"] if row.get("items")]
    if batch_rows:
        lines += [
            "",
            "Batch throughput (items per second from the median call; one native call per batch):",
            "",
            "| kernel | input | Python items/s | native items/s | C# items/s | speed-up |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for row in batch_rows:
            rates = [_rate(row["items"], row.get(name)) for name in ("python", "native", "csharp")]
            cells = [row["kernel"], row["input"]] + [f"{r:,.0f}" if r else "–" for r in rates]
            cells.append(f"{rates[1] / rates[0]:.1f}×" if rates[0] and rates[1] else "–")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _rate(items: int, timing: dict | None) -> float | None:
    if not timing or timing["median_us"] <= 0:
        return None
    return items / (timing["median_us"] * 1e-6)


def write(report: dict, markdown_text: str, out: Path | None) -> list[Path]:
    head = report["header"]
    folder = out or Path.cwd() / "benchmarks" / "results" / machine_slug(head)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{head['date'][:10]}-{head['git_commit']}"
    json_path = folder / f"{stem}.json"
    md_path = folder / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2) + "\n")
    md_path.write_text(markdown_text + "\n")
    return [json_path, md_path]
