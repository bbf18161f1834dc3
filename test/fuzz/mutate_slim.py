#!/usr/bin/env python3
"""Mutation run of the whole compiler: random mutants of the repository's own
model files, each compiled by a real `slimc` process under a wall-clock limit.

    test/fuzz/mutate_slim.py SLIMC [--mutants N] [--seed S] [--jobs J]
                             [--timeout CPU_SECONDS] [--wall-timeout SECONDS]
                             [--artifacts DIR]

The libFuzzer target (frontend_fuzzer) covers parsing and elaboration in
process; this covers what it does not: the driver, every pass and the
emitters (C++ fast and reference kernels, CUDA source), through the same
binary users run. Each mutant is every `.slim` file of test/ and examples/
changed by one to four text mutations (token and line edits, numbers
replaced by boundary values, identifiers swapped for TF-Slim API names,
splices from other files, byte flips) and compiled with `--emit=cpp`,
`--emit=cpp --kernels=reference` or `--target=cuda --emit=cu` in turn, with
`-I` the original's directory so that imports still resolve.

A mutant passes when slimc exits 0 or 1 (a diagnostic) within the limit:
--timeout seconds of CPU time (RLIMIT_CPU, so the verdict does not depend
on how busy the machine is: on a shared 2-core machine under a parallel
test run, a mutant that needs 1 s of CPU has taken over 20 s of wall
time), and --wall-timeout seconds of wall time (default 10 x --timeout:
a backstop for a process that blocks without computing). A signal, any
other exit status, either limit, or an error reported by an op verifier or
LLVM rather than by the frontend is a finding: the mutant is saved under
--artifacts with the command and its output. The mutants are a pure
function of --seed, so a finding reproduces. Exit status: 0 when there was
no finding, 1 otherwise, 2 on usage errors.
"""

import argparse
import concurrent.futures
import hashlib
import math
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Values at the edges of the frontend's arithmetic and of the shape limits.
BOUNDARY_NUMBERS = [
    "0", "-1", "1", "2", "3", "7", "-7", "255", "256", "65536", "2**31",
    "2**31-1", "-2**31", "2**32", "2**62", "2**63-1", "-2**63", "2**63",
    "2**64", "10**9", "10**18", "10**100", "0.0", "-0.0", "1e-30", "1e308",
    "1e309", "float('nan')", "float('inf')", "-1.5", "None", "True", "[]",
    "()", "''",
]

IDENT = re.compile(r"[A-Za-z_][A-Za-z_0-9.]*")
NUMBER = re.compile(r"(?<![A-Za-z_0-9.])\d+(?:\.\d*)?(?:[eE][-+]?\d+)?")


def load_dictionary():
    """The quoted tokens of the libFuzzer dictionary: keywords and API names."""
    words = []
    for line in (ROOT / "test/fuzz/slim.dict").read_text().splitlines():
        line = line.strip()
        if line.startswith('"') and line.endswith('"') and len(line) > 2:
            words.append(line[1:-1].encode().decode("unicode_escape"))
    return words


def mutate_once(text, rng, words, others):
    lines = text.split("\n")
    op = rng.randrange(10)
    if op == 0 and len(lines) > 1:  # delete a line
        del lines[rng.randrange(len(lines))]
    elif op == 1:  # duplicate a line elsewhere
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(lines))
    elif op == 2 and len(lines) > 1:  # swap two lines
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif op == 3:  # a number becomes a boundary value
        matches = list(NUMBER.finditer(text))
        if matches:
            m = rng.choice(matches)
            return text[:m.start()] + rng.choice(BOUNDARY_NUMBERS) + text[m.end():]
    elif op == 4:  # an identifier becomes another one (file or API)
        matches = list(IDENT.finditer(text))
        if matches:
            m = rng.choice(matches)
            pool = words if rng.random() < 0.5 else [x.group() for x in matches]
            return text[:m.start()] + rng.choice(pool) + text[m.end():]
    elif op == 5 and text:  # insert a dictionary token
        pos = rng.randrange(len(text) + 1)
        return text[:pos] + rng.choice(words) + text[pos:]
    elif op == 6 and text:  # delete a span
        pos = rng.randrange(len(text))
        return text[:pos] + text[pos + rng.randint(1, 40):]
    elif op == 7 and others:  # splice lines of another file
        donor = rng.choice(others).split("\n")
        start = rng.randrange(len(donor))
        chunk = donor[start:start + rng.randint(1, 12)]
        at = rng.randrange(len(lines) + 1)
        lines[at:at] = chunk
    elif op == 8 and text:  # flip a byte's bits (kept as text)
        pos = rng.randrange(len(text))
        return text[:pos] + chr((ord(text[pos]) ^ (1 << rng.randrange(7))) or 1) + text[pos + 1:]
    else:  # change indentation of a line
        i = rng.randrange(len(lines))
        lines[i] = (" " * rng.choice([0, 1, 2, 4, 8])) + lines[i].lstrip()
    return "\n".join(lines)


MODES = [
    ["--emit=cpp"],
    ["--emit=cpp", "--kernels=reference"],
    ["--target=cuda", "--emit=cu"],
]


def run_one(slimc, index, source, text, mode, limits, scratch):
    """Compiles one mutant; returns (index, exit code, "CPU limit" or "wall
    limit", wall seconds, CPU seconds, output, command)."""
    cpu_limit, wall_limit = limits
    path = Path(scratch) / f"m{index}.slim"
    path.write_text(text)
    cmd = [slimc, str(path), "-I", str(source.parent), *mode, "-o", os.devnull]
    start = time.monotonic()
    # The CPU limit is set by a shell that then execs slimc (same process):
    # preexec_fn is unsafe with the thread pool. A soft limit only, so the
    # kernel sends SIGXCPU rather than SIGKILL when it runs out.
    limited = ["sh", "-c", 'ulimit -S -t "$0" && exec "$@"', str(math.ceil(cpu_limit)), *cmd]
    proc = subprocess.Popen(limited, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    killed = threading.Event()

    def kill():
        killed.set()
        proc.kill()

    timer = threading.Timer(wall_limit, kill)
    timer.start()
    output = proc.stdout.read()
    proc.stdout.close()
    # wait4 rather than Popen.wait: the child's CPU time tells a slow mutant
    # from a machine that other jobs keep busy.
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - start
    path.unlink()
    code = proc.returncode
    if killed.is_set():
        code = "wall limit"
    elif code == -signal.SIGXCPU:
        code = "CPU limit"
    return index, code, elapsed, usage.ru_utime + usage.ru_stime, output, cmd


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("slimc")
    parser.add_argument("--mutants", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="CPU seconds a mutant may use (default 20)")
    parser.add_argument("--wall-timeout", type=float,
                        help="wall seconds a mutant may take (default 10 x --timeout)")
    parser.add_argument("--artifacts", default="mutation-findings")
    args = parser.parse_args()
    if not os.access(args.slimc, os.X_OK):
        parser.error(f"{args.slimc} is not an executable")
    if args.wall_timeout is None:
        args.wall_timeout = 10 * args.timeout
    if args.mutants <= 0 or args.jobs <= 0 or args.timeout <= 0 or args.wall_timeout <= 0:
        parser.error("--mutants, --jobs, --timeout and --wall-timeout must be positive")

    sources = sorted(p for d in ("test", "examples") for p in (ROOT / d).rglob("*.slim")
                     if p.stat().st_size < 64 * 1024)
    texts = {p: p.read_text(errors="replace") for p in sources}
    words = load_dictionary()
    all_texts = list(texts.values())
    rng = random.Random(args.seed)

    def mutants():
        for index in range(args.mutants):
            source = sources[index % len(sources)]
            text = texts[source]
            for _ in range(rng.randint(1, 4)):
                text = mutate_once(text, rng, words, all_texts)
            yield index, source, text, MODES[index % len(MODES)]

    exits = {}
    findings = []
    slowest = (0.0, 0.0, None)  # wall seconds, CPU seconds, mutant
    most_cpu = (0.0, 0.0, None)
    artifacts = Path(args.artifacts)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        pending = set()
        for index, source, text, mode in mutants():
            # Kept until the result is in, to save the mutant if it is a finding.
            record.texts[index] = (source, text)
            pending.add(pool.submit(run_one, args.slimc, index, source, text, mode,
                                    (args.timeout, args.wall_timeout), scratch))
            if len(pending) >= 4 * args.jobs:
                done, pending = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED)
                for f in done:
                    timing = record(f.result(), exits, findings, artifacts)
                    slowest = max(slowest, timing)
                    most_cpu = max(most_cpu, timing, key=lambda t: t[1])
        for f in concurrent.futures.as_completed(pending):
            timing = record(f.result(), exits, findings, artifacts)
            slowest = max(slowest, timing)
            most_cpu = max(most_cpu, timing, key=lambda t: t[1])

    total = time.monotonic() - started
    summary = ", ".join(f"exit {k}: {v}" for k, v in sorted(exits.items(), key=str))
    print(f"mutate_slim: {args.mutants} mutants of {len(sources)} files (seed {args.seed}) "
          f"in {total:.0f} s; {summary}; slowest {slowest[0]:.2f} s wall (mutant {slowest[2]}); "
          f"most CPU {most_cpu[1]:.2f} s (mutant {most_cpu[2]})")
    if findings:
        print(f"mutate_slim: {len(findings)} finding(s) in {artifacts}/:")
        for line in findings:
            print("  " + line)
        return 1
    print("mutate_slim: no signal, no limit reached, no unexpected exit status")
    return 0


# An exit status of 1 whose message comes from an op verifier, a pass or
# LLVM itself means the frontend built something invalid without its own
# error: a bug, like a crash.
INTERNAL_ERROR = re.compile(rb"error: '[a-z_]+\.[a-z_0-9]+' op |LLVM ERROR|Assertion .* failed|"
                            rb"PLEASE submit a bug report|internal error")


def record(result, exits, findings, artifacts):
    """Counts one result, saves it if it is a finding; returns (wall seconds,
    CPU seconds, index)."""
    index, code, elapsed, cpu, output, cmd = result
    if code == 1 and INTERNAL_ERROR.search(output):
        code = "1 (internal error)"
    key = code if isinstance(code, str) or code in (0, 1) else (
        f"signal {signal.Signals(-code).name}" if isinstance(code, int) and code < 0 else code)
    exits[key] = exits.get(key, 0) + 1
    if code in (0, 1):
        record.texts.pop(index, None)
        return elapsed, cpu, index
    source, text = record.texts.pop(index)
    artifacts.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(text.encode(errors="replace")).hexdigest()[:12]
    out = artifacts / f"mutant-{index}-{digest}.slim"
    out.write_text(text)
    (artifacts / f"mutant-{index}-{digest}.txt").write_bytes(
        (" ".join(cmd) + f"\n# from {source.relative_to(ROOT)}; result {key} after "
         f"{elapsed:.1f} s ({cpu:.1f} s of CPU)\n").encode() + output[-4000:])
    findings.append(f"{out.name}: {key} after {elapsed:.1f} s, {cpu:.1f} s of CPU "
                    f"(from {source.relative_to(ROOT)})")
    return elapsed, cpu, index


record.texts = {}

if __name__ == "__main__":
    sys.exit(main())
