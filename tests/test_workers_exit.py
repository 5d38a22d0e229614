"""Process exit with the library's parked worker threads (RagKernels.Threading.Workers).

Batch calls hand work to a few background threads of the library's own that stay parked
between calls. These tests make sure that such a process still ends the way Python says it
should, promptly and with the expected exit status, whichever way it ends: normal end,
sys.exit, os._exit, an uncaught exception, KeyboardInterrupt (Ctrl-C) while batches run (Python then ends by SIGINT, status -2),
sys.exit from a worker thread, the main thread ending while another Python thread is inside a
batch call, and a fork child (the parent's parked threads do not exist in the child). Each case
runs in its own interpreter with a timeout, so a hang fails the test instead of the suite.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import native_lib

PRELUDE = textwrap.dedent('''
    import os, sys, threading, time
    import numpy as np
    import ragkernels
    from ragkernels import signals, bm25, vector

    assert ragkernels.implementation() == "native", ragkernels.implementation()
    CLAIMS = ["Paris rose 42% in 2024 and Berlin did not", "The fox is not quick today"] * 2000
    SOURCES = ["Berlin fell 3.5% while Paris never rose", "The quick fox, today"] * 2000

    def batches():
        """Every batch form that uses the workers, with results checked against the single calls."""
        trace = signals.traceability_batch(CLAIMS, SOURCES)
        assert trace.tolist() == [signals.traceability(c, s) for c, s in zip(CLAIMS[:2], SOURCES[:2])] * 2000
        signals.entity_overlap_batch(CLAIMS, SOURCES)
        signals.negation_flip_batch(CLAIMS, SOURCES)
        signals.numerical_consistency_batch(CLAIMS, SOURCES)
        index = bm25.BM25Index()
        index.add([f"doc {i} fox {i % 7} paris {i % 13}" for i in range(500)])
        index.search_many([f"fox {i % 7} paris" for i in range(200)], k=3, threads=2)
        vectors = vector.VectorIndex(dim=8)
        vectors.add(np.random.default_rng(1).standard_normal((500, 8)).astype(np.float32))
        vectors.search_many(np.ones((100, 8), np.float32), k=3, threads=2)

    for _ in range(3):
        batches()
    print("ready", flush=True)
''')

CASES = {
    "normal end": ("pass", 0),
    "sys.exit": ("sys.exit(3)", 3),
    "os._exit": ("os._exit(5)", 5),
    "uncaught exception": ("raise ValueError('boom')", 1),
    "sys.exit in a thread": ("t = threading.Thread(target=sys.exit, args=(4,)); t.start(); t.join()", 0),
    "main ends while a thread is in a batch": (
        "t = threading.Thread(target=lambda: [batches() for _ in range(1000)], daemon=True)\n"
        "t.start(); time.sleep(0.3)", 0),
    "sys.exit while a thread is in a batch": (
        "t = threading.Thread(target=lambda: [batches() for _ in range(1000)], daemon=True)\n"
        "t.start(); time.sleep(0.3); sys.exit(6)", 6),
    "KeyboardInterrupt in the main thread between batches": (
        "import _thread\n"
        "threading.Timer(0.3, _thread.interrupt_main).start()\n"
        "while True: batches()", -signal.SIGINT),
    "fork child ends, then the parent": (
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    import warnings; warnings.simplefilter('ignore')\n"
        "    signals.traceability_batch(CLAIMS[:8], SOURCES[:8]); os._exit(7)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert os.waitstatus_to_exitcode(status) == 7, status\n"
        "batches()", 0),
}


def run_case(tmp_path, body: str) -> subprocess.CompletedProcess:
    script = tmp_path / "exit_script.py"
    script.write_text(PRELUDE + body + "\n")
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", list(CASES))
def test_process_exits_promptly_with_its_status(tmp_path, case):
    native_lib()
    body, expected = CASES[case]
    done = run_case(tmp_path, body)
    assert done.stdout.startswith("ready"), done.stderr[-3000:]
    assert done.returncode == expected, done.stderr[-3000:]
    if case.startswith("KeyboardInterrupt"):
        assert "KeyboardInterrupt" in done.stderr


def test_ctrl_c_signal_while_batches_run(tmp_path):
    """A real SIGINT (Ctrl-C) arriving while the main thread loops over native batch calls."""
    native_lib()
    script = tmp_path / "sigint_script.py"
    script.write_text(PRELUDE + "while True: batches()\n")
    process = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("ready")
        time.sleep(0.5)  # inside the loop of batch calls
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    # Python ends an uncaught KeyboardInterrupt by re-raising SIGINT on itself (status -SIGINT).
    assert process.returncode == -signal.SIGINT, stderr[-3000:]
    assert "KeyboardInterrupt" in stderr
