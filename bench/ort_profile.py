"""Per-node time of an ONNX model in ONNX Runtime (its built-in profiler), for
bench/layer_compare.sh.

Usage: python bench/ort_profile.py MODEL.onnx --threads T --runs R
Prints one line per node: NAME OP_TYPE MEDIAN_MS (median over the timed runs of
the node's kernel time), after a first line with their sum. ORT's graph
optimizations are on (as in bench/ort_bench.py), so fused nodes carry the name
of the TensorFlow op they end in, e.g. `.../conv1/Relu:0_nchwc`.
"""
import argparse
import collections
import json
import os
import tempfile

import numpy as np
import onnxruntime as ort


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('model')
  ap.add_argument('--threads', type=int, default=1)
  ap.add_argument('--runs', type=int, default=10)
  ap.add_argument('--warmup', type=int, default=3)
  args = ap.parse_args()

  opts = ort.SessionOptions()
  opts.intra_op_num_threads = args.threads
  opts.inter_op_num_threads = 1
  opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
  opts.enable_profiling = True
  tmp = tempfile.mkdtemp(prefix='ort-profile-')
  opts.profile_file_prefix = os.path.join(tmp, 'profile')
  sess = ort.InferenceSession(args.model, opts, providers=['CPUExecutionProvider'])
  inp = sess.get_inputs()[0]
  shape = [d if isinstance(d, int) else 1 for d in inp.shape]
  x = np.random.RandomState(0).uniform(-1, 1, shape).astype(np.float32)
  # Warm-up runs are profiled too; they are dropped below by keeping only the
  # last `runs` events of each node.
  for _ in range(args.warmup + args.runs):
    sess.run(None, {inp.name: x})
  path = sess.end_profiling()
  with open(path) as f:
    events = json.load(f)
  os.remove(path)
  os.rmdir(tmp)
  times = collections.OrderedDict()
  for e in events:
    if e.get('cat') == 'Node' and e['name'].endswith('_kernel_time'):
      name = e['name'][:-len('_kernel_time')]
      times.setdefault(name, ([], e['args'].get('op_name', '?')))[0].append(e['dur'])
  rows = []
  for name, (durs, op) in times.items():
    durs = sorted(durs[-args.runs:])
    rows.append((name, op, durs[len(durs) // 2] / 1000.0))
  print('total node ms (sum of medians): %.3f' % sum(r[2] for r in rows))
  for name, op, ms in rows:
    print('%s %s %.4f' % (name, op, ms))


if __name__ == '__main__':
  main()
