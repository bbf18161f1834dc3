"""Runs release the GIL: two Python threads are inside the runtime at once.

barrier_model.c's run waits until two runs are inside it together (failing
after 20 s otherwise), so this passes only if the second thread can enter
while the first is still in its foreign call, whatever the machine's load:
no timing is measured.
"""

import ctypes
import threading

import numpy as np

import slimc
from conftest import DENSE_X


def test_two_threads_run_inside_the_runtime_at_once(barrier_lib):
    model = slimc.Model(barrier_lib)
    # The model's own counters, in the library the runtime dlopened.
    so = ctypes.CDLL(barrier_lib)
    arrived = ctypes.c_int32.in_dll(so, "barrier_model_arrived")
    max_inside = ctypes.c_int32.in_dll(so, "barrier_model_max_inside")
    results, errors = {}, []

    def worker(i):
        try:
            x = np.full(4, float(i), np.float32)
            results[i] = model(x)
        except Exception as e:  # reported below, with the runtime's message
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert arrived.value == 2
    assert max_inside.value == 2
    for i in range(2):
        np.testing.assert_array_equal(results[i], np.full(4, float(i)))
    model.close()


def test_concurrent_runs_match_sequential(dense):
    dense.initialize(seed=11)
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((2, 4)).astype(np.float32) for _ in range(16)]
    want = [dense(x)["logits"] for x in xs]
    got = [None] * len(xs)

    def worker(k):
        for i in range(k, len(xs), 4):
            for _ in range(20):
                got[i] = dense(xs[i])["logits"]

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for w, g in zip(want, got):
        np.testing.assert_array_equal(w, g)
    # Contexts are pooled: at most one per thread that ran at once.
    assert 1 <= len(dense._free) <= 5
