"""Writes a TF-Slim net as ONNX directly (no tf2onnx) and checks it against TensorFlow.

Usage (with the ORT venv of bench/nets.sh: tensorflow-cpu, tf-slim, onnx, onnxruntime):
  python bench/onnx_export.py NET --batch N --onnx OUT.onnx [--ref REF.npz] [--checkpoint CKPT]
                             [--seed S] [--bias-noise X]

Why: tf2onnx 1.17 needs more than the VM's 23 GB to convert the frozen VGG-16 graph (its grappler
constant folding is killed by the OOM killer; without grappler its ONNX optimizers still need
more than 14 GB of address space and fail), so bench/nets.sh uses this exporter for VGG-16.

How: the net is built with the real TF-Slim code (test/conformance/tfnets.py `build`,
is_training=False, inside the net's arg_scope) on a placeholder `input` [N,H,W,3]; its variables
are initialized (graph seed S, default 1) or restored from a TF-Slim checkpoint. The exporter then
walks the TensorFlow graph backwards from the logits and translates each op into ONNX with
onnx.helper, taking every weight's value from the TensorFlow session (so ONNX Runtime runs the
same network with the same weights as TensorFlow):
  input NHWC -> Transpose to NCHW once; every 4-D tensor stays NCHW from then on
  Conv2D (+ its BiasAdd) -> Conv with explicit pads (TF's SAME split, larger half after),
                            HWIO weights transposed to OIHW, the bias as Conv's B input
  Relu / Relu6 -> Relu / Clip(0, 6)      MaxPool / AvgPool -> MaxPool / AveragePool
  Squeeze of H,W -> Squeeze of axes 2,3  Identity (dropout at inference) -> nothing
Any other op makes it fail (it covers the VGG family; other nets stay on tf2onnx). A 4-D output
is transposed back to NHWC, so the ONNX model's input and output are TF's.

Check: TensorFlow and ONNX Runtime (CPU, ORT_ENABLE_ALL, as bench/ort_bench.py) run the same
random batch; it prints
  onnx_export NET batch=N nodes=.. max_abs_diff=.. max_abs_logit=.. rel_diff=.. peak_rss_mb=..
and exits with status 1, deleting OUT, when rel_diff = max|ort - tf| / max|tf| exceeds 1e-4.
With --ref it also writes TensorFlow's input and logits there (bench/tf_ref.py), against which
bench/ort_bench.py and bench/ov_bench.py check the file's other peers before timing them.
"""
import argparse
import os
import resource
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', 'test', 'conformance'))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
import tf_ref  # noqa: E402
import tfnets  # noqa: E402
from tfnets import tf  # noqa: E402

MAX_REL_DIFF = tf_ref.MAX_REL_DIFF
NHWC_TO_NCHW = {0: 0, 1: 2, 2: 3, 3: 1}


class Exporter:
  def __init__(self, sess, input_tensor):
    self.sess = sess
    self.input = input_tensor
    self.nodes = []
    self.inits = []
    self.names = {}  # TF tensor name -> ONNX value name
    self.rank = {}  # ONNX value name -> rank (4-D values are NCHW)

  def const(self, name, value):
    self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
    return name

  def node(self, op_type, inputs, name, **attrs):
    self.nodes.append(helper.make_node(op_type, inputs, [name], name=name, **attrs))
    return name

  def value(self, t):
    """The ONNX name of TF tensor t, translating the ops it depends on first."""
    if t.name not in self.names:
      self.names[t.name] = self.translate(t.op)
    return self.names[t.name]

  def weight(self, t):
    return self.sess.run(t)

  @staticmethod
  def spatial_pads(in_hw, k_hw, strides, dilations, padding):
    if padding == 'VALID':
      return [0, 0, 0, 0]
    if padding != 'SAME':
      raise NotImplementedError('padding %s' % padding)
    begin, end = [], []
    for n, k, s, d in zip(in_hw, k_hw, strides, dilations):
      eff = (k - 1) * d + 1
      out = -(-n // s)
      total = max((out - 1) * s + eff - n, 0)
      begin.append(total // 2)
      end.append(total - total // 2)
    return begin + end

  def check_nhwc(self, op):
    fmt = op.get_attr('data_format')
    if fmt not in (b'NHWC', 'NHWC'):
      raise NotImplementedError('%s: data_format %s' % (op.name, fmt))

  def conv(self, op, bias=None, out_name=None):
    self.check_nhwc(op)
    x = self.value(op.inputs[0])
    w = self.weight(op.inputs[1])  # HWIO
    h, wd = op.inputs[0].shape.as_list()[1:3]
    strides = op.get_attr('strides')[1:3]
    dilations = op.get_attr('dilations')[1:3]
    pads = self.spatial_pads([h, wd], w.shape[:2], strides, dilations,
                             op.get_attr('padding').decode())
    inputs = [x, self.const(op.name + '/weights_oihw', w.transpose(3, 2, 0, 1))]
    if bias is not None:
      inputs.append(self.const(op.name + '/bias', bias))
    name = self.node('Conv', inputs, out_name or op.name, kernel_shape=list(w.shape[:2]),
                     strides=list(strides), dilations=list(dilations), pads=pads, group=1)
    self.rank[name] = 4
    return name

  def pool(self, op, onnx_type):
    self.check_nhwc(op)
    x = self.value(op.inputs[0])
    k = op.get_attr('ksize')
    s = op.get_attr('strides')
    if k[0] != 1 or k[3] != 1 or s[0] != 1 or s[3] != 1:
      raise NotImplementedError('%s: pooling over batch or channels' % op.name)
    h, w = op.inputs[0].shape.as_list()[1:3]
    pads = self.spatial_pads([h, w], k[1:3], s[1:3], [1, 1], op.get_attr('padding').decode())
    # AveragePool's default count_include_pad=0 matches TF's SAME average (padding not counted).
    name = self.node(onnx_type, [x], op.name, kernel_shape=list(k[1:3]), strides=list(s[1:3]),
                     pads=pads)
    self.rank[name] = 4
    return name

  def translate(self, op):
    t = op.type
    if op.name == self.input.op.name:
      name = self.node('Transpose', [op.name], op.name + '/nchw', perm=[0, 3, 1, 2])
      self.rank[name] = 4
      return name
    if t == 'Identity':
      return self.value(op.inputs[0])
    if t == 'Conv2D':
      return self.conv(op)
    if t == 'BiasAdd':
      self.check_nhwc(op)
      src = op.inputs[0].op
      bias = self.weight(op.inputs[1])
      if src.type == 'Conv2D' and len(src.outputs[0].consumers()) == 1 and \
          src.outputs[0].name not in self.names:
        name = self.conv(src, bias=bias, out_name=op.name)
        self.names[src.outputs[0].name] = name
        return name
      x = self.value(op.inputs[0])
      r = self.rank[x]
      b = bias.reshape([-1] + [1] * (r - 2)) if r == 4 else bias
      name = self.node('Add', [x, self.const(op.name + '/bias', b)], op.name)
      self.rank[name] = r
      return name
    if t == 'Relu':
      x = self.value(op.inputs[0])
      name = self.node('Relu', [x], op.name)
      self.rank[name] = self.rank[x]
      return name
    if t == 'Relu6':
      x = self.value(op.inputs[0])
      lo = self.const(op.name + '/min', np.array(0, np.float32))
      hi = self.const(op.name + '/max', np.array(6, np.float32))
      name = self.node('Clip', [x, lo, hi], op.name)
      self.rank[name] = self.rank[x]
      return name
    if t == 'MaxPool':
      return self.pool(op, 'MaxPool')
    if t == 'AvgPool':
      return self.pool(op, 'AveragePool')
    if t == 'Squeeze':
      x = self.value(op.inputs[0])
      r = self.rank[x]
      dims = list(op.get_attr('squeeze_dims'))
      if not dims:
        raise NotImplementedError('%s: Squeeze without axes' % op.name)
      dims = [d % r for d in dims]
      axes = sorted(NHWC_TO_NCHW[d] for d in dims) if r == 4 else sorted(dims)
      if r == 4 and sorted(dims) != [1, 2]:
        raise NotImplementedError('%s: Squeeze of %s on a 4-D tensor' % (op.name, dims))
      name = self.node('Squeeze', [x, self.const(op.name + '/axes', np.array(axes, np.int64))],
                       op.name)
      self.rank[name] = r - len(axes)
      return name
    raise NotImplementedError('op %s (%s) has no ONNX translation here' % (op.name, t))

  def model(self, output, out_name):
    x = self.value(output)
    if self.rank[x] == 4:
      x = self.node('Transpose', [x], x + '/nhwc', perm=[0, 2, 3, 1])
    self.nodes.append(helper.make_node('Identity', [x], [out_name], name=out_name))
    graph = helper.make_graph(
        self.nodes, 'slim_' + output.op.name.split('/')[0],
        [helper.make_tensor_value_info(self.input.op.name, TensorProto.FLOAT,
                                       self.input.shape.as_list())],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, output.shape.as_list())],
        self.inits)
    self.inits = []
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)],
                             producer_name='slimc bench/onnx_export.py')


def main():
  ap = argparse.ArgumentParser()
  ap.add_argument('net')
  ap.add_argument('--batch', type=int, default=1)
  ap.add_argument('--onnx', required=True)
  ap.add_argument('--ref', default=None, help="write TensorFlow's input and logits here (.npz)")
  ap.add_argument('--checkpoint', default=None, help='TF-Slim checkpoint (default: initializers)')
  ap.add_argument('--seed', type=int, default=1, help='graph seed for the initializers')
  ap.add_argument('--bias-noise', type=float, default=0.0,
                  help='add uniform(-x, x) noise to every bias (zero under the initializers), '
                  'so that the check also covers the bias path')
  args = ap.parse_args()

  size = tfnets.NETS[args.net][2]
  graph = tf.Graph()
  with graph.as_default():
    tf.set_random_seed(args.seed)
    inputs = tf.placeholder(tf.float32, [args.batch, size, size, 3], name='input')
    _, logits = tfnets.build(args.net, inputs)
    init = tf.global_variables_initializer()
    saver = tf.train.Saver() if args.checkpoint else None
  feed = tf_ref.batch((args.batch, size, size, 3))

  with tf.Session(graph=graph) as sess:
    if saver:
      saver.restore(sess, args.checkpoint)
    else:
      sess.run(init)
    if args.bias_noise:
      rng = np.random.RandomState(args.seed)
      for v in tf.global_variables():
        if v.op.name.endswith('/biases'):
          v.load(sess.run(v) + rng.uniform(-args.bias_noise, args.bias_noise,
                                           v.shape.as_list()).astype(np.float32), sess)
    ref = sess.run(logits, {inputs: feed})
    ex = Exporter(sess, inputs)
    model = ex.model(logits, 'logits')
  nodes = len(model.graph.node)
  onnx.save(model, args.onnx)
  del model, ex
  onnx.checker.check_model(args.onnx)  # by path: no second in-memory copy of the weights

  import onnxruntime as ort
  opts = ort.SessionOptions()
  opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
  got = ort.InferenceSession(args.onnx, opts, providers=['CPUExecutionProvider']).run(
      None, {'input': feed})[0]
  if got.shape != ref.shape:
    os.remove(args.onnx)
    sys.exit('onnx_export: %s: ONNX output shape %s != TF %s' % (args.net, got.shape, ref.shape))
  diff = float(np.max(np.abs(got.astype(np.float64) - ref)))
  scale = float(np.max(np.abs(ref)))
  rel = diff / scale if scale > 0 else float('inf')
  peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
  print('onnx_export %s batch=%d nodes=%d max_abs_diff=%.3g max_abs_logit=%.3g rel_diff=%.3g '
        'peak_rss_mb=%.0f' % (args.net, args.batch, nodes, diff, scale, rel, peak))
  if not rel <= MAX_REL_DIFF:
    os.remove(args.onnx)
    sys.exit('onnx_export: %s: ONNX Runtime differs from TensorFlow by %.3g of max |logit| '
             '(limit %g); %s removed' % (args.net, rel, MAX_REL_DIFF, args.onnx))
  if args.ref:
    tf_ref.save(args.ref, feed, ref)


if __name__ == '__main__':
  main()
