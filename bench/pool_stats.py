#!/usr/bin/env python3
"""Summarises a SLIM_POOL_STATS file (runtime/src/thread_pool.cpp) per job.

Usage: bench/pool_stats.py FILE [--skip=K] [--names=a,b,...]
  FILE: written by a process that ran the same network several times (e.g.
  `SLIM_POOL_STATS=FILE slimrun m.so --bench 9 --warmup 1`); the runs are
  found as the shortest period of the jobs' item counts and the jobs of one
  run are matched by position. --skip drops the first K runs; --names labels
  the positions.

Per job position (medians over runs): items n, chunks, the job's wall time,
each thread's CPU time running chunks, the imbalance (max over the two
threads of that CPU time / their mean; 2.0 = one thread did everything), the helper's start latency (from the
caller publishing the job to the helper's first chunk) and the idle share
(1 - sum of busy wall time / (threads x job wall)). Then per run: time in
jobs, the caller's time between jobs (serial work: ops that do not go
through the pool, and pool overhead) and the CPU-time sums.
"""
import statistics as st
import sys


def parse(path):
    jobs = []
    for line in open(path):
        if not line.startswith("job "):
            continue
        parts = line.split("|")
        head = parts[0].split()
        n, chunks, begin, wall = (int(x) for x in head[2:6])
        slots = []
        for p in parts[1:]:
            k, start, swall, cpu, ch, items = (int(x) for x in p.split())
            slots.append(dict(k=k, start=start, wall=swall, cpu=cpu,
                              chunks=ch, items=items))
        jobs.append(dict(n=n, chunks=chunks, begin=begin, wall=wall,
                         slots=slots))
    return jobs


def med(xs):
    return st.median(xs) if xs else float("nan")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    skip = 0
    names = []
    for a in sys.argv[1:]:
        if a.startswith("--skip="):
            skip = int(a.split("=")[1])
        if a.startswith("--names="):
            names = a.split("=", 1)[1].split(",")
    jobs = parse(args[0])
    seq = [j["n"] for j in jobs]
    per = next(p for p in range(1, len(seq) + 1)
               if all(seq[i] == seq[i + p] for i in range(len(seq) - p)))
    # Jobs before the first run (preparing the model) come first.
    jobs = jobs[len(jobs) % per:]
    runs = len(jobs) // per
    runs_l = [jobs[r * per:(r + 1) * per] for r in range(skip, runs)]
    print(f"# {len(jobs)} jobs, {runs} runs of {per} jobs, {len(runs_l)} used")
    print("%-8s %7s %6s %9s %9s %9s %9s %6s %8s %6s %5s %6s %s" %
          ("job", "n", "chunks", "wall_us", "minwall", "cpu0_us", "cpu1_us",
           "cpuImb", "start1us", "idle%", "clean", "eff%", "items/thread"))
    tot = dict(wall=0.0, cpu=0.0, idle=0.0)
    for i in range(per):
        js = [run[i] for run in runs_l]
        j0 = js[0]
        wall = med([j["wall"] for j in js]) / 1e3
        cpu = {}
        busy = []
        starts = []
        idle = []
        items = {}
        for j in js:
            threads = max(1, len(j["slots"]))
            bw = [s["wall"] for s in j["slots"]]
            for s in j["slots"]:
                cpu.setdefault(s["k"], []).append(s["cpu"] / 1e3)
                items.setdefault(s["k"], []).append(s["items"])
                if s["k"] > 0:
                    starts.append(s["start"] / 1e3)
            # Imbalance by CPU time (robust to co-runners taking the core):
            # max over the 2 threads / their mean; a helper that never
            # came counts as 0.
            cs = [s["cpu"] for s in j["slots"]] + [0] * (2 - len(j["slots"]))
            if sum(cs):
                busy.append(max(cs) / (sum(cs) / len(cs)))
            # Idle: the time a 2-thread job leaves unused (a helper that
            # never came counts as fully idle).
            nthr = 2
            idle.append(1 - sum(bw) / (nthr * j["wall"]) if j["wall"] else 0)
        # Clean jobs: both threads ran chunks, the helper started within
        # 100 us and neither lost more than 3% of its busy time to other
        # processes (busy wall <= 1.03 x thread CPU). Their efficiency,
        # thread CPU / (2 x job wall), is what the pool and the kernels'
        # split leave on a machine with two free cores.
        eff = []
        for j in js:
            sl = j["slots"]
            if (len(sl) == 2 and all(s["wall"] <= 1.03 * s["cpu"] for s in sl)
                    and all(s["start"] < 100000 for s in sl)):
                eff.append(sum(s["cpu"] for s in sl) / (2 * j["wall"]))
        minwall = min(j["wall"] for j in js) / 1e3
        c0 = med(cpu.get(0, []))
        c1 = med(cpu.get(1, [])) if 1 in cpu else 0.0
        it = " ".join(f"{k}:{med(v):.0f}" for k, v in sorted(items.items()))
        print("%-8s %7d %6d %9.1f %9.1f %9.1f %9.1f %6.3f %8.1f %6.1f %5d %6.1f %s" %
              (names[i] if i < len(names) else str(i), j0["n"], j0["chunks"],
               wall, minwall, c0, c1, med(busy), med(starts), 100 * med(idle),
               len(eff), 100 * med(eff), it))
        tot["wall"] += wall
        tot["cpu"] += c0 + c1
        tot["idle"] += wall * med(idle)
    gaps = []
    spans = []
    for run in runs_l:
        g = 0
        for a, b in zip(run, run[1:]):
            g += b["begin"] - (a["begin"] + a["wall"])
        gaps.append(g / 1e6)
        spans.append((run[-1]["begin"] + run[-1]["wall"] - run[0]["begin"]) /
                     1e6)
    print(f"# per run (medians): jobs' wall {tot['wall']/1e3:.2f} ms, their "
          f"chunk CPU {tot['cpu']/1e3:.2f} ms, idle thread-time in jobs "
          f"{2*tot['idle']/1e3:.2f} ms (of 2 threads), caller between jobs "
          f"{med(gaps):.2f} ms, first job to last {med(spans):.2f} ms")


if __name__ == "__main__":
    main()
