"""Keeps the README's benchmark table generated from a committed JSON report.

    python -m ragkernels.bench.readme benchmarks/results/<machine>/<report>.json [README.md]

rewrites the block between the markers below; tests/test_bench.py checks that the block equals
what this module generates from the JSON it names, so the table can never be typed by hand.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from . import _report

BEGIN = "<!-- bench-table: {path} -->"
END = "<!-- /bench-table -->"
_BLOCK = re.compile(r"<!-- bench-table: (?P<path>\S+) -->\n(?P<body>.*?)\n<!-- /bench-table -->", re.S)


def render(report: dict) -> str:
    head = report["header"]
    lines = [
        f"{head['cpu']}, {head['cores']} cores, {head['os']}; {head['python']}; "
        f"{head.get('library_build') or ''}; commit {head['git_commit']}, {head['date']}.",
        "",
        _report.table(report),
    ]
    floor = report.get("ffi_floor")
    if floor:
        lines += ["", f"Empty native call (FFI floor): {_report.fmt_us(floor['median_us'])} µs median."]
    return "\n".join(lines)


def find_block(readme_text: str) -> tuple[str, str] | None:
    """(json path, table body) of the README's generated block, or None."""
    match = _BLOCK.search(readme_text)
    return (match["path"], match["body"]) if match else None


def update(json_path: Path, readme_path: Path, root: Path) -> None:
    report = json.loads(json_path.read_text())
    relative = json_path.resolve().relative_to(root.resolve()).as_posix()
    block = f"{BEGIN.format(path=relative)}\n{render(report)}\n{END}"
    text = readme_path.read_text()
    if _BLOCK.search(text):
        text = _BLOCK.sub(lambda _: block, text)
    else:
        raise SystemExit(f"{readme_path} has no '<!-- bench-table: … -->' … '{END}' block to fill")
    readme_path.write_text(text)


def main(argv: list[str]) -> int:
    if not argv or len(argv) > 2:
        print(__doc__, file=sys.stderr)
        return 2
    json_path = Path(argv[0])
    readme_path = Path(argv[1]) if len(argv) == 2 else Path("README.md")
    update(json_path, readme_path, readme_path.resolve().parent)
    print(f"updated {readme_path} from {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
