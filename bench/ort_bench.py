"""Times an ONNX model in ONNX Runtime on the CPU (the model is written by bench/tf_bench.py --onnx
with tf2onnx, or for VGG-16 by bench/onnx_export.py).

Usage: python bench/ort_bench.py MODEL.onnx --threads T --runs R [--warmup W] [--ref REF.npz]
Prints: ort MODEL threads=T runs=R min_ms=.. median_ms=.. p90_ms=.. cpu_ms=.. [rel_diff=..]
(cpu_ms: median process CPU time per run, all threads; bench/tf_ref.py timed)
With --ref (TensorFlow's input and logits, bench/tf_ref.py) it first checks ORT's output against
TensorFlow's and exits 1 without timing when they disagree.
"""
import argparse
import os

import onnxruntime as ort
import tf_ref


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('model')
  ap.add_argument('--threads', type=int, default=1)
  ap.add_argument('--runs', type=int, default=10)
  ap.add_argument('--warmup', type=int, default=2)
  ap.add_argument('--ref', default=None, help="TensorFlow's input and logits (.npz)")
  args = ap.parse_args()

  opts = ort.SessionOptions()
  opts.intra_op_num_threads = args.threads
  opts.inter_op_num_threads = 1
  opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
  sess = ort.InferenceSession(args.model, opts, providers=['CPUExecutionProvider'])
  inp = sess.get_inputs()[0]
  name = os.path.basename(args.model)
  checked = ''
  if args.ref:
    x, ref = tf_ref.load(args.ref)
    feed = {inp.name: x}
    checked = tf_ref.check('ort', name, sess.run(None, feed)[0], ref)
  else:
    feed = {inp.name: tf_ref.batch(inp.shape)}
  for _ in range(args.warmup):
    sess.run(None, feed)
  wall, cpu = tf_ref.timed(lambda: sess.run(None, feed), args.runs)
  print('ort %s threads=%d runs=%d %s%s' % (name, args.threads, args.runs,
                                           tf_ref.summary(wall, cpu), checked))


if __name__ == '__main__':
  main()
