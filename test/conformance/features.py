"""The feature programs of test/conformance/features/ through TensorFlow and slimc, compared as
check_original_nets.sh compares TF-Slim's nets (progcheck.py): variables, and every output at
batch 1 and 2 against TensorFlow running the same file as Python.

Usage:  PY=$(scripts/tf-venv.sh)/bin/python
        $PY test/conformance/features.py --slimc-bin BUILD/bin [--work DIR] [--jobs N]
            [--no-cache] [NAME ...]
(numeric_all.sh runs it.) NAME is a program's file name without .slim (default: every
features/*.slim but the _*.slim modules they import). Exit status 1 when one fails.
features/README.md says how to write one.
"""
import argparse
import glob
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import progcheck  # noqa: E402

FEATURES = os.path.join(HERE, 'features')


def main():
  ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
  ap.add_argument('--slimc-bin', required=True, help='directory with slimc and slimrun')
  ap.add_argument('--work', help='scratch directory, kept (default: a temporary one)')
  ap.add_argument('--jobs', type=int, default=2, help='programs checked at a time')
  ap.add_argument('--no-cache', action='store_true', help='rebuild the TensorFlow references')
  ap.add_argument('--opt', default='0', help="slimc -O level of the libraries (default 0: see "
                  'features/README.md)')
  ap.add_argument('names', nargs='*')
  args = ap.parse_args()
  files = sorted(glob.glob(os.path.join(FEATURES, '*.slim')))
  # Files named _x.slim are modules the programs import, not programs.
  known = {os.path.basename(p)[:-len('.slim')]: p for p in files
           if not os.path.basename(p).startswith('_')}
  unknown = [n for n in args.names if n not in known]
  if unknown:
    ap.error('unknown feature program %s; known: %s' % (' '.join(unknown), ' '.join(known)))
  # A program may import another file of features/: all of them key its cache entry.
  cases = [progcheck.Case(n, known[n], [FEATURES], files) for n in (args.names or known)]
  work = args.work or tempfile.mkdtemp(prefix='features-')
  t0 = time.time()

  def progress(r):
    print('%s %s (%.0f s)' % ('ok  ' if r.ok else 'FAIL', r.name, r.seconds), flush=True)
    for l in r.lines:
      print('    ' + l.replace('\n', '\n    '))

  results = progcheck.check_all(cases, os.path.join(args.slimc_bin, 'slimc'),
                                os.path.join(args.slimc_bin, 'slimrun'), work, args.jobs,
                                not args.no_cache, progress=progress,
                                slimc_args=['-O' + args.opt], always_tf=True)
  print()
  print(progcheck.table(results, first='feature program'))
  failed = [r.name for r in results if not r.ok]
  print('features: %d programs, %d failed%s; %.0f s' % (
      len(results), len(failed), ' (%s)' % ' '.join(failed) if failed else '',
      time.time() - t0))
  if not args.work:
    shutil.rmtree(work, ignore_errors=True)
  return 1 if failed or not results else 0


if __name__ == '__main__':
  sys.exit(main())
