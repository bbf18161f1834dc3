"""Stand-ins for `slimc --train` and `slimrun --train`, written with TensorFlow, that test the
training conformance harness itself (train_check.py) before or without slimc's training: they
take exactly the command lines train_check.py and train_dropout.py give the real tools
(docs: train_check.py's docstring) and do what the contract says the tools do, by running the
script under TensorFlow (with oneDNN off, TF_ENABLE_ONEDNN_OPTS=0, so that their float32
results differ from the reference's in the last bits, as slimc's will).

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/train_fake_tools.py install DIR   # DIR/slimc, DIR/slimrun
        $PY test/conformance/train_check.py --slimc-bin DIR [NAME ...]
Not part of any suite: a check of the checker. The "library" is a JSON file naming the script.
Dropout here is TensorFlow's own (its stateful random stream), which train_dropout.py's
statistics accept as they must accept slimc's.
"""
import json
import os
import stat
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_reference as tr  # noqa: E402


def install(directory):
  os.makedirs(directory, exist_ok=True)
  for tool in ('slimc', 'slimrun'):
    path = os.path.join(directory, tool)
    with open(path, 'w') as f:
      f.write('#!/bin/sh\nTF_ENABLE_ONEDNN_OPTS=0 TF_CPP_MIN_LOG_LEVEL=2 exec "%s" "%s" %s '
              '"$@"\n' % (sys.executable, os.path.abspath(__file__), tool))
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
  print(directory)


def fail(message):
  sys.stderr.write('error: %s\n' % message)
  sys.exit(1)


def slimc(argv):
  script, roots, out, batch, train = None, [], None, 1, False
  i = 0
  while i < len(argv):
    a = argv[i]
    if a == '-I':
      roots.append(argv[i + 1])
      i += 1
    elif a.startswith('-I'):
      roots.append(a[2:])
    elif a == '-o':
      out = argv[i + 1]
      i += 1
    elif a == '--batch':
      batch = int(argv[i + 1])
      i += 1
    elif a == '--train':
      train = True
    elif a.startswith('-O'):
      pass
    elif a.startswith('-'):
      fail('fake slimc: unknown option %s' % a)
    else:
      script = a
    i += 1
  if not (script and out and train):
    fail('fake slimc: SCRIPT --train -o OUT expected')
  with open(script) as f:
    if 'create_train_op' not in f.read():
      fail('%s: --train on a script without a train op' % script)
  with open(out, 'w') as f:
    json.dump({'script': os.path.abspath(script), 'roots': [os.path.abspath(r) for r in roots],
               'batch': batch}, f)


class Graph(object):
  """The script's graph (training or inference mode) with its variables and feeds."""

  def __init__(self, lib, training):
    from tfnets import tf
    import pyrun
    self.tf = tf
    self.graph = tf.Graph()
    calls = []
    with self.graph.as_default():
      tf.set_random_seed(1)
      with tr.recording_train_op(calls):
        if training:
          self.run = pyrun.run_file(lib['script'], lib['roots'])
        else:
          with tr.inference_mode():
            self.run = pyrun.run_file(lib['script'], lib['roots'])
      self.call = calls[0]
      logits = self.run.outputs.get('logits', next(iter(self.run.outputs.values())))
      feeding = tr._ancestors(logits)  # noqa: SLF001
      ops = [op for op in self.graph.get_operations() if op.type == 'Placeholder']
      self.x = [op for op in ops if op.name in feeding][0].outputs[0]
      self.y = [op for op in ops if op.name not in feeding][0].outputs[0]
      self.gvars = tf.global_variables()
      self.trainable = tf.trainable_variables()
      self.grads = tf.gradients(self.call.total_loss, self.trainable) if training else None
      _, _, lr = tr._optimizer_info(self.call.optimizer, tf)  # noqa: SLF001
      self.lr = lr
      self.saver = tf.train.Saver(self.gvars)
      self.init = tf.global_variables_initializer()
    self.sess = tf.Session(graph=self.graph)
    self.sess.run(self.init)

  def restore(self, path):
    if path.endswith('.safetensors'):
      values = tr.load_safetensors(path)
      missing = [v.op.name for v in self.gvars if v.op.name not in values]
      if missing:
        fail('%s lacks %s' % (path, missing[:3]))
      for v in self.gvars:
        v.load(values[v.op.name], self.sess)
    else:
      self.saver.restore(self.sess, path)

  def save(self, path, fmt):
    if fmt == 'tf':
      self.saver.save(self.sess, path, write_meta_graph=False, write_state=False)
    else:
      values = self.sess.run(self.gvars)
      tr.save_safetensors(path, {v.op.name: a for v, a in zip(self.gvars, values)})


def slimrun(argv):
  lib_path = argv[0]
  opts, inputs = {}, {}
  flags = {'--train'}
  i = 1
  while i < len(argv):
    a = argv[i]
    if a in flags:
      opts[a] = True
    elif a == '--input':
      name, _, path = argv[i + 1].partition('=')
      inputs[name] = path
      i += 1
    else:
      opts[a] = argv[i + 1]
      i += 1
    i += 1
  with open(lib_path) as f:
    lib = json.load(f)
  train = opts.get('--train', False)
  g = Graph(lib, train)
  if '--restore' in opts:
    g.restore(opts['--restore'])
  if '--checkpoint' in opts:
    g.restore(opts['--checkpoint'])
  if train:
    x, y = np.load(opts['--data']), np.load(opts['--labels'])
    batch = int(opts['--batch'])
    steps = int(opts['--steps'])
    every = int(opts.get('--log-every', 10))
    losses, times = [], []
    for step in range(steps):
      idx = [(step * batch + j) % len(x) for j in range(batch)]
      feed = {g.x: x[idx], g.y: y[idx]}
      if step == 0 and '--dump-gradients' in opts:
        values = g.sess.run(g.grads, feed)
        tr.save_safetensors(opts['--dump-gradients'],
                            {v.op.name: a for v, a in zip(g.trainable, values)})
      lr = float(g.sess.run(g.lr)) if g.tf.is_tensor(g.lr) else float(g.lr)
      t0 = time.time()
      losses.append(float(g.sess.run(g.call.train_op, feed)))
      times.append(time.time() - t0)
      if (step + 1) % every == 0 or step + 1 == steps:
        print('step %d/%d  loss %.9g  lr %.9g  %.2f steps/s' % (
            step + 1, steps, losses[-1], lr, 1.0 / max(times[-1], 1e-9)))
    print('summary: %d steps, loss %.6g -> %.6g, median step %.3f ms' % (
        steps, losses[0], losses[-1], 1e3 * float(np.median(times))))
  if inputs:
    feed = {}
    for name, path in inputs.items():
      feed[g.graph.get_tensor_by_name(name + ':0')] = np.load(path)
    names = list(g.run.outputs)
    values = g.sess.run([g.run.outputs[n] for n in names], feed)
    os.makedirs(opts['--output-dir'], exist_ok=True)
    for n, v in zip(names, values):
      np.save(os.path.join(opts['--output-dir'], n + '.npy'), v)
  if '--save-checkpoint' in opts:
    g.save(opts['--save-checkpoint'], opts.get('--save-format', 'safetensors'))


def main():
  if len(sys.argv) == 3 and sys.argv[1] == 'install':
    install(sys.argv[2])
  elif len(sys.argv) > 2 and sys.argv[1] == 'slimc':
    slimc(sys.argv[2:])
  elif len(sys.argv) > 2 and sys.argv[1] == 'slimrun':
    slimrun(sys.argv[2:])
  else:
    sys.stderr.write(__doc__)
    return 2
  return 0


if __name__ == '__main__':
  sys.exit(main())
