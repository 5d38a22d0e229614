"""The benchmark harness measures what it says, compares honestly, and the README's table is
generated from a committed report (never typed by hand)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, FORCED_PYTHON
from ragkernels.bench import _compare, _report, readme
from ragkernels.bench.__main__ import parse_peer, run


@pytest.fixture(scope="module")
def small_report():
    return run(iterations=60, warmup=5, kernels=["trend_drop"],
               user_peers=[parse_peer("ragkernels.signals._py:trend_drop")])


def test_rows_have_python_native_csharp_and_peer_timings(small_report):
    from ragkernels import _native

    rows = {row["kernel"]: row for row in small_report["results"]}
    assert set(rows) == {"trend_drop", "trend_drop (5 values)"}
    row = rows["trend_drop"]
    for stats in (row["python"], row["peers"]["ragkernels.signals._py:trend_drop"]):
        assert stats["n"] == 60
        assert 0 < stats["min_us"] <= stats["median_us"] <= stats["p95_us"] <= stats["p99_us"] <= stats["max_us"]
    if _native.lib is not None and not FORCED_PYTHON:
        assert row["native"]["n"] == 60 and row["csharp"]["n"] == 60
        assert small_report["ffi_floor"]["n"] == 60
    assert "native" not in rows["trend_drop (5 values)"]


def test_header_names_everything_a_reader_needs(small_report):
    head = small_report["header"]
    for key in ("package_version", "git_commit", "implementation", "python", "dotnet_sdk", "cpu", "cores", "os", "date"):
        assert head[key] not in (None, "")
    text = _report.markdown(small_report)
    assert head["cpu"] in text and head["git_commit"] in text and "Method:" in text


def stats(median):
    return {"n": 10, "median_us": median, "p95_us": median * 1.1, "p99_us": median * 1.2, "min_us": median, "max_us": median * 2}


def report_with(**medians):
    rows = [{"kernel": "k", "input": "x", **{key: stats(value) for key, value in medians.items()}}]
    return {"header": {"git_commit": "abc", "date": "2026-01-01"}, "results": rows}


@pytest.mark.parametrize(
    "old, new, regressed",
    [
        (dict(native=1.0, csharp=0.5), dict(native=1.2, csharp=0.5), False),  # +20%: within the bound
        (dict(native=1.0, csharp=0.5), dict(native=1.3, csharp=0.5), True),  # +30% and +0.3 µs
        (dict(native=0.10), dict(native=0.14), False),  # +40% but only 0.04 µs: below resolution
        (dict(native=1.0, csharp=0.5), dict(native=1.0, csharp=0.7), True),  # C# +40%
        (dict(python=1.0, native=1.0), dict(python=9.0, native=1.0), False),  # twin changes are not judged
    ],
)
def test_compare_flags_regressions_beyond_the_documented_bound(old, new, regressed):
    text, verdict = _compare.compare(report_with(**new), report_with(**old))
    assert verdict is regressed
    assert ("**regression**" in text) is regressed


def test_speedup_and_ffi_share_are_derived_from_medians():
    row = {"python": stats(10.0), "native": stats(2.0), "csharp": stats(0.5)}
    assert _report.speedup(row) == 5.0
    assert _report.ffi_share(row) == 0.75


@pytest.mark.parametrize("spec", ["nomodule", "json:", ":loads", "no_such_module_xyz:f", "json:no_such_function"])
def test_bad_peer_specs_are_rejected(spec):
    import argparse

    with pytest.raises(argparse.ArgumentTypeError):
        parse_peer(spec)


def test_chart_is_a_png(small_report, tmp_path):
    pytest.importorskip("matplotlib")
    from ragkernels.bench import _chart

    path = tmp_path / "chart.png"
    assert _chart.draw(small_report, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_command_line_quick_run_writes_json(tmp_path):
    out = tmp_path / "report.json"
    result = subprocess.run(
        [sys.executable, "-m", "ragkernels.bench", "--quick", "--kernels", "TrendWindow", "--no-save", "--json", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert [row["kernel"] for row in report["results"]] == ["TrendWindow.push"]
    assert "| TrendWindow.push |" in result.stdout


def test_compare_exit_code_on_regression(tmp_path):
    old = run(iterations=30, warmup=3, kernels=["TrendWindow"])
    for row in old["results"]:
        for key in ("native", "csharp"):
            if key in row:
                for field in ("median_us", "p95_us"):
                    row[key][field] /= 100.0  # an old report 100x faster: the new one regressed
    old_path = tmp_path / "old.json"
    old_path.write_text(json.dumps(old))
    result = subprocess.run(
        [sys.executable, "-m", "ragkernels.bench", "--quick", "--kernels", "TrendWindow", "--no-save", "--compare", str(old_path)],
        capture_output=True, text=True, cwd=tmp_path,
    )
    has_native = any("native" in row for row in old["results"])
    assert result.returncode == (1 if has_native else 0), result.stdout + result.stderr


def test_readme_table_is_generated_from_a_committed_report():
    text = (REPO / "README.md").read_text()
    block = readme.find_block(text)
    assert block is not None, "README.md has no generated benchmark block"
    json_path, body = block
    path = REPO / json_path
    assert path.is_file(), f"README names {json_path}, which does not exist"
    tracked = subprocess.run(["git", "ls-files", "--error-unmatch", json_path], cwd=REPO, capture_output=True)
    if tracked.returncode not in (0, 1):
        pytest.skip("git is not available to check that the report is committed")
    assert tracked.returncode == 0, f"{json_path} is not committed"
    assert body == readme.render(json.loads(path.read_text()))
