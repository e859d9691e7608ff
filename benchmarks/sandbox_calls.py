"""CPU a sandbox call costs, both sides together: one call per request vs many in one request.

A worker loads `def add(x, y): return x + y` once; then, in each round, --calls calls of
add(x, x) with a 3x4 float array go one per request (Sandbox.call), and the same number in one
request (Sandbox.call_many). The CPU time of the grader's process and of every process of the
sandbox (counted as grade_hw6.py counts it: a cgroup where it can make one) is divided by the
number of calls. What the student's function does is nothing, so the figures are the sandbox's
own: a request's round trip, and per call the copies, the snapshots and the output capture.
Without a cgroup (not root) the worker's time is not seen until it exits: the figures are then
the grader's side only.

Run from the repository root: python3 benchmarks/sandbox_calls.py [--calls 300] [--rounds 3]
[--cpus 0]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from autograder.sandbox import Limits, Sandbox  # noqa: E402
from grade_hw6 import CLOCK, become_subreaper, cpu_set  # noqa: E402 - beside this file


def cpu_seconds() -> float:
    """This process's CPU time and that of everything it started."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return CLOCK.seconds() + own.ru_utime + own.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpus", default="0", help="CPUs to run on (default 0: one core)")
    args = parser.parse_args()
    os.sched_setaffinity(0, cpu_set(args.cpus))
    become_subreaper()
    print(f"python {sys.version.split()[0]}, CPUs {args.cpus}, {args.calls} calls a round; "
          f"{CLOCK.open()}")
    x = np.arange(12.0).reshape(3, 4)
    single, batched = [], []
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "adder.py"
        module.write_text("def add(x, y):\n    return x + y\n")
        with Sandbox(Limits()) as box:
            if not box.load(module).ok:
                raise SystemExit("the worker did not load the module")
            for _ in range(args.rounds):
                started = cpu_seconds()
                for _ in range(args.calls):
                    box.call("add", x, x)
                middle = cpu_seconds()
                outcomes = box.call_many([("add", (x, x), {})] * args.calls)
                single.append((middle - started) / args.calls)
                batched.append((cpu_seconds() - middle) / args.calls)
                if not all(outcome.ok for outcome in outcomes):
                    raise SystemExit("a call failed")
    one, many = statistics.median(single), statistics.median(batched)
    print(f"one call per request: {one * 1e6:5.0f} us of CPU a call")
    print(f"{args.calls} calls in one request: {many * 1e6:5.0f} us of CPU a call "
          f"(so a request's round trip is about {(one - many) * 1e6:.0f} us)")


if __name__ == "__main__":
    main()
