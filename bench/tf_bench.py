"""Times a zoo net in TensorFlow running the TF-Slim model itself (graph mode, inference).

Usage (with the reference venv, scripts/tf-venv.sh):
  python bench/tf_bench.py NET --batch N --threads T --runs R [--warmup W]
                          [--onnx OUT.onnx [--ref REF.npz]]

NET is a name from test/conformance/tfnets.py (vgg_16, resnet_v1_50, mobilenet_v1). The net is
built with tf_slim inside its own arg_scope with is_training=False, variables are initialized
from their initializers (timing does not depend on the values), the session runs with
intra_op_parallelism_threads = inter_op_parallelism_threads = T, and after W warm-up runs the
script times R runs of sess.run on one fixed random batch. It prints one line:
  tf NET batch=N threads=T runs=R min_ms=.. median_ms=.. p90_ms=.. cpu_ms=..
(cpu_ms: median process CPU time per run, all threads)
With --onnx it also freezes the graph and writes it as ONNX (tf2onnx must be importable; used
by bench/nets.sh for the ONNX Runtime and OpenVINO peers, from its own venv) and, with --ref, the
input and TensorFlow's logits for it from the same session (bench/tf_ref.py; the peers check
their output against them). tf2onnx runs out of memory on VGG-16 (see bench/onnx_export.py), so
bench/nets.sh exports that net with bench/onnx_export.py.
"""
import argparse
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'test', 'conformance'))

import tf_ref  # noqa: E402
import tfnets  # noqa: E402
from tfnets import tf  # noqa: E402


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('net')
  ap.add_argument('--batch', type=int, default=1)
  ap.add_argument('--threads', type=int, default=1)
  ap.add_argument('--runs', type=int, default=10)
  ap.add_argument('--warmup', type=int, default=2)
  ap.add_argument('--onnx', default=None)
  ap.add_argument('--ref', default=None)
  args = ap.parse_args()

  size = tfnets.NETS[args.net][2]
  config = tf.ConfigProto(intra_op_parallelism_threads=args.threads,
                          inter_op_parallelism_threads=args.threads)
  graph = tf.Graph()
  with graph.as_default():
    inputs = tf.placeholder(tf.float32, [args.batch, size, size, 3], name='input')
    _, logits = tfnets.build(args.net, inputs)
    logits = tf.identity(logits, name='logits')
    init = tf.global_variables_initializer()
  feed = tf_ref.batch((args.batch, size, size, 3))

  with tf.Session(graph=graph, config=config) as sess:
    sess.run(init)
    if args.onnx:
      frozen = tf.graph_util.convert_variables_to_constants(sess, graph.as_graph_def(),
                                                            ['logits'])
      import tf2onnx
      tf2onnx.convert.from_graph_def(frozen, input_names=['input:0'],
                                     output_names=['logits:0'], opset=13,
                                     output_path=args.onnx)
      if args.ref:
        tf_ref.save(args.ref, feed, sess.run(logits, {inputs: feed}))
      return
    for _ in range(args.warmup):
      sess.run(logits, {inputs: feed})
    wall, cpu = tf_ref.timed(lambda: sess.run(logits, {inputs: feed}), args.runs)
  print('tf %s batch=%d threads=%d runs=%d %s' %
        (args.net, args.batch, args.threads, args.runs, tf_ref.summary(wall, cpu)))


if __name__ == '__main__':
  main()
