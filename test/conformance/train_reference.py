"""The TensorFlow half of the training conformance checks (train_check.py; issue 15).

A case is a training script (train/*.slim: the net, its losses, an optimizer and one
slim.learning.create_train_op call) that TensorFlow 2.12 + tf_slim runs unmodified as Python
(pyrun.py) and slimc compiles with --train. For a case this module

  1. builds the script's graph (tf.set_random_seed(SEED)), recording the create_train_op call
     (its total_loss, optimizer, variables_to_train, update_ops, clip_gradient_norm);
  2. initializes every global variable and records the non-trainable ones' initial values
     (reference.json's initial_values: optimizer slots, beta powers, global_step, batch-norm
     moving statistics, each a constant fill: what a fresh library must start from), then
     perturbs them as the inference
     harness does (tfnets.perturb_variables: biases + U(-0.1, 0.1); batch-norm moving means
     U(-0.5, 0.5), moving variances U(0.5, 1.5), gamma/beta + U(-0.2, 0.2)) and saves all
     global variables as a TF V2 checkpoint (model.ckpt.*);
  3. makes the data (data.npy: `data_len` samples U(-1, 1); labels.npy: class ids of the label
     placeholder's dtype, or float32 one-hot rows), step i feeding samples
     (i * batch + j) mod data_len, j < batch, as `slimrun --train` reads them;
  4. computes tf.gradients(total_loss, every trainable variable) at the checkpoint on batch 0
     (gradients.safetensors; before clipping, as `slimrun --dump-gradients`);
  5. runs train_op `steps` times from the checkpoint, recording each step's loss and learning
     rate, and saves every global variable after the last step (final.safetensors: weights,
     slots, beta powers, moving statistics, global_step as int64);
  6. validates what it recorded (self_checks in reference.json): the step-1 loss equals the
     loss at the checkpoint; step 1 changed every trained variable and its slots exactly as
     the optimizer's update (TF 2.12's training_ops formulas, in float64 here) from the
     recorded gradient (clipped by its own norm where the script clips), the recorded learning
     rate and the optimizer's hyperparameters; variables not trained did not move; moving
     statistics moved exactly when update ops run; global_step counts the steps.

Everything lands in one directory with reference.json (versions, shapes, the variable list,
the optimizer, the per-step losses and learning rates, the self-checks). reference() caches it
in $SLIMC_CACHE (default ~/.cache/slimc)/conformance/train-<case>-<key>, the key hashing the
script, every file it may import, this file, pyrun.py, tfnets.py, the arguments and the
TensorFlow version; the newest entry per case is kept.

Usage (one case, not cached; train_check.py is the suite):
  PY=$(scripts/tf-venv.sh)/bin/python
  $PY test/conformance/train_reference.py SCRIPT OUTDIR [--batch N] [--data-len L]
      [--steps K] [-I DIR ...]
"""
import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SEED = 1234
STEPS = 10
# The harness files whose change invalidates a cached reference (besides the case's own).
HARNESS_FILES = ('train_reference.py', 'pyrun.py', 'tfnets.py')
# Element tolerance of the step-1 self-check, relative to the larger of |before| and |after|:
# float32 rounds the update `w - delta` to a few ulps of w (2^-24 relative each).
SELF_CHECK_ULPS = 8 * 2.0 ** -24
# ... plus this fraction of the update itself (float32 arithmetic of the optimizer's formula
# against float64 here: sqrt, divisions, the learning rate's own rounding).
SELF_CHECK_REL = 1e-5


class TrainCase(object):
  """A training script to check: `script` (path), `roots` (import search directories after the
  script's own; slimc's -I), `key_files` (files the script may import: their bytes key the
  cache), `batch`, `data_len` (samples in data.npy; not a multiple of the batch, so that the
  data wrap inside a step), `steps`."""

  def __init__(self, name, script, roots=(), key_files=(), batch=4, data_len=10, steps=STEPS,
               noise=False):
    self.name = name
    self.noise = noise
    self.script = script
    self.roots = list(roots)
    self.key_files = sorted(key_files)
    self.batch = batch
    self.data_len = data_len
    self.steps = steps

  def args(self):
    return {'batch': self.batch, 'data_len': self.data_len, 'steps': self.steps, 'seed': SEED,
            'noise': self.noise}


class TFError(Exception):
  """TensorFlow could not build or train the script (with the traceback as args[1])."""


def tensorflow_version():
  """The installed TensorFlow's version, without importing it (a cached run needs no TF)."""
  from importlib import metadata
  for dist in ('tensorflow-cpu', 'tensorflow'):
    try:
      return metadata.version(dist)
    except metadata.PackageNotFoundError:
      pass
  return 'unknown'


def cache_root():
  return os.path.join(os.environ.get('SLIMC_CACHE') or
                      os.path.join(os.path.expanduser('~'), '.cache', 'slimc'), 'conformance')


def cache_key(case):
  h = hashlib.sha256()

  def add(label, data):
    h.update(('%s %d\n' % (label, len(data))).encode())
    h.update(data)

  for f in HARNESS_FILES:
    with open(os.path.join(HERE, f), 'rb') as fh:
      add('harness ' + f, fh.read())
  with open(case.script, 'rb') as fh:
    add('script', fh.read())
  base = os.path.dirname(os.path.abspath(case.script))
  for f in case.key_files:
    with open(f, 'rb') as fh:
      add('file ' + os.path.relpath(f, base), fh.read())
  add('args', json.dumps([case.name, case.args(), tensorflow_version()], sort_keys=True).encode())
  return h.hexdigest()[:20]


# ---------------------------------------------------------------------------------------------
# Safetensors without the safetensors package's dtype gaps: plain numpy, little-endian.

_ST_DTYPES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64', np.dtype('int32'): 'I32',
              np.dtype('int64'): 'I64', np.dtype('uint8'): 'U8', np.dtype('bool'): 'BOOL'}
_ST_NUMPY = {v: k for k, v in _ST_DTYPES.items()}


def save_safetensors(path, tensors):
  """Writes {name: array} as a safetensors file (names sorted, data in that order)."""
  header, offset, blobs = {}, 0, []
  for name in sorted(tensors):
    a = np.asarray(tensors[name], order="C")  # (ascontiguousarray makes scalars 1-d)
    data = a.astype(a.dtype.newbyteorder('<')).tobytes()
    header[name] = {'dtype': _ST_DTYPES[a.dtype], 'shape': list(a.shape),
                    'data_offsets': [offset, offset + len(data)]}
    offset += len(data)
    blobs.append(data)
  text = json.dumps(header, separators=(',', ':')).encode()
  text += b' ' * (-len(text) % 8)
  tmp = path + '.tmp'
  with open(tmp, 'wb') as f:
    f.write(len(text).to_bytes(8, 'little'))
    f.write(text)
    for b in blobs:
      f.write(b)
  os.replace(tmp, path)


def load_safetensors(path):
  """{name: numpy array} of a safetensors file (any writer: slimrun's or save_safetensors)."""
  with open(path, 'rb') as f:
    n = int.from_bytes(f.read(8), 'little')
    header = json.loads(f.read(n))
    base = 8 + n
    out = {}
    for name, info in header.items():
      if name == '__metadata__':
        continue
      begin, end = info['data_offsets']
      f.seek(base + begin)
      dtype = _ST_NUMPY[info['dtype']].newbyteorder('<')
      out[name] = np.frombuffer(f.read(end - begin), dtype).astype(
          dtype.newbyteorder('=')).reshape(info['shape'])
  return out


# ---------------------------------------------------------------------------------------------
# TensorFlow

class TrainOpCall(object):
  """What the script passed to slim.learning.create_train_op."""

  def __init__(self, args, kwargs, result):
    names = ['total_loss', 'optimizer', 'global_step', 'update_ops', 'variables_to_train',
             'clip_gradient_norm']
    bound = dict(zip(names, args))
    bound.update(kwargs)
    self.total_loss = bound['total_loss']
    self.optimizer = bound['optimizer']
    self.update_ops = bound.get('update_ops')
    self.variables_to_train = bound.get('variables_to_train')
    self.clip_gradient_norm = float(bound.get('clip_gradient_norm') or 0.0)
    self.train_op = result
    unsupported = sorted(set(bound) - set(names))
    if unsupported:
      raise TFError('the harness does not model create_train_op argument(s) %s' %
                    ', '.join(unsupported))


@contextlib.contextmanager
def recording_train_op(calls):
  """slim.learning.create_train_op, recording each call into `calls` while the script runs."""
  from tfnets import slim
  real = slim.learning.create_train_op

  def create_train_op(*args, **kwargs):
    result = real(*args, **kwargs)
    calls.append(TrainOpCall(args, kwargs, result))
    return result

  slim.learning.create_train_op = create_train_op
  try:
    yield
  finally:
    slim.learning.create_train_op = real


@contextlib.contextmanager
def inference_mode():
  """While the script runs, slim.batch_norm and slim.dropout are called with
  is_training=False whatever the script says: the graph of slimc's `@main` (the library's
  `run`, which evaluates the trained net). The wrappers keep the real functions' arg_scope key,
  so `arg_scope([slim.batch_norm], ...)` still applies to them; the explicit is_training
  overrides any arg_scope value."""
  import tf_slim
  import tf_slim.layers
  from tf_slim.layers import layers as layers_module
  # name -> index of is_training among the positional parameters.
  targets = {'batch_norm': 9, 'dropout': 3}
  saved = []
  for name, position in targets.items():
    real = getattr(layers_module, name)

    def wrapper(*args, _real=real, _position=position, **kwargs):
      if len(args) > _position:
        args = args[:_position] + (False,) + args[_position + 1:]
      else:
        kwargs['is_training'] = False
      return _real(*args, **kwargs)

    wrapper._key_op = real._key_op  # noqa: SLF001 -- tf_slim's arg_scope key
    for module in (tf_slim, tf_slim.layers, layers_module):
      if getattr(module, name, None) is real:
        saved.append((module, name, real))
        setattr(module, name, wrapper)
  try:
    yield
  finally:
    for module, name, real in saved:
      setattr(module, name, real)


def _optimizer_info(opt, tf):
  """(kind, hyperparameters, learning-rate tensor or float) of a tf.compat.v1 optimizer."""
  kinds = {
      tf.train.GradientDescentOptimizer: 'sgd',
      tf.train.MomentumOptimizer: 'momentum',
      tf.train.AdamOptimizer: 'adam',
      tf.train.RMSPropOptimizer: 'rmsprop',
  }
  kind = kinds.get(type(opt))
  if kind is None:
    raise TFError('optimizer %s is outside the contract (SGD, Momentum, Adam, RMSProp)' %
                  type(opt).__name__)
  hyper = {'name': opt.get_name()}
  if kind == 'momentum':
    hyper.update(momentum=float(opt._momentum), use_nesterov=bool(opt._use_nesterov))  # noqa
    lr = opt._learning_rate  # noqa: SLF001
  elif kind == 'adam':
    hyper.update(beta1=float(opt._beta1), beta2=float(opt._beta2),  # noqa: SLF001
                 epsilon=float(opt._epsilon))  # noqa: SLF001
    lr = opt._lr  # noqa: SLF001
  elif kind == 'rmsprop':
    hyper.update(decay=float(opt._decay), momentum=float(opt._momentum),  # noqa: SLF001
                 epsilon=float(opt._epsilon), centered=bool(opt._centered))  # noqa: SLF001
    lr = opt._learning_rate  # noqa: SLF001
  else:
    lr = opt._learning_rate  # noqa: SLF001
  return kind, hyper, lr


def _label_classes(label_op, logits):
  """The class count: a one-hot label's last dimension, else the logits'."""
  dims = label_op.outputs[0].shape.as_list()
  if label_op.get_attr('dtype').is_floating or len(dims) == 2:
    return dims[-1]
  return logits.shape.as_list()[-1]


def _applied_gradients(graph):
  """{variable name: the gradient tensor its optimizer update op applies} (after clipping)."""
  out = {}
  for op in graph.get_operations():
    if not op.type.startswith('ResourceApply') and not op.type.startswith('Apply'):
      continue
    args = [a.name for a in op.op_def.input_arg]
    which = 'grad' if 'grad' in args else 'delta' if 'delta' in args else None
    if which is None:
      continue
    var = op.inputs[0].op
    while var.type not in ('VarHandleOp', 'VariableV2') and var.inputs:
      var = var.inputs[0].op
    out[var.name] = op.inputs[args.index(which)]
  return out


def _batch_indices(step, batch, data_len):
  return [(step * batch + j) % data_len for j in range(batch)]


def _ancestors(tensor):
  seen, todo = set(), [tensor.op]
  while todo:
    op = todo.pop()
    if op.name in seen:
      continue
    seen.add(op.name)
    todo.extend(t.op for t in op.inputs)
    todo.extend(op.control_inputs)
  return seen


def expected_step1(kind, hyper, lr, grad, var, slots):
  """{'var': w1, slot name suffix: value} after one step of TF 2.12's update from `var` and the
  initial `slots` ({'m': .., 'v': .., 'ms': .., 'mom': .., 'mg': .., 'accum': ..}), float64."""
  g = grad.astype(np.float64)
  w = var.astype(np.float64)
  # TensorFlow applies the hyperparameters as float32 (1 - 0.999f is 1.3e-5 off 0.001).
  hyper = {k: float(np.float32(v)) if isinstance(v, float) else v for k, v in hyper.items()}
  lr = float(np.float32(lr))
  if kind == 'sgd':
    return {'var': w - lr * g}
  if kind == 'momentum':
    mu = hyper['momentum']
    accum = slots['accum'] * mu + g
    if hyper['use_nesterov']:
      return {'var': w - (g * lr + accum * mu * lr), 'accum': accum}
    return {'var': w - accum * lr, 'accum': accum}
  if kind == 'adam':
    b1, b2, eps = hyper['beta1'], hyper['beta2'], hyper['epsilon']
    # Step 1: beta1_power = beta1, beta2_power = beta2.
    alpha = lr * np.sqrt(1 - b2) / (1 - b1)
    m = slots['m'] + (g - slots['m']) * (1 - b1)
    v = slots['v'] + (g * g - slots['v']) * (1 - b2)
    return {'var': w - m * alpha / (np.sqrt(v) + eps), 'm': m, 'v': v}
  rho, mu, eps = hyper['decay'], hyper['momentum'], hyper['epsilon']
  ms = slots['ms'] + (g * g - slots['ms']) * (1 - rho)
  out = {'ms': ms}
  if hyper['centered']:
    mg = slots['mg'] + (g - slots['mg']) * (1 - rho)
    denom = ms - mg * mg + eps
    out['mg'] = mg
  else:
    denom = ms + eps
  mom = slots['mom'] * mu + lr * g / np.sqrt(denom)
  out.update(var=w - mom, mom=mom)
  return out


# The slots of each optimizer kind: role in expected_step1 -> the optimizer's slot name.
SLOT_ROLES = {
    'sgd': {},
    'momentum': {'accum': 'momentum'},
    'adam': {'m': 'm', 'v': 'v'},
    'rmsprop': {'ms': 'rms', 'mom': 'momentum', 'mg': 'mg'},
}


def slot_variables(optimizer, kind, var):
  """{role: slot variable} of `var` (asked of the optimizer: TF 2.12's rmsprop.py makes "rms"
  v/RMSProp, then "mg" v/RMSProp_1 when centered, then "momentum": the checkpoint suffixes depend
  on the order of creation)."""
  out = {}
  for role, slot in SLOT_ROLES[kind].items():
    v = optimizer.get_slot(var, slot)
    if v is not None:
      out[role] = v
  return out


def build_reference(case, outdir, log=print):
  """TensorFlow's half of `case` into outdir (see the module docstring); returns the info
  written to reference.json."""
  os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
  import pyrun
  import tfnets
  from tfnets import tf
  t0 = time.time()
  os.makedirs(outdir)
  rng = np.random.RandomState(SEED)
  calls = []
  graph = tf.Graph()
  with graph.as_default():
    tf.set_random_seed(SEED)
    with recording_train_op(calls):
      run = pyrun.run_file(case.script, case.roots)
    if len(calls) != 1:
      raise TFError('the script calls slim.learning.create_train_op %d times (one expected)' %
                    len(calls))
    call = calls[0]
    if not run.outputs:
      raise TFError('the script names no output (a top-level tf.identity(x, name=...))')
    logits = run.outputs.get('logits', next(iter(run.outputs.values())))
    placeholders = [op for op in graph.get_operations() if op.type == 'Placeholder']
    feeding_logits = _ancestors(logits)
    inputs = [op for op in placeholders if op.name in feeding_logits]
    label_ops = [op for op in placeholders if op.name not in feeding_logits]
    if len(inputs) != 1 or len(label_ops) != 1:
      raise TFError('expected one input placeholder feeding the logits and one label '
                    'placeholder; found inputs %s, others %s' % (
                        [o.name for o in inputs], [o.name for o in label_ops]))
    x_op, y_op = inputs[0], label_ops[0]
    if x_op.get_attr('dtype') != tf.float32:
      raise TFError('input %s is not float32' % x_op.name)
    y_dtype = y_op.get_attr('dtype')
    if y_dtype not in (tf.int32, tf.int64, tf.float32):
      raise TFError('labels %s are %s (int32, int64 or float32 one-hot expected)' %
                    (y_op.name, y_dtype.name))
    classes = _label_classes(y_op, logits)
    x_shape = x_op.outputs[0].shape.as_list()
    if any(d is None for d in x_shape[1:]):
      raise TFError('input %s has an unknown dimension besides the batch' % x_op.name)

    kind, hyper, lr = _optimizer_info(call.optimizer, tf)
    gvars = tf.global_variables()
    trainable = tf.trainable_variables()
    to_train = list(call.variables_to_train or trainable)
    trained_names = [v.op.name for v in to_train]
    slots = {v.op.name: {role: sv.op.name for role, sv in
                         slot_variables(call.optimizer, kind, v).items()} for v in to_train}
    beta_powers = []
    if kind == 'adam':
      beta_powers = [b.op.name for b in call.optimizer._get_beta_accumulators()]  # noqa: SLF001
    var_lines = tfnets.variable_lines()
    # global_step's dtype: the only non-float32 variable of a training script.
    dtypes = {v.op.name: v.dtype.base_dtype.name for v in gvars}
    grads = tf.gradients(call.total_loss, trainable)
    missing = [v.op.name for v, g in zip(trainable, grads) if g is None]
    if missing:
      raise TFError('total_loss does not depend on trainable variable(s) %s' % missing)
    global_step = tf.train.get_global_step()
    update_ops = (tf.get_collection(tf.GraphKeys.UPDATE_OPS) if call.update_ops is None
                  else list(call.update_ops))
    applied = _applied_gradients(graph)
    unapplied = [n for n in trained_names if n not in applied]
    if unapplied:
      raise TFError('no optimizer update op found for %s' % unapplied[:3])
    saver = tf.train.Saver(gvars)
    lr_tensor = lr if tf.is_tensor(lr) else None
    if lr_tensor is None and callable(lr):
      raise TFError('a callable learning rate is outside the contract')

  # The data: fixed, from the case's seed.
  x = rng.uniform(-1.0, 1.0, [case.data_len] + x_shape[1:]).astype(np.float32)
  ids = rng.randint(0, classes, case.data_len)
  if y_dtype == tf.float32:
    y = np.eye(classes, dtype=np.float32)[ids]
  else:
    y = ids.astype(y_dtype.as_numpy_dtype)
  np.save(os.path.join(outdir, 'data.npy'), x)
  np.save(os.path.join(outdir, 'labels.npy'), y)

  def feed(step):
    idx = _batch_indices(step, case.batch, case.data_len)
    return {x_op.outputs[0]: x[idx], y_op.outputs[0]: y[idx]}

  names = [v.op.name for v in gvars]
  checks = []

  def check(ok, text):
    checks.append({'ok': bool(ok), 'text': text})
    if not ok:
      log('FAIL self-check: ' + text)

  with tf.Session(graph=graph) as sess:
    sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
    initial = dict(zip(names, sess.run(gvars)))
    trainable_names = {v.op.name for v in trainable}
    # Their initializers fill constants (zeros, ones, beta1, ...): kept as one value each.
    initial_values = {}
    for n, v in initial.items():
      if n in trainable_names:
        continue
      if v.size and not np.all(v == v.flat[0]):
        raise TFError('non-trainable variable %s does not start as a constant' % n)
      initial_values[n] = {'dtype': v.dtype.name, 'shape': list(v.shape),
                           'value': v.flat[0].item() if v.size else None}
    tfnets.perturb_variables(sess, gvars, rng)
    saver.save(sess, os.path.join(outdir, 'model.ckpt'), write_meta_graph=False,
               write_state=False)
    start = dict(zip(names, sess.run(gvars)))

    # Gradients at the checkpoint, on batch 0.
    loss0, gvals = sess.run([call.total_loss, grads], feed(0))
    save_safetensors(os.path.join(outdir, 'gradients.safetensors'),
                     {v.op.name: g for v, g in zip(trainable, gvals)})
    after_grad = dict(zip(names, sess.run(gvars)))
    if any(not np.array_equal(after_grad[n], start[n]) for n in names):
      # A batch norm with updates_collections=None updates in the forward pass itself.
      saver.restore(sess, os.path.join(outdir, 'model.ckpt'))

    losses, lrs = [], []
    state1 = None
    for step in range(case.steps):
      lrs.append(float(sess.run(lr_tensor)) if lr_tensor is not None else float(lr))
      if step == 0:
        loss, used = sess.run([call.train_op, {n: applied[n] for n in trained_names}],
                              feed(step))
        losses.append(float(loss))
        state1 = dict(zip(names, sess.run(gvars)))
      else:
        losses.append(float(sess.run(call.train_op, feed(step))))
    final = dict(zip(names, sess.run(gvars)))
  save_safetensors(os.path.join(outdir, 'final.safetensors'), final)

  # Self-checks of the recorded reference.
  grad_of = {v.op.name: g for v, g in zip(trainable, gvals)}
  check(abs(losses[0] - loss0) <= 1e-6 * max(1.0, abs(loss0)),
        'step 1 loss %.9g equals the loss at the checkpoint %.9g' % (losses[0], loss0))
  gs_name = global_step.op.name if global_step is not None else None
  if gs_name is None or dtypes.get(gs_name) != 'int64':
    check(False, 'an int64 global step exists (%s)' % gs_name)
  else:
    check(int(start[gs_name]) == 0 and int(state1[gs_name]) == 1 and
          int(final[gs_name]) == case.steps,
          'global_step %s: 0 at the checkpoint, 1 after step 1, %d after step %d' % (
              gs_name, case.steps, case.steps))
  worst = 0.0
  grad_gap = 0.0
  for name in trained_names:
    g = grad_of[name].astype(np.float64)
    if call.clip_gradient_norm > 0:
      norm = np.sqrt(np.sum(np.square(g)))
      g = g * (call.clip_gradient_norm / max(norm, call.clip_gradient_norm))
    scale = np.abs(g).max()
    gap = np.abs(used[name] - g).max()
    grad_gap = max(grad_gap, gap / scale if scale > 0 else (0.0 if gap == 0 else np.inf))
    # The update is checked with the gradient the train op applied (its own backward graph,
    # which grappler may fuse otherwise than tf.gradients': the same to float32 noise).
    g = used[name]
    roles = slots[name]
    if sorted(roles) != sorted(r for r in SLOT_ROLES[kind] if r != 'mg' or hyper['centered']):
      check(False, '%s: the optimizer made slots %s' % (name, roles))
      continue
    want = expected_step1(kind, hyper, lrs[0], g, start[name],
                          {r: start[s].astype(np.float64) for r, s in roles.items()})
    for role, value in want.items():
      got_name = name if role == 'var' else roles[role]
      before = start[got_name].astype(np.float64)
      got = state1[got_name].astype(np.float64)
      tol = (SELF_CHECK_ULPS * np.maximum(np.abs(before), np.abs(got)) +
             SELF_CHECK_REL * np.abs(value - before).max())
      err = np.abs(got - value)
      bad = err > tol
      worst = max(worst, float((err / np.maximum(tol, 1e-38)).max()))
      if bad.any():
        i = np.unravel_index(np.argmax(err - tol), err.shape)
        check(False, 'step 1 of %s (%s): %d elements off the %s update, worst at %s: TF %.9g, '
              'formula %.9g' % (got_name, role, int(bad.sum()), kind, tuple(map(int, i)),
                                got[i], value[i]))
  gap_limit = 1e-4
  check(grad_gap <= gap_limit or case.noise, 'the gradients train_op applied in step 1 equal '
        'the recorded tf.gradients%s: worst %.2g of max |gradient| (limit %g%s)' % (
            ' (clipped)' if call.clip_gradient_norm > 0 else '', grad_gap, gap_limit,
            '; not enforced: this case measures TensorFlow\'s own noise' if case.noise else ''))
  check(worst <= 1.0, 'step 1 of all %d trained variables and their slots follows the %s '
        'update from the recorded gradients%s and learning rate %.6g (worst error %.2f of '
        'the tolerance)' % (len(trained_names), kind,
                            ' clipped to norm %g' % call.clip_gradient_norm
                            if call.clip_gradient_norm > 0 else '', lrs[0], worst))
  if beta_powers:
    b = (hyper['beta1'], hyper['beta2'])
    got = [(float(start[p]), float(state1[p])) for p in beta_powers]
    want = [(np.float32(x), np.float32(np.float32(x) * np.float32(x))) for x in b]
    check(got == want, '%s start at beta1, beta2 and are multiplied by them after step 1 '
          '(%s; expected %s)' % (' and '.join(beta_powers), got, want))
  frozen = [n for n in trainable_names if n not in trained_names]
  moved = [n for n in frozen if not np.array_equal(final[n], start[n])]
  if frozen:
    check(not moved, '%d trainable variables outside variables_to_train stay as restored%s' % (
        len(frozen), (': moved ' + ', '.join(moved)) if moved else ''))
  moving = [n for n in names if re.search(r'/moving_(mean|variance)$', n)]
  if moving:
    changed = [n for n in moving if not np.array_equal(final[n], start[n])]
    if update_ops:
      check(len(changed) == len(moving), '%d of %d batch-norm moving statistics updated by '
            'the %d update ops' % (len(changed), len(moving), len(update_ops)))
    else:
      check(not changed, 'no update ops: the %d moving statistics stay as restored%s' % (
          len(moving), (' (moved: %s)' % changed) if changed else ''))
  clipped = []
  if call.clip_gradient_norm > 0:
    clipped = [n for n in trained_names
               if np.sqrt(np.sum(np.square(grad_of[n].astype(np.float64)))) >
               call.clip_gradient_norm]
  check(all(np.isfinite(l) for l in losses), 'the %d losses are finite' % len(losses))

  info = {
      'name': case.name,
      'tensorflow': tf.VERSION,
      'seed': SEED,
      'batch': case.batch,
      'data_len': case.data_len,
      'steps': case.steps,
      'input': {'name': x_op.name, 'shape': x_shape},
      'labels': {'name': y_op.name, 'dtype': y_dtype.name,
                 'shape': y_op.outputs[0].shape.as_list(), 'classes': classes},
      'outputs': list(run.outputs),
      'variables': var_lines,
      'dtypes': dtypes,
      'trainable': [v.op.name for v in trainable],
      'variables_to_train': trained_names,
      'global_step': gs_name,
      'slots': slots,
      'beta_powers': beta_powers,
      'optimizer': dict(hyper, kind=kind),
      'learning_rates': lrs,
      'losses': losses,
      'loss_at_checkpoint': float(loss0),
      'update_ops': len(update_ops),
      'clip_gradient_norm': call.clip_gradient_norm,
      'clipped_gradients': clipped,
      # name -> [max |restored value|, max |final - restored|]: the scales of the comparison.
      'initial_values': initial_values,
      'state_stats': {n: [float(np.abs(start[n]).max()) if start[n].size else 0.0,
                          float(np.abs(final[n].astype(np.float64) - start[n]).max())
                          if start[n].size else 0.0] for n in names},
      'self_checks': checks,
      'tf_seconds': round(time.time() - t0, 1),
  }
  with open(os.path.join(outdir, 'reference.json'), 'w') as f:
    json.dump(info, f, indent=1)
  return info


def reference(case, use_cache=True, work=None, log=print):
  """(directory, info, cached) of TensorFlow's results for `case`: from the cache, or built
  now (under `work` without the cache). Raises TFError(message, traceback)."""
  import traceback
  key = cache_key(case)
  root = cache_root() if use_cache else os.path.join(work, 'ref')
  final = os.path.join(root, 'train-%s-%s' % (case.name, key))
  if use_cache and os.path.isfile(os.path.join(final, 'reference.json')):
    with open(os.path.join(final, 'reference.json')) as f:
      return final, json.load(f), True
  tmp = '%s.tmp%d' % (final, os.getpid())
  shutil.rmtree(tmp, ignore_errors=True)
  os.makedirs(root, exist_ok=True)
  try:
    info = build_reference(case, tmp, log)
    if case.noise:
      info['noise'] = measure_noise(case, tmp, info)
      with open(os.path.join(tmp, 'reference.json'), 'w') as f:
        json.dump(info, f, indent=1)
  except Exception as e:  # noqa: BLE001 -- reported as the case's TensorFlow error
    shutil.rmtree(tmp, ignore_errors=True)
    if isinstance(e, TFError):
      raise TFError(e.args[0], traceback.format_exc())
    first = str(e).strip().splitlines()[0] if str(e).strip() else ''
    raise TFError('%s: %s' % (type(e).__name__, first), traceback.format_exc())
  shutil.rmtree(final, ignore_errors=True)
  os.rename(tmp, final)
  if use_cache:
    _prune(root, case.name, keep=final)
  return final, info, False


def noise_ratios(want, got, scales=None):
  """{name: max |got - want| / scale} per variable (scale: max |want|, or scales[name])."""
  out = {}
  for name, w in want.items():
    if w.dtype.kind in 'iu' or name not in got or not w.size:
      continue
    w64 = w.astype(np.float64)
    scale = scales[name] if scales else np.abs(w64).max()
    scale = max(scale, np.abs(w64).max())
    d = np.abs(got[name].astype(np.float64) - w64).max()
    out[name] = float(d / scale) if scale > 0 else (0.0 if d == 0 else float('inf'))
  return out


def measure_noise(case, refdir, info):
  """TensorFlow's own float32 noise on `case`: the same reference computed again with oneDNN
  off (TF_ENABLE_ONEDNN_OPTS=0: Eigen's kernels, other summation orders), compared with the
  reference as slimc is (train_check.py). {'gradients': {name: ratio}, 'state': {name: ratio},
  'losses': [relative difference per step], 'loss_at_checkpoint': relative difference}."""
  import subprocess
  other = os.path.join(refdir, 'eigen')
  cmd = [sys.executable, os.path.abspath(__file__), case.script, other, '--batch',
         str(case.batch), '--data-len', str(case.data_len), '--steps', str(case.steps)]
  cmd += sum((['-I', d] for d in case.roots), [])
  env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS='0', TF_CPP_MIN_LOG_LEVEL='2')
  p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
  if not os.path.isfile(os.path.join(other, 'reference.json')):
    raise TFError('the noise run (oneDNN off) failed: %s' % p.stdout.strip()[-500:])
  with open(os.path.join(other, 'reference.json')) as f:
    them = json.load(f)
  for f in ('data.npy', 'labels.npy'):
    a, b = os.path.join(refdir, f), os.path.join(other, f)
    if open(a, 'rb').read() != open(b, 'rb').read():
      raise TFError('the noise run (oneDNN off) made other %s' % f)
  final_scale = {n: v[0] for n, v in info['state_stats'].items()}
  noise = {
      'gradients': noise_ratios(load_safetensors(os.path.join(refdir, 'gradients.safetensors')),
                                load_safetensors(os.path.join(other, 'gradients.safetensors'))),
      'state': noise_ratios(load_safetensors(os.path.join(refdir, 'final.safetensors')),
                            load_safetensors(os.path.join(other, 'final.safetensors')),
                            final_scale),
      'losses': [abs(a - b) / max(abs(b), 1e-30) for a, b in zip(them['losses'],
                                                                 info['losses'])],
      'tf_seconds': them['tf_seconds'],
  }
  shutil.rmtree(other, ignore_errors=True)
  return noise


def _alive(pid):
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    pass
  return True


def _prune(root, name, keep):
  """Removes the case's older references (a zoo net's is hundreds of MB) and those a killed
  run left half-written."""
  pattern = re.compile(r'train-' + re.escape(name) + r'-[0-9a-f]{20}(\.tmp(\d+))?$')
  for d in os.listdir(root):
    m = pattern.match(d)
    path = os.path.join(root, d)
    if not m or path == keep:
      continue
    if m.group(2) and _alive(int(m.group(2))):
      continue
    shutil.rmtree(path, ignore_errors=True)


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('script')
  ap.add_argument('outdir')
  ap.add_argument('--batch', type=int, default=4)
  ap.add_argument('--data-len', type=int, default=10)
  ap.add_argument('--steps', type=int, default=STEPS)
  ap.add_argument('-I', dest='roots', action='append', default=[])
  args = ap.parse_args()
  case = TrainCase(os.path.splitext(os.path.basename(args.script))[0], args.script, args.roots,
                   batch=args.batch, data_len=args.data_len, steps=args.steps)
  info = build_reference(case, args.outdir)
  for c in info['self_checks']:
    print('%s %s' % ('ok  ' if c['ok'] else 'FAIL', c['text']))
  print('losses: %s' % ' '.join('%.6g' % l for l in info['losses']))
  print('learning rates: %s' % ' '.join('%.6g' % l for l in info['learning_rates']))
  print('TensorFlow: %.1f s' % info['tf_seconds'])
  return 0 if all(c['ok'] for c in info['self_checks']) else 1


if __name__ == '__main__':
  sys.exit(main())
