"""Builds the zoo nets with the real TF-Slim (graph mode) for goldens and reference data.

Shared by make_goldens.py and make_reference.py; run with the reference venv's python
(scripts/tf-venv.sh). Every net is built the way research/slim's nets_factory builds it for
inference: inside the net's own arg_scope, with is_training=False.

MobileNet-v1 is not part of the tf_slim package; `mobilenet_v1` below is our own rendering of
research/slim/nets/mobilenet_v1.py (same layer sequence, scopes and arg_scope defaults, so the
same checkpoint names), written with tf_slim layers.
"""
import os
import warnings

os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
warnings.filterwarnings('ignore')

import tensorflow.compat.v1 as tf  # noqa: E402
import tf_slim as slim  # noqa: E402
from tf_slim.nets import alexnet, inception_v1, inception_v3, resnet_utils  # noqa: E402
from tf_slim.nets import resnet_v1, resnet_v2, vgg  # noqa: E402

tf.disable_eager_execution()
tf.logging.set_verbosity(tf.logging.ERROR)


# ---------------------------------------------------------------------------------------------
# MobileNet v1 (our own code; structure and names as in research/slim/nets/mobilenet_v1.py)

def _mnv1_layers():
  # (kind, stride, depth); every kernel is 3x3. Layer 0 is a full conv, the rest are
  # depthwise-separable (depthwise 3x3 + pointwise 1x1).
  spec = [('conv', 2, 32)]
  for stride, depth in [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512),
                        (1, 512), (1, 512), (1, 512), (1, 512), (1, 512), (2, 1024),
                        (1, 1024)]:
    spec.append(('sep', stride, depth))
  return spec


def mobilenet_v1_arg_scope(is_training=True, weight_decay=0.00004, stddev=0.09,
                           regularize_depthwise=False, batch_norm_decay=0.9997,
                           batch_norm_epsilon=0.001):
  bn = dict(center=True, scale=True, decay=batch_norm_decay, epsilon=batch_norm_epsilon)
  if is_training is not None:
    bn['is_training'] = is_training
  reg = slim.l2_regularizer(weight_decay)
  with slim.arg_scope([slim.conv2d, slim.separable_conv2d],
                      weights_initializer=tf.truncated_normal_initializer(stddev=stddev),
                      activation_fn=tf.nn.relu6, normalizer_fn=slim.batch_norm):
    with slim.arg_scope([slim.batch_norm], **bn):
      with slim.arg_scope([slim.conv2d], weights_regularizer=reg):
        with slim.arg_scope([slim.separable_conv2d],
                            weights_regularizer=reg if regularize_depthwise else None) as sc:
          return sc


def mobilenet_v1(inputs, num_classes=1000, dropout_keep_prob=0.999, is_training=True,
                 min_depth=8, depth_multiplier=1.0, spatial_squeeze=True,
                 scope='MobilenetV1'):
  def depth(d):
    return max(int(d * depth_multiplier), min_depth)

  end_points = {}
  with tf.variable_scope(scope, 'MobilenetV1', [inputs]) as sc:
    with slim.arg_scope([slim.batch_norm, slim.dropout], is_training=is_training):
      with slim.arg_scope([slim.conv2d, slim.separable_conv2d], padding='SAME'):
        net = inputs
        for i, (kind, stride, d) in enumerate(_mnv1_layers()):
          name = 'Conv2d_%d' % i
          if kind == 'conv':
            net = slim.conv2d(net, depth(d), [3, 3], stride=stride, scope=name)
            end_points[name] = net
          else:
            net = slim.separable_conv2d(net, None, [3, 3], depth_multiplier=1,
                                        stride=stride, rate=1, scope=name + '_depthwise')
            end_points[name + '_depthwise'] = net
            net = slim.conv2d(net, depth(d), [1, 1], stride=1, scope=name + '_pointwise')
            end_points[name + '_pointwise'] = net
      with tf.variable_scope('Logits'):
        shape = net.get_shape().as_list()
        k = [7, 7] if shape[1] is None else [min(shape[1], 7), min(shape[2], 7)]
        net = slim.avg_pool2d(net, k, padding='VALID', scope='AvgPool_1a')
        end_points['AvgPool_1a'] = net
        net = slim.dropout(net, keep_prob=dropout_keep_prob, scope='Dropout_1b')
        logits = slim.conv2d(net, num_classes, [1, 1], activation_fn=None,
                             normalizer_fn=None, scope='Conv2d_1c_1x1')
        if spatial_squeeze:
          logits = tf.squeeze(logits, [1, 2], name='SpatialSqueeze')
      end_points['Logits'] = logits
      end_points['Predictions'] = slim.softmax(logits, scope='Predictions')
  return logits, end_points


# ---------------------------------------------------------------------------------------------
# Registry: name -> (builder, arg_scope fn, default size, classes)

def _resnet_scope():
  return resnet_utils.resnet_arg_scope()


NETS = {
    'vgg_a': (vgg.vgg_a, vgg.vgg_arg_scope, 224, 1000),
    'vgg_16': (vgg.vgg_16, vgg.vgg_arg_scope, 224, 1000),
    'vgg_19': (vgg.vgg_19, vgg.vgg_arg_scope, 224, 1000),
    'alexnet_v2': (alexnet.alexnet_v2, alexnet.alexnet_v2_arg_scope, 224, 1000),
    'inception_v1': (inception_v1.inception_v1, inception_v1.inception_v1_arg_scope, 224, 1001),
    'inception_v3': (inception_v3.inception_v3, inception_v3.inception_v3_arg_scope, 299, 1001),
    'resnet_v1_50': (resnet_v1.resnet_v1_50, _resnet_scope, 224, 1000),
    'resnet_v1_101': (resnet_v1.resnet_v1_101, _resnet_scope, 224, 1000),
    'resnet_v1_152': (resnet_v1.resnet_v1_152, _resnet_scope, 224, 1000),
    # ResNet v2 checkpoints were trained with a background class: 1001 logits.
    'resnet_v2_50': (resnet_v2.resnet_v2_50, _resnet_scope, 224, 1001),
    'mobilenet_v1': (mobilenet_v1, mobilenet_v1_arg_scope, 224, 1001),
}

# The zoo nets whose batch norms get small moving variances (randomize_batch_norm's
# `small_variances`): MobileNet v1's ReLU6 must clip. Chosen per net, never by a variable's name.
SMALL_VARIANCE_NETS = frozenset(['mobilenet_v1'])


def build(name, inputs, num_classes=None, spatial_squeeze=True, net_args=None):
  """Builds net `name` on `inputs` (in the current default graph) and returns
  (dict of named outputs, the logits tensor). `spatial_squeeze=False` keeps the 1x1 (or larger,
  for fully-convolutional use) spatial dims of the logits where the net has that switch;
  `net_args` are further keyword arguments of the net function (e.g. ResNet's
  `global_pool=False, output_stride=16`)."""
  fn, scope_fn, _, classes = NETS[name]
  if num_classes is None:
    num_classes = classes
  kwargs = dict(num_classes=num_classes, is_training=False)
  if not name.startswith('resnet'):
    kwargs['spatial_squeeze'] = spatial_squeeze
  elif not spatial_squeeze:
    raise ValueError('%s has no spatial_squeeze switch (its logits keep their spatial dims); '
                     'pass global_pool=False for a spatial map of logits' % name)
  kwargs.update(net_args or {})
  with slim.arg_scope(scope_fn()):
    logits, end_points = fn(inputs, **kwargs)
  # Named as the zoo files name their outputs, so that numeric.sh pairs them.
  outputs = {'logits': logits}
  for key, name in (('Predictions', 'predictions'), ('predictions', 'predictions'),
                    ('AuxLogits', 'aux_logits')):
    if key in end_points:
      outputs[name] = end_points[key]
  return outputs, logits


def variable_lines():
  """`name shape collection trainable` for every global variable, in creation order."""
  model = {v.name for v in slim.get_model_variables()}
  trainable = {v.name for v in tf.trainable_variables()}
  lines = []
  for v in tf.global_variables():
    shape = 'x'.join(str(d) for d in v.get_shape().as_list()) or 'scalar'
    lines.append('%s %s %s %d' % (v.op.name, shape,
                                  'model' if v.name in model else 'regular',
                                  1 if v.name in trainable else 0))
  return lines


def _source_variable(op):
  seen, todo = set(), [op]
  while todo:
    op = todo.pop()
    if op.type in ('VariableV2', 'VarHandleOp', 'Variable'):
      return op.name
    for t in op.inputs:
      if t.op.name not in seen:
        seen.add(t.op.name)
        todo.append(t.op)
  return '?'


def regularized_lines():
  """`<variable> <loss op name>` for each regularization loss, in creation order (the loss op
  names say `kernel`, the name inside tf.layers, not the checkpoint name `weights`)."""
  return ['%s %s' % (_source_variable(l.op), l.op.name)
          for l in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)]


def randomize_batch_norm(name, value, rng, small_variances=False):
  """Non-trivial values for a batch-norm variable `name` (so that folding the statistics is
  really tested); other variables are returned unchanged. `small_variances` (a choice made per
  net by the caller: MobileNet v1 and v3) draws moving variances from [0.02, 0.2] instead of
  [0.5, 1.5]: gains up to 7x make pre-activations large enough for ReLU6 to clip often. A net
  with linear bottlenecks and residual sums (MobileNet v2) compounds such gains into an
  ill-conditioned function, so it keeps the ordinary range."""
  import numpy as np
  if name.endswith('moving_mean'):
    return rng.uniform(-0.5, 0.5, value.shape).astype(np.float32)
  if name.endswith('moving_variance'):
    lo, hi = (0.02, 0.2) if small_variances else (0.5, 1.5)
    return rng.uniform(lo, hi, value.shape).astype(np.float32)
  if name.endswith('/gamma') or name.endswith('/beta'):
    return (value + rng.uniform(-0.2, 0.2, value.shape)).astype(np.float32)
  return value


def assign_values(sess, values):
  """Loads {variable: numpy value} in one session call. (Variable.load, a call per variable,
  makes TensorFlow prune the whole graph for each new feed/fetch signature: quadratic in the
  graph's size, half an hour for NASNet's 1400 variables.)"""
  if values:
    sess.run([v.initializer for v in values],
             {v.initializer.inputs[1]: value for v, value in values.items()})


def perturb_variables(sess, variables, rng, batch_norm=True, small_variances=False):
  """Gives freshly initialized `variables` values that exercise what initializers leave trivial:
  biases get U(-0.1, 0.1) added (they start at zero), and with `batch_norm` the batch-norm
  statistics and gamma/beta are randomized (randomize_batch_norm, with `small_variances`) so
  that folding is tested. Draws from `rng` in variable order, so a seed gives the same values
  every time."""
  import numpy as np
  new_values = {}
  for v, val in zip(variables, sess.run(variables)):
    new = (randomize_batch_norm(v.op.name, val, rng, small_variances) if batch_norm
           else val)
    if v.op.name.split('/')[-1] == 'biases':
      new = (val + rng.uniform(-0.1, 0.1, val.shape)).astype(np.float32)
    if new is not val:
      new_values[v] = new
  assign_values(sess, new_values)
