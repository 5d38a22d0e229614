"""Long native calls cut into short ones, so that Ctrl-C works (issue 7, item 7).

While a native call runs, CPython cannot raise KeyboardInterrupt: the signal handler only sets
a flag, and the exception is raised when control is back in Python bytecode. A batch that runs
for seconds in one call therefore ignores Ctrl-C for seconds. The batch operations (BM25 and
vector `search_many`, BM25 `add`, `Embedder.embed`, the pairwise signal batches) walk their
input in slices with `slices()` below, one native call each, so an interrupt is honoured at the
next slice boundary.

Slice sizes adapt to the measured time per item (or per unit of cost, e.g. tokens) so that a
slice takes about TARGET_SECONDS: a fast machine makes few, large calls and a slow one many
small ones. The first slice is small (a probe); each next one is sized from the rate measured
on the previous one and grows at most GROWTH times per step, so one slow stretch cannot make a long call.
With 50 ms slices the fixed cost of a call (tens of microseconds, threads included) stays far
below 1% of the work.

Some single units of native work cannot be cut by the caller (VectorIndex.search_many scans the
whole index once per cache-blocked group of queries: about 0.5 s on 100,000 x 384). Those
exports take a cancellation flag instead, and `cancellable()` below runs them in a worker
thread while the main thread waits interruptibly; Ctrl-C sets the flag and the native call
returns within one of its blocks.
"""

from __future__ import annotations

import _thread
import threading
import time
from bisect import bisect_right

#: Seconds one slice should take. Interrupt latency is at most about one slice (plus the
#: tail of a single indivisible step such as one ONNX Runtime batch).
TARGET_SECONDS = 0.05
#: The largest factor by which a slice may grow over the previous one.
GROWTH = 8.0

_clock = time.perf_counter


def slices(total: int, first: int, *, cost=None, multiple: int = 1, largest: int | None = None,
           target: float | None = None):
    """Yields (start, stop) ranges covering range(total) in order, sized so that the caller's
    work on each takes about `target` seconds (TARGET_SECONDS when None).

    The time between one yield and the next is taken as the cost of that slice, so the caller
    must do the slice's work (and little else) before asking for the next one.

    Args:
        total: number of items (int >= 0).
        first: items in the first (probe) slice (int >= 1).
        cost: None (every item costs the same) or a cumulative cost sequence of total + 1
            non-decreasing numbers (cost of items [a, b) = cost[b] - cost[a]), e.g. token counts.
        multiple: slice lengths are multiples of this (except the last), e.g. a batch size.
        largest: None or the most items in one slice (rounded up to a multiple), to bound the
            memory a call needs.
    """
    if target is None:
        target = TARGET_SECONDS
    multiple = max(1, multiple)
    size = _round(max(1, first), multiple)
    start = 0
    rate = None  # seconds per unit of cost in the last slice (follows changes in item cost)
    while start < total:
        if rate is not None:
            if cost is None:
                want = target / rate if rate > 0 else float("inf")
                limit = size * GROWTH
                size = _round(round(min(max(want, 1), limit)), multiple)
            else:
                # The stop whose cost from start is about target / rate, at most GROWTH times
                # the previous slice's length.
                budget = cost[start] + (target / rate if rate > 0 else float("inf"))
                stop = bisect_right(cost, budget, start + 1) - 1
                size = _round(min(max(stop - start, 1), int(size * GROWTH)), multiple)
        if largest is not None:
            size = min(size, _round(largest, multiple))
        stop = min(total, start + size)
        began = _clock()
        yield start, stop
        spent = _clock() - began
        done = (stop - start) if cost is None else (cost[stop] - cost[start])
        if done > 0:
            rate = spent / done
        start = stop


def _round(size: int, multiple: int) -> int:
    """size rounded up to a positive multiple of `multiple`."""
    return max(multiple, -(-size // multiple) * multiple)


def cancellable(call, flag, on_cancel=None):
    """Runs `call()` -- a native call that stops early once `flag[0]` becomes non-zero (a cffi
    int32_t[1] passed to it) -- in a worker thread, and waits for it in this thread, where a
    signal handler can still run: on KeyboardInterrupt (or any exception a signal handler
    raises) the flag is set, the worker is joined (the native call returns within one of its
    blocks), and the exception propagates. Returns what `call()` returned.

    `on_cancel`: None, or called once right after the flag is set (in this thread), e.g. to make
    ONNX Runtime stop a Run that cannot read the flag itself; its exceptions are ignored.

    The worker must be joined before the exception propagates: the native call writes into
    buffers the caller owns. A second Ctrl-C while joining is absorbed (the first one is raised).
    """
    # A bare _thread (Thread.start waits for the thread to run, and a Ctrl-C there would escape
    # with the call running). The wait is on an Event, in steps: a signal whose handler has not
    # run yet when a wait begins does not interrupt that wait, and is then honoured at the next
    # step; and an exception raised just after the worker finished must not wait again.
    outcome = []
    done = threading.Event()

    def run():
        try:
            outcome.append((True, call()))
        except BaseException as error:  # noqa: B036 - handed to the waiting thread
            outcome.append((False, error))
        finally:
            done.set()

    _thread.start_new_thread(run, ())
    try:
        while not done.wait(_WAIT_STEP):  # interruptible on POSIX: a signal handler runs while waiting
            pass
    except BaseException:
        flag[0] = 1
        if on_cancel is not None:
            try:
                on_cancel()
            except Exception:  # noqa: BLE001 - the worker is still to be waited for
                pass
        while not done.is_set():
            try:
                done.wait(_WAIT_STEP)
            except BaseException:  # noqa: B036 - the first exception is re-raised below
                pass
        raise
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


#: Seconds per wait step in cancellable() (bounds the delay of a signal that just missed a wait).
_WAIT_STEP = 0.05


def walk(call, start: int, stop: int) -> int:
    """Runs `call(start, stop)` (a fastcall entry point that does items start.. in one native
    call, as many as fit, and returns the index it reached, or False to hand over to the
    caller's ordinary path) until it reaches stop; returns where it stopped (< stop after a
    False)."""
    while start < stop:
        reached = call(start, stop)
        if reached is False:
            break
        start = reached
    return start
