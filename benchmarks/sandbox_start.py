"""Time a sandbox worker from nothing to its first answer: spawned afresh vs forked from the pool.

One round is: open a Sandbox, load a one-line module, call its function once, close. Spawned,
the worker starts its own interpreter and imports numpy; forked, it is a child of the pool's
zygote, which imported them once. Medians of --runs rounds each, after one unmeasured round of
the pool (the zygote's own start-up). Target: forked well under spawned (it is why `regrade`
and a grade of many questions keep a pool).

Run from the repository root: python3 benchmarks/sandbox_start.py [--runs N] [--cpus 0]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograder.sandbox import Limits, Sandbox, WorkerPool  # noqa: E402

LIMITS = Limits(cpu_seconds_per_call=1, wall_seconds_per_call=5, memory_bytes=512 << 20)


def first_call_seconds(module: Path, pool: WorkerPool | None) -> float:
    started = time.perf_counter()
    with Sandbox(LIMITS, pool=pool) as box:
        if not (box.load(module).ok and box.call("ok", 1).value == 2):
            raise SystemExit("the worker did not answer ok(1) == 2")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--cpus", help="CPUs to run on, as taskset lists them (0: one core)")
    options = parser.parse_args()
    if options.cpus is not None:
        os.sched_setaffinity(0, {int(cpu) for cpu in options.cpus.split(",")})
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder, "student.py")
        module.write_text("def ok(x):\n    return x + 1\n")
        spawned = [first_call_seconds(module, None) for _ in range(options.runs)]
        with WorkerPool() as pool:
            first_call_seconds(module, pool)
            forked = [first_call_seconds(module, pool) for _ in range(options.runs)]
    spawn, fork = statistics.median(spawned), statistics.median(forked)
    print(f"python {sys.version.split()[0]}, CPUs {sorted(os.sched_getaffinity(0))}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"ready sandbox + load + one call, median of {options.runs}: "
          f"spawned {spawn * 1000:.0f} ms, forked from the pool {fork * 1000:.0f} ms "
          f"({spawn / fork:.1f}x faster forked)")


if __name__ == "__main__":
    main()
