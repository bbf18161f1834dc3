"""Dropout in slimc's compiled train step: the statistics of its mask (no TensorFlow: TF's
stateful random stream cannot be reproduced ahead of time, so the training comparisons of
train_check.py run dropout with keep_prob 1 and this check covers keep_prob < 1).

Usage:  PY=$(scripts/tf-venv.sh)/bin/python     (numpy only; TensorFlow is not imported)
        $PY test/conformance/train_dropout.py --slimc-bin BUILD/bin [--work DIR]
(train_all.sh runs it.) Exit status 1 when a check fails.

The program (written for each keep_prob in KEEP_PROBS, D = WIDTH inputs):

    x = tf.placeholder(tf.float32, [None, D], name='x')
    labels = tf.placeholder(tf.int64, [None], name='labels')
    net = slim.dropout(x, KEEP, is_training=True, scope='dropout')
    logits = slim.fully_connected(net, 2, activation_fn=None, scope='fc')
    ... sparse_softmax_cross_entropy, SGD, create_train_op

trained on one sample of ones (batch 1). With h = dropout(x) = mask / keep_prob, the gradient of
fc/weights [D, 2] is h^T g and that of fc/biases is g (g = softmax - one-hot), so row d of the
weight gradient is exactly 0 where element d was dropped and g / keep_prob where it was kept:
`slimrun --train --steps 1 --dump-gradients` reveals the mask and its scaling. Checked, for
each keep_prob:

  1. every row is 0 or g / keep_prob (relative 1e-6): dropped elements give nothing, kept ones
     are scaled by 1 / keep_prob (tf.nn.dropout's scaling);
  2. the kept fraction is within 5 sigma of keep_prob (sigma = sqrt(p (1 - p) / D));
  3. neighbours are independent: among elements whose left neighbour was kept, the kept
     fraction is within 5 sigma of keep_prob;
  4. the mask does not depend on the thread count (--threads 1 and 2 give the same bits);
  5. it changes with the step: restored at global_step 7 (a checkpoint made from the fresh
     library's with global_step set), the mask agrees with step 0's on a fraction within 5
     sigma of keep^2 + (1 - keep)^2 (independent masks), and a rerun at step 7 gives the same
     mask (deterministic).

The slimc and slimrun invocations:
    slimc W/dropout_K.slim --train --batch 1 -o W/dropout_K.so
    slimrun W/dropout_K.so --init-seed 1 --save-checkpoint W/init_K.safetensors
    slimrun W/dropout_K.so --train --data W/x.npy --labels W/y.npy --batch 1 --steps 1
        --restore W/init_K.safetensors --dump-gradients W/g_K_t{1,2}.safetensors --threads {1,2}
    slimrun W/dropout_K.so --train ... --restore W/step7_K.safetensors
        --dump-gradients W/g_K_step7{,_again}.safetensors
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_reference as tr  # noqa: E402 -- its safetensors helpers (numpy only)

WIDTH = 100000
KEEP_PROBS = (0.5, 0.8)
SIGMAS = 5.0

PROGRAM = """# Written by train_dropout.py: dropout's mask through the gradient of a linear layer.
import tensorflow as tf
import tf_slim as slim

x = tf.placeholder(tf.float32, [None, {width}], name='x')
labels = tf.placeholder(tf.int64, [None], name='labels')
net = slim.dropout(x, {keep}, is_training=True, scope='dropout')
logits = slim.fully_connected(net, 2, activation_fn=None, scope='fc')
tf.identity(logits, name='logits')
slim.losses.sparse_softmax_cross_entropy(logits, labels)
total_loss = slim.losses.get_total_loss()
train_op = slim.learning.create_train_op(total_loss, tf.train.GradientDescentOptimizer(0.1))
"""


def run(cmd):
  p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
  if p.returncode != 0:
    raise RuntimeError('%s failed (%d):\n%s' % (' '.join(cmd), p.returncode, p.stdout))
  return p.stdout


def mask_of(grads, keep, lines):
  """(mask, ok): the kept elements from the dumped gradients, checking the scaling."""
  w = grads['fc/weights'].astype(np.float64)
  g = grads['fc/biases'].astype(np.float64)
  if w.shape != (WIDTH, 2) or g.shape != (2,):
    lines.append('FAIL gradient shapes: fc/weights %s, fc/biases %s' % (w.shape, g.shape))
    return None, False
  kept = np.any(w != 0, axis=1)
  want = g / keep
  err = np.abs(w[kept] - want).max() / np.abs(want).max() if kept.any() else 0.0
  ok = err <= 1e-6 and np.abs(g).max() > 0
  lines.append('%s scaling: the %d kept rows equal fc/biases\' gradient / keep_prob (worst '
               'relative difference %.2g; limit 1e-6), the others are 0' % (
                   'ok  ' if ok else 'FAIL', int(kept.sum()), err))
  return kept, ok


def within(name, value, expected, n, lines):
  sigma = np.sqrt(expected * (1 - expected) / n)
  ok = abs(value - expected) <= SIGMAS * sigma
  lines.append('%s %s: %.5f, expected %.5f +- %.5f (%g sigma, n = %d)' % (
      'ok  ' if ok else 'FAIL', name, value, expected, SIGMAS * sigma, SIGMAS, n))
  return ok


def check_keep(keep, bins, work, lines):
  tag = ('%g' % keep).replace('.', '_')
  program = os.path.join(work, 'dropout_%s.slim' % tag)
  with open(program, 'w') as f:
    f.write(PROGRAM.format(width=WIDTH, keep=keep))
  so = os.path.join(work, 'dropout_%s.so' % tag)
  run([bins['slimc'], program, '--train', '--batch', '1', '-o', so])
  init = os.path.join(work, 'init_%s.safetensors' % tag)
  run([bins['slimrun'], so, '--init-seed', '1', '--save-checkpoint', init])
  x = os.path.join(work, 'x.npy')
  y = os.path.join(work, 'y.npy')
  np.save(x, np.ones((1, WIDTH), np.float32))
  np.save(y, np.zeros((1,), np.int64))

  def grads(restore, out, threads):
    run([bins['slimrun'], so, '--train', '--data', x, '--labels', y, '--batch', '1',
         '--steps', '1', '--restore', restore, '--dump-gradients', out, '--threads',
         str(threads)])
    return tr.load_safetensors(out)

  ok = True
  m1, good = mask_of(grads(init, os.path.join(work, 'g_%s_t1.safetensors' % tag), 1), keep,
                     lines)
  ok &= good
  if m1 is None:
    return False
  ok &= within('kept fraction', m1.mean(), keep, WIDTH, lines)
  ok &= within('kept fraction after a kept element', m1[1:][m1[:-1]].mean(), keep,
               int(m1[:-1].sum()), lines)
  m2, good = mask_of(grads(init, os.path.join(work, 'g_%s_t2.safetensors' % tag), 2), keep,
                     [])
  same = m2 is not None and np.array_equal(m1, m2)
  ok &= same
  lines.append('%s the mask at --threads 2 equals the mask at --threads 1' % (
      'ok  ' if same else 'FAIL'))

  state = tr.load_safetensors(init)
  steps = [n for n, a in state.items() if a.dtype == np.int64 and a.shape == ()]
  if len(steps) != 1:
    lines.append('FAIL the fresh library has no single int64 scalar variable (global_step): '
                 '%s' % steps)
    return False
  state[steps[0]] = np.array(7, np.int64)
  step7 = os.path.join(work, 'step7_%s.safetensors' % tag)
  tr.save_safetensors(step7, state)
  m7, good = mask_of(grads(step7, os.path.join(work, 'g_%s_s7.safetensors' % tag), 1), keep,
                     [])
  ok &= good and m7 is not None
  if m7 is None:
    return False
  ok &= within('agreement of the masks of steps 0 and 7', (m1 == m7).mean(),
               keep * keep + (1 - keep) * (1 - keep), WIDTH, lines)
  again, _ = mask_of(grads(step7, os.path.join(work, 'g_%s_s7b.safetensors' % tag), 1), keep,
                     [])
  same = again is not None and np.array_equal(m7, again)
  ok &= same
  lines.append('%s a rerun at step 7 gives the same mask' % ('ok  ' if same else 'FAIL'))
  return ok


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--slimc-bin', required=True, help='directory with slimc and slimrun')
  ap.add_argument('--work', help='scratch directory, kept (default: a temporary one)')
  args = ap.parse_args()
  bins = {t: os.path.join(args.slimc_bin, t) for t in ('slimc', 'slimrun')}
  work = args.work or tempfile.mkdtemp(prefix='train-dropout-')
  os.makedirs(work, exist_ok=True)
  ok = True
  for keep in KEEP_PROBS:
    lines = []
    try:
      good = check_keep(keep, bins, work, lines)
    except RuntimeError as e:
      good = False
      lines.append('FAIL %s' % str(e).strip().splitlines()[0])
      lines += ['    ' + l for l in str(e).strip().splitlines()[1:][-6:]]
    ok &= good
    print('%s keep_prob %g' % ('ok  ' if good else 'FAIL', keep))
    for l in lines:
      print('    ' + l)
  print('train_dropout: %s' % ('ok' if ok else 'FAILED'))
  if not args.work:
    shutil.rmtree(work, ignore_errors=True)
  return 0 if ok else 1


if __name__ == '__main__':
  sys.exit(main())
