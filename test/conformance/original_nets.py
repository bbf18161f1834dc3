"""TF-Slim's own net files (research/slim/nets in tensorflow/models), unmodified, through
TensorFlow and through slimc: variables and outputs at batch 1 and 2 (progcheck.py).

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/original_nets.py DIR --slimc SLIMC [--net NAME ...] [--jobs N]
            [--work DIR] [--no-cache] [--list]
(check_original_nets.sh DIR [SLIMC] runs it.) DIR holds the `nets/` package as in
research/slim (DIR/nets/vgg.py, DIR/nets/mobilenet/mobilenet_v2.py, DIR/nets/nasnet/...), or is
that package itself; .py or .slim files. We do not ship TensorFlow's code: fetch the files
yourself.

For each net of NETS whose file is present, the nets/ tree is copied to a scratch directory with
.py renamed .slim, and the check program is the net's own file with only this appended (the
rest of the file unchanged, no import line changed):

    inputs = tf.placeholder(tf.float32, [None, H, W, C], name='input')
    with slim.arg_scope(<the net's arg_scope>):   # or the file's own name for arg_scope
      logits, end_points = <net fn>(inputs, num_classes=K, is_training=False)
    tf.identity(logits, name='logits')            # + aux_logits where the net has them

TensorFlow runs that program as Python (pyrun.py maps the files' `tf.contrib` imports onto
tf.compat.v1 + tf_slim), slimc compiles the same file with `-I` the scratch directory. A table
says, net by net: compiles, variables, worst max |diff| / max |expected| at batch 1 and 2, and
the first slimc error. Exit status 1 when a net whose file is present fails.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import progcheck  # noqa: E402


class Net(object):
  """One net: the file (module path under nets/) it lives in, its input, the arg_scope call,
  the call, and the outputs.

  `call` is an expression of `inputs` returning (output, end_points); `scope` an arg_scope
  expression or None (the net applies its own); `aux` names end_points entries that are
  outputs too; `batch_in_shape`: the net needs a static batch (pix2pix's generator reshapes
  to its input's static shape), so each batch gets its own program with the batch in the
  placeholder; `small_variances`: TensorFlow's reference draws the batch norms' moving
  variances small (tfnets.randomize_batch_norm), for the nets whose ReLU6 must clip to be
  tested (MobileNet v1 and v3), chosen here per net rather than by a variable's name."""

  def __init__(self, name, module, shape, scope, call, output='logits', aux=(),
               batch_in_shape=False, note='', small_variances=False):
    self.name = name
    self.module = module
    self.shape = shape
    self.scope = scope
    self.call = call
    self.output = output
    self.aux = aux
    self.batch_in_shape = batch_in_shape
    self.note = note
    self.small_variances = small_variances


def _classifier(name, module, size, classes, scope, fn=None, channels=3, aux=(),
                small_variances=False):
  return Net(name, module, [size, size, channels], scope,
             '%s(inputs, num_classes=%d, is_training=False)' % (fn or name, classes), aux=aux,
             small_variances=small_variances)


AUX = (('AuxLogits', 'aux_logits'),)

# Image sizes and class counts: nets_factory.py and each net's default_image_size (1001 where
# the published checkpoints have a background class); arg_scopes: nets_factory's, by the name
# the net's own file gives them. The GAN and video nets have no factory entry: small valid
# inputs, in inference mode.
NETS = [
    _classifier('vgg_a', 'vgg', 224, 1000, 'vgg_arg_scope()'),
    _classifier('vgg_16', 'vgg', 224, 1000, 'vgg_arg_scope()'),
    _classifier('vgg_19', 'vgg', 224, 1000, 'vgg_arg_scope()'),
    _classifier('alexnet_v2', 'alexnet', 224, 1000, 'alexnet_v2_arg_scope()'),
    _classifier('overfeat', 'overfeat', 231, 1000, 'overfeat_arg_scope()'),
    _classifier('lenet', 'lenet', 28, 10, 'lenet_arg_scope()', channels=1),
    _classifier('cifarnet', 'cifarnet', 32, 10, 'cifarnet_arg_scope()'),
    _classifier('inception_v1', 'inception_v1', 224, 1001, 'inception_v1_arg_scope()'),
    _classifier('inception_v2', 'inception_v2', 224, 1001, 'inception_v2_arg_scope()'),
    _classifier('inception_v3', 'inception_v3', 299, 1001, 'inception_v3_arg_scope()',
                aux=AUX),
    _classifier('inception_v4', 'inception_v4', 299, 1001, 'inception_v4_arg_scope()',
                aux=AUX),
    _classifier('inception_resnet_v2', 'inception_resnet_v2', 299, 1001,
                'inception_resnet_v2_arg_scope()', aux=AUX),
    _classifier('resnet_v1_50', 'resnet_v1', 224, 1000, 'resnet_arg_scope()'),
    _classifier('resnet_v1_101', 'resnet_v1', 224, 1000, 'resnet_arg_scope()'),
    # The published ResNet v2 checkpoints have a background class.
    _classifier('resnet_v2_50', 'resnet_v2', 224, 1001, 'resnet_arg_scope()'),
    _classifier('resnet_v2_152', 'resnet_v2', 224, 1001, 'resnet_arg_scope()'),
    # Small batch-norm variances (gains up to 7x) so that ReLU6 clips, as MobileNet v1 and v3
    # need to be tested.
    _classifier('mobilenet_v1', 'mobilenet_v1', 224, 1001,
                'mobilenet_v1_arg_scope(is_training=False)', small_variances=True),
    # The ordinary statistics: V2's linear bottlenecks and residual sums compound small
    # variances into an ill-conditioned net (with them, a 1-ulp change of the input moves the
    # logits by 1.4e-3 of their maximum, in TensorFlow and in slimc alike, so no float32
    # implementation meets 1e-4).
    _classifier('mobilenet_v2', 'mobilenet.mobilenet_v2', 224, 1001,
                'training_scope(is_training=False)', fn='mobilenet'),
    # The file's group-norm variant (V2_DEF_GROUP_NORM: group_norm with 8 groups in place of
    # batch_norm), base only: its feature map is the output.
    Net('mobilenet_v2_group_norm', 'mobilenet.mobilenet_v2', [96, 96, 3],
        'training_scope(is_training=False)', 'mobilenet_base_group_norm(inputs)',
        output='features', note='base only (no logits), 96x96'),
    _classifier('mobilenet_v3_large', 'mobilenet.mobilenet_v3', 224, 1001,
                'training_scope(is_training=False)', fn='large', small_variances=True),
    _classifier('mobilenet_v3_small', 'mobilenet.mobilenet_v3', 224, 1001,
                'training_scope(is_training=False)', fn='small', small_variances=True),
    _classifier('nasnet_cifar', 'nasnet.nasnet', 32, 10, 'nasnet_cifar_arg_scope()',
                fn='build_nasnet_cifar'),
    _classifier('nasnet_mobile', 'nasnet.nasnet', 224, 1001, 'nasnet_mobile_arg_scope()',
                fn='build_nasnet_mobile'),
    _classifier('nasnet_large', 'nasnet.nasnet', 331, 1001, 'nasnet_large_arg_scope()',
                fn='build_nasnet_large'),
    _classifier('pnasnet_mobile', 'nasnet.pnasnet', 224, 1001, 'pnasnet_mobile_arg_scope()',
                fn='build_pnasnet_mobile'),
    _classifier('pnasnet_large', 'nasnet.pnasnet', 331, 1001, 'pnasnet_large_arg_scope()',
                fn='build_pnasnet_large'),
    # DCGAN: 64-d noise to a 32x32x3 image (the default final_size); the discriminator on one.
    Net('dcgan_generator', 'dcgan', [64], None, 'generator(inputs, is_training=False)',
        output='images'),
    Net('dcgan_discriminator', 'dcgan', [32, 32, 3], None,
        'discriminator(inputs, is_training=False)'),
    # pix2pix's decoder keeps dropout on at test time by design (random), which no reference
    # can reproduce: the call passes the default blocks with decoder_keep_prob 0 (the same
    # architecture, no dropout layer). 128 = 2^7 for its 7 blocks.
    Net('pix2pix_generator', 'pix2pix', [128, 128, 3], 'pix2pix_arg_scope()',
        'pix2pix_generator(inputs, 3, blocks=[Block(b.num_filters, 0) for b in '
        '_default_generator_blocks()], is_training=False)', batch_in_shape=True,
        note='default blocks with decoder_keep_prob 0'),
    Net('pix2pix_discriminator', 'pix2pix', [64, 64, 3], 'pix2pix_arg_scope()',
        'pix2pix_discriminator(inputs, num_filters=[64, 128, 256, 512], is_training=False)'),
    Net('cyclegan_generator', 'cyclegan', [64, 64, 3], None,
        'cyclegan_generator_resnet(inputs, is_training=False)', output='images'),
    # Video nets: 8 frames of 64x64 (the final pool shrinks to the 1x2x2 map left).
    Net('i3d', 'i3d', [8, 64, 64, 3], 'i3d_arg_scope()',
        'i3d(inputs, num_classes=400, is_training=False)'),
    Net('s3dg', 's3dg', [8, 64, 64, 3], 's3dg_arg_scope()',
        's3dg(inputs, num_classes=400, is_training=False)'),
]
BY_NAME = {n.name: n for n in NETS}

# The names a net file may give tf_slim's arg_scope, in order of preference.
ARG_SCOPE_NAMES = [
    ('slim.arg_scope', r'^slim\s*=|^import\s+\S+\s+as\s+slim\b|^from\s+\S+\s+import\s+slim\b'),
    ('arg_scope', r'^arg_scope\s*=|^from\s+\S+\s+import\s+.*\barg_scope\b'),
    ('contrib_framework.arg_scope', r'^from\s+\S+\s+import\s+framework\s+as\s+contrib_framework'),
]


def arg_scope_name(text):
  """The name under which the file `text` has tf_slim's arg_scope (files differ: `slim`,
  `arg_scope`, `contrib_framework`), or None."""
  for name, pattern in ARG_SCOPE_NAMES:
    if re.search(pattern, text, re.M):
      return name
  return None


def appended(net, text, batch=None):
  """The lines appended to the net's file."""
  dims = [batch if net.batch_in_shape else None] + net.shape
  lines = ['', '', '# Appended by check_original_nets.sh: an input and a call.',
           "inputs = tf.placeholder(tf.float32, %r, name='input')" % dims]
  body = ['%s, end_points = %s' % (net.output, net.call)]
  if net.scope:
    fn = arg_scope_name(text)
    if fn is None:
      raise ValueError('%s: no arg_scope name found in the file' % net.name)
    lines.append('with %s(%s):' % (fn, net.scope))
    body = ['  ' + l for l in body]
  lines += body
  lines.append("tf.identity(%s, name='%s')" % (net.output, net.output))
  for key, name in net.aux:
    lines.append("tf.identity(end_points['%s'], name='%s')" % (key, name))
  return '\n'.join(lines) + '\n'


def package_dir(src):
  """DIR/nets if there is one, else DIR (the package itself)."""
  return os.path.join(src, 'nets') if os.path.isdir(os.path.join(src, 'nets')) else src


def copy_tree(pkg, dest):
  """nets/ under dest, with .py renamed .slim (a .slim present wins over its .py); returns the
  copied files."""
  files = []
  for dirpath, dirnames, filenames in os.walk(pkg):
    dirnames[:] = sorted(d for d in dirnames if not d.startswith(('.', '__pycache__')))
    rel = os.path.relpath(dirpath, pkg)
    out = os.path.normpath(os.path.join(dest, 'nets', rel))
    os.makedirs(out, exist_ok=True)
    for f in sorted(filenames):
      stem, ext = os.path.splitext(f)
      if ext not in ('.py', '.slim') or stem.endswith('_test'):
        continue
      if ext == '.py' and os.path.exists(os.path.join(dirpath, stem + '.slim')):
        continue
      target = os.path.join(out, stem + '.slim')
      shutil.copyfile(os.path.join(dirpath, f), target)
      files.append(target)
  return files


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('dir', help="directory holding TF-Slim's nets/ package")
  ap.add_argument('--slimc', required=True)
  ap.add_argument('--slimrun', help='default: next to slimc')
  ap.add_argument('--net', action='append', default=[], help='only this net (repeatable)')
  ap.add_argument('--jobs', type=int, default=2, help='nets checked at a time')
  ap.add_argument('--work', help='scratch directory, kept (default: a temporary one, removed)')
  ap.add_argument('--no-cache', action='store_true', help='rebuild the TensorFlow references')
  ap.add_argument('--always-tf', action='store_true',
                  help='build the TensorFlow reference of a net slimc rejects too (by default '
                  'it is only taken from the cache)')
  ap.add_argument('--list', action='store_true', help='list the nets and exit')
  args = ap.parse_args()
  if args.list:
    for n in NETS:
      print('%-22s nets/%s  input %s' % (n.name, n.module.replace('.', '/') + '.py',
                                         'x'.join(map(str, ['N'] + n.shape))))
    return 0
  unknown = [n for n in args.net if n not in BY_NAME]
  if unknown:
    ap.error('unknown net %s; known: %s' % (', '.join(unknown), ' '.join(BY_NAME)))
  slimrun = args.slimrun or os.path.join(os.path.dirname(args.slimc), 'slimrun')
  for tool in (args.slimc, slimrun):
    if not os.access(tool, os.X_OK):
      ap.error('not found: %s' % tool)
  pkg = package_dir(args.dir)
  work = args.work or tempfile.mkdtemp(prefix='original-nets-')
  tree = os.path.join(work, 'tree')
  shutil.rmtree(tree, ignore_errors=True)
  files = copy_tree(pkg, tree)

  todo = [BY_NAME[n] for n in args.net] if args.net else NETS
  cases, missing = [], []
  for net in todo:
    path = os.path.join(tree, 'nets', *net.module.split('.')) + '.slim'
    if not os.path.exists(path):
      missing.append(net)
      continue
    with open(path) as f:
      text = f.read()
    programs = {}
    for b in (progcheck.BATCHES if net.batch_in_shape else (None,)):
      suffix = '_b%d' % b if b else ''
      program = os.path.join(tree, 'check_%s%s.slim' % (net.name, suffix))
      with open(program, 'w') as f:
        f.write(text + appended(net, text, b))
      programs[b] = program
    cases.append(progcheck.Case(net.name, programs if net.batch_in_shape else programs[None],
                                [tree], files, small_variances=net.small_variances))

  for net in missing:
    print('%s: not in %s (nets/%s.py)' % (net.name, args.dir, net.module.replace('.', '/')))
  t0 = time.time()

  def progress(r):
    print('%s %s (%.0f s)' % ('ok  ' if r.ok else 'FAIL', r.name, r.seconds), flush=True)
    for l in r.lines:
      print('    ' + l.replace('\n', '\n    '))

  results = progcheck.check_all(cases, args.slimc, slimrun, work, args.jobs,
                                not args.no_cache, progress=progress, always_tf=args.always_tf)
  print()
  print(progcheck.table(results))
  notes = ['%s: %s' % (n.name, n.note) for n in todo if n.note and n not in missing]
  for n in notes:
    print('note: ' + n)
  failed = [r.name for r in results if not r.ok]
  print('\n%d nets checked, %d passed, %d failed%s; %d missing from %s; %.0f s' % (
      len(results), len(results) - len(failed), len(failed),
      ' (%s)' % ' '.join(failed) if failed else '', len(missing), args.dir, time.time() - t0))
  if not args.work:
    shutil.rmtree(work, ignore_errors=True)
  else:
    print('scratch files kept in %s' % work)
  # An explicitly requested net that is missing is a failure; a full run reports the missing.
  return 1 if failed or (args.net and missing) else 0


if __name__ == '__main__':
  sys.exit(main())
