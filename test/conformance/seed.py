"""The seed document's snippets through the real TF-Slim and through slimc, compared live.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/seed.py --slimc-bin BUILD/bin --work DIR [SNIPPET ...]
(numeric_all.sh runs it after the nets). Exit status 1 on any mismatch.

Each snippet is make_goldens.SEED's text (the document's code; its `...` inputs become
placeholders). One program text is built per snippet: the two import lines, placeholders for the
inputs, the snippet, `tf.identity` naming each output. TensorFlow executes that text with tf_slim
(pyrun.run_source), initializes the variables (fixed seed; biases get U(-0.1, 0.1) added so that
bias handling is tested), runs a fixed U(-1, 1) input and saves a V2 checkpoint, the inputs and
the outputs; slimc compiles the same text to a .so with the fast kernels, and slimrun restores
the TensorFlow checkpoint by name and runs the same inputs. Checked, with compare.py's criteria
(those of numeric.sh):
  - the variable list (name, shape, model/regular, trainable) equals TensorFlow's, in order;
  - where the snippet computes a tensor: every output, and the regularization loss;
  - snippets that only create variables: names and shapes only (said so in the report);
  - snippets that Python/TF-Slim reject (golden/seed_errors.txt): slimc rejects them too;
  - snippets outside slimc's language (OUTSIDE_LANGUAGE): TensorFlow builds them, slimc must
    reject them with an error; if it ever compiles one, the entry must move to the checks above.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402
import compare  # noqa: E402
import pyrun  # noqa: E402
import tfnets  # noqa: E402
from make_goldens import SEED  # noqa: E402
from tfnets import slim, tf  # noqa: E402

# Inputs for this numeric run where the goldens' (the document's typical) sizes would be slow to
# compute twice on a small machine. Only spatial sizes and batch change: no variable shape of
# these snippets depends on them (convolutions depend on channels, fully_connected on the last
# axis), and the variable lists are compared live at these sizes.
NUMERIC_INPUTS = {
    'repeat_verbose': [('net', [2, 14, 14, 128])],
    'repeat': [('net', [2, 14, 14, 128])],
    # conv1 has stride 4 and conv2 is an 11x11 VALID convolution: 64 -> 16 -> 6.
    'scopes_verbose': [('inputs', [1, 64, 64, 3])],
    'scopes_variables': [('inputs', [1, 64, 64, 3])],
    # stride 1, then 11x11 VALID: 16 -> 16 -> 6.
    'arg_scope_fixed': [('inputs', [1, 16, 16, 3])],
    'arg_scope_nested_kw': [('inputs', [1, 64, 64, 3])],
    # Five 2x2 pools: 64 -> 2, so fc6..fc8 (fully_connected on the last axis) see a 2x2 map.
    'vgg16': [('inputs', [2, 64, 64, 3])],
}

# Seed snippets in plain TensorFlow rather than TF-Slim, which slimc's language does not cover.
OUTSIDE_LANGUAGE = {
    'plain_tf_conv': 'raw TensorFlow (tf.Variable, tf.truncated_normal, tf.nn.conv2d) is not in '
                     "slimc's language (docs/language.md)",
}

IMPORTS = 'import tensorflow as tf\nimport tf_slim as slim\n'


def output_name(outs, i):
  """Outputs are named by position, not by the snippet's variable (`x` in one form, `y` in its
  equivalent), so that equivalent snippets compile to the same module."""
  return 'output' if len(outs) == 1 else 'output_%d' % i


def program(inputs, outs, src):
  """The snippet as a complete model file body (without the imports, which TensorFlow gets
  from the environment): inputs as placeholders named in_<variable> (a snippet often reassigns
  its input's variable: `net = ...`), outputs named by tf.identity."""
  lines = ['%s = tf.placeholder(tf.float32, %r, name=%r)' % (n, s, 'in_' + n) for n, s in inputs]
  lines.append(src.strip('\n'))
  lines += ['tf.identity(%s, name=%r)' % (o, output_name(outs, i)) for i, o in enumerate(outs)]
  return '\n'.join(lines) + '\n'


def run_tf(sid, inputs, outs, body, outdir, seed):
  """Runs `body` under TF-Slim; returns (variable lines, None) or (None, error text)."""
  os.makedirs(outdir, exist_ok=True)
  rng = np.random.RandomState(seed)
  with tf.Graph().as_default() as graph:
    tf.set_random_seed(seed)
    try:
      # Dropout in training mode (the seed's vgg16 never sets is_training) is random in
      # TensorFlow; slimc compiles it as the identity, which is TensorFlow's inference mode.
      with slim.arg_scope([slim.dropout], is_training=False):
        # The text slimc compiles (slimc_file), so that line numbers agree.
        pyrun.run_source(IMPORTS + body, 'seed_%s' % sid)
    except Exception as e:  # noqa: BLE001 -- reported, as Python would
      return None, '%s: %s' % (type(e).__name__, e)
    var_lines = tfnets.variable_lines()
    if not inputs:
      return var_lines, None
    reg_loss = tf.losses.get_regularization_loss()
    variables = tf.global_variables()
    feeds = {}
    for n, s in inputs:
      x = rng.uniform(-1.0, 1.0, s).astype(np.float32)
      feeds[graph.get_tensor_by_name('in_%s:0' % n)] = x
      np.save(os.path.join(outdir, 'input_%s.npy' % n), x)
    fetches = [graph.get_tensor_by_name(output_name(outs, i) + ':0') for i in range(len(outs))]
    with tf.Session() as sess:
      sess.run(tf.global_variables_initializer())
      tfnets.perturb_variables(sess, variables, rng, batch_norm=False)
      values = sess.run(fetches, feeds)
      reg = float(sess.run(reg_loss))
      tf.train.Saver(variables).save(sess, os.path.join(outdir, 'model.ckpt'),
                                     write_meta_graph=False, write_state=False)
  for i, val in enumerate(values):
    np.save(os.path.join(outdir, 'output_%s.npy' % output_name(outs, i)), val)
  with open(os.path.join(outdir, 'regularization_loss.txt'), 'w') as f:
    f.write(repr(reg))
  return var_lines, None


def slimc_file(work, sid, inputs, outs, body):
  path = os.path.join(work, sid + '.slim')
  # A snippet without inputs compiles as it is: a variables-only program is a checkpoint factory
  # (test/Frontend/seed/variables-only.slim), and one whose output is a variable needs no input.
  text = IMPORTS + body
  with open(path, 'w') as f:
    f.write(text)
  return path


def run(cmd):
  p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
  return p.returncode, p.stdout


def check(c, slimrun, work):
  """(ok, report lines) for one snippet whose TensorFlow run and slimc compilations are done."""
  if c['tf_error'] is not None:
    # Rejected by Python/TF-Slim: slimc must reject it too.
    ok = c['vars_rc'] != 0
    return ok, ['%s rejected by TensorFlow (%s) and %s' % (
        'ok  ' if ok else 'FAIL', c['tf_error'],
        'by slimc (%s)' % compare.first_error(c['vars_out']) if ok else 'NOT by slimc')]
  if c['sid'] in OUTSIDE_LANGUAGE:
    ok = c['vars_rc'] != 0
    return ok, ['%s TensorFlow builds it (%d variables); slimc %s: %s' % (
        'ok  ' if ok else 'FAIL', len(c['tf_vars']),
        'rejects it as expected' if ok else 'now compiles it: move it to the checked snippets',
        OUTSIDE_LANGUAGE[c['sid']])] + (
            ['     slimc: ' + compare.first_error(c['vars_out'])] if ok else [])
  if c['vars_rc'] != 0:
    return False, ['FAIL slimc rejects it: %s' % compare.first_error(c['vars_out'])]
  ok, message = compare.compare_variables(
      c['tf_vars'], [l for l in c['vars_out'].splitlines() if l])
  lines = [message]
  if not c['inputs']:
    return ok, lines + ['ok   computes nothing (variables only): names and shapes compared, '
                        'no outputs']
  if 'same_as' in c:
    lines.append('ok   slimc compiles it to the same module as %s; that library runs this '
                 "snippet's checkpoint and input" % c['same_as'])
  if c['so_rc'] != 0:
    return False, lines + ['FAIL slimc -o model.so: %s' % compare.first_error(c['so_out'])]
  out_dir = os.path.join(work, c['sid'], 'out')
  cmd = [slimrun, c['so'], '--checkpoint', os.path.join(c['ref'], 'model.ckpt'),
         '--output-dir', out_dir, '--regularization-loss']
  for n, _ in c['inputs']:
    cmd += ['--input', 'in_%s=%s' % (n, os.path.join(c['ref'], 'input_%s.npy' % n))]
  rc, out = run(cmd)
  log = os.path.join(work, c['sid'], 'run.log')
  with open(log, 'w') as f:
    f.write(out)
  if rc != 0:
    return False, lines + ['FAIL slimrun: %s' % compare.first_error(out)]
  good, out_lines = compare.compare_output_dirs(c['ref'], out_dir)
  ok &= good
  lines += out_lines
  with open(os.path.join(c['ref'], 'regularization_loss.txt')) as f:
    tf_loss = float(f.read())
  if tf_loss == 0.0:
    return ok, lines + ['ok   no regularizer in this snippet']
  good, line = compare.compare_regularization_loss(log, tf_loss)
  return ok and good, lines + [line]


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--slimc-bin', required=True, help='directory with slimc and slimrun')
  ap.add_argument('--work', required=True, help='scratch directory')
  ap.add_argument('--seed', type=int, default=1234)
  ap.add_argument('--jobs', type=int, default=2, help='slimc compilations at a time')
  ap.add_argument('snippets', nargs='*', help='snippet ids (default: all)')
  args = ap.parse_args()
  slimc = os.path.join(args.slimc_bin, 'slimc')
  slimrun = os.path.join(args.slimc_bin, 'slimrun')
  os.makedirs(args.work, exist_ok=True)
  todo = [s for s in SEED if not args.snippets or s[0] in args.snippets]
  if args.snippets and len(todo) != len(args.snippets):
    ap.error('unknown snippet; known: %s' % ' '.join(s[0] for s in SEED))

  # TensorFlow first, every snippet in one process.
  t0 = time.time()
  cases = []
  for sid, inputs, outs, src in todo:
    inputs = NUMERIC_INPUTS.get(sid, inputs)
    body = program(inputs, outs, src)
    ref = os.path.join(args.work, sid, 'ref')
    var_lines, tf_error = run_tf(sid, inputs, outs, body, ref, args.seed)
    cases.append(dict(sid=sid, inputs=inputs, outs=outs, ref=ref, tf_vars=var_lines,
                      tf_error=tf_error,
                      slim=slimc_file(os.path.join(args.work, sid), sid, inputs, outs, body)))
  t_tf = time.time() - t0

  # slimc: the variables and the module of every snippet, then a .so for those that compute
  # something. The C++ compilation dominates the run time, so snippets whose modules are
  # identical (the document's verbose and short forms of one layer stack) share one library,
  # and two compilations run at a time.
  t0 = time.time()
  libraries = {}  # module text -> the first case with it
  for c in cases:
    c['vars_rc'], c['vars_out'] = run([slimc, c['slim'], '--emit=variables'])
    if c['vars_rc'] == 0 and c['inputs'] and c['tf_error'] is None:
      rc, module = run([slimc, c['slim'], '--emit=mlir'])
      first = libraries.setdefault(module, c) if rc == 0 else c
      c['so'] = os.path.join(os.path.dirname(first['slim']), 'model.so')
      if first is not c:
        c['same_as'] = first['sid']

  def compile_case(c):
    c['so_rc'], c['so_out'] = run([slimc, c['slim'], '-o', c['so']])

  with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
    list(pool.map(compile_case, [c for c in cases if 'so' in c and 'same_as' not in c]))
  for c in cases:
    if 'same_as' in c:
      first = next(f for f in cases if f['sid'] == c['same_as'])
      c['so_rc'], c['so_out'] = first['so_rc'], first['so_out']
  t_slimc = time.time() - t0

  t0 = time.time()
  failures = 0
  for c in cases:
    ok, lines = check(c, slimrun, args.work)
    shape = ', '.join('%s %s' % (n, 'x'.join(map(str, s))) for n, s in c['inputs']) or 'none'
    print('seed %-20s %s (inputs: %s)' % (c['sid'], 'ok' if ok else 'FAIL', shape))
    for l in lines:
      print('    ' + l)
    failures += 0 if ok else 1
  t_run = time.time() - t0
  print('seed: %d snippets, %d failed; TensorFlow %.0f s, slimc %.0f s, slimrun and compare '
        '%.0f s' % (len(cases), failures, t_tf, t_slimc, t_run))
  return 1 if failures else 0


if __name__ == '__main__':
  try:
    sys.exit(main())
  except Exception:  # noqa: BLE001 -- a harness error fails the suite with its traceback
    traceback.print_exc()
    sys.exit(1)
