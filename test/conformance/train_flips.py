"""Explains a gradient difference between slimc and TensorFlow as discontinuity flips (a
diagnostic, not part of the suite).

slimc's training forward does not round like TensorFlow's (its reference convolutions
accumulate in double, TensorFlow's in float32), so activations differ by ~1e-6 relative. That
is harmless for smooth ops, but the gradient of a max pool or a ReLU is a discontinuous
function of its input: where a max-pool window's two largest values, or a ReLU's
pre-activation and 0, lie within the rounding difference, slimc and TensorFlow can take
different branches, and the upstream gradient then flows to another element. One such flip
changes every gradient below it by far more than rounding (VGG-16 at 224x224: 1e-2 of
max |gradient|). This tool asks whether a measured difference is such flips and nothing
else.

Usage:
  PY=$(scripts/tf-venv.sh)/bin/python
  $PY test/conformance/train_flips.py SCRIPT REFDIR GRADS [-I DIR ...] [--batch N]
      [--pool-tau 1e-5] [--relu-tau 1e-6] [--max-candidates 300] [--min-share 0.7]
      [--max-share 1.5] [--ops REGEX] [-v]
SCRIPT: the training script; REFDIR: a train_reference.py output directory (model.ckpt.*,
data.npy, labels.npy, gradients.safetensors, reference.json); GRADS: slimc's gradients of the
same step (`slimrun --train --steps 1 --restore REFDIR/model.ckpt --dump-gradients GRADS`).

What it computes:
  1. The script's graph as train_reference.py builds it, restored from REFDIR/model.ckpt and
     fed batch 0 as train_reference feeds it (the batch from reference.json, else --batch).
     The expected gradients are REFDIR/gradients.safetensors (TensorFlow's tf.gradients).
  2. Candidates, from TensorFlow's forward and backward at that point:
     - every MaxPool window (NHWC, any ksize and strides, SAME or VALID; pad positions are
       not part of a window) with a nonzero upstream gradient whose relative gap
       (largest - second largest) / |largest| is below --pool-tau. TensorFlow routes the
       window's gradient to the first maximum in row-major window order; the tool rebuilds
       that routing for every window and checks it against TensorFlow's MaxPoolGrad on the
       same data (printed; also checked by hand on integer data full of exact ties, SAME and
       VALID, ksize 2x2..3x3, strides 1..3: equal up to the float sums of overlapping
       windows, and the window maxima equal TensorFlow's MaxPool). The flip moves the
       window's gradient from that element to the runner-up. Windows whose maximum is an
       exact 0 produced by a Relu/Relu6 are skipped: both compilers clamp those to the same
       0, and the ReLU gradient blocks them anyway.
     - every Relu and Relu6 element whose pre-activation z has |z| < --relu-tau * max |z|
       of that tensor (for Relu6 also |z - 6|) and a nonzero upstream gradient wrt the
       op's output. The flip toggles TensorFlow's mask there: the pre-activation gradient
       changes by -g where TensorFlow passed g, by +g where it blocked it.
     Candidates are ranked by gap / tau (pool and ReLU gaps are relative to different
     scales); the --max-candidates smallest are kept. --ops restricts the search to the ops
     whose name matches (to search one layer with a larger tau).
  3. Each candidate's correction to every trainable variable's gradient: the vector-Jacobian
     product tf.gradients(T, trainable variables, grad_ys=delta), T the pool's input or the
     ReLU's pre-activation, delta the change of T's gradient the flip makes (one element pair
     or one element). One such graph is built per tensor T; the forward tensors it consumes
     are computed once and fed, so each candidate costs one partial backward pass.
  4. A greedy explanation. Residual r = (slimc - TensorFlow) in float64, each variable scaled
     by max |TensorFlow's gradient|. Candidates are visited from the top of the net (the op
     created last, closest to the loss) down, smallest gap first within an op. For a
     candidate's scaled correction c, its share s = <r, c> / |c|^2 is the multiple of c the
     residual contains: 1 for a flip that happened, ~0 for one that did not. s is taken over
     the layer right below the flip (the touched variables of the last-created variable
     scope, e.g. conv5_3's weights and biases for a pool5 window): no flip further from the
     loss changes those gradients, and the flips above were accepted first, so there s
     measures this flip alone; over all touched variables it would also pick up the flips
     further down not yet visited (a spurious conv5_1 ReLU flip on VGG-16 reached s = 0.85
     that way). A candidate is accepted when --min-share < s < --max-share (default 0.7 and
     1.5; subtracting c lowers the L2 norm of that residual exactly when s > 1/2, and a flip
     is all or nothing: a correction that merely overlaps a larger unexplained part shows
     s >> 1); passes repeat until one accepts nothing. An L2 measure rather than the worst
     element: with several flips, a variable's worst element is usually set by a flip not yet
     accepted, so a true flip often leaves it unchanged and a max criterion would reject it.
  5. A per-variable table (error before and after, each as max |diff| / max |TensorFlow's
     gradient|, the criterion of train_check.py) and the accepted flips. Exit status 0 when
     every variable is within 1e-4 after the accepted flips, else 1.

Limits: first-order only. A flip's correction is the VJP through TensorFlow's routing of
everything else, so the corrections of several flips add up exactly unless one flip changes
the upstream gradient that reaches another flipped element. Other discontinuities (MaxPoolV2,
NCHW pools, leaky ReLU, clipping, argmax, sorting) are not searched. A flip outside the cap
or above tau stays unexplained: raise the cap or the taus. A ReLU pre-activation's rounding
error scales with the sum of |terms| of its convolution, not with max |z|, so --relu-tau 1e-6
finds only the closest ones, while a tau near 1e-4 finds thousands on a large net (search
layer by layer with --ops). "The layer right below" is a variable scope as TF-Slim names
them (weights and biases of one layer share it); a net that shares a scope across layers
judges on all of them. Accepting by share can take a spurious candidate that happens to
overlap a remaining difference, or miss a real one whose share other unexplained flips push
outside the window: the accepted list is a hypothesis that the final worst error confirms or
refutes. Cost: one partial backward pass per candidate, and its correction kept on disk in a
temporary directory (printed: forward and VJP seconds).
"""
import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import train_reference as tr  # noqa: E402

GRAD_TOL = 1e-4


# ---------------------------------------------------------------------------------------------
# Max-pool windows

def pool_geometry(h, w, ksize, strides, padding):
  """(out_h, out_w, pad_top, pad_left) of a 2-D pool, TensorFlow's rule."""
  (kh, kw), (sh, sw) = ksize, strides
  if padding == 'VALID':
    return (h - kh) // sh + 1, (w - kw) // sw + 1, 0, 0
  oh, ow = -(-h // sh), -(-w // sw)
  return (oh, ow, max((oh - 1) * sh + kh - h, 0) // 2, max((ow - 1) * sw + kw - w, 0) // 2)


def pool_windows(x, ksize, strides, padding):
  """(windows [N, OH, OW, C, KH*KW] in row-major window order with -inf at pad positions,
  pad_top, pad_left) of an NHWC tensor."""
  n, h, w, c = x.shape
  (kh, kw), (sh, sw) = ksize, strides
  oh, ow, pt, pl = pool_geometry(h, w, ksize, strides, padding)
  ph, pw = (oh - 1) * sh + kh, (ow - 1) * sw + kw
  xp = np.full((n, ph, pw, c), -np.inf, x.dtype)
  # -inf never wins a max, so a padded window's maximum and runner-up are real elements.
  rows, cols = min(h, ph - pt), min(w, pw - pl)
  xp[:, pt:pt + rows, pl:pl + cols, :] = x[:, :rows, :cols, :]
  taps = [xp[:, dy:dy + (oh - 1) * sh + 1:sh, dx:dx + (ow - 1) * sw + 1:sw, :]
          for dy in range(kh) for dx in range(kw)]
  return np.stack(taps, axis=-1), pt, pl


def pool_ranked(x, ksize, strides, padding):
  """(first, second, top, runner_up, pad_top, pad_left): per window the window index of the
  first maximum in row-major order (TensorFlow's choice), of the runner-up (the next
  element in descending order; on an exact tie the second occurrence), and their values."""
  win, pt, pl = pool_windows(x, ksize, strides, padding)
  # A stable sort of -win keeps equal values in window order: the first maximum comes first.
  order = np.argsort(-win, axis=-1, kind='stable')[..., :2]
  first, second = order[..., 0], order[..., 1]
  top = np.take_along_axis(win, first[..., None], -1)[..., 0]
  runner = np.take_along_axis(win, second[..., None], -1)[..., 0]
  return first, second, top, runner, pt, pl


def window_position(k, i, j, ksize, strides, pt, pl):
  """(row, col) in the pool's input of window tap k of output (i, j)."""
  kw = ksize[1]
  return i * strides[0] + k // kw - pt, j * strides[1] + k % kw - pl


def routed(x, dout, ksize, strides, padding):
  """The pool's input gradient when each window's gradient goes to its first maximum."""
  first, _, _, _, pt, pl = pool_ranked(x, ksize, strides, padding)
  n, i, j, c = np.indices(first.shape)
  r, q = window_position(first, i, j, ksize, strides, pt, pl)
  out = np.zeros(x.shape, np.float64)
  np.add.at(out, (n, r, q, c), dout.astype(np.float64))
  return out


# ---------------------------------------------------------------------------------------------
# Candidates

class Candidate(object):
  """One discontinuity that may have flipped: `op` (its name), `kind` ('pool' or 'relu'),
  `tensor` (the name of the tensor whose gradient the flip changes), `shape` (its value's),
  `delta` ([(index, value)]: the change of that gradient), `index` (window or element,
  printed), `gap` (relative), `rank` (gap/tau), `order` (the op's creation index: larger is
  closer to the loss)."""

  def __init__(self, op, kind, tensor, shape, delta, index, gap, rank, order):
    self.op, self.kind, self.tensor, self.shape, self.delta = op, kind, tensor, shape, delta
    self.index, self.gap, self.rank, self.order = index, gap, rank, order

  def describe(self):
    return '%s %s %s gap %.3g' % (self.kind, self.op, self.index, self.gap)


def pool_candidates(op, x, dout, tau, order, clamped):
  """(candidates, (ksize, strides, padding)) of one MaxPool op."""
  if op.get_attr('data_format') not in (b'NHWC', 'NHWC'):
    raise SystemExit('%s: only NHWC max pools are searched' % op.name)
  ks, st = op.get_attr('ksize'), op.get_attr('strides')
  if ks[0] != 1 or ks[3] != 1 or st[0] != 1 or st[3] != 1:
    raise SystemExit('%s: pooling across batch or channels is not searched' % op.name)
  ksize, strides = (ks[1], ks[2]), (st[1], st[2])
  padding = op.get_attr('padding')
  padding = padding.decode() if isinstance(padding, bytes) else padding
  first, second, top, runner, pt, pl = pool_ranked(x, ksize, strides, padding)
  with np.errstate(divide='ignore', invalid='ignore'):
    gap = np.where(top == runner, 0.0, (top.astype(np.float64) - runner) / np.abs(top))
  live = (dout != 0) & np.isfinite(runner) & (gap < tau)
  if clamped:
    live &= top != 0
  out = []
  for n, i, j, c in zip(*np.nonzero(live)):
    g = float(dout[n, i, j, c])
    r1, c1 = window_position(first[n, i, j, c], i, j, ksize, strides, pt, pl)
    r2, c2 = window_position(second[n, i, j, c], i, j, ksize, strides, pt, pl)
    delta = [((n, r1, c1, c), -g), ((n, r2, c2, c), g)]
    out.append(Candidate(op.name, 'pool', op.inputs[0].name, x.shape, delta,
                         'window (%d,%d,%d,%d) from (%d,%d) to (%d,%d)' % (
                             n, i, j, c, r1, c1, r2, c2),
                         float(gap[n, i, j, c]), float(gap[n, i, j, c]) / tau, order))
  return out, (ksize, strides, padding)


def relu_candidates(op, z, dy, tau, order):
  """Candidates of one Relu or Relu6 op: elements within tau * max |z| of a kink."""
  scale = float(np.abs(z).max())
  if scale == 0:
    return []
  kinks = [0.0] + ([6.0] if op.type == 'Relu6' else [])
  mask = (z > 0) if op.type == 'Relu' else (z > 0) & (z < 6)
  out = []
  for kink in kinks:
    dist = np.abs(z.astype(np.float64) - kink) / scale
    for idx in zip(*np.nonzero((dist < tau) & (dy != 0))):
      g = float(dy[idx])
      # TensorFlow passed g where its mask is on; the flipped mask passes it where it was off.
      delta = [(idx, -g if mask[idx] else g)]
      out.append(Candidate(op.name, 'relu', op.inputs[0].name, z.shape, delta,
                           'element %s z %.3g%s' % (tuple(int(v) for v in idx), float(z[idx]),
                                                  ' (kink 6)' if kink else ''),
                           float(dist[idx]), float(dist[idx]) / tau, order))
  return out


# ---------------------------------------------------------------------------------------------
# TensorFlow

def build(script, roots):
  """(graph, the create_train_op call, trainable variables) of the script, as
  train_reference.build_reference builds it."""
  os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
  import pyrun
  from tfnets import tf
  calls = []
  graph = tf.Graph()
  with graph.as_default():
    tf.set_random_seed(tr.SEED)
    with tr.recording_train_op(calls):
      pyrun.run_file(script, roots)
    if len(calls) != 1:
      raise SystemExit('the script calls slim.learning.create_train_op %d times' % len(calls))
  return graph, calls[0], graph.get_collection('trainable_variables')


class VJP(object):
  """tf.gradients(tensor, variables, grad_ys=placeholder) and the forward tensors it consumes
  (fed from one forward run, so that a candidate costs a backward pass only)."""

  def __init__(self, tf, graph, tensor, variables):
    before = set(graph.get_operations())
    self.delta = tf.placeholder(tensor.dtype, tensor.shape)
    grads = tf.gradients(tensor, variables, grad_ys=self.delta)
    new = set(graph.get_operations()) - before
    self.names = [v.op.name for v, g in zip(variables, grads) if g is not None]
    self.grads = [g for g in grads if g is not None]
    self.inputs = sorted({t for op in new for t in op.inputs
                          if t.op not in new and t.dtype != tf.resource}, key=lambda t: t.name)


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('script')
  ap.add_argument('refdir')
  ap.add_argument('grads')
  ap.add_argument('-I', dest='roots', action='append', default=[])
  ap.add_argument('--batch', type=int, default=None,
                  help='the batch, when reference.json does not record it')
  ap.add_argument('--pool-tau', type=float, default=1e-5)
  ap.add_argument('--relu-tau', type=float, default=1e-6)
  ap.add_argument('--max-candidates', type=int, default=300)
  ap.add_argument('--min-share', type=float, default=0.7,
                  help='accept a candidate when the residual contains more than this share of '
                  'its correction (0.5: whenever the L2 norm falls)')
  ap.add_argument('--max-share', type=float, default=1.5,
                  help='... and less than this share (a flip is all or nothing)')
  ap.add_argument('--ops', default=None, metavar='REGEX',
                  help='search only the MaxPool/Relu ops whose name matches (re.search)')
  ap.add_argument('-v', '--verbose', action='store_true', help='print every candidate visited')
  args = ap.parse_args()
  t0 = time.time()

  with open(os.path.join(args.refdir, 'reference.json')) as f:
    info = json.load(f)
  batch = info.get('batch') or args.batch
  if not batch:
    raise SystemExit('reference.json records no batch: pass --batch')
  x = np.load(os.path.join(args.refdir, 'data.npy'))
  y = np.load(os.path.join(args.refdir, 'labels.npy'))
  idx = tr._batch_indices(0, batch, len(x))  # noqa: SLF001 -- train_reference's own feed
  want = tr.load_safetensors(os.path.join(args.refdir, 'gradients.safetensors'))
  got = tr.load_safetensors(args.grads)

  graph, call, trainable = build(args.script, args.roots)
  from tfnets import tf
  names = [v.op.name for v in trainable]
  missing = [n for n in names if n not in want or n not in got]
  if missing:
    raise SystemExit('no gradient of %s in the reference or in %s' % (missing[:3], args.grads))
  with graph.as_default():
    feed = {graph.get_tensor_by_name(info['input']['name'] + ':0'): x[idx],
            graph.get_tensor_by_name(info['labels']['name'] + ':0'): y[idx]}
    order = {op.name: k for k, op in enumerate(graph.get_operations())}
    pools = [op for op in graph.get_operations() if op.type == 'MaxPool']
    relus = [op for op in graph.get_operations() if op.type in ('Relu', 'Relu6')]
    if args.ops:
      pools = [op for op in pools if re.search(args.ops, op.name)]
      relus = [op for op in relus if re.search(args.ops, op.name)]
    # Only the forward ops feeding the loss: a Relu of the unused inference graph has none.
    outs = [op.outputs[0] for op in pools + relus]
    douts = tf.gradients(call.total_loss, outs)
    live = [(op, d) for op, d in zip(pools + relus, douts) if d is not None]
    pools = [op for op, _ in live if op.type == 'MaxPool']
    relus = [op for op, _ in live if op.type != 'MaxPool']
    dmap = {op.name: d for op, d in live}
    # TensorFlow's own routing of each pool, to check the first-maximum rule on this data.
    route = [tf.gradients(op.outputs[0], op.inputs[0], grad_ys=dmap[op.name])[0] for op in pools]
    saver = tf.train.Saver(tf.global_variables())
  sess = tf.Session(graph=graph)
  saver.restore(sess, os.path.join(args.refdir, 'model.ckpt'))
  fetch = {'pool_in': [op.inputs[0] for op in pools], 'pool_d': [dmap[o.name] for o in pools],
           'route': route, 'relu_z': [op.inputs[0] for op in relus],
           'relu_d': [dmap[o.name] for o in relus]}
  v = sess.run(fetch, feed)
  t_forward = time.time() - t0

  cands = []
  print('candidates (TensorFlow forward at the checkpoint, batch 0 = samples %s):' % idx)
  for k, op in enumerate(pools):
    producer = op.inputs[0].op.type
    c, geo = pool_candidates(op, v['pool_in'][k], v['pool_d'][k], args.pool_tau, order[op.name],
                             clamped=producer in ('Relu', 'Relu6'))
    mine = routed(v['pool_in'][k], v['pool_d'][k], *geo)
    theirs = v['route'][k].astype(np.float64)
    err = np.abs(mine - theirs).max() / max(np.abs(theirs).max(), 1e-30)
    print('  %-40s %s ksize %s strides %s %s: %d windows within tau; first-maximum routing '
          'vs TensorFlow\'s MaxPoolGrad %.2g%s' % (
              op.name, list(v['pool_in'][k].shape), geo[0], geo[1], geo[2], len(c), err,
              '' if err < 1e-5 else ' (MISMATCH: the flips of this pool are wrong)'))
    cands += c
  for k, op in enumerate(relus):
    c = relu_candidates(op, v['relu_z'][k], v['relu_d'][k], args.relu_tau, order[op.name])
    if c:
      print('  %-40s %s: %d elements within tau' % (op.name, list(v['relu_z'][k].shape),
                                                      len(c)))
    cands += c
  found = len(cands)
  cands.sort(key=lambda c: c.rank)
  cands = cands[:args.max_candidates]
  # Top of the net first: a flip near the loss changes every gradient below it, and those
  # large corrections must be in place before the small ones below are judged.
  cands.sort(key=lambda c: (-c.order, c.rank))
  print('%d candidates found, %d kept (--max-candidates %d); forward %.1f s' % (
      found, len(cands), args.max_candidates, t_forward))

  scale = {}
  resid = {}
  for n in names:
    w = want[n].astype(np.float64)
    scale[n] = float(np.abs(w).max()) or 1.0
    resid[n] = (got[n].astype(np.float64) - w) / scale[n]
  before = {n: float(np.abs(resid[n]).max()) for n in names}

  # The VJP graphs, one per candidate tensor, and the forward values they consume.
  vjps = {}
  with graph.as_default():
    for t in sorted({c.tensor for c in cands}):
      vjps[t] = VJP(tf, graph, graph.get_tensor_by_name(t), trainable)
  consumed = sorted({i for j in vjps.values() for i in j.inputs}, key=lambda t: t.name)
  values = dict(zip(consumed, sess.run(consumed, feed))) if consumed else {}

  scratch = tempfile.mkdtemp(prefix='train_flips.')
  # A killed run still removes its corrections (gigabytes on a large net).
  signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
  t_vjp = 0.0

  def correction(k, c):
    """{variable: scaled correction} of candidate k, computed once and kept on disk (a
    correction is as large as the variables below the flip: VGG-16's conv weights 59 MB)."""
    nonlocal t_vjp
    path = os.path.join(scratch, '%d.npz' % k)
    if not os.path.exists(path):
      t = time.time()
      j = vjps[c.tensor]
      d = np.zeros(c.shape, np.float32)
      for index, value in c.delta:
        d[index] += value
      fd = dict(values)
      fd[j.delta] = d
      out = {n.replace('/', '|'): (g.astype(np.float64) / scale[n]).astype(np.float32)
             for n, g in zip(j.names, sess.run(j.grads, fd)) if np.any(g)}
      np.savez(path, **out)
      t_vjp += time.time() - t
    with np.load(path) as z:
      return {n.replace('|', '/'): z[n] for n in z.files}

  var_order = {v.op.name: order[v.op.name] for v in trainable}

  def share_of(resid, corr, which):
    """<r, c> / |c|^2 over the variables `which`: the multiple of the correction c the
    residual r contains (1 for a flip that happened, ~0 for one that did not)."""
    rc = sum(float(np.sum(resid[n] * corr[n])) for n in which)
    cc = sum(float(np.sum(np.square(corr[n].astype(np.float64)))) for n in which)
    return rc / cc if cc > 0 else 0.0

  accepted = []
  shares = {}
  try:
    passes = 0
    while True:
      passes += 1
      took = 0
      for k, c in enumerate(cands):
        if k in accepted:
          continue
        corr = correction(k, c)
        if not corr:
          if args.verbose:
            print('  pass %d: %s: no variable changes' % (passes, c.describe()))
          continue
        old = sum(float(np.sum(np.square(resid[n]))) for n in corr)
        new = sum(float(np.sum(np.square(resid[n] - corr[n]))) for n in corr)
        # Judged on the layer right below the flip (the touched variables of the last-created
        # scope): no flip further from the loss changes those gradients, while the layers
        # further down also hold the flips not visited yet.
        last = max(corr, key=lambda n: var_order[n])
        near = [n for n in corr if os.path.dirname(n) == os.path.dirname(last)]
        share = share_of(resid, corr, near)
        if args.verbose:
          print('  pass %d: %s: %d variables, |c| %.3g, share %.3f (all %.3f), L2 %.4g -> '
                '%.4g' % (passes, c.describe(), len(corr), np.sqrt(
                    sum(float(np.sum(np.square(a))) for a in corr.values())), share,
                          share_of(resid, corr, corr), np.sqrt(old), np.sqrt(new)))
        if args.min_share < share < args.max_share:
          for n, a in corr.items():
            resid[n] = resid[n] - a
          accepted.append(k)
          shares[k] = share
          took += 1
          print('  pass %d: accept %s (upstream gradient %.3g, share %.3f on %s): L2 of the '
                'scaled residual over its %d variables %.4g -> %.4g' % (
                    passes, c.describe(), abs(c.delta[-1][1]), share, os.path.dirname(last),
                    len(corr), np.sqrt(old), np.sqrt(new)))
        sys.stdout.flush()
      if not took:
        break
  finally:
    sess.close()
    shutil.rmtree(scratch, ignore_errors=True)

  after = {n: float(np.abs(resid[n]).max()) for n in names}
  print('\n%-44s %11s %11s' % ('variable', 'before', 'after'))
  for n in names:
    print('%-44s %11.3g %11.3g%s' % (n, before[n], after[n],
                                     '' if after[n] <= GRAD_TOL else '  > %g' % GRAD_TOL))
  print('\naccepted flips (%d of %d candidates, %d passes):' % (len(accepted), len(cands),
                                                                passes))
  for k in accepted:
    print('  %s (share %.3f)' % (cands[k].describe(), shares[k]))
  worst_before, worst_after = max(before.values()), max(after.values())
  print('worst error: before %.3g, after %.3g of max |TensorFlow gradient| (limit %g)' % (
      worst_before, worst_after, GRAD_TOL))
  print('time: forward %.1f s, %d VJPs %.1f s, total %.1f s' % (
      t_forward, len(cands), t_vjp, time.time() - t0))
  return 0 if worst_after <= GRAD_TOL else 1


if __name__ == '__main__':
  sys.exit(main())
