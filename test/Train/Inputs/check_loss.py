"""check_loss.py LOG RATIO: the summary line of `slimrun --train` in LOG has
a last loss below RATIO times the first; prints "loss decreased" or fails."""
import re
import sys

text = open(sys.argv[1]).read()
m = re.search(r"first loss ([0-9.eE+-]+)  last loss ([0-9.eE+-]+)", text)
if not m:
    sys.exit("no summary line in " + sys.argv[1])
first, last = float(m.group(1)), float(m.group(2))
if not last < float(sys.argv[2]) * first:
    sys.exit("loss did not decrease enough: first %g, last %g" % (first, last))
print("loss decreased: first %.4f last %.4f" % (first, last))
