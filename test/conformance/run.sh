#!/usr/bin/env bash
# The conformance suite: slimc against the real TF-Slim. See README.md.
#
# Today it runs the TensorFlow-side checks that need no compiler:
#   1. the committed goldens (golden/) equal what TF-Slim produces now;
#   2. every examples/*.slim zoo file, run as Python under TF-Slim, gives the golden variables
#      and the same logits as tf_slim.nets (check_zoo_py.py).
# The numeric slimc/slimrun stage (README.md, "Numeric harness") is added when slimc emits .so.
#
# SLIM_SKIP_TF=1 skips the suite explicitly (and says so). If the reference venv cannot be
# created (no PyPI), the suite FAILS; it is never skipped silently.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

if [ "${SLIM_SKIP_TF:-0}" = 1 ]; then
  echo "conformance: SKIPPED (SLIM_SKIP_TF=1): TensorFlow conformance suite not run"
  exit 0
fi
if ! venv=$("$root/scripts/tf-venv.sh"); then
  echo "conformance: FAILED: could not create the TensorFlow/TF-Slim virtual environment" \
       "(is PyPI reachable?). Set SLIM_SKIP_TF=1 to skip the suite explicitly." >&2
  exit 1
fi
PY="$venv/bin/python"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TF_CPP_MIN_LOG_LEVEL=2

step() {  # step NAME CMD...: run quietly, show the log on failure
  local name=$1; shift
  local t0=$SECONDS
  if "$@" >"$tmp/$name.log" 2>&1; then
    echo "conformance: $name ok ($((SECONDS - t0)) s)"
  else
    echo "conformance: $name FAILED ($((SECONDS - t0)) s):" >&2
    grep -v '^\s*$' "$tmp/$name.log" | tail -40 >&2
    exit 1
  fi
}

step goldens-current sh -c "'$PY' '$here/make_goldens.py' --out '$tmp/golden' && diff -r '$tmp/golden' '$here/golden'"
step zoo-vs-tf-slim "$PY" "$here/check_zoo_py.py"
