"""TensorFlow's reference output for an exported ONNX file, and the check every ONNX peer passes.

When bench/onnx_export.py or bench/tf_bench.py --onnx writes NET_bN.onnx, it also writes (--ref)
the fixed random input it fed and TensorFlow's logits for it, from the same session whose weights
went into the ONNX file. bench/ort_bench.py and bench/ov_bench.py (--ref) run that input once
before timing and require max |peer - TF| <= MAX_REL_DIFF x max |TF logit|; otherwise they print
why and exit 1, and bench/nets.sh leaves that peer's column empty.
"""
import statistics
import time

import numpy as np

MAX_REL_DIFF = 1e-4


def batch(shape):
  """The input every peer times: uniform(-1, 1) from RandomState(1)."""
  return np.random.RandomState(1).uniform(-1, 1, shape).astype(np.float32)


def save(path, inputs, logits):
  # np.savez appends .npz to a name without it; write to an open file so the name stays as given.
  with open(path, 'wb') as f:
    np.savez(f, input=inputs, logits=logits)


def load(path):
  with np.load(path) as z:
    return z['input'], z['logits']


def rel_diff(got, ref):
  """max |got - ref| / max |ref| (inf on a shape mismatch or an all-zero reference)."""
  got = np.asarray(got, np.float64)
  if got.size != ref.size:
    return float('inf')
  scale = float(np.max(np.abs(ref)))
  return float(np.max(np.abs(got.reshape(-1) - ref.reshape(-1)))) / scale if scale > 0 else float('inf')


def check(peer, model, got, ref):
  """Returns the ' rel_diff=..' suffix for the timing line; exits 1 when the peer disagrees."""
  rel = rel_diff(got, ref)
  if not rel <= MAX_REL_DIFF:
    raise SystemExit('%s %s: output differs from TensorFlow by %.3g of max |logit| (limit %g, '
                     'shape %s vs %s); not timed' % (peer, model, rel, MAX_REL_DIFF,
                                                     np.shape(got), ref.shape))
  return ' rel_diff=%.2g' % rel


def timed(fn, runs):
  """Runs fn() `runs` times; returns (wall ms, process CPU ms) per run. The CPU time is all the
  process's threads (spinning workers included): on a shared machine it shows the work done,
  whatever share of the cores the scheduler gave."""
  wall, cpu = [], []
  for _ in range(runs):
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    cpu.append((time.process_time() - c0) * 1e3)
    wall.append((time.perf_counter() - t0) * 1e3)
  return wall, cpu


def summary(wall_ms, cpu_ms):
  """'min_ms=.. median_ms=.. p90_ms=.. cpu_ms=..' of the timed runs (cpu_ms: median)."""
  t = sorted(wall_ms)
  p90 = t[min(len(t) - 1, int(round(0.9 * (len(t) - 1))))]
  return 'min_ms=%.3f median_ms=%.3f p90_ms=%.3f cpu_ms=%.3f' % (
      t[0], statistics.median(t), p90, statistics.median(cpu_ms))
