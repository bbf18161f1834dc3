"""The TensorFlow half of the numeric conformance test: builds a zoo net with the real TF-Slim,
gives it fixed pseudo-random weights (batch-norm moving statistics and biases included, so that
folding and bias handling are really exercised), runs a fixed input and saves everything slimrun
needs to reproduce the numbers.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/make_reference.py NET OUTDIR [--batch N] [--size S]
            [--no-squeeze] [--net-arg KEY=VALUE ...] [--num-classes K] [--seed SEED] [--v1]

Writes into OUTDIR:
  model.ckpt.index, model.ckpt.data-00000-of-00001   TensorFlow V2 checkpoint of all global
                                                     variables (--v1: one V1 file model.ckpt)
  input.npy                                          the input batch, float32 NHWC
  output_<name>.npy                                  each output (logits, predictions,
                                                     aux_logits where the net has them)
  reference.json                                     net, versions, shapes, the regularization
                                                     loss (tf.losses.get_regularization_loss())
                                                     and the variable list
NET is one of tfnets.NETS (vgg_16, alexnet_v2, inception_v3, resnet_v1_50, mobilenet_v1, ...).
Outputs are large for the big nets: write OUTDIR under /tmp or out/ (gitignored), never commit.
"""
import argparse
import ast
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
import tfnets  # noqa: E402
from tfnets import slim, tf  # noqa: E402


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('net', choices=sorted(tfnets.NETS))
  ap.add_argument('outdir')
  ap.add_argument('--batch', type=int, default=1)
  ap.add_argument('--size', type=int, default=None, help='input height = width (default: '
                  "the net's default_image_size)")
  ap.add_argument('--no-squeeze', action='store_true',
                  help='spatial_squeeze=False (keeps [N,H,W,classes] logits)')
  ap.add_argument('--net-arg', action='append', default=[], metavar='KEY=VALUE',
                  help='a further keyword argument of the net function, VALUE a Python literal '
                  '(e.g. global_pool=False, output_stride=16, depth_multiplier=0.5)')
  ap.add_argument('--num-classes', type=int, default=None)
  ap.add_argument('--seed', type=int, default=1234)
  ap.add_argument('--v1', action='store_true', help='write a V1 checkpoint (model.ckpt)')
  args = ap.parse_args()

  net_args = {}
  for item in args.net_arg:
    key, sep, value = item.partition('=')
    if not sep:
      ap.error('--net-arg expects KEY=VALUE, got %r' % item)
    net_args[key] = ast.literal_eval(value)
  _, _, default_size, _ = tfnets.NETS[args.net]
  size = args.size or default_size
  os.makedirs(args.outdir, exist_ok=True)
  rng = np.random.RandomState(args.seed)

  with tf.Graph().as_default():
    tf.set_random_seed(args.seed)
    inputs = tf.placeholder(tf.float32, [args.batch, size, size, 3], name='input')
    outputs, _ = tfnets.build(args.net, inputs, num_classes=args.num_classes,
                              spatial_squeeze=not args.no_squeeze, net_args=net_args)
    reg_loss = tf.losses.get_regularization_loss()
    variables = tf.global_variables()
    var_lines = tfnets.variable_lines()
    version = (tf.train.SaverDef.V1 if args.v1 else tf.train.SaverDef.V2)
    saver = tf.train.Saver(variables, write_version=version)

    with tf.Session() as sess:
      sess.run(tf.global_variables_initializer())
      tfnets.perturb_variables(sess, variables, rng,
                               small_variances=args.net in tfnets.SMALL_VARIANCE_NETS)
      x = rng.uniform(-1.0, 1.0, (args.batch, size, size, 3)).astype(np.float32)
      names = sorted(outputs)
      values = sess.run([outputs[n] for n in names], {inputs: x})
      reg = float(sess.run(reg_loss))
      prefix = saver.save(sess, os.path.join(args.outdir, 'model.ckpt'),
                          write_meta_graph=False, write_state=False)

  np.save(os.path.join(args.outdir, 'input.npy'), x)
  for n, val in zip(names, values):
    np.save(os.path.join(args.outdir, 'output_%s.npy' % n), val)
  info = {
      'net': args.net,
      'tensorflow': tf.VERSION,
      'tf_slim': '1.1.0',
      'checkpoint': {'prefix': os.path.basename(prefix), 'format': 'V1' if args.v1 else 'V2'},
      'input': {'name': 'input', 'shape': list(x.shape)},
      'spatial_squeeze': not args.no_squeeze,
      'net_args': net_args,
      'outputs': {n: list(v.shape) for n, v in zip(names, values)},
      'regularization_loss': reg,
      'seed': args.seed,
      'variables': var_lines,
  }
  with open(os.path.join(args.outdir, 'reference.json'), 'w') as f:
    json.dump(info, f, indent=1)
  print('%s: input %s, outputs %s, regularization loss %.6g, %s checkpoint in %s' % (
      args.net, 'x'.join(map(str, x.shape)),
      ', '.join('%s %s' % (n, 'x'.join(map(str, v.shape))) for n, v in zip(names, values)),
      reg, info['checkpoint']['format'], args.outdir))


if __name__ == '__main__':
  main()
