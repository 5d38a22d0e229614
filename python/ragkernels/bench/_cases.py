"""What the report measures. Each area keeps its rows in its own module (cases_<area>.py,
listed in CASE_MODULES); a row times the same call on the same input through the pure-Python
twin and through the native library (FFI included), and, when the library has a workload of
the same name (rk_bench_kernel), inside C# without the FFI."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Callable

CASE_MODULES = ["cases_signals"]


@dataclass
class Case:
    """One row of the report. `make` returns a no-argument callable for an implementation
    module (ragkernels.<area>._py or ._native), or None when that one has no such kernel."""

    kernel: str
    input: str
    area: str
    make: Callable[[object], Callable[[], object] | None]
    notes: str = ""
    # Name of the C# workload run by rk_bench_kernel (defaults to `kernel`); None for none.
    csharp: str | None = ""
    peers: dict = field(default_factory=dict)
    # For batch rows: items (e.g. pairs) per call, reported as items/s beside the call times.
    items: int = 0
    # Timed calls for this row when fewer than the report's (slow batch rows); 0 = the report's.
    iterations: int = 0


def all_cases() -> list[Case]:
    cases = []
    for name in CASE_MODULES:
        cases.extend(importlib.import_module(f"{__package__}.{name}").CASES)
    return cases



