"""What the report measures. Each area keeps its rows in its own module (cases_<area>.py,
listed in CASE_MODULES); a row times the same call on the same input through the pure-Python
twin, through the native library (FFI included), inside C# without the FFI when the library
has a workload of the same name (rk_bench_kernel), and through peer libraries."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

CASE_MODULES = ["cases_signals", "cases_bm25", "cases_embed", "cases_vector", "cases_hybrid"]


@dataclass
class Case:
    """One row of the report.

    make: given an implementation module (ragkernels.<area>._py or ._native), or any object
        with the same attributes, returns a no-argument callable that runs the kernel once on
        this row's input; None when that implementation has no such kernel. Setup happens in
        make, outside the timing.
    csharp: name of the C# workload run by rk_bench_kernel ("" = same as kernel; None = none).
    items: for batch kernels, the items one call processes; the report adds items/s.
    unit: what an item is, for the throughput column ("pairs", "queries", ...).
    iterations: a cap on timed calls for slow rows (the harness uses the smaller of this and
        its own count; --quick divides it by 10).
    peer_function: the attribute `make` reads, which `--peer module:function` replaces with the
        user's function (so a user's own implementation is timed on the same input).
    peers: name -> factory returning a no-argument callable for a peer library on the same
        input, or None when that library is not importable (the report says so).
    """

    kernel: str
    input: str
    area: str
    make: Callable[[object], Callable[[], object] | None]
    notes: str = ""
    csharp: str | None = ""
    items: int | None = None
    unit: str = "items"
    iterations: int | None = None
    peer_function: str | None = None
    peers: dict[str, Callable[[], Callable[[], object] | None]] = field(default_factory=dict)

    @property
    def workload(self) -> str | None:
        return self.kernel if self.csharp == "" else self.csharp


def all_cases() -> list[Case]:
    cases = []
    for name in CASE_MODULES:
        cases.extend(importlib.import_module(f"{__package__}.{name}").CASES)
    return cases
