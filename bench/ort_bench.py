"""Times an ONNX model in ONNX Runtime on the CPU (the model is written by bench/tf_bench.py --onnx
with tf2onnx, or for VGG-16 by bench/onnx_export.py).

Usage: python bench/ort_bench.py MODEL.onnx --threads T --runs R [--warmup W]
Prints: ort MODEL threads=T runs=R min_ms=.. median_ms=.. p90_ms=..
"""
import argparse
import os
import statistics
import time

import numpy as np
import onnxruntime as ort


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('model')
  ap.add_argument('--threads', type=int, default=1)
  ap.add_argument('--runs', type=int, default=10)
  ap.add_argument('--warmup', type=int, default=2)
  args = ap.parse_args()

  opts = ort.SessionOptions()
  opts.intra_op_num_threads = args.threads
  opts.inter_op_num_threads = 1
  opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
  sess = ort.InferenceSession(args.model, opts, providers=['CPUExecutionProvider'])
  inp = sess.get_inputs()[0]
  feed = {inp.name: np.random.RandomState(1).uniform(-1, 1, inp.shape).astype(np.float32)}
  for _ in range(args.warmup):
    sess.run(None, feed)
  times = []
  for _ in range(args.runs):
    t0 = time.perf_counter()
    sess.run(None, feed)
    times.append((time.perf_counter() - t0) * 1e3)
  times.sort()
  p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
  print('ort %s threads=%d runs=%d min_ms=%.3f median_ms=%.3f p90_ms=%.3f' %
        (os.path.basename(args.model), args.threads, args.runs, times[0],
         statistics.median(times), p90))


if __name__ == '__main__':
  main()
