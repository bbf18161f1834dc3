"""TensorFlow restores the V2 checkpoints slimc's runtime writes.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/tf_checkpoint.py --slimc-bin BUILD/bin [--work DIR] [--no-cache]
(numeric_all.sh runs it.) Exit status 1 when a check fails.

1. slimc compiles checkpoint/lenet.slim (batch 2, -O0); slimrun initializes its variables
   (--init-seed), they are perturbed here (biases, batch-norm statistics, so that nothing is
   a constant), and slimrun restores them, saves them with --save-format tf and runs a fixed
   input.
2. slim-ckpt convert --to tf turns a safetensors file written here into a second bundle: every
   dtype the runtime saves (float32, float64, int32, int64, uint8), scalars, empty tensors,
   names that are prefixes of each other ("a", "a/b", "a0") and 3000 long names, so that the
   index holds more than one 256 KiB block.
3. TensorFlow: tf.train.load_checkpoint lists each bundle's names, dtypes and shapes and reads
   every tensor; tf.compat.v1.train.Saver restores slimc's checkpoint into the same program
   run as Python (pyrun.py) and computes the logits.
4. Compared here: each bundle's listing and values (SHA-256 of each tensor's bytes) equal
   what was saved; TensorFlow's logits equal slimrun's (compare.py: max |diff| <= 1e-4 x
   max |expected|).

Step 3 is cached in $SLIMC_CACHE (default ~/.cache/slimc)/conformance/, keyed by the bytes of
both bundles, the input, the program, this file, pyrun.py and tfnets.py, so that a rerun with
an unchanged writer does not start TensorFlow. Steps 1, 2 and 4 always run.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

import numpy as np
from safetensors.numpy import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402

PROGRAM = os.path.join(HERE, 'checkpoint', 'lenet.slim')
BATCH = 2
SEED = 1234
DATA_SUFFIX = '.data-00000-of-00001'


def cache_root():
  return os.path.join(os.environ.get('SLIMC_CACHE') or
                      os.path.join(os.path.expanduser('~'), '.cache', 'slimc'), 'conformance')


def run(cmd):
  p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
  if p.returncode != 0:
    raise RuntimeError('%s failed (%d):\n%s' % (' '.join(cmd), p.returncode, p.stdout))
  return p.stdout


def digest(array):
  return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def listing(tensors):
  """{name: [dtype, shape, sha256 of the bytes]} of a dict of numpy arrays."""
  return {n: [str(a.dtype), list(a.shape), digest(a)] for n, a in tensors.items()}


def perturbed(weights, rng):
  """The initialized variables with every tensor moved off its initializer's constant."""
  out = {}
  for name in sorted(weights):
    w = weights[name]
    if name.endswith('moving_variance'):
      out[name] = rng.uniform(0.5, 1.5, w.shape).astype(w.dtype)
    else:
      out[name] = (w + rng.uniform(-0.2, 0.2, w.shape)).astype(w.dtype)
  return out


def many_tensors(rng):
  """Every dtype, scalars, empty tensors, prefix names and enough long names for several index
  blocks."""
  t = {
      'a': np.float32(1.5).reshape(()),
      'a/b': rng.uniform(-1, 1, (2, 3)).astype(np.float64),
      'a/b/c': np.arange(-3, 4, dtype=np.int32),
      'a0': np.array(2 ** 40 + 7, dtype=np.int64).reshape(()),
      'a.b': np.arange(250, 256, dtype=np.uint8).reshape(2, 3),
      'empty/f32': np.zeros((0, 3), np.float32),
      'empty/i64': np.zeros((2, 0), np.int64),
      'global_step': np.array(12345, dtype=np.int64).reshape(()),
  }
  for i in range(3000):
    name = 'tower_%d/block_%04d/%s/weights' % (i % 3, i, 'x' * 80)
    t[name] = rng.uniform(-1, 1, (1 + i % 3,)).astype(np.float32)
  return t


def tensorflow_results(prefixes, program, input_path, outdir):
  """Step 3 into outdir: listing_<key>.json per bundle and output_logits.npy."""
  os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
  import pyrun  # noqa: E402 -- imports TensorFlow
  from tfnets import tf  # noqa: E402
  for key, prefix in prefixes.items():
    reader = tf.train.load_checkpoint(prefix)
    dtypes = reader.get_variable_to_dtype_map()
    shapes = reader.get_variable_to_shape_map()
    got = {}
    for name in sorted(shapes):
      value = np.asarray(reader.get_tensor(name))
      got[name] = [dtypes[name].name, list(shapes[name]), digest(value)]
    with open(os.path.join(outdir, 'listing_%s.json' % key), 'w') as f:
      json.dump(got, f, indent=0, sort_keys=True)
  with tf.Graph().as_default():
    prog = pyrun.run_file(program)
    variables = tf.global_variables()
    with tf.Session() as sess:
      tf.train.Saver(variables).restore(sess, prefixes['model'])
      x = np.load(input_path)
      logits = sess.run(prog.outputs['logits'], {'input:0': x})
  np.save(os.path.join(outdir, 'output_logits.npy'), logits)


def cached_tensorflow(prefixes, input_path, use_cache, work):
  """(directory of step 3's results, cached?)."""
  h = hashlib.sha256()
  # The TensorFlow half's code: this file and the harness it runs the program with.
  files = [__file__, os.path.join(HERE, 'pyrun.py'), os.path.join(HERE, 'tfnets.py'), PROGRAM,
           input_path]
  for key in sorted(prefixes):
    files += [prefixes[key] + '.index', prefixes[key] + DATA_SUFFIX]
  for path in files:
    with open(path, 'rb') as f:
      data = f.read()
    h.update(('%s %d\n' % (os.path.basename(path), len(data))).encode())
    h.update(data)
  root = cache_root() if use_cache else os.path.join(work, 'ref')
  final = os.path.join(root, 'tf-checkpoint-%s' % h.hexdigest()[:20])
  if use_cache and os.path.isfile(os.path.join(final, 'output_logits.npy')):
    return final, True
  tmp = '%s.tmp%d' % (final, os.getpid())
  shutil.rmtree(tmp, ignore_errors=True)
  os.makedirs(tmp)
  try:
    tensorflow_results(prefixes, PROGRAM, input_path, tmp)
  except BaseException:
    shutil.rmtree(tmp, ignore_errors=True)
    raise
  shutil.rmtree(final, ignore_errors=True)
  os.rename(tmp, final)
  if use_cache:
    # Only the newest entry stays (a few hundred KiB each).
    for d in os.listdir(root):
      if d.startswith('tf-checkpoint-') and os.path.join(root, d) != final:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)
  return final, False


def compare_listing(what, want, got):
  """(ok, report lines) of TensorFlow's listing of a bundle against what was saved."""
  lines = []
  for name in sorted(set(want) | set(got)):
    if name not in got:
      lines.append('FAIL %s: %s was saved but TensorFlow does not list it' % (what, name))
    elif name not in want:
      lines.append('FAIL %s: TensorFlow lists %s, which was not saved' % (what, name))
    elif want[name] != got[name]:
      lines.append('FAIL %s: %s saved as %s, TensorFlow reads %s' % (
          what, name, want[name][:2], got[name][:2] +
          (['other values'] if want[name][2] != got[name][2] else [])))
  if lines:
    return False, lines[:20]
  return True, ['ok   %s: TensorFlow lists and reads all %d tensors (names, dtypes, shapes, '
                'bytes)' % (what, len(want))]


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--slimc-bin', required=True, help='directory with slimc, slimrun, slim-ckpt')
  ap.add_argument('--work', help='scratch directory, kept (default: a temporary one)')
  ap.add_argument('--no-cache', action='store_true', help="rerun TensorFlow's half")
  args = ap.parse_args()
  t0 = time.time()
  work = args.work or tempfile.mkdtemp(prefix='tf-checkpoint-')
  os.makedirs(work, exist_ok=True)
  tool = lambda name: os.path.join(args.slimc_bin, name)  # noqa: E731
  rng = np.random.RandomState(SEED)

  # 1. slimc's library saves perturbed weights as a V2 checkpoint and runs an input.
  so = os.path.join(work, 'lenet.so')
  run([tool('slimc'), PROGRAM, '--batch', str(BATCH), '-O0', '-o', so])
  init = os.path.join(work, 'init.safetensors')
  run([tool('slimrun'), so, '--init-seed', '7', '--save-checkpoint', init])
  weights = perturbed(load_file(init), rng)
  weights_path = os.path.join(work, 'weights.safetensors')
  save_file(weights, weights_path)
  input_path = os.path.join(work, 'input.npy')
  np.save(input_path, rng.uniform(-1, 1, (BATCH, 28, 28, 1)).astype(np.float32))
  model = os.path.join(work, 'slimc', 'model.ckpt')
  out_dir = os.path.join(work, 'out')
  os.makedirs(os.path.dirname(model), exist_ok=True)
  run([tool('slimrun'), so, '--checkpoint', weights_path, '--save-checkpoint', model,
       '--save-format', 'tf', '--input', 'input=' + input_path, '--output-dir', out_dir])

  # 2. Every dtype and many keys, through slim-ckpt convert.
  many = many_tensors(rng)
  many_st = os.path.join(work, 'many.safetensors')
  save_file(many, many_st)
  many_prefix = os.path.join(work, 'many', 'ckpt')
  os.makedirs(os.path.dirname(many_prefix), exist_ok=True)
  run([tool('slim-ckpt'), 'convert', '--to', 'tf', many_st, many_prefix])
  index_kib = os.path.getsize(many_prefix + '.index') / 1024.0

  # 3. TensorFlow (cached).
  prefixes = {'model': model, 'many': many_prefix}
  try:
    ref, cached = cached_tensorflow(prefixes, input_path, not args.no_cache, work)
  except Exception as e:  # noqa: BLE001 -- TensorFlow refusing our files is the failure
    traceback.print_exc()
    print('FAIL TensorFlow cannot read slimc\'s checkpoints: %s: %s' % (
        type(e).__name__, str(e).strip().splitlines()[0] if str(e).strip() else ''))
    print('tf_checkpoint: FAILED; %.1f s' % (time.time() - t0))
    if not args.work:
      shutil.rmtree(work, ignore_errors=True)
    return 1

  # 4. Comparisons.
  ok, lines = True, []
  for key, saved in (('model', weights), ('many', many)):
    with open(os.path.join(ref, 'listing_%s.json' % key)) as f:
      got = json.load(f)
    good, report = compare_listing('%s bundle' % key, listing(saved), got)
    ok &= good
    lines += report
  good, report = compare.compare_output_dirs(ref, out_dir)
  ok &= good
  lines += ['logits restored by tf.compat.v1.train.Saver: ' + l for l in report]
  for l in lines:
    print(l)
  print('tf_checkpoint: %s; many-keys index %.0f KiB; TensorFlow %s; %.1f s' % (
      'ok' if ok else 'FAILED', index_kib, 'cached' if cached else 'run',
      time.time() - t0))
  if not args.work:
    shutil.rmtree(work, ignore_errors=True)
  return 0 if ok else 1


if __name__ == '__main__':
  sys.exit(main())
