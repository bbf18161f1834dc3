#!/usr/bin/env bash
# TF-Slim's own net files (research/slim/nets in tensorflow/models), compiled
# unmodified by slimc and checked against the real TensorFlow/TF-Slim running
# the same files: variables (names, shapes, order) and outputs at batch 1 and 2
# (max |diff| <= 1e-4 * max |expected|). We do not ship TensorFlow's code:
# save the files yourself into DIR, as research/slim has them (DIR/nets/vgg.py,
# DIR/nets/mobilenet/mobilenet_v2.py, DIR/nets/nasnet/nasnet.py, ...; or DIR
# is the nets/ package itself; .py or .slim).
#
#   test/conformance/check_original_nets.sh DIR [SLIMC] [--net NAME ...]
#       [--jobs N] [--work DIR] [--no-cache] [--list]
#
# For each net, only an input placeholder, a call in the net's arg_scope and
# tf.identity naming the outputs are appended to the net's own file
# (original_nets.py says which call, size and class count); TensorFlow runs
# that file as Python (pyrun.py), slimc compiles it, slimrun restores
# TensorFlow's checkpoint (progcheck.py). TensorFlow's results are cached in
# ~/.cache/slimc/conformance/ ($SLIMC_CACHE/conformance/), keyed by the files'
# contents, so that a rerun only costs slimc's time. Prints a table; exit
# status 1 when a net whose file is present fails. README.md has the details.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
src=${1:?usage: check_original_nets.sh DIR [SLIMC] [--net NAME ...] [--jobs N] [--work DIR] [--no-cache] [--list]}
shift
slimc=${SLIMC:-$root/build/bin/slimc}
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  slimc=$1
  shift
fi
[ -x "$slimc" ] || { echo "slimc not found at $slimc (pass it as 2nd argument)" >&2; exit 2; }
[ -d "$src" ] || { echo "no directory $src" >&2; exit 2; }
if ! venv=$("$root/scripts/tf-venv.sh"); then
  echo "check_original_nets: could not create the TensorFlow/TF-Slim virtual environment" >&2
  exit 2
fi
export TF_CPP_MIN_LOG_LEVEL=2
exec "$venv/bin/python" "$here/original_nets.py" "$src" --slimc "$slimc" "$@"
