"""fork (issue 7): a process that used the native library and then forks (multiprocessing's
"fork" start method, as gunicorn --preload and Celery do) can use every kernel in the child.

The .NET runtime does not survive fork (a child whose parent had run collections hangs in its
first one), so the child switches to the pure-Python twins with a RuntimeWarning
(ragkernels/_fork.py); objects made before the fork raise RuntimeError instead of calling into
the copied runtime. Everything runs in a separate interpreter with timeouts: a hang fails the
test instead of stalling the suite.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import native_lib

SCRIPT = textwrap.dedent('''
    import json, multiprocessing as mp, sys
    import numpy as np
    import ragkernels
    from ragkernels import signals, bm25, vector

    def work(tag):
        claims = ["Paris rose 42% in 2024 and Berlin did not", "The fox is not quick"] * 300
        sources = ["Berlin fell 3.5% while Paris never rose", "The quick fox"] * 300
        out = {"implementation": ragkernels.implementation(),
               "entity": float(signals.entity_overlap_batch(claims, sources).sum()),
               "trace": float(signals.traceability_batch(claims, sources).sum()),
               "flip": int(signals.negation_flip_batch(claims, sources).sum()),
               "numbers": [None if x is None else bool(x) for x in
                           signals.numerical_consistency_batch(claims[:4], sources[:4])],
               "pair": [signals.entity_overlap("Paris", "Paris and Rome"), signals.traceability("a b", "a c")],
               "trend": signals.trend_drop([0.9, 0.8, 0.1])}
        window = signals.TrendWindow(3)
        out["window"] = [window.push(x) for x in (0.9, 0.5, 0.1)]
        index = bm25.BM25Index()
        index.add([f"doc {i} about fox {i % 7} paris {i % 13}" for i in range(300)])
        docs, scores = index.search_many([f"fox {i % 7} paris" for i in range(50)], k=3, threads=2)
        out["bm25"] = [docs.tolist(), scores.round(9).tolist(), index.search("fox 3", k=2)]
        rng = np.random.default_rng(1)
        vectors = vector.VectorIndex(dim=8)
        vectors.add(rng.standard_normal((200, 8)).astype(np.float32))
        ids, sims = vectors.search_many(rng.standard_normal((20, 8)).astype(np.float32), k=3, threads=2)
        out["vector"] = [ids.tolist(), np.round(sims, 5).tolist()]
        out["rrf"] = [[i, round(s, 12)] for i, s in vector.rrf([[1, 2, 3], [3, 1]], k=60)]
        return out

    def heavy():
        """Enough allocation in the library for several .NET collections, gen 2 included."""
        for _ in range(int(sys.argv[1])):
            index = bm25.BM25Index()
            index.add([f"w{k} x{k % 100} y{k % 7}" for k in range(20000)])
            index.close()

    def stale():
        try:
            before.search("fox", k=1)  # the module global made before the fork
        except RuntimeError as error:
            return "RuntimeError: " + str(error)[:60]
        return "no error"

    if __name__ == "__main__":
        parent = work("parent")
        heavy()
        before = bm25.BM25Index()
        before.add(["the fox"])
        ctx = mp.get_context("fork")
        with ctx.Pool(2) as pool:
            children = pool.map_async(work, ["a", "b"]).get(timeout=120)
            stale_result = pool.apply_async(stale).get(timeout=60)
        print(json.dumps({"parent": parent, "children": children, "stale": stale_result}))
''')


def run(tmp_path, heavy):
    script = tmp_path / "fork_script.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(heavy)], capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.splitlines()[-1]), done.stderr


def test_forked_children_can_use_every_kernel(tmp_path):
    native_lib()
    report, stderr = run(tmp_path, 30)
    parent = report["parent"]
    assert parent["implementation"] == "native"
    for child in report["children"]:
        assert child.pop("implementation") == "python"
        assert child == {k: v for k, v in parent.items() if k != "implementation"}
    assert report["stale"].startswith("RuntimeError: this ragkernels object was created before os.fork()")
    assert "does not survive fork" in stderr
