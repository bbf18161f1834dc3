"""Writes the variable goldens of test/conformance/golden/ from the real TF-Slim.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/make_goldens.py [--out test/conformance/golden] [NET ...]

For each zoo net: golden/<net>.vars.txt, one line per global variable in creation order:
    <name> <shape AxBxC> <model|regular> <trainable 0|1>
plus golden/<net>.reg.txt (the variable behind each regularization loss, in order) and
golden/<net>.outputs.txt (output name and static shape).

For the seed document's snippets: golden/seed_<id>.vars.txt with the same format, a header of
`#` lines naming the inputs the snippet was given, and `# output <name> <shape>` lines; the
two snippets that fail in Python are recorded in golden/seed_errors.txt.
"""
import argparse
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfnets  # noqa: E402
from tfnets import slim, tf  # noqa: E402


def shape_str(t):
  dims = t.get_shape().as_list()
  return 'x'.join('?' if d is None else str(d) for d in dims) or 'scalar'


def write(path, lines):
  with open(path, 'w') as f:
    f.write(''.join(l + '\n' for l in lines))


def golden_net(name, out):
  _, _, size, _ = tfnets.NETS[name]
  with tf.Graph().as_default():
    inputs = tf.placeholder(tf.float32, [1, size, size, 3], name='input')
    outputs, _ = tfnets.build(name, inputs)
    write(os.path.join(out, name + '.vars.txt'), tfnets.variable_lines())
    write(os.path.join(out, name + '.reg.txt'), tfnets.regularized_lines())
    write(os.path.join(out, name + '.outputs.txt'),
          ['input %s' % shape_str(inputs)] +
          ['%s %s' % (k, shape_str(v)) for k, v in sorted(outputs.items())])
    n = len(slim.get_model_variables())
  print('%-14s %4d model variables' % (name, n))


# ---------------------------------------------------------------------------------------------
# Seed snippets. The text after the "inputs" line is the snippet as the seed document prints it
# (the `input = ...` / `net = ...` / `x = ...` placeholder lines are replaced by the declared
# inputs). Each runs in a fresh graph; `outputs` names the values whose shapes are recorded.

SEED = [
    ('variables', [], ['weights'], '''
weights = slim.variable('weights',
                             shape=[10, 10, 3 , 3],
                             initializer=tf.truncated_normal_initializer(stddev=0.1),
                             regularizer=slim.l2_regularizer(0.05),
                             device='/CPU:0')
'''),
    ('model_variables', [], [], '''
# Model Variables
weights = slim.model_variable('weights',
                              shape=[10, 10, 3 , 3],
                              initializer=tf.truncated_normal_initializer(stddev=0.1),
                              regularizer=slim.l2_regularizer(0.05),
                              device='/CPU:0')
model_variables = slim.get_model_variables()

# Regular variables
my_var = slim.variable('my_var',
                       shape=[20, 1],
                       initializer=tf.zeros_initializer())
regular_variables_and_model_variables = slim.get_variables()
'''),
    ('plain_tf_conv', [('input', [1, 56, 56, 64])], ['conv1'], '''
with tf.name_scope('conv1_1') as scope:
  kernel = tf.Variable(tf.truncated_normal([3, 3, 64, 128], dtype=tf.float32,
                                           stddev=1e-1), name='weights')
  conv = tf.nn.conv2d(input, kernel, [1, 1, 1, 1], padding='SAME')
  biases = tf.Variable(tf.constant(0.0, shape=[128], dtype=tf.float32),
                       trainable=True, name='biases')
  bias = tf.nn.bias_add(conv, biases)
  conv1 = tf.nn.relu(bias, name=scope)
'''),
    ('conv1_1', [('input', [1, 56, 56, 64])], ['net'], '''
net = slim.conv2d(input, 128, [3, 3], scope='conv1_1')
'''),
    ('repeat_verbose', [('net', [1, 56, 56, 128])], ['net'], '''
net = slim.conv2d(net, 256, [3, 3], scope='conv3_1')
net = slim.conv2d(net, 256, [3, 3], scope='conv3_2')
net = slim.conv2d(net, 256, [3, 3], scope='conv3_3')
net = slim.max_pool2d(net, [2, 2], scope='pool2')
'''),
    ('repeat_for_loop', [('net', [1, 56, 56, 128])], ['net'], '''
for i in range(3):
  net = slim.conv2d(net, 256, [3, 3], scope='conv3_' % (i+1))
net = slim.max_pool2d(net, [2, 2], scope='pool2')
'''),
    ('repeat', [('net', [1, 56, 56, 128])], ['net'], '''
net = slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope='conv3')
net = slim.max_pool2d(net, [2, 2], scope='pool2')
'''),
    ('stack_fc_verbose', [('x', [8, 16])], ['x'], '''
# Verbose way:
x = slim.fully_connected(x, 32, scope='fc/fc_1')
x = slim.fully_connected(x, 64, scope='fc/fc_2')
x = slim.fully_connected(x, 128, scope='fc/fc_3')
'''),
    ('stack_fc', [('x', [8, 16])], ['y'], '''
# Equivalent, TF-Slim way using slim.stack:
y = slim.stack(x, slim.fully_connected, [32, 64, 128], scope='fc')
'''),
    ('stack_conv_verbose', [('x', [1, 32, 32, 3])], ['x'], '''
# Verbose way:
x = slim.conv2d(x, 32, [3, 3], scope='core/core_1')
x = slim.conv2d(x, 32, [1, 1], scope='core/core_2')
x = slim.conv2d(x, 64, [3, 3], scope='core/core_3')
x = slim.conv2d(x, 64, [1, 1], scope='core/core_4')
'''),
    ('stack_conv', [('x', [1, 32, 32, 3])], ['y'], '''
# Using stack:
y = slim.stack(x, slim.conv2d, [(32, [3, 3]), (32, [1, 1]), (64, [3, 3]), (64, [1, 1])], scope='core')
'''),
    ('scopes_verbose', [('inputs', [1, 224, 224, 3])], ['net'], '''
net = slim.conv2d(inputs, 64, [11, 11], 4, padding='SAME',
                  weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                  weights_regularizer=slim.l2_regularizer(0.0005), scope='conv1')
net = slim.conv2d(net, 128, [11, 11], padding='VALID',
                  weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                  weights_regularizer=slim.l2_regularizer(0.0005), scope='conv2')
net = slim.conv2d(net, 256, [11, 11], padding='SAME',
                  weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                  weights_regularizer=slim.l2_regularizer(0.0005), scope='conv3')
'''),
    ('scopes_variables', [('inputs', [1, 224, 224, 3])], ['net'], '''
padding = 'SAME'
initializer = tf.truncated_normal_initializer(stddev=0.01)
regularizer = slim.l2_regularizer(0.0005)
net = slim.conv2d(inputs, 64, [11, 11], 4,
                  padding=padding,
                  weights_initializer=initializer,
                  weights_regularizer=regularizer,
                  scope='conv1')
net = slim.conv2d(net, 128, [11, 11],
                  padding='VALID',
                  weights_initializer=initializer,
                  weights_regularizer=regularizer,
                  scope='conv2')
net = slim.conv2d(net, 256, [11, 11],
                  padding=padding,
                  weights_initializer=initializer,
                  weights_regularizer=regularizer,
                  scope='conv3')
'''),
    # Exactly as printed, including the missing comma (and the 2-space indent, dedented here).
    ('arg_scope', [('inputs', [1, 224, 224, 3])], ['net'], '''
with slim.arg_scope([slim.conv2d], padding='SAME',
                    weights_initializer=tf.truncated_normal_initializer(stddev=0.01)
                    weights_regularizer=slim.l2_regularizer(0.0005)):
  net = slim.conv2d(inputs, 64, [11, 11], scope='conv1')
  net = slim.conv2d(net, 128, [11, 11], padding='VALID', scope='conv2')
  net = slim.conv2d(net, 256, [11, 11], scope='conv3')
'''),
    # The same with the comma added: what the author meant.
    ('arg_scope_fixed', [('inputs', [1, 224, 224, 3])], ['net'], '''
with slim.arg_scope([slim.conv2d], padding='SAME',
                    weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                    weights_regularizer=slim.l2_regularizer(0.0005)):
  net = slim.conv2d(inputs, 64, [11, 11], scope='conv1')
  net = slim.conv2d(net, 128, [11, 11], padding='VALID', scope='conv2')
  net = slim.conv2d(net, 256, [11, 11], scope='conv3')
'''),
    ('arg_scope_nested', [('inputs', [1, 224, 224, 3])], ['net'], '''
with slim.arg_scope([slim.conv2d, slim.fully_connected],
                      activation_fn=tf.nn.relu,
                      weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                      weights_regularizer=slim.l2_regularizer(0.0005)):
  with slim.arg_scope([slim.conv2d], stride=1, padding='SAME'):
    net = slim.conv2d(inputs, 64, [11, 11], 4, padding='VALID', scope='conv1')
    net = slim.conv2d(net, 256, [5, 5],
                      weights_initializer=tf.truncated_normal_initializer(stddev=0.03),
                      scope='conv2')
    net = slim.fully_connected(net, 1000, activation_fn=None, scope='fc')
'''),
    # The nested snippet fails in real TF-Slim (positional stride 4 plus arg_scope's stride=1 give
    # "multiple values for argument 'stride'"); this variant passes the stride by keyword.
    ('arg_scope_nested_kw', [('inputs', [1, 224, 224, 3])], ['net'], '''
with slim.arg_scope([slim.conv2d, slim.fully_connected],
                      activation_fn=tf.nn.relu,
                      weights_initializer=tf.truncated_normal_initializer(stddev=0.01),
                      weights_regularizer=slim.l2_regularizer(0.0005)):
  with slim.arg_scope([slim.conv2d], stride=1, padding='SAME'):
    net = slim.conv2d(inputs, 64, [11, 11], stride=4, padding='VALID', scope='conv1')
    net = slim.conv2d(net, 256, [5, 5],
                      weights_initializer=tf.truncated_normal_initializer(stddev=0.03),
                      scope='conv2')
    net = slim.fully_connected(net, 1000, activation_fn=None, scope='fc')
'''),
    ('vgg16', [('inputs', [1, 224, 224, 3])], ['net'], '''
def vgg16(inputs):
  with slim.arg_scope([slim.conv2d, slim.fully_connected],
                      activation_fn=tf.nn.relu,
                      weights_initializer=tf.truncated_normal_initializer(0.0, 0.01),
                      weights_regularizer=slim.l2_regularizer(0.0005)):
    net = slim.repeat(inputs, 2, slim.conv2d, 64, [3, 3], scope='conv1')
    net = slim.max_pool2d(net, [2, 2], scope='pool1')
    net = slim.repeat(net, 2, slim.conv2d, 128, [3, 3], scope='conv2')
    net = slim.max_pool2d(net, [2, 2], scope='pool2')
    net = slim.repeat(net, 3, slim.conv2d, 256, [3, 3], scope='conv3')
    net = slim.max_pool2d(net, [2, 2], scope='pool3')
    net = slim.repeat(net, 3, slim.conv2d, 512, [3, 3], scope='conv4')
    net = slim.max_pool2d(net, [2, 2], scope='pool4')
    net = slim.repeat(net, 3, slim.conv2d, 512, [3, 3], scope='conv5')
    net = slim.max_pool2d(net, [2, 2], scope='pool5')
    net = slim.fully_connected(net, 4096, scope='fc6')
    net = slim.dropout(net, 0.5, scope='dropout6')
    net = slim.fully_connected(net, 4096, scope='fc7')
    net = slim.dropout(net, 0.5, scope='dropout7')
    net = slim.fully_connected(net, 1000, activation_fn=None, scope='fc8')
  return net
net = vgg16(inputs)
'''),
]


def golden_seed(out):
  errors = []
  for sid, inputs, outs, src in SEED:
    src = src.lstrip('\n')
    header = ['# seed snippet %s; inputs: %s' % (
        sid, ', '.join('%s %s' % (n, 'x'.join(map(str, s))) for n, s in inputs) or 'none')]
    try:
      code = compile(src, 'seed_%s' % sid, 'exec')
    except SyntaxError as e:
      errors.append('%s: SyntaxError: %s (line %d, column %d: %r)' % (
          sid, e.msg, e.lineno, e.offset, (e.text or '').rstrip('\n')))
      continue
    with tf.Graph().as_default():
      env = {'tf': tf, 'slim': slim}
      for n, s in inputs:
        env[n] = tf.placeholder(tf.float32, s, name=n)
      try:
        exec(code, env)
      except Exception as e:  # record what Python / TF says
        tb = traceback.extract_tb(sys.exc_info()[2])
        line = [f for f in tb if f.filename == 'seed_%s' % sid][-1]
        errors.append('%s: %s: %s (line %d: %r)' % (sid, type(e).__name__, e, line.lineno,
                                                    src.splitlines()[line.lineno - 1]))
        continue
      lines = header + tfnets.variable_lines()
      lines += ['# output %s %s' % (o, shape_str(env[o])) for o in outs]
      lines += ['# regularized %s' % l for l in tfnets.regularized_lines()]
      write(os.path.join(out, 'seed_%s.vars.txt' % sid), lines)
  write(os.path.join(out, 'seed_errors.txt'),
        ['# Python %s, TensorFlow %s, tf_slim %s' % (sys.version.split()[0], tf.VERSION,
                                                     slim.__version__ if hasattr(slim, '__version__') else '1.1.0')]
        + errors)
  print('seed: %d snippets, %d errors' % (len(SEED), len(errors)))


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('--out', default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                'golden'))
  ap.add_argument('nets', nargs='*')
  args = ap.parse_args()
  os.makedirs(args.out, exist_ok=True)
  for name in args.nets or sorted(tfnets.NETS):
    golden_net(name, args.out)
  if not args.nets:
    golden_seed(args.out)


if __name__ == '__main__':
  main()
