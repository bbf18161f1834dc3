"""Small experiments against the real TensorFlow / TF-Slim whose results slimc must reproduce.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/facts.py > /tmp/facts.md
Prints Markdown: for each experiment its code and what it printed. FACTS.md quotes this output.
Each experiment runs in a fresh graph with `tf` = tf.compat.v1, `slim` = tf_slim, `np` = numpy
and `run(t, feed=None)` evaluating tensors after initializing all variables.
"""
import io
import os
import sys
import textwrap
import contextlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402
from tfnets import slim, tf  # noqa: E402

EXPERIMENTS = []


def experiment(title):
  def add(code):
    EXPERIMENTS.append((title, textwrap.dedent(code).strip('\n')))
  return add


experiment('SAME padding of conv2d: which side gets the extra pad')('''
x = tf.constant([1., 2., 3., 4.], shape=[1, 1, 4, 1])          # NHWC, W = 4
# 1x2 kernel [1, 10], stride 1: total pad 1
k = tf.constant([1., 10.], shape=[1, 2, 1, 1])
print('k=2 s=1 in=4:', run(tf.nn.conv2d(x, k, [1, 1, 1, 1], 'SAME')).ravel())
# 1x4 kernel [1, 10, 100, 1000], stride 1, W = 4: total pad 3
k4 = tf.constant([1., 10., 100., 1000.], shape=[1, 4, 1, 1])
print('k=4 s=1 in=4:', run(tf.nn.conv2d(x, k4, [1, 1, 1, 1], 'SAME')).ravel())
# 1x3 kernel [1, 10, 100], stride 2, W = 4: out 2, total pad max((2-1)*2+3-4, 0) = 1
k3 = tf.constant([1., 10., 100.], shape=[1, 3, 1, 1])
print('k=3 s=2 in=4:', run(tf.nn.conv2d(x, k3, [1, 1, 2, 1], 'SAME')).ravel())
# the same through slim.conv2d (no bias, no activation)
y = slim.conv2d(x, 1, [1, 2], padding='SAME', activation_fn=None, biases_initializer=None,
                weights_initializer=tf.constant_initializer([1., 10.]))
print('slim.conv2d k=2:', run(y).ravel())
''')

experiment('SAME padding of max_pool2d / avg_pool2d; avg_pool SAME divisor')('''
x = tf.constant([5., 4., 3., 2., 1.], shape=[1, 1, 5, 1])
# k=2 s=2 on W=5: out 3, total pad 1
print('max k=2 s=2:', run(slim.max_pool2d(x, [1, 2], stride=[1, 2], padding='SAME')).ravel())
y = tf.constant([1., 2., 3., 4.], shape=[1, 1, 4, 1])
print('avg k=2 s=1 in=[1,2,3,4]:',
      run(slim.avg_pool2d(y, [1, 2], stride=1, padding='SAME')).ravel())
ones = tf.ones([1, 3, 3, 1])
print('avg 3x3 s=1 SAME over ones (divisor = valid count?):\\n',
      run(slim.avg_pool2d(ones, [3, 3], stride=1, padding='SAME'))[0, :, :, 0])
z = tf.constant(np.arange(1., 10.).reshape(1, 3, 3, 1), dtype=tf.float32)
print('avg 3x3 s=1 SAME over 1..9, corner:',
      run(slim.avg_pool2d(z, [3, 3], stride=1, padding='SAME'))[0, 0, 0, 0],
      '= (1+2+4+5)/4 =', (1 + 2 + 4 + 5) / 4)
print('pool defaults: max_pool2d(x,[2,2]) on 1x5x5x1 ->',
      slim.max_pool2d(tf.ones([1, 5, 5, 1]), [2, 2]).shape, '(stride 2, VALID)')
''')

experiment('fully_connected on a rank-4 input')('''
x = tf.constant(np.random.RandomState(0).rand(2, 3, 4, 5), dtype=tf.float32)
y = slim.fully_connected(x, 7, activation_fn=None)
w = [v for v in tf.global_variables() if v.op.name.endswith('weights')][0]
print('output shape', y.shape, 'weights', w.op.name, w.shape)
out, wv = run([y, w])
print('equals x @ W on the last axis:', np.allclose(out, np.tensordot(run(x), wv, 1), atol=1e-5))
''')

experiment('slim.repeat / slim.stack scope names without a scope argument')('''
x = tf.ones([1, 8, 8, 3])
slim.repeat(x, 2, slim.conv2d, 4, [3, 3])
slim.repeat(x, 2, slim.conv2d, 4, [3, 3])
slim.stack(tf.ones([2, 3]), slim.fully_connected, [4, 5])
slim.repeat(x, 1, slim.max_pool2d, [2, 2])
slim.repeat(x, 1, slim.conv2d, 4, [3, 3], scope='r')
for v in tf.global_variables():
  print(v.op.name, v.shape)
print('slim.conv2d.__name__ =', slim.conv2d.__name__,
      '; slim.fully_connected.__name__ =', slim.fully_connected.__name__)
''')

experiment('Default scope names are unique-ified per enclosing scope: Conv, Conv_1, ...')('''
x = tf.ones([1, 8, 8, 3])
slim.conv2d(x, 4, [3, 3])
slim.conv2d(x, 4, [3, 3])
with tf.variable_scope('outer'):
  slim.conv2d(x, 4, [3, 3])
  slim.fully_connected(tf.ones([2, 3]), 4)
  slim.fully_connected(tf.ones([2, 3]), 4)
  slim.separable_conv2d(x, 4, [3, 3], depth_multiplier=1)
  slim.batch_norm(x)
  slim.conv2d(x, 4, [3, 3], scope='Conv_1')     # an explicit name that collides later
  slim.conv2d(x, 4, [3, 3])                      # default after an explicit Conv_1
slim.conv2d(x, 4, [3, 3])
for v in tf.global_variables():
  print(v.op.name, v.shape)
''')

experiment('Reusing a scope name: the duplicate variable error')('''
x = tf.ones([1, 8, 8, 3])
slim.conv2d(x, 4, [3, 3], scope='conv1')
try:
  slim.conv2d(x, 4, [3, 3], scope='conv1')
except ValueError as e:
  print('ValueError:', str(e).split('\\n')[0])
with tf.variable_scope('a'):
  pass
with tf.variable_scope('a'):          # re-entering a scope by name is fine ...
  v = tf.get_variable('v', [1])
print(v.op.name)
try:
  slim.variable('weights', shape=[2])
  slim.variable('weights', shape=[2])
except ValueError as e:
  print('ValueError:', str(e).split('\\n')[0])
''')

experiment('get_variables_to_restore include/exclude: regex prefix match on the full name')('''
from tf_slim.nets import vgg
with slim.arg_scope(vgg.vgg_arg_scope()):
  vgg.vgg_16(tf.ones([1, 224, 224, 3]), is_training=False)
def names(vs):
  return sorted(set(v.op.name.split('/')[1] for v in vs))
print("exclude=['fc8']        ->", names(slim.get_variables_to_restore(exclude=['fc8'])))
print("exclude=['vgg_16/fc8'] ->", names(slim.get_variables_to_restore(exclude=['vgg_16/fc8'])))
print("exclude=['vgg_16/fc']  ->", names(slim.get_variables_to_restore(exclude=['vgg_16/fc'])))
print("exclude=['.*fc8']      ->", names(slim.get_variables_to_restore(exclude=['.*fc8'])))
print("include=['vgg_16/conv1'] ->",
      [v.op.name for v in slim.get_variables_to_restore(include=['vgg_16/conv1'])])
print("get_variables('vgg_16/fc8') ->", [v.op.name for v in slim.get_variables('vgg_16/fc8')])
print("get_variables(suffix='biases')[:2] ->",
      [v.op.name for v in slim.get_variables(suffix='biases')][:2])
''')

experiment('batch_norm variables by center / scale, and as a conv2d normalizer_fn')('''
x = tf.ones([1, 4, 4, 3])
for center in (True, False):
  for scale in (False, True):
    slim.batch_norm(x, center=center, scale=scale, scope='bn_c%d_s%d' % (center, scale))
slim.conv2d(x, 2, [1, 1], normalizer_fn=slim.batch_norm, scope='conv')
slim.conv2d(x, 2, [1, 1], normalizer_fn=slim.batch_norm,
            normalizer_params={'scale': True}, scope='conv_scaled')
model = set(v.name for v in slim.get_model_variables())
train = set(v.name for v in tf.trainable_variables())
for v in tf.global_variables():
  print(v.op.name, v.shape, 'model' if v.name in model else 'regular',
        'trainable' if v.name in train else 'not-trainable')
print('moving_vars collections:', [c for c in tf.get_default_graph().get_all_collection_keys()])
''')

experiment('batch_norm inference formula and epsilon (is_training=False)')('''
rng = np.random.RandomState(0)
xv = rng.randn(2, 3, 3, 4).astype(np.float32)
y = slim.batch_norm(tf.constant(xv), scale=True, is_training=False, epsilon=0.001,
                    scope='bn')
vs = {v.op.name.split('/')[-1]: v for v in tf.global_variables()}
with tf.Session() as s:
  s.run(tf.global_variables_initializer())
  m, var = rng.randn(4).astype(np.float32), rng.rand(4).astype(np.float32) + 0.5
  g, b = rng.rand(4).astype(np.float32) + 0.5, rng.randn(4).astype(np.float32)
  for k, val in (('moving_mean', m), ('moving_variance', var), ('gamma', g), ('beta', b)):
    vs[k].load(val, s)
  out = s.run(y)
ref = g * (xv - m) / np.sqrt(var + 0.001) + b
print('max |y - (gamma*(x-mean)/sqrt(var+eps)+beta)| =', np.abs(out - ref).max())
''')

experiment('separable_conv2d: variable names, shapes, default scope')('''
x = tf.ones([1, 8, 8, 3])
slim.separable_conv2d(x, None, [3, 3], depth_multiplier=1)
slim.separable_conv2d(x, None, [3, 3], depth_multiplier=2, normalizer_fn=slim.batch_norm)
slim.separable_conv2d(x, 16, [3, 3], depth_multiplier=2)
y = slim.separable_conv2d(x, None, [3, 3], depth_multiplier=1, stride=2, scope='dw')
for v in tf.global_variables():
  print(v.op.name, v.shape)
print('dw output', y.shape)
''')

experiment('Initializers: xavier / variance_scaling fans and bounds')('''
conv = slim.model_variable('conv', shape=[3, 3, 16, 32],
                           initializer=slim.xavier_initializer(seed=1))
fc = slim.model_variable('fc', shape=[200, 100], initializer=slim.xavier_initializer(seed=1))
he = slim.model_variable('he', shape=[3, 3, 64, 64],
                         initializer=slim.variance_scaling_initializer(seed=1))
heu = slim.model_variable('heu', shape=[3, 3, 64, 64],
                          initializer=slim.variance_scaling_initializer(uniform=True, seed=1))
avg = slim.model_variable('avg', shape=[3, 3, 64, 128],
                          initializer=slim.variance_scaling_initializer(
                              factor=1.0, mode='FAN_AVG', seed=1))
c, f, h, hu, a = run([conv, fc, he, heu, avg])
print('xavier conv 3x3x16x32: max|w| = %.5f, sqrt(6/(144+288)) = %.5f'
      % (np.abs(c).max(), np.sqrt(6. / (144 + 288))))
print('xavier fc 200x100:     max|w| = %.5f, sqrt(6/(200+100)) = %.5f'
      % (np.abs(f).max(), np.sqrt(6. / 300)))
print('variance_scaling() 3x3x64x64: std = %.5f, max|w| = %.5f; '
      'sqrt(1.3*2/576) = %.5f, 2x that = %.5f'
      % (h.std(), np.abs(h).max(), np.sqrt(1.3 * 2 / 576), 2 * np.sqrt(1.3 * 2 / 576)))
print('   std of a normal N(0,s) truncated at 2s is 0.8796 s: 0.8796*sqrt(1.3*2/576) = %.5f'
      % (0.8796 * np.sqrt(1.3 * 2 / 576)))
print('variance_scaling(uniform=True) 3x3x64x64: max|w| = %.5f, sqrt(3*2/576) = %.5f'
      % (np.abs(hu).max(), np.sqrt(3 * 2. / 576)))
print("variance_scaling(1.0,'FAN_AVG') 3x3x64x128: std = %.5f, sqrt(1.3/((576+1152)/2)) = %.5f"
      " (x0.8796 = %.5f)" % (a.std(), np.sqrt(1.3 / 864), 0.8796 * np.sqrt(1.3 / 864)))
t = slim.model_variable('t', shape=[1000], initializer=tf.truncated_normal_initializer(0.0, 0.5,
                                                                                     seed=1))
print('truncated_normal(0, 0.5): max|w| = %.4f (cut at 2 stddev = 1.0)' % np.abs(run(t)).max())
''')

experiment('Regularizers: values and argument checks')('''
w = tf.constant([[1., -2.], [3., 4.]])
print('l2_regularizer(0.5)(w) =', run(slim.l2_regularizer(0.5)(w)), '= 0.5*sum(w^2)/2 =',
      0.5 * 30 / 2)
print('l1_regularizer(0.5)(w) =', run(slim.l1_regularizer(0.5)(w)))
print('l1_l2_regularizer(0.5, 0.5)(w) =', run(slim.l1_l2_regularizer(0.5, 0.5)(w)))
print('l2_regularizer(0.0) ->', slim.l2_regularizer(0.0)(w))
for bad in (1, -0.1, 2.0):
  try:
    slim.l2_regularizer(bad)
    print('l2_regularizer(%r) accepted' % bad)
  except ValueError as e:
    print('l2_regularizer(%r): ValueError: %s' % (bad, e))
''')

experiment('arg_scope: listing a function that is not arg-scoped; kwarg clashes')('''
for op in (tf.nn.relu, slim.repeat):
  try:
    with slim.arg_scope([op], a=1):
      pass
  except ValueError as e:
    print('arg_scope([%s]): ValueError: %s' % (op.__name__, e))
with slim.arg_scope([slim.conv2d], stride=1):
  try:
    slim.conv2d(tf.ones([1, 8, 8, 3]), 4, [3, 3], 2)
  except TypeError as e:
    print('positional stride under arg_scope(stride=1): TypeError:', e)
with slim.arg_scope([slim.conv2d], bogus=1):
  try:
    slim.conv2d(tf.ones([1, 8, 8, 3]), 4, [3, 3])
  except TypeError as e:
    print('unknown kwarg from arg_scope: TypeError:', e)
try:
  slim.conv2d(tf.ones([1, 8, 8, 3]), 4, [3, 3], bogus=1)
except TypeError as e:
  print('unknown kwarg: TypeError:', e)
try:
  with slim.arg_scope(slim.arg_scope([slim.conv2d], stride=1).__enter__(), stride=2):
    pass
except ValueError as e:
  print('arg_scope(saved_scope, kw): ValueError:', e)
''')

experiment('arg_scope defaults reach a normalizer_fn; explicit normalizer_params win')('''
with slim.arg_scope([slim.batch_norm], scale=True, epsilon=0.5):
  y = slim.conv2d(tf.ones([1, 4, 4, 3]), 2, [1, 1], normalizer_fn=slim.batch_norm, scope='a')
  z = slim.conv2d(tf.ones([1, 4, 4, 3]), 2, [1, 1], normalizer_fn=slim.batch_norm,
                  normalizer_params={'scale': False}, scope='b')
print([v.op.name for v in tf.global_variables()])
eps = [op.get_attr('epsilon') for op in tf.get_default_graph().get_operations()
       if op.type.startswith('FusedBatchNorm')]
print('FusedBatchNorm epsilons:', eps)
''')

experiment('conv2d: rate with stride, and dropout at inference')('''
x = tf.ones([1, 8, 8, 3])
try:
  slim.conv2d(x, 4, [3, 3], stride=2, rate=2)
  print('rate=2 with stride=2 accepted')
except ValueError as e:
  print('rate=2 with stride=2: ValueError:', e)
y = slim.conv2d(x, 4, [3, 3], rate=2, padding='VALID', scope='atrous')
print('rate=2 VALID 3x3 on 8x8 ->', y.shape)
d = slim.dropout(x, 0.5, is_training=False)
print('dropout(is_training=False) op type:', d.op.type)
d2 = slim.dropout(x, 0.5)
print('dropout() default is_training=True; ops:',
      sorted(set(o.type for o in tf.get_default_graph().get_operations()
                 if o.name.startswith('Dropout_1'))))
''')

experiment('Seed snippet with a missing comma / a % with no placeholder (Python itself)')('''
try:
  compile("f(a=1,\\n  b=g(c=0.01)\\n  d=2)\\n", 'snippet', 'exec')
except SyntaxError as e:
  print('SyntaxError:', e.msg, '| line', e.lineno, 'col', e.offset)
try:
  'conv3_' % (0 + 1)
except TypeError as e:
  print('TypeError:', e)
''')


def run_in_graph(code):
  out = io.StringIO()
  with tf.Graph().as_default():
    sess = {}

    def run(t, feed=None):
      if 's' not in sess:
        sess['s'] = tf.Session()
      sess['s'].run(tf.global_variables_initializer())
      return sess['s'].run(t, feed)

    env = {'tf': tf, 'slim': slim, 'np': np, 'run': run}
    with contextlib.redirect_stdout(out):
      try:
        exec(compile(code, '<experiment>', 'exec'), env)
      except Exception as e:  # an experiment that fails is itself a fact
        print('UNCAUGHT %s: %s' % (type(e).__name__, e))
  return out.getvalue()


def main():
  np.set_printoptions(precision=4, suppress=True)
  print('<!-- generated by test/conformance/facts.py: TensorFlow %s, tf_slim 1.1.0, '
        'numpy %s -->' % (tf.VERSION, np.__version__))
  for i, (title, code) in enumerate(EXPERIMENTS):
    print('\n### E%d. %s\n\n```python\n%s\n```\n\nOutput:\n\n```\n%s```' % (
        i + 1, title, code, run_in_graph(code)))


if __name__ == '__main__':
  main()
