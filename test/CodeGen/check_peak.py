#!/usr/bin/env python3
"""Checks slimrun --memory output: the process's peak resident memory is at
most RATIO times its resident memory after the runs (the steady state).

Usage: check_peak.py MEMORY_REPORT RATIO
"""
import re
import sys


def main():
    text = open(sys.argv[1]).read()
    ratio = float(sys.argv[2])
    m = re.search(r"process resident ([0-9.]+) MiB now, peak ([0-9.]+) MiB", text)
    if not m:
        sys.exit("check_peak.py: no 'process resident' line in the report")
    now, peak = float(m.group(1)), float(m.group(2))
    if peak > ratio * now:
        sys.exit("check_peak.py: peak %.1f MiB > %.2f x steady %.1f MiB"
                 % (peak, ratio, now))
    print("peak %.1f MiB <= %s x steady %.1f MiB" % (peak, sys.argv[2], now))


if __name__ == "__main__":
    main()
