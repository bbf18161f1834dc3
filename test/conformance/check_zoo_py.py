"""Runs our examples/*.slim files through the real TF-Slim, as Python, and checks them against
the goldens and against tf_slim.nets numerically. This validates the zoo files themselves
(structure, scopes, defaults) independently of slimc.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/check_zoo_py.py [FILE.slim:NET ...]
Default: every file in ZOO below. Exit status 1 on any mismatch.

A .slim file is executed as Python by pyrun.run_file (`tensorflow` is tf.compat.v1 in graph
mode, `tf_slim` the real library, `from nets import X` loads nets/X.slim from next to the
file). Checks:
  1. global variables (name, shape, model/regular, trainable), in creation order, equal
     golden/<net>.vars.txt; the regularized variables equal golden/<net>.reg.txt;
  2. with the same weights (random, copied by name from a tf_slim.nets build, batch-norm moving
     statistics random too), the tensors the file names 'logits' (and 'aux_logits') equal
     tf_slim.nets' on a random batch of 2 (max abs diff <= 1e-5 * max |ref|).
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pyrun  # noqa: E402
import tfnets  # noqa: E402
from tfnets import tf  # noqa: E402

EXAMPLES = os.path.join(HERE, '..', '..', 'examples')

# file -> golden net name
ZOO = [
    ('vgg_16.slim', 'vgg_16'),
    ('vgg_19.slim', 'vgg_19'),
    ('vgg_a.slim', 'vgg_a'),
    ('alexnet_v2.slim', 'alexnet_v2'),
    ('inception_v1.slim', 'inception_v1'),
    ('inception_v3.slim', 'inception_v3'),
    ('resnet_v1.slim', 'resnet_v1_50'),
    ('resnet_v2.slim', 'resnet_v2_50'),
    ('mobilenet_v1.slim', 'mobilenet_v1'),
]


def read_golden(name, ext):
  with open(os.path.join(HERE, 'golden', '%s.%s.txt' % (name, ext))) as f:
    return [l.rstrip('\n') for l in f if not l.startswith('#')]


def diff(a, b):
  for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
      return 'line %d: ours %r, golden %r' % (i + 1, x, y)
  return 'ours %d lines, golden %d' % (len(a), len(b))


def check(fname, net):
  path = os.path.join(EXAMPLES, fname)
  problems = []
  rng = np.random.RandomState(0)
  _, _, size, _ = tfnets.NETS[net]
  x = rng.uniform(-1, 1, (2, size, size, 3)).astype(np.float32)

  # Reference: tf_slim.nets, random weights and BN statistics.
  g_ref = tf.Graph()
  with g_ref.as_default():
    tf.set_random_seed(1)
    inp = tf.placeholder(tf.float32, [None, size, size, 3], name='input')
    outs_ref, _ = tfnets.build(net, inp)
    # our name -> tfnets name of the outputs compared
    pairs = [('logits', 'logits')] + ([('aux_logits', 'aux_logits')]
                                       if 'aux_logits' in outs_ref else [])
    with tf.Session() as s:
      s.run(tf.global_variables_initializer())
      variables = tf.global_variables()
      small = net in tfnets.SMALL_VARIANCE_NETS
      values = {v.op.name: tfnets.randomize_batch_norm(v.op.name, val, rng, small)
                for v, val in zip(variables, s.run(variables))}
      tfnets.assign_values(s, {v: values[v.op.name] for v in variables})
      want = s.run([outs_ref[r] for _, r in pairs], {inp: x})

  g = tf.Graph()
  with g.as_default():
    pyrun.run_file(path)
    ours = tfnets.variable_lines()
    if ours != read_golden(net, 'vars'):
      problems.append('variables differ: ' + diff(ours, read_golden(net, 'vars')))
    reg = tfnets.regularized_lines()
    reg = [l.split()[0] for l in reg]
    if reg != [l.split()[0] for l in read_golden(net, 'reg')]:
      problems.append('regularized variables differ: ' +
                      diff(reg, [l.split()[0] for l in read_golden(net, 'reg')]))
    with tf.Session() as s:
      tfnets.assign_values(s, {v: values[v.op.name] for v in tf.global_variables()
                               if v.op.name in values})
      got = s.run([g.get_tensor_by_name(o + ':0') for o, _ in pairs],
                  {g.get_tensor_by_name('input:0'): x})
  for (o, _), a, b in zip(pairs, got, want):
    if a.shape != b.shape:
      problems.append('%s shape %s, tf_slim.nets %s' % (o, a.shape, b.shape))
      continue
    err = np.abs(a - b).max()
    scale = np.abs(b).max()
    if not err <= 1e-5 * scale:
      problems.append('%s differ: max abs %.3g (max |ref| %.3g)' % (o, err, scale))
  print('%-20s %-14s %s' % (fname, net, 'ok' if not problems else 'FAIL'))
  for p in problems:
    print('    ' + p)
  return not problems


def main():
  todo = ZOO
  if sys.argv[1:]:
    todo = [tuple(a.split(':')) if ':' in a else next(z for z in ZOO if z[0] == a)
            for a in sys.argv[1:]]
  ok = all([check(f, n) for f, n in todo])
  sys.exit(0 if ok else 1)


if __name__ == '__main__':
  main()
