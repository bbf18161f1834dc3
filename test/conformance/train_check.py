"""Training conformance (issue 15): slimc's compiled train step against TensorFlow 2.12 + tf_slim
running the same training script.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/train_check.py --slimc-bin BUILD/bin [--work DIR] [--jobs N]
            [--no-cache] [--heavy] [--opt N] [NAME ...]
        $PY test/conformance/train_check.py --tf-only [--noise] [--heavy] [NAME ...]
(train_all.sh runs the first form.) NAME is a case: a file name of train/ without .slim
(default: all but the heavy ones). Exit status 1 when a case fails.

For each case (train/*.slim; CASES below gives its batch and data size):

 1. TensorFlow (train_reference.py, cached): the V2 checkpoint of perturbed variables, the
    data, the gradients at the checkpoint, every global variable after `steps` train_op runs,
    the losses and learning rates, and the reference's self-checks.
 2. slimc, with exactly these invocations (REF: the reference directory, W: the case's
    scratch directory, N: the batch, K: the steps):
      slimc SCRIPT -I examples --train --batch N -o W/train.so [-ON]   (--opt, else CASES)
      slimrun W/train.so --init-seed 1 --save-checkpoint W/init.safetensors
      slimrun W/train.so --train --data REF/data.npy --labels REF/labels.npy --batch N
          --steps 1 --restore REF/model.ckpt --dump-gradients W/gradients.safetensors
          --log-every 1
      slimrun W/train.so --train --data REF/data.npy --labels REF/labels.npy --batch N
          --steps K --restore REF/model.ckpt --save-checkpoint W/final.safetensors
          --save-format safetensors --log-every 1
      slimrun W/train.so --checkpoint W/final.safetensors --input INPUT=W/eval.npy
          --output-dir W/main --save-checkpoint W/tf/model.ckpt --save-format tf
    (W/eval.npy: the first N samples of the data; INPUT: the script's input placeholder.)
 3. Comparisons:
    - variables: the names, shapes and dtypes slimrun saves equal TensorFlow's global
      variables (slots, beta powers, moving statistics, global_step int64 included);
    - initial state: every non-trainable variable of a fresh library (--init-seed: optimizer
      slots, beta powers, global_step, moving statistics; their initializers are constants)
      equals TensorFlow's initial value exactly;
    - gradients (--dump-gradients, step 1, before clipping): each variable of
      variables_to_train within GRAD_TOL x max |expected| of tf.gradients (the worst element
      printed per variable); a dumped gradient of another trainable variable is compared too;
    - losses and learning rates of each step (the progress lines) within LOSS_TOL relative,
      or the printed precision;
    - every global variable after K steps within STATE_TOL x its scale, the scale being
      max(max |expected after K steps|, max |restored value|) of that variable (so a slot that
      starts at zero is judged against its own size after K steps, a weight against its
      size), global_step exactly; printed per variable with the worst element and, for
      information, the error as a fraction of the largest change TensorFlow made to the
      variable over the K steps;
    - TensorFlow restores the V2 checkpoint slimrun wrote (tf.train.load_checkpoint lists
      and reads every tensor bit for bit as W/final.safetensors holds it;
      tf.compat.v1.train.Saver restores it into the script run with every batch norm and
      dropout in inference mode: the graph of slimc's @main) and computes the outputs of
      W/eval.npy, which must equal slimrun's @main outputs (compare.py: max |diff| <= 1e-4 x
      max |expected| and its per-element criterion). Cached by the bytes of the bundle.

--tf-only runs step 1 and the self-checks only (no slimc needed). --noise adds, for each case,
a second TensorFlow run with oneDNN off (TF_ENABLE_ONEDNN_OPTS=0: Eigen's kernels, another
summation order) compared with the reference by the criteria of step 3: the float32 noise floor
the tolerances must clear.
"""
import argparse
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, 'examples')
TRAIN = os.path.join(HERE, 'train')
sys.path.insert(0, HERE)
import compare  # noqa: E402
import train_reference as tr  # noqa: E402

GRAD_TOL = 1e-4
STATE_TOL = 1e-4
LOSS_TOL = 1e-4
COMMAND_TIMEOUT = 3600

# Where TensorFlow is not reproducible by another float32 implementation, a variable is held
# to NOISE_FACTOR x TensorFlow's own noise on it (train_reference.measure_noise: the reference
# recomputed with oneDNN off), if that is larger than the limit above. Measured (2026-12-07):
# - the LeNet-sized cases and AlexNet v2 (no batch norm in training mode, learning rates for
#   which 10 steps at batch 2 are a stable trajectory): gradients within 2.3e-6 of max
#   |expected|, state within 1.5e-5, so they are held to the limits above; so is the seed's
#   VGG-16 but for its early bias slots (limit() says why) (AlexNet v2 at learning rate 0.01
#   with Nesterov momentum was not: its loss oscillated and TensorFlow's two runs drifted apart
#   from step 8 on, momentum slots 30% apart after 10 steps; at 0.001, 1.3e-6);
# - every net with batch norm in training mode (ResNet v1/v2, Inception v1/v3, MobileNet v1)
#   is chaotic in float32 at any size the issue allows, and so no float32 implementation can
#   meet 1e-4 on it: for ResNet-50 v1 a 2^-22 relative change of the input changes the
#   activations by 2e-5 of their maximum in block 3 and 5e-4 in block 4 and the gradients by
#   a median 1% (worst 9%), with only 5 of its 1.27M ReLUs changing sign (not kinks: a smooth
#   amplification), the same at 64, 128 and 224 pixels and at batch 2 and 8 (so not "too few
#   values per channel": block 4's batch norms average 8 values per channel at 64x64 and 98
#   at 224); every batch norm's input is well conditioned (std/|mean| >= 0.13 per channel),
#   and the same net with batch norm in inference mode moves its gradients by at most 2e-6.
#   The amplification is the batch statistics' (mean-field theory of batch norm: gradients
#   and perturbations explode with depth at initialization, whatever the width or batch).
#   oneDNN against Eigen on these cases: gradients median 0.1-3% (worst 10-27%; ResNet v2's
#   conv3 and shortcut biases 100-170%: every path from them enters a batch norm, which
#   removes a per-channel constant, so their exact gradient is 0 and both compute rounding
#   noise of ~1e-6), state after 10 steps up to 2x the variable's scale (slots:
#   the sum of chaotic gradients), losses up to 30%. Such a limit only catches gross errors
#   (a wrong rule gives O(1) errors in a whole family); the report prints every limit.
NOISE_FACTOR = 10.0

# name -> (batch, data_len, heavy, measure noise, slimc -O level or None for slimc's default).
# Cases not listed: batch 4 over 10 samples, no noise measurement, the default level. The data
# length is never a multiple of the batch, so that batches wrap around the end of the data.
# The zoo nets compile at -O1: slimc's C++ compile of a zoo net's train step takes 1-2 CPU
# minutes at -O3 and 6-18 s at -O1, while their 11 steps at batch 2 take seconds (AlexNet v2
# at 195x195: 2.5 s a step either way), and the comparisons do not depend on the level.
CASES = {
    'zoo_mobilenet_v1': (2, 5, False, True, None),
    'seed_vgg16': (2, 5, False, True, None),
    'zoo_resnet_v1_50': (2, 5, False, True, 1),
    'zoo_resnet_v2_50': (2, 5, False, True, 1),
    'zoo_inception_v1': (2, 5, False, True, 1),
    'zoo_inception_v3': (2, 5, False, True, 1),
    'zoo_alexnet_v2': (2, 5, False, True, 1),
    # Frozen batch norm: the strict (1e-4) checks of the batch-norm zoo nets.
    'zoo_resnet_v1_50_frozen_bn': (2, 5, False, True, 1),
    'zoo_mobilenet_v1_frozen_bn': (2, 5, False, True, 1),
    # Heavy: VGG-16's 7x7 VALID fc6 needs 224x224 (134M weights, ~190 GFLOP a step): beyond
    # the suite's CI budget; run it with --heavy or by name (docs/training.md has its result).
    'zoo_vgg_16': (2, 5, True, True, 1),
}
DEFAULT_CASE = (4, 10, False, False, None)

_TF_LOCK = threading.Lock()


def all_cases():
  """{name: TrainCase} of every train/*.slim, in name order."""
  key_files = sorted(glob.glob(os.path.join(EXAMPLES, '*.slim')) +
                     glob.glob(os.path.join(EXAMPLES, 'nets', '**', '*.slim'), recursive=True))
  out = {}
  for path in sorted(glob.glob(os.path.join(TRAIN, '*.slim'))):
    name = os.path.basename(path)[:-len('.slim')]
    batch, data_len, _, noise, _ = CASES.get(name, DEFAULT_CASE)
    out[name] = tr.TrainCase(name, path, [EXAMPLES], key_files, batch, data_len, noise=noise)
  return out


def heavy(name):
  return CASES.get(name, DEFAULT_CASE)[2]


def noise_family(name):
  """The kind of a variable within its net: the last two name components, e.g.
  'biases/Momentum' for 'conv3/conv3_1/biases/Momentum'."""
  return '/'.join(name.split('/')[-2:])


def limit(base, noise, name):
  """(limit, loosened?) of a variable: base, or NOISE_FACTOR x TensorFlow's own noise on the
  variables of its kind in the net (noise_family). Why the kind and not the variable alone:
  one oneDNN-vs-Eigen run is a single sample of a summation-order error, and that error is
  set by the conditioning of the sums, which variables of one kind share. Measured on the
  seed VGG-16 (2026-12-07): the bias gradients of its early convs are sums over batch x
  pixels that cancel to ~1e-3 of their terms, so a 1e-7 relative change of the weights
  after step 1 moves the bias momentum slots by ~1e-3 of their size (values ~1e-7..1e-9);
  TensorFlow's own noise on four such slots was up to 5.4e-4, on others of the same kind
  below 1e-5, and ours 1.1e-3..1.7e-3 on three of them."""
  noise = noise or {}
  family = noise_family(name)
  worst = max([v for k, v in noise.items() if noise_family(k) == family] or [0.0])
  n = max(noise.get(name, 0.0), worst) * NOISE_FACTOR
  return (n, True) if n > base else (base, False)


class Result(object):
  def __init__(self, name):
    self.name = name
    self.tf = '-'
    self.self_checks = '-'
    self.compiles = '-'
    self.gradients = '-'
    self.state = '-'
    self.losses = '-'
    self.restore = '-'
    self.error = ''
    self.ok = False
    self.lines = []
    self.seconds = 0.0

  def fail(self, what):
    self.error = self.error or what


# ---------------------------------------------------------------------------------------------
# Comparisons (shared by the slimc check and --noise)

def _worst(got, want):
  diff = np.abs(got - want)
  i = np.unravel_index(np.argmax(diff), diff.shape) if diff.size else ()
  return diff, i


def compare_gradients(want, got, info, noise=None):
  """(ok, worst ratio, lines): per variable max |diff| / max |expected| <= GRAD_TOL, or
  NOISE_FACTOR x TensorFlow's own noise on the variable (`noise`: name -> ratio)."""
  lines, ok, worst = [], True, 0.0
  trained = info['variables_to_train']
  for name in info['trainable']:
    if name not in got:
      if name in trained:
        ok = False
        lines.append('FAIL gradient %s: not dumped' % name)
      continue
    w = want[name].astype(np.float64)
    g = got[name].astype(np.float64)
    if g.shape != w.shape:
      ok = False
      lines.append('FAIL gradient %s: shape %s, TensorFlow %s' % (name, g.shape, w.shape))
      continue
    if not np.isfinite(g).all():
      ok = False
      lines.append('FAIL gradient %s: %d non-finite values' % (name, (~np.isfinite(g)).sum()))
      continue
    diff, i = _worst(g, w)
    scale = np.abs(w).max()
    ratio = diff.max() / scale if scale > 0 else (0.0 if diff.max() == 0 else float('inf'))
    lim, loose = limit(GRAD_TOL, noise, name)
    good = ratio <= lim
    ok &= good
    worst = max(worst, ratio)
    lines.append('%s gradient %s %s: max |diff| %.3g = %.3g of max |expected| %.3g (limit %.2g%s)'
                 '; worst at %s: ours %.7g, TensorFlow %.7g' % (
                     'ok  ' if good else 'FAIL', name, 'x'.join(map(str, w.shape)) or 'scalar',
                     diff.max(), ratio, scale, lim,
                     ': %g x TF\'s own noise' % NOISE_FACTOR if loose else '',
                     tuple(map(int, i)), g[i], w[i]))
  extra = sorted(set(got) - set(info['trainable']))
  if extra:
    ok = False
    lines.append('FAIL gradients of names that are no trainable variable: %s' % extra[:5])
  return ok, worst, lines


def compare_state(want, got, info, noise=None):
  """(ok, worst ratio, lines): every global variable after the steps, per variable max |diff|
  <= STATE_TOL (or NOISE_FACTOR x TensorFlow's own noise) x max(max |expected|, max |restored|);
  integer variables exactly."""
  lines, ok, worst = [], True, 0.0
  names = [l.split()[0] for l in info['variables']]
  missing = [n for n in names if n not in got]
  extra = sorted(set(got) - set(names))
  if missing or extra:
    ok = False
    lines.append('FAIL variables saved: %d missing (%s), %d not TensorFlow\'s (%s)' % (
        len(missing), ', '.join(missing[:5]), len(extra), ', '.join(extra[:5])))
  for name in names:
    if name not in got:
      continue
    w, g = want[name], got[name]
    if g.dtype != w.dtype or g.shape != w.shape:
      ok = False
      lines.append('FAIL %s: %s %s, TensorFlow %s %s' % (name, g.dtype, g.shape, w.dtype,
                                                        w.shape))
      continue
    if w.dtype.kind in 'iu':
      good = np.array_equal(g, w)
      ok &= good
      lines.append('%s %s: ours %s, TensorFlow %s' % ('ok  ' if good else 'FAIL', name,
                                                     g.tolist(), w.tolist()))
      continue
    w64, g64 = w.astype(np.float64), g.astype(np.float64)
    start_max, change = info['state_stats'][name]
    if not np.isfinite(g64).all():
      ok = False
      lines.append('FAIL %s: %d non-finite values' % (name, (~np.isfinite(g64)).sum()))
      continue
    diff, i = _worst(g64, w64)
    scale = max(np.abs(w64).max(), start_max) if w64.size else 0.0
    ratio = diff.max() / scale if scale > 0 else (0.0 if diff.max() == 0 else float('inf'))
    lim, loose = limit(STATE_TOL, noise, name)
    good = ratio <= lim
    ok &= good
    worst = max(worst, ratio)
    lines.append('%s %s %s: max |diff| %.3g = %.3g of scale %.3g (limit %.2g%s; %s); worst at '
                 '%s: ours %.7g, TensorFlow %.7g' % (
                     'ok  ' if good else 'FAIL', name, 'x'.join(map(str, w.shape)) or 'scalar',
                     diff.max(), ratio, scale, lim,
                     ': %g x TF\'s own noise' % NOISE_FACTOR if loose else '',
                     ('%.3g of TF\'s largest change %.3g' % (diff.max() / change, change))
                     if change > 0 else 'TF left it unchanged',
                     tuple(map(int, i)), g64[i], w64[i]))
  return ok, worst, lines


def _printed_half_ulp(text):
  """Half a unit in the last printed digit of a number as printed ('0.4312' -> 5e-5)."""
  m = re.match(r'^[-+]?(\d*)\.?(\d*)(?:[eE]([-+]?\d+))?$', text)
  if not m:
    return 0.0
  return 0.5 * 10.0 ** (-len(m.group(2)) + int(m.group(3) or 0))


def parse_progress(text):
  """[(step, loss text, lr text or None)] of slimrun's progress lines `step i/K  loss X  lr Y`."""
  out = []
  for line in text.splitlines():
    m = re.match(r'^\s*step\s+(\d+)/(\d+)\s+loss\s+(\S+)(?:\s+lr\s+(\S+))?', line)
    if m:
      out.append((int(m.group(1)), m.group(3), m.group(4)))
  return out


def compare_losses(info, progress, steps):
  """(ok, lines): each step's loss and learning rate against TensorFlow's (relative LOSS_TOL, or
  NOISE_FACTOR x TensorFlow's own noise on the loss of that step, or the printed precision)."""
  noise = info.get('noise', {}).get('losses') or [0.0] * steps
  # Steps 2..K are one trajectory: where TensorFlow's own run is chaotic (the batch-norm nets
  # in training mode, see NOISE_FACTOR), the oneDNN-vs-Eigen distance of one step is a single
  # draw of a fast-growing divergence, not a bound on another implementation's; so every step
  # after the first is held to 10 x the largest noise of steps 2..K (as variables are held to
  # that of their family). Measured on zoo_inception_v3 at learning rate 0.01 (2026-12-07; the
  # case now trains at 1e-4, where the steps' noise is at most 4%): Eigen 0.26% from oneDNN
  # at step 2 and 14% at step 9; slimc 2.6% at step 2, with gradients closer to oneDNN's than
  # Eigen's are (median 0.47% against 0.93%). Step 1 is held to its own noise.
  later = max(noise[1:] or [0.0])
  noise = noise[:1] + [later] * (len(noise) - 1)
  lines, ok = [], True
  got = {s: (l, r) for s, l, r in progress}
  for step in range(1, steps + 1):
    if step not in got:
      ok = False
      lines.append('FAIL step %d: no progress line' % step)
      continue
    for what, text, want in (('loss', got[step][0], info['losses'][step - 1]),
                             ('lr', got[step][1], info['learning_rates'][step - 1])):
      if text is None:
        ok = False
        lines.append('FAIL step %d: no %s printed' % (step, what))
        continue
      try:
        value = float(text)
      except ValueError:
        ok = False
        lines.append('FAIL step %d: %s %r is no number' % (step, what, text))
        continue
      rel = max(LOSS_TOL, NOISE_FACTOR * noise[step - 1]) if what == 'loss' else LOSS_TOL
      tol = max(rel * abs(want), _printed_half_ulp(text) * 1.0001)
      good = abs(value - want) <= tol
      ok &= good
      if not good:
        lines.append('FAIL step %d %s: ours %s, TensorFlow %.9g (tolerance %.3g)' % (
            step, what, text, want, tol))
  if ok:
    lines.append('ok   losses and learning rates of steps 1-%d: %s' % (
        steps, ' '.join('%s/%s' % (got[s][0], got[s][1]) for s in sorted(got))))
  return ok, lines


# ---------------------------------------------------------------------------------------------
# TensorFlow restores slimc's checkpoint (cached by the bundle's bytes)

def _digest(array):
  return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def tf_restore(case, prefix, eval_path, use_cache, work):
  """(directory, cached) of TensorFlow's listing of the V2 bundle `prefix` (listing.json:
  name -> [dtype, shape, sha256]) and the script's outputs in inference mode on eval_path
  (output_<name>.npy) with the bundle restored."""
  h = hashlib.sha256()
  files = [os.path.join(HERE, f) for f in tr.HARNESS_FILES] + [
      os.path.abspath(__file__), case.script, eval_path, prefix + '.index',
      prefix + '.data-00000-of-00001'] + case.key_files
  for path in files:
    with open(path, 'rb') as f:
      data = f.read()
    h.update(('%s %d\n' % (os.path.basename(path), len(data))).encode())
    h.update(data)
  root = tr.cache_root() if use_cache else os.path.join(work, 'ref')
  final = os.path.join(root, 'train-restore-%s-%s' % (case.name, h.hexdigest()[:20]))
  if use_cache and os.path.isfile(os.path.join(final, 'listing.json')):
    return final, True
  tmp = '%s.tmp%d' % (final, os.getpid())
  shutil.rmtree(tmp, ignore_errors=True)
  os.makedirs(tmp)
  try:
    with _TF_LOCK:
      _tf_restore_into(case, prefix, eval_path, tmp)
  except BaseException:
    shutil.rmtree(tmp, ignore_errors=True)
    raise
  shutil.rmtree(final, ignore_errors=True)
  os.rename(tmp, final)
  if use_cache:
    for d in os.listdir(root):
      if d.startswith('train-restore-%s-' % case.name) and os.path.join(root, d) != final:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)
  return final, False


def _tf_restore_into(case, prefix, eval_path, outdir):
  import pyrun
  from tfnets import tf
  reader = tf.train.load_checkpoint(prefix)
  dtypes = reader.get_variable_to_dtype_map()
  shapes = reader.get_variable_to_shape_map()
  listing = {n: [dtypes[n].name, list(shapes[n]), _digest(np.asarray(reader.get_tensor(n)))]
             for n in sorted(shapes)}
  with open(os.path.join(outdir, 'listing.json'), 'w') as f:
    json.dump(listing, f, indent=0, sort_keys=True)
  graph = tf.Graph()
  with graph.as_default():
    with tr.inference_mode():
      run = pyrun.run_file(case.script, case.roots)
    x_op = [op for op in graph.get_operations() if op.type == 'Placeholder'
            and op.name in tr._ancestors(next(iter(run.outputs.values())))][0]  # noqa: SLF001
    with tf.Session(graph=graph) as sess:
      tf.train.Saver(tf.global_variables()).restore(sess, prefix)
      names = list(run.outputs)
      values = sess.run([run.outputs[n] for n in names], {x_op.outputs[0]: np.load(eval_path)})
  for n, v in zip(names, values):
    np.save(os.path.join(outdir, 'output_%s.npy' % n), v)


# ---------------------------------------------------------------------------------------------
# One case

def _run(cmd, log, env=None):
  p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       start_new_session=True, env=env)
  try:
    out, _ = p.communicate(timeout=COMMAND_TIMEOUT)
    rc = p.returncode
  except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGKILL)
    out, _ = p.communicate()
    out, rc = out + '\ntimed out after %d s' % COMMAND_TIMEOUT, 124
  except BaseException:
    os.killpg(p.pid, signal.SIGKILL)
    raise
  with open(log, 'a') as f:
    f.write('$ %s\n%s\n' % (' '.join(cmd), out))
  return rc, out


def _summarize_checks(info):
  bad = [c['text'] for c in info['self_checks'] if not c['ok']]
  return (not bad), ('ok (%d)' % len(info['self_checks']) if not bad else
                     'FAIL (%d of %d)' % (len(bad), len(info['self_checks'])))


def get_reference(case, r, use_cache, cdir):
  try:
    with _TF_LOCK:
      ref, info, cached = tr.reference(case, use_cache, cdir, log=lambda l: None)
  except tr.TFError as e:
    r.tf = 'error'
    r.fail('TensorFlow: ' + e.args[0])
    r.lines.append('FAIL TensorFlow: %s' % e.args[0])
    if len(e.args) > 1:
      r.lines += ['    ' + l for l in e.args[1].splitlines()[-8:]]
    return None, None
  r.tf = 'cached' if cached else '%.0f s' % info['tf_seconds']
  good, r.self_checks = _summarize_checks(info)
  r.lines.append('%s TensorFlow reference%s: %d variables (%d trainable, %d trained), '
                 '%s optimizer %s, losses %s' % (
                     'ok  ' if good else 'FAIL', ' (cached)' if cached else
                     ' (%.1f s)' % info['tf_seconds'], len(info['variables']),
                     len(info['trainable']), len(info['variables_to_train']),
                     info['optimizer']['kind'], info['optimizer']['name'],
                     ' '.join('%.5g' % l for l in info['losses'])))
  for c in info['self_checks']:
    r.lines.append('%s self-check: %s' % ('ok  ' if c['ok'] else 'FAIL', c['text']))
  noise = info.get('noise')
  if noise:
    parts = []
    for kind, base in (('gradients', GRAD_TOL), ('state', STATE_TOL)):
      values = sorted(noise[kind].values())
      parts.append('%s worst %.2g, median %.2g, %d of %d variables held to %g x it instead of '
                   '%g' % (kind, values[-1], values[len(values) // 2],
                           sum(v * NOISE_FACTOR > base for v in values), len(values),
                           NOISE_FACTOR, base))
    parts.append('losses worst %.2g relative' % max(noise['losses']))
    r.lines.append('TensorFlow\'s own noise (oneDNN off, %.1f s): %s' % (noise['tf_seconds'],
                                                                       '; '.join(parts)))
    r.gradients = '%.2g' % max(noise['gradients'].values())
    r.state = '%.2g' % max(noise['state'].values())
    r.losses = '%.2g' % max(noise['losses'])
  if not good:
    r.fail('the TensorFlow reference fails its self-checks')
  return ref, info


def check_noise(case, ref, info, r, cdir):
  """A second TensorFlow run with oneDNN off, compared as slimc is."""
  noise = os.path.join(cdir, 'eigen')
  shutil.rmtree(noise, ignore_errors=True)
  cmd = [sys.executable, os.path.join(HERE, 'train_reference.py'), case.script, noise,
         '--batch', str(case.batch), '--data-len', str(case.data_len), '--steps',
         str(case.steps)] + sum((['-I', d] for d in case.roots), [])
  env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS='0', TF_CPP_MIN_LOG_LEVEL='2')
  rc, out = _run(cmd, os.path.join(cdir, 'log.txt'), env)
  if rc != 0 and not os.path.isfile(os.path.join(noise, 'reference.json')):
    r.lines.append('FAIL noise run: %s' % compare.first_error(out))
    return
  with open(os.path.join(noise, 'reference.json')) as f:
    other = json.load(f)
  same_data = all(np.array_equal(np.load(os.path.join(ref, n)), np.load(os.path.join(noise, n)))
                  for n in ('data.npy', 'labels.npy'))
  r.lines.append('%s noise run (oneDNN off): same data and labels' % (
      'ok  ' if same_data else 'FAIL'))
  _, gw, glines = compare_gradients(tr.load_safetensors(os.path.join(ref, 'gradients.safetensors')),
                                    tr.load_safetensors(os.path.join(noise, 'gradients.safetensors')),
                                    info)
  _, sw, slines = compare_state(tr.load_safetensors(os.path.join(ref, 'final.safetensors')),
                                tr.load_safetensors(os.path.join(noise, 'final.safetensors')),
                                info)
  lw = max(abs(a - b) / max(abs(b), 1e-30) for a, b in zip(other['losses'], info['losses']))
  r.gradients = '%.2g' % gw
  r.state = '%.2g' % sw
  r.losses = '%.2g' % lw
  r.lines.append('noise: gradients worst %.3g of max |expected| (limit %g), state after %d '
                 'steps worst %.3g of scale (limit %g), losses worst rel %.3g (limit %g)' % (
                     gw, GRAD_TOL, case.steps, sw, STATE_TOL, lw, LOSS_TOL))
  r.lines += ['noise ' + l for l in glines + slines]


def check(case, bins, work, use_cache, tf_only, noise, opt):
  t0 = time.time()
  r = Result(case.name)
  cdir = os.path.join(work, case.name)
  os.makedirs(cdir, exist_ok=True)
  log = os.path.join(cdir, 'log.txt')
  so = os.path.join(cdir, 'train.so')
  include = sum((['-I', d] for d in case.roots), [])
  compiled = False
  if not tf_only:
    cmd = [bins['slimc'], case.script] + include + ['--train', '--batch', str(case.batch),
                                                    '-o', so]
    if opt is None:
      opt = CASES.get(case.name, DEFAULT_CASE)[4]
    if opt is not None:
      cmd.append('-O%s' % opt)
    rc, out = _run(cmd, log)
    compiled = rc == 0
    r.compiles = 'yes' if compiled else 'no'
    if not compiled:
      r.fail('slimc: ' + compare.first_error(out).replace(os.path.dirname(case.script) + os.sep,
                                                          ''))
      r.lines.append('FAIL slimc --train: %s' % compare.first_error(out))

  ref, info = get_reference(case, r, use_cache, cdir)
  if info is None:
    r.seconds = time.time() - t0
    return r
  if tf_only:
    if noise:
      check_noise(case, ref, info, r, cdir)
    r.ok = not r.error
    r.seconds = time.time() - t0
    return r
  if not compiled:
    r.seconds = time.time() - t0
    return r
  r.ok = _check_slimc(case, bins, ref, info, r, cdir, so, use_cache, work)
  r.ok = r.ok and not r.error
  r.seconds = time.time() - t0
  return r


def _check_slimc(case, bins, ref, info, r, cdir, so, use_cache, work):
  log = os.path.join(cdir, 'log.txt')
  slimrun = bins['slimrun']
  train_args = ['--train', '--data', os.path.join(ref, 'data.npy'), '--labels',
                os.path.join(ref, 'labels.npy'), '--batch', str(case.batch)]
  ckpt = os.path.join(ref, 'model.ckpt')
  ok = True

  # Initial state of a fresh library.
  init = os.path.join(cdir, 'init.safetensors')
  rc, out = _run([slimrun, so, '--init-seed', '1', '--save-checkpoint', init], log)
  if rc != 0:
    ok = False
    r.lines.append('FAIL slimrun --init-seed: %s' % compare.first_error(out))
  else:
    want = info['initial_values']
    got = tr.load_safetensors(init)
    bad = [n for n in sorted(want) if n not in got or got[n].dtype.name != want[n]['dtype'] or
           list(got[n].shape) != want[n]['shape'] or
           not np.all(got[n] == np.array(want[n]['value'], want[n]['dtype']))]
    ok &= not bad
    r.lines.append('%s initial values of the %d non-trainable variables (slots, beta powers, '
                   'global_step, moving statistics)%s' % (
                       'ok  ' if not bad else 'FAIL', len(want),
                       '' if not bad else ': differ for %s' % ', '.join(bad[:6])))

  # Step 1: gradients.
  grads = os.path.join(cdir, 'gradients.safetensors')
  rc, out = _run([slimrun, so] + train_args + ['--steps', '1', '--restore', ckpt,
                                               '--dump-gradients', grads, '--log-every', '1'],
                 log)
  if rc != 0:
    ok = False
    r.gradients = 'run failed'
    r.fail('slimrun --dump-gradients: ' + compare.first_error(out))
    r.lines.append('FAIL slimrun --steps 1 --dump-gradients: %s' % compare.first_error(out))
  else:
    good, worst, lines = compare_gradients(
        tr.load_safetensors(os.path.join(ref, 'gradients.safetensors')),
        tr.load_safetensors(grads), info, info.get('noise', {}).get('gradients'))
    ok &= good
    r.gradients = '%.2g%s' % (worst, '' if good else ' FAIL')
    r.lines += lines
    if not good:
      r.fail('gradients differ')

  # K steps.
  final = os.path.join(cdir, 'final.safetensors')
  rc, out = _run([slimrun, so] + train_args + ['--steps', str(case.steps), '--restore', ckpt,
                                               '--save-checkpoint', final, '--save-format',
                                               'safetensors', '--log-every', '1'], log)
  if rc != 0:
    r.state = 'run failed'
    r.fail('slimrun --steps %d: %s' % (case.steps, compare.first_error(out)))
    r.lines.append('FAIL slimrun --steps %d: %s' % (case.steps, compare.first_error(out)))
    return False
  good, lines = compare_losses(info, parse_progress(out), case.steps)
  ok &= good
  r.losses = 'ok' if good else 'FAIL'
  r.lines += lines
  if not good:
    r.fail('losses or learning rates differ')
  ours = tr.load_safetensors(final)
  good, worst, lines = compare_state(
      tr.load_safetensors(os.path.join(ref, 'final.safetensors')), ours, info,
      info.get('noise', {}).get('state'))
  ok &= good
  r.state = '%.2g%s' % (worst, '' if good else ' FAIL')
  r.lines += lines
  if not good:
    r.fail('variables after %d steps differ' % case.steps)

  # @main's outputs and the V2 checkpoint, restored by TensorFlow.
  eval_path = os.path.join(cdir, 'eval.npy')
  np.save(eval_path, np.load(os.path.join(ref, 'data.npy'))[:case.batch])
  main_dir = os.path.join(cdir, 'main')
  prefix = os.path.join(cdir, 'tf', 'model.ckpt')
  shutil.rmtree(main_dir, ignore_errors=True)
  os.makedirs(os.path.dirname(prefix), exist_ok=True)
  rc, out = _run([slimrun, so, '--checkpoint', final, '--input',
                  '%s=%s' % (info['input']['name'], eval_path), '--output-dir', main_dir,
                  '--save-checkpoint', prefix, '--save-format', 'tf'], log)
  if rc != 0:
    r.restore = 'run failed'
    r.fail('slimrun --save-format tf: ' + compare.first_error(out))
    r.lines.append('FAIL slimrun --checkpoint ... --save-format tf: %s' %
                   compare.first_error(out))
    return False
  try:
    tf_dir, cached = tf_restore(case, prefix, eval_path, use_cache, work)
  except Exception as e:  # noqa: BLE001 -- TensorFlow refusing the bundle is the failure
    r.restore = 'FAIL'
    r.fail('TensorFlow cannot restore slimc\'s checkpoint: %s: %s' % (
        type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ''))
    r.lines += ['FAIL TensorFlow restore:'] + traceback.format_exc().splitlines()[-6:]
    return False
  with open(os.path.join(tf_dir, 'listing.json')) as f:
    listing = json.load(f)
  saved = {n: [a.dtype.name, list(a.shape), _digest(a)] for n, a in ours.items()}
  bad = sorted(n for n in set(saved) | set(listing) if saved.get(n) != listing.get(n))
  ok &= not bad
  r.lines.append('%s TensorFlow lists and reads the %d tensors of slimrun\'s V2 checkpoint as '
                 'its safetensors file holds them%s%s' % (
                     'ok  ' if not bad else 'FAIL', len(listing),
                     ' (cached)' if cached else '',
                     '' if not bad else ': differ: %s' % ', '.join(bad[:6])))
  ratios = {}
  good, lines = compare.compare_output_dirs(tf_dir, main_dir, ratios)
  ok &= good and not bad
  r.restore = ('%.2g' % max(ratios.values()) if ratios else '-') + ('' if good and not bad
                                                                   else ' FAIL')
  r.lines += ['@main after restore by TensorFlow: ' + l for l in lines]
  if not (good and not bad):
    r.fail('TensorFlow restoring slimc\'s checkpoint: %s' % (
        'outputs differ' if not good else 'tensors differ'))
  return ok


def table(results, tf_only):
  if tf_only:
    head = ['case', 'TensorFlow', 'self-checks', 'TF noise: gradients', 'TF noise: state',
            'TF noise: losses', 'error']
    rows = [[r.name, r.tf, r.self_checks, r.gradients, r.state, r.losses, r.error]
            for r in results]
  else:
    head = ['case', 'TensorFlow', 'self-checks', 'compiles', 'gradients', 'state after steps',
            'losses', 'TF restores: @main', 'first error']
    rows = [[r.name, r.tf, r.self_checks, r.compiles, r.gradients, r.state, r.losses,
             r.restore, r.error] for r in results]
  rows = [[c.replace('|', '\\|') for c in row] for row in rows]
  widths = [max(len(x) for x in col) for col in zip(head, *rows)]
  widths[-1] = 0

  def line(cells):
    return '| ' + ' | '.join(c.ljust(w) for c, w in zip(cells, widths)) + ' |'

  return '\n'.join([line(head), '|' + '|'.join('-' * (w + 2) for w in widths) + '|'] +
                   [line(row) for row in rows])


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--slimc-bin', help='directory with slimc and slimrun')
  ap.add_argument('--work', help='scratch directory, kept (default: a temporary one)')
  ap.add_argument('--jobs', type=int, default=2, help='cases at a time (TensorFlow builds one '
                  'graph at a time; slimc compilations overlap)')
  ap.add_argument('--no-cache', action='store_true', help='rebuild the TensorFlow references')
  ap.add_argument('--tf-only', action='store_true', help='the TensorFlow references and their '
                  'self-checks only')
  ap.add_argument('--noise', action='store_true', help='with --tf-only: compare a second '
                  'TensorFlow run with oneDNN off')
  ap.add_argument('--heavy', action='store_true', help='also the heavy cases')
  ap.add_argument('--opt', help='slimc -O level of every library (default: the case\'s, '
                  'CASES)')
  ap.add_argument('names', nargs='*')
  args = ap.parse_args()
  if not args.tf_only and not args.slimc_bin:
    ap.error('--slimc-bin is required (or --tf-only)')
  if args.noise and not args.tf_only:
    ap.error('--noise goes with --tf-only')
  cases = all_cases()
  unknown = [n for n in args.names if n not in cases]
  if unknown:
    ap.error('unknown case %s; known: %s' % (' '.join(unknown), ' '.join(cases)))
  chosen = [cases[n] for n in (args.names or
                               [n for n in cases if args.heavy or not heavy(n)])]
  skipped = [n for n in cases if heavy(n) and not args.heavy and not args.names]
  bins = {}
  if args.slimc_bin:
    bins = {t: os.path.join(args.slimc_bin, t) for t in ('slimc', 'slimrun')}
  work = args.work or tempfile.mkdtemp(prefix='train-check-')
  t0 = time.time()

  def one(case):
    try:
      r = check(case, bins, work, not args.no_cache, args.tf_only, args.noise, args.opt)
    except Exception:  # noqa: BLE001 -- a harness error fails this case, not the table
      r = Result(case.name)
      r.error = 'harness error (see the report)'
      r.lines = ['FAIL harness error:'] + traceback.format_exc().splitlines()
    print('%s %s (%.0f s)' % ('ok  ' if r.ok else 'FAIL', r.name, r.seconds), flush=True)
    for l in r.lines:
      print('    ' + l, flush=True)
    return r

  with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
    results = list(pool.map(one, chosen))
  print()
  print(table(results, args.tf_only))
  failed = [r.name for r in results if not r.ok]
  print('train_check%s: %d cases, %d failed%s%s; %.0f s' % (
      ' --tf-only' if args.tf_only else '', len(results), len(failed),
      ' (%s)' % ' '.join(failed) if failed else '',
      '; heavy cases not run: %s (--heavy)' % ' '.join(skipped) if skipped else '',
      time.time() - t0))
  if not args.work:
    shutil.rmtree(work, ignore_errors=True)
  return 1 if failed or not results else 0


if __name__ == '__main__':
  sys.exit(main())
