"""Joins slimc's per-layer profile (slimrun --profile) with ONNX Runtime's
per-node profile (bench/ort_profile.py) by TF-Slim scope, for
bench/layer_compare.sh.

Usage: python3 bench/layer_join.py SLIMRUN_PROFILE.txt ORT_PROFILE.txt
An ORT node belongs to the longest slimc scope its name starts with (followed
by '/' or ':'), e.g. `resnet_v1_50/block1/unit_1/bottleneck_v1/conv3/
BatchNorm/FusedBatchNormV3:0_nchwc` to `.../conv3`; ORT's input transpose
(`.../Conv2d_0/Conv2D__6`) counts with the first conv, as slimc's to_blocked
is its own row. Prints each slimc layer with both times and slimc/ORT, the ORT
time no scope claimed, and the totals.
"""
import collections
import re
import sys


def main():
  slim_rows = []
  with open(sys.argv[1]) as f:
    for line in f:
      m = re.match(r'^(\S+)\s+(\S.*?)\s+([0-9.]+)\s+([0-9.]+)%\s+([0-9.]+)$', line.rstrip())
      if m:
        slim_rows.append((m.group(1), m.group(2), float(m.group(3))))
  ort_rows = []
  with open(sys.argv[2]) as f:
    for line in f:
      parts = line.split()
      if len(parts) == 3 and not line.startswith('total'):
        ort_rows.append((parts[0], parts[1], float(parts[2])))
  scopes = sorted({r[0] for r in slim_rows}, key=len, reverse=True)
  ort_ms = collections.defaultdict(float)
  unclaimed_ops = set()
  for name, op, ms in ort_rows:
    owner = next((s for s in scopes if name.startswith(s + '/') or name.startswith(s + ':')),
                 None)
    if owner is None:
      unclaimed_ops.add(op)
    ort_ms[owner] += ms
  print('%-56s %-28s %9s %9s %7s' % ('layer', 'slimc op', 'slimc ms', 'ort ms', 's/o'))
  for scope, op, ms in slim_rows:
    o = ort_ms.get(scope, 0.0)
    ratio = '%7.2f' % (ms / o) if o else '      -'
    print('%-56s %-28s %9.3f %9.3f %s' % (scope[-56:], op[:28], ms, o, ratio))
  print('%-56s %-28s %9s %9.3f' % ('(ORT nodes of no slimc scope)',
                                    ','.join(sorted(unclaimed_ops))[:28], '-', ort_ms[None]))
  total_s = sum(r[2] for r in slim_rows)
  total_o = sum(ort_ms.values())
  print('total: slimc %.3f ms, ORT %.3f ms, slimc/ORT %.2f' % (total_s, total_o, total_s / total_o))


if __name__ == '__main__':
  main()
