"""Checks model programs against TensorFlow, the engine of check_original_nets.sh (TF-Slim's own
net files) and of features/ (our small programs, one per language feature).

A program is one model file that both sides run unmodified: TensorFlow executes it as Python
(pyrun.run_file: tf.compat.v1 graph mode + tf_slim), slimc compiles it. Its inputs are its
tf.placeholder ops (float32; a None first dimension is the batch), its outputs its top-level
`tf.identity(x, name=...)` calls. For each program:

  1. TensorFlow: build the graph; initialize the variables with a fixed seed and perturb them
     (tfnets.perturb_variables: biases, and batch-norm statistics/gamma/beta, so that folding is
     exercised; small moving variances where the case asks for them); run a fixed U(-1, 1)
     input at every batch (1 and 2), save the V2 checkpoint, the inputs, the outputs, the
     variable list and the regularization loss. Cached under
     $SLIMC_CACHE (default ~/.cache/slimc)/conformance/, keyed by a hash of the program, every
     file it can import, the batches, the seed and this harness's code, so that a rerun costs
     TensorFlow nothing.
  2. slimc: `--emit=variables` must list TensorFlow's variables name by name, shape by shape,
     in order (compare.compare_variables); `--batch N -o` builds a library per batch; slimrun
     restores TensorFlow's checkpoint and runs the same input.
  3. compare.compare_output_dirs per batch: every output of either side has its counterpart;
     max |diff| <= 1e-4 * max |expected| (and compare.py's per-element relative criterion);
     the regularization loss within 1e-5 relative (compare.compare_regularization_loss).

A program whose inputs have a static batch (pix2pix's generator needs one) is one text per
batch (Case's {batch: path}); TensorFlow then builds each with the same seed, so the checkpoints
hold the same values.

Run with the reference venv's python (scripts/tf-venv.sh).
"""
import concurrent.futures
import hashlib
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402
import pyrun  # noqa: E402
import tfnets  # noqa: E402
from tfnets import tf  # noqa: E402

# The code whose change invalidates cached references: these files, and build_reference and
# _shape below (their source text is hashed; the rest of this file does not change the
# reference).
HARNESS_FILES = ('pyrun.py', 'tfnets.py')
BATCHES = (1, 2)
SEED = 1234
# slimc and the C++ compiler on the biggest nets (NASNet-A large) take minutes on a loaded
# 2-core machine; an hour means something hangs.
COMMAND_TIMEOUT = 3600

# tf_slim's arg_scope stack is a module global: graphs are built one at a time.
_TF_LOCK = threading.Lock()


class Case(object):
  """A program to check. `program`: its path, or {batch: path} for a program whose inputs have
  a static batch (one text per batch); `roots`: directories its imports are searched in (after
  its own directory; slimc's -I); `key_files`: every file it may import (their contents key the
  cache); `small_variances`: the batch norms' moving variances are drawn small
  (tfnets.randomize_batch_norm: for nets whose ReLU6 must clip)."""

  def __init__(self, name, program, roots=(), key_files=(), batches=BATCHES,
               small_variances=False):
    self.name = name
    self.small_variances = small_variances
    self.batches = tuple(batches)
    self.program = (dict(program) if isinstance(program, dict) else
                    {b: program for b in self.batches})
    self.roots = list(roots)
    self.key_files = sorted(key_files)

  def groups(self):
    """[(program, [batches])]: the batches each distinct program runs, in batch order."""
    out = []
    for b in self.batches:
      if out and out[-1][0] == self.program[b]:
        out[-1][1].append(b)
      else:
        out.append((self.program[b], [b]))
    return out


class Result(object):
  """What the table shows of one case, and the detailed report lines."""

  def __init__(self, name):
    self.name = name
    self.compiles = '-'
    self.variables = '-'
    self.batch = {}  # batch -> worst max|diff| / max|expected| as text
    self.batch_ok = {}  # batch -> bool
    self.error = ''
    self.ok = False
    self.lines = []
    self.seconds = 0.0


def cache_root():
  return os.path.join(os.environ.get('SLIMC_CACHE') or
                      os.path.join(os.path.expanduser('~'), '.cache', 'slimc'), 'conformance')


def cache_key(case, seed):
  h = hashlib.sha256()

  def add(label, data):
    h.update(('%s %d\n' % (label, len(data))).encode())
    h.update(data)

  for f in HARNESS_FILES:
    with open(os.path.join(HERE, f), 'rb') as fh:
      add('harness ' + f, fh.read())
  add('harness reference code', _REFERENCE_CODE)
  for b in case.batches:
    with open(case.program[b], 'rb') as fh:
      add('program %d' % b, fh.read())
  base = os.path.dirname(os.path.abspath(case.program[case.batches[0]]))
  for f in case.key_files:
    with open(f, 'rb') as fh:
      add('file ' + os.path.relpath(f, base), fh.read())
  add('case', json.dumps([case.name, list(case.batches), seed] +
                         (['small_variances'] if case.small_variances else [])).encode())
  return h.hexdigest()[:20]


class TFError(Exception):
  """TensorFlow could not build or run the program (with the log of what happened)."""


def _shape(shape, batch):
  dims = list(shape)
  if dims and dims[0] is None:
    dims[0] = batch
  if any(d is None for d in dims):
    raise TFError('an input has an unknown dimension other than the first: %s' % (shape,))
  return dims


def build_reference(case, outdir, seed):
  """TensorFlow's half of a case into outdir (see the module docstring): reference.json,
  b<N>/input_<name>.npy and b<N>/output_<name>.npy per batch, and the checkpoint (model.ckpt;
  b<N>/model.ckpt where each batch has its own program, all with the same values)."""
  os.makedirs(outdir)
  info = {
      'name': case.name,
      'tensorflow': tf.VERSION,
      'seed': seed,
      'batches': list(case.batches),
      'outputs': {},
      'checkpoint': {},
  }
  groups = case.groups()
  for program, batches in groups:
    rng = np.random.RandomState(seed)
    with tf.Graph().as_default() as graph:
      tf.set_random_seed(seed)
      run = pyrun.run_file(program, case.roots)
      if not run.outputs:
        raise TFError('the program names no output (a top-level tf.identity(x, name=...))')
      inputs = [op for op in graph.get_operations() if op.type == 'Placeholder']
      for op in inputs:
        if op.get_attr('dtype') != tf.float32:
          raise TFError('input %s is not float32' % op.name)
      variables = tf.global_variables()
      var_lines = tfnets.variable_lines()
      if info.setdefault('variables', var_lines) != var_lines:
        raise TFError('the programs of the batches create different variables')
      info['inputs'] = [{'name': op.name, 'shape': op.outputs[0].shape.as_list()}
                        for op in inputs]
      reg_loss = tf.losses.get_regularization_loss()
      names = list(run.outputs)
      with tf.Session() as sess:
        sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
        tfnets.perturb_variables(sess, variables, rng, small_variances=case.small_variances)
        for b in batches:
          bdir = os.path.join(outdir, 'b%d' % b)
          os.makedirs(bdir)
          feeds = {}
          for op in inputs:
            x = rng.uniform(-1.0, 1.0, _shape(op.outputs[0].shape.as_list(), b))
            feeds[op.outputs[0]] = x.astype(np.float32)
            np.save(os.path.join(bdir, 'input_%s.npy' % op.name), feeds[op.outputs[0]])
          values = sess.run([run.outputs[n] for n in names], feeds)
          for n, v in zip(names, values):
            np.save(os.path.join(bdir, 'output_%s.npy' % n), v)
            info['outputs'].setdefault(n, {})['b%d' % b] = list(v.shape)
        info['regularization_loss'] = float(sess.run(reg_loss))
        prefix = 'model.ckpt' if len(groups) == 1 else 'b%d/model.ckpt' % batches[0]
        if variables:
          tf.train.Saver(variables).save(sess, os.path.join(outdir, prefix),
                                         write_meta_graph=False, write_state=False)
        for b in batches:
          info['checkpoint'][str(b)] = prefix if variables else None
  with open(os.path.join(outdir, 'reference.json'), 'w') as f:
    json.dump(info, f, indent=1)
  return info


def reference(case, seed=SEED, use_cache=True, work=None, build=True):
  """(directory, info, cached) of TensorFlow's results for `case`, from the cache or built
  now (under `work` without the cache; not at all without `build`: None). Raises
  TFError(first line of what went wrong, traceback)."""
  key = cache_key(case, seed)
  root = cache_root() if use_cache else os.path.join(work, 'ref')
  final = os.path.join(root, '%s-%s' % (case.name, key))
  if use_cache and os.path.isfile(os.path.join(final, 'reference.json')):
    with open(os.path.join(final, 'reference.json')) as f:
      return final, json.load(f), True
  if not build:
    return None
  tmp = '%s.tmp%d' % (final, os.getpid())
  shutil.rmtree(tmp, ignore_errors=True)
  os.makedirs(root, exist_ok=True)
  try:
    with _TF_LOCK:
      info = build_reference(case, tmp, seed)
  except Exception as e:  # noqa: BLE001 -- reported as the case's TensorFlow error
    shutil.rmtree(tmp, ignore_errors=True)
    if isinstance(e, TFError):
      raise
    raise TFError('%s: %s' % (type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip()
                                else ''), traceback.format_exc())
  shutil.rmtree(final, ignore_errors=True)
  os.rename(tmp, final)
  if use_cache:
    _prune(root, case.name, keep=final)
  return final, info, False


def _alive(pid):
  try:
    os.kill(pid, 0)
  except ProcessLookupError:
    return False
  except PermissionError:
    pass
  return True


def _prune(root, name, keep, entries=2):
  """Removes all but the newest `entries` cached references of case `name` (each edit of a
  file makes a new one; a VGG's checkpoint is 0.5 GB), and those that killed runs left
  unfinished."""
  pattern = re.compile(re.escape(name) + r'-[0-9a-f]{20}(\.tmp(\d+))?$')
  found = []
  for d in os.listdir(root):
    m = pattern.match(d)
    if not m:
      continue
    if m.group(2):
      # What a run left half-written when it was killed (not one still writing).
      if not _alive(int(m.group(2))):
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)
      continue
    found.append(os.path.join(root, d))
  found.sort(key=lambda d: (d == keep, os.path.getmtime(d)), reverse=True)
  for d in found[entries:]:
    shutil.rmtree(d, ignore_errors=True)


def _run(cmd, log):
  """(exit status, output) of cmd, logged. On the timeout the whole process group goes (slimc
  runs the C++ compiler as a child)."""
  p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       start_new_session=True)
  try:
    out, _ = p.communicate(timeout=COMMAND_TIMEOUT)
    rc = p.returncode
  except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGKILL)
    out, _ = p.communicate()
    out, rc = out + '\ntimed out after %d s' % COMMAND_TIMEOUT, 124
  except BaseException:  # interrupted: take the compiler along
    os.killpg(p.pid, signal.SIGKILL)
    raise
  with open(log, 'a') as f:
    f.write('$ %s\n%s\n' % (' '.join(cmd), out))
  return rc, out


def _short(text, work):
  """A slimc message without the scratch directory's path."""
  return text.replace(work + os.sep, '')


def _first_difference(want, got):
  for i, (a, b) in enumerate(zip(want, got)):
    if a != b:
      return 'line %d: TensorFlow %r, slimc %r' % (i + 1, a, b)
  return 'TensorFlow %d, slimc %d variables' % (len(want), len(got))


def _fmt(ratio):
  return '%.2g' % ratio if ratio != float('inf') else 'inf'


def check(case, slimc, slimrun, work, use_cache=True, seed=SEED, slimc_args=(), always_tf=False):
  """Result of one case; scratch files (libraries, outputs, logs) under work/<name>/.
  `slimc_args`: further options of the library builds (features.py: -O0). slimc runs first,
  outside the TensorFlow lock, so that another case's graph builds meanwhile. Where slimc
  rejects the program, TensorFlow's reference is only taken from the cache (a NASNet's costs
  minutes) unless `always_tf`."""
  t0 = time.time()
  r = Result(case.name)
  cdir = os.path.join(work, case.name)
  os.makedirs(cdir, exist_ok=True)
  log = os.path.join(cdir, 'log.txt')
  first = case.program[case.batches[0]]
  base = os.path.dirname(os.path.abspath(first))
  include = sum((['-I', d] for d in case.roots), [])

  # slimc: the variables, then a library per batch.
  slimc_lines, ours, libraries = [], None, {}
  rc, out = _run([slimc, first] + include + ['--emit=variables'], log)
  if rc != 0:
    r.compiles = 'no'
    r.error = _short(compare.first_error(out), base)
    slimc_lines.append('FAIL slimc --emit=variables: %s' % r.error)
  else:
    ours = [l for l in out.splitlines() if l]
    r.compiles = 'yes'
    for b in case.batches:
      so = os.path.join(cdir, 'b%d.so' % b)
      rc, out = _run([slimc, case.program[b]] + include + ['--batch', str(b), '-o', so] +
                     list(slimc_args), log)
      if rc != 0:
        r.compiles = 'no'
        r.error = _short(compare.first_error(out), base)
        slimc_lines.append('FAIL slimc --batch %d -o: %s' % (b, r.error))
        break
      libraries[b] = so

  # TensorFlow (cached).
  try:
    found = reference(case, seed, use_cache, cdir, build=always_tf or ours is not None)
    if found is None:
      raise TFError('not run: slimc rejects the program and there is no cached reference '
                    '(--always-tf builds one)')
    ref, info, cached = found
    r.lines.append('ok   TensorFlow: %d variables, outputs %s%s' % (
        len(info['variables']), ', '.join(sorted(info['outputs'])),
        ' (cached)' if cached else ''))
  except TFError as e:
    ref = info = None
    r.lines.append('FAIL TensorFlow: %s' % e.args[0])
    if len(e.args) > 1:
      with open(log, 'a') as f:
        f.write(e.args[1])
  r.lines += slimc_lines

  if ours is not None:
    if info is not None:
      good, message = compare.compare_variables(info['variables'], ours)
      r.variables = ('ok (%d)' % len(ours)) if good else 'DIFF'
      r.lines.append(message)
      if not good:
        r.error = r.error or 'variables differ: ' + _first_difference(info['variables'], ours)
    else:
      r.variables = '? (%d)' % len(ours)

  for b in case.batches:
    if ref is None or b not in libraries:
      continue
    out_dir = os.path.join(cdir, 'out-b%d' % b)
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [slimrun, libraries[b], '--output-dir', out_dir, '--regularization-loss']
    if info['checkpoint'][str(b)]:
      cmd += ['--checkpoint', os.path.join(ref, info['checkpoint'][str(b)])]
    for i in info['inputs']:
      cmd += ['--input', '%s=%s' % (i['name'], os.path.join(ref, 'b%d' % b,
                                                           'input_%s.npy' % i['name']))]
    run_log = os.path.join(cdir, 'run-b%d.log' % b)
    rc, out = _run(cmd, log)
    with open(run_log, 'w') as f:
      f.write(out)
    if rc != 0:
      r.batch[b], r.batch_ok[b] = 'run failed', False
      r.lines.append('FAIL slimrun at batch %d: %s' % (b, compare.first_error(out)))
      r.error = r.error or 'slimrun: ' + compare.first_error(out)
      continue
    ratios = {}
    good, lines = compare.compare_output_dirs(os.path.join(ref, 'b%d' % b), out_dir, ratios)
    worst = max(ratios.values()) if ratios else float('inf')
    r.batch[b] = _fmt(worst) + ('' if good else ' FAIL')
    r.lines += ['batch %d: %s' % (b, l) for l in lines]
    if b == case.batches[0]:
      good_loss, line = compare.compare_regularization_loss(run_log,
                                                            info['regularization_loss'])
      r.lines.append(line)
      if not good_loss:
        r.batch[b] += ' (reg. loss FAIL)'
        good = False
    r.batch_ok[b] = good
    if not good:
      r.error = r.error or 'outputs differ at batch %d' % b
  if info is None:
    r.error = r.error or r.lines[0][len('FAIL '):]
  r.ok = (info is not None and r.compiles == 'yes' and r.variables.startswith('ok') and
          all(r.batch_ok.get(b) for b in case.batches))
  r.seconds = time.time() - t0
  return r


def check_all(cases, slimc, slimrun, work, jobs=2, use_cache=True, seed=SEED, progress=None,
              slimc_args=(), always_tf=False):
  """Results of `cases` in order, `jobs` at a time (TensorFlow builds one graph at a time;
  slimc's compilations overlap). `progress(result)` is called as each one finishes."""

  def one(case):
    try:
      r = check(case, slimc, slimrun, work, use_cache, seed, slimc_args, always_tf)
    except Exception:  # noqa: BLE001 -- a harness error fails this case, not the table
      r = Result(case.name)
      r.error = 'harness error (see the report)'
      r.lines = ['FAIL harness error:'] + traceback.format_exc().splitlines()
    if progress:
      progress(r)
    return r

  with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
    return list(pool.map(one, cases))


def table(results, batches=BATCHES, first='net'):
  """The results as a Markdown table."""
  head = [first, 'compiles', 'variables'] + ['batch %d max rel diff' % b for b in batches] + [
      'first slimc error (or what failed)']
  rows = [[r.name, r.compiles, r.variables] + [r.batch.get(b, '-') for b in batches] +
          [r.error.replace('|', '\\|')] for r in results]
  widths = [max(len(x) for x in col) for col in zip(head, *rows)]
  widths[-1] = 0  # the error column is not padded

  def line(cells):
    return '| ' + ' | '.join(c.ljust(w) for c, w in zip(cells, widths)) + ' |'

  return '\n'.join([line(head), '|' + '|'.join('-' * (w + 2) for w in widths) + '|'] +
                   [line(r) for r in rows])


# Read once, at import: the file may be edited while a long run goes on.
_REFERENCE_CODE = ''.join(inspect.getsource(f) for f in (build_reference, _shape)).encode()
