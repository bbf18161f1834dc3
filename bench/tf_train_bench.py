"""Times TensorFlow's training step of a training script (bench/train/*.slim) run as Python.

Usage (with the reference venv, scripts/tf-venv.sh):
  python bench/tf_train_bench.py SCRIPT --batch N --threads T --steps K [--warmup W]
                                 [-I DIR ...] [--data X.npy --labels Y.npy]

The script runs unmodified under TensorFlow 2.12 + tf_slim (test/conformance/pyrun.py, graph
mode); its one slim.learning.create_train_op is the step timed. Variables come from their
initializers; the session runs with intra_op_parallelism_threads =
inter_op_parallelism_threads = T. Each step feeds the next N samples of the data (the same
.npy files slimrun --train reads, wrapping; random ones from a fixed seed without --data), so
TensorFlow pays the feed as slimrun pays its copy. After W warm-up steps it times K steps of
sess.run(train_op) and prints one line:
  tf_train SCRIPT batch=N threads=T steps=K min_ms=.. median_ms=.. p90_ms=.. cpu_ms=..
  steps_per_s=.. first_loss=.. last_loss=..
(cpu_ms: median process CPU time per step, all threads; steps_per_s: 1000 / median_ms)
"""
import argparse
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'test', 'conformance'))
sys.path.insert(0, here)

import numpy as np  # noqa: E402
import pyrun  # noqa: E402
import tf_ref  # noqa: E402
import train_reference  # noqa: E402
from tfnets import tf  # noqa: E402


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('script')
  ap.add_argument('--batch', type=int, required=True)
  ap.add_argument('--threads', type=int, default=1)
  ap.add_argument('--steps', type=int, default=5)
  ap.add_argument('--warmup', type=int, default=1)
  ap.add_argument('-I', dest='roots', action='append', default=[])
  ap.add_argument('--data')
  ap.add_argument('--labels')
  args = ap.parse_args()

  config = tf.ConfigProto(intra_op_parallelism_threads=args.threads,
                          inter_op_parallelism_threads=args.threads)
  graph = tf.Graph()
  calls = []
  with graph.as_default():
    tf.set_random_seed(1)
    with train_reference.recording_train_op(calls):
      run = pyrun.run_file(args.script, args.roots)
    if len(calls) != 1:
      raise SystemExit('%s: %d create_train_op calls (one expected)' % (args.script,
                                                                       len(calls)))
    train_op = calls[0].train_op
    logits = next(iter(run.outputs.values()))
    feeding = train_reference._ancestors(logits)  # noqa: SLF001
    placeholders = [op for op in graph.get_operations() if op.type == 'Placeholder']
    x_op = [op for op in placeholders if op.name in feeding][0]
    y_op = [op for op in placeholders if op.name not in feeding][0]
    init = tf.global_variables_initializer()

  if args.data:
    x, y = np.load(args.data), np.load(args.labels)
  else:
    rng = np.random.RandomState(1)
    n = 2 * args.batch
    x = rng.uniform(-1, 1, [n] + x_op.outputs[0].shape.as_list()[1:]).astype(np.float32)
    classes = logits.shape.as_list()[-1]
    y = rng.randint(0, classes, n).astype(y_op.get_attr('dtype').as_numpy_dtype)
  step = [0]

  def feed():
    idx = [(step[0] * args.batch + j) % len(x) for j in range(args.batch)]
    step[0] += 1
    return {x_op.outputs[0]: x[idx], y_op.outputs[0]: y[idx]}

  losses = []
  with tf.Session(graph=graph, config=config) as sess:
    sess.run(init)
    for _ in range(args.warmup):
      losses.append(sess.run(train_op, feed()))
    wall, cpu = tf_ref.timed(lambda: losses.append(sess.run(train_op, feed())), args.steps)
  median = sorted(wall)[len(wall) // 2] if len(wall) % 2 else float(np.median(wall))
  print('tf_train %s batch=%d threads=%d steps=%d %s steps_per_s=%.4f first_loss=%.5g '
        'last_loss=%.5g' % (os.path.basename(args.script), args.batch, args.threads, args.steps,
                            tf_ref.summary(wall, cpu), 1000.0 / median, losses[0],
                            losses[-1]))


if __name__ == '__main__':
  main()
