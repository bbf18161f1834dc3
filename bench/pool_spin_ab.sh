#!/usr/bin/env bash
# Interleaved A/B of the thread pool's polling (issue 13): the default pool
# against SLIM_POOL_SPIN_US=0 (workers sleep at once) on the same binaries,
# 2 threads, 3 rounds; prints "round library mode median_ms cpu_ms".
# Usage: bench/pool_spin_ab.sh   (after bench/nets.sh built the libraries)
# Environment: SLIMRUN (default build/bin/slimrun), D (the libraries'
# directory, default /tmp/slim-nets-bench: NET_b1.so, NET_b8.so).
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
S=${SLIMRUN:-$repo/build/bin/slimrun}
D=${D:-/tmp/slim-nets-bench}
echo "# load before: $(cat /proc/loadavg)"
for rep in 1 2 3; do
  for net in vgg_16_b1:8 resnet_v1_50_b1:30 mobilenet_v1_b1:100 vgg_16_b8:3 \
    resnet_v1_50_b8:8 mobilenet_v1_b8:30; do
    so=${net%%:*}
    n=${net##*:}
    for mode in spin nospin; do
      if [ $mode = nospin ]; then export SLIM_POOL_SPIN_US=0; else unset SLIM_POOL_SPIN_US; fi
      o=$("$S" "$D/$so.so" --init-seed 1 --threads 2 --bench "$n" 2>&1)
      r="$(echo "$o" | sed -n 's/^latency ms:.*median \([0-9.]*\).*/\1/p') $(echo "$o" | sed -n 's/^cpu ms: median \([0-9.]*\).*/\1/p')"
      echo "$rep $so $mode $r"
    done
  done
done
unset SLIM_POOL_SPIN_US
echo "# load after: $(cat /proc/loadavg)"
