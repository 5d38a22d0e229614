"""--compare OLD.json: the change per row against an earlier report, and a verdict.

A regression is a native or C# median that grew by more than THRESHOLD (relative) AND by
more than MIN_DELTA_US (absolute). The relative bound is 25% because medians of sub-µs calls
on a shared 2-core machine move by up to ~10% between identical runs; the absolute bound keeps
changes below the timer's resolution from counting. Python-twin changes are shown, never
judged (they measure the interpreter, not us).
"""

from __future__ import annotations

THRESHOLD = 0.25
MIN_DELTA_US = 0.05


def compare(new: dict, old: dict, threshold: float = THRESHOLD) -> tuple[str, bool]:
    """Returns the Markdown comparison and whether any row regressed."""
    old_rows = {(r["kernel"], r["input"]): r for r in old["results"]}
    lines = [
        f"Compared with {old['header']['git_commit']} ({old['header']['date']}); regression = native or C# "
        f"median more than {threshold:.0%} and {MIN_DELTA_US} µs slower.",
        "",
        "| kernel | input | Python twin | native | C# | verdict |",
        "|---|---|---:|---:|---:|---|",
    ]
    regressed = False
    for row in new["results"]:
        before = old_rows.get((row["kernel"], row["input"]))
        if before is None:
            lines.append(f"| {row['kernel']} | {row['input']} | new | new | new | new row |")
            continue
        cells, verdict = [], "ok"
        for key in ("python", "native", "csharp"):
            a, b = before.get(key), row.get(key)
            if not a or not b or a["median_us"] <= 0:
                cells.append("–")
                continue
            change = b["median_us"] / a["median_us"] - 1
            cells.append(f"{change:+.1%}")
            if key != "python" and change > threshold and b["median_us"] - a["median_us"] > MIN_DELTA_US:
                verdict = "**regression**"
                regressed = True
        lines.append(f"| {row['kernel']} | {row['input']} | " + " | ".join(cells) + f" | {verdict} |")
    return "\n".join(lines), regressed
