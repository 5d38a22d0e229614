"""The PNG chart: per row, log-scale bars of median µs for the Python twin, native from
Python and native in C#, with whiskers to p95."""

from __future__ import annotations

from pathlib import Path

SERIES = [("python", "Python twin", "#9e9e9e"), ("native", "native (from Python)", "#1f77b4"),
          ("csharp", "C# (no FFI)", "#2ca02c")]


def draw(report: dict, path: Path) -> bool:
    """Draws the chart; False (and nothing written) when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False

    rows = [r for r in report["results"] if any(r.get(key) for key, _, _ in SERIES)]
    if not rows:
        return False
    bar = 0.26
    height = max(2.8, 0.62 * len(rows) + 1.8)
    fig, ax = plt.subplots(figsize=(8, height), dpi=110)
    labels, labelled = [], set()
    for i, row in enumerate(rows):
        labels.append(row["kernel"] if len(row["input"]) > 34 else f"{row['kernel']}\n{row['input']}")
        for j, (key, name, color) in enumerate(SERIES):
            stats = row.get(key)
            if not stats or stats["median_us"] <= 0:
                continue
            y = i + (j - 1) * bar
            median, p95 = stats["median_us"], max(stats["p95_us"], stats["median_us"])
            ax.barh(y, median, height=bar, color=color, label=None if name in labelled else name)
            labelled.add(name)
            ax.errorbar(median, y, xerr=[[0], [p95 - median]], fmt="none", ecolor="black", elinewidth=0.8, capsize=2)
            ax.text(median * 1.04 if p95 <= median * 1.02 else p95 * 1.06, y, f"{median:.3g}", va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("µs per call, median (bar) and p95 (whisker), log scale")
    head = report["header"]
    ax.set_title(f"ragkernels {head['package_version']} ({head['git_commit']}) on {head['cpu']}, {head['cores']} cores",
                 fontsize=9)
    ax.grid(axis="x", which="both", alpha=0.25)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16 * 4 / height), ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True
