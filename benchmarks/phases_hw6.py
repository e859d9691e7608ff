"""Where a grade of the HW6 solution spends its CPU time, phase by phase, on one core.

Each run is a fresh process that does what `autograder grade problems/hw6 problems/hw6/solution`
does after Gradescope's setup.sh (compiled, the spec parsed: grade_hw6.prepare_like_setup), in
the same order and through the same functions as cli._grade (the keeper forked from it once
numpy is imported, then the spec, the worker, the 20 questions, results.json), and notes the
process's own CPU time (time.process_time) after each phase; the sandbox's processes (keeper,
sandbox init, worker) are counted once, as all the CPU time of the run (counted as grade_hw6.py
counts it: a cgroup where it can make one) less the process's own. Python's own start (before
the first line runs) is measured apart, as `python3 -c pass`. Prints the median of each phase
over the runs.

Run: python3 benchmarks/phases_hw6.py [--runs 15] [--cpus 0]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

# Only what the grader imports anyway is imported above: a run's phases must not find the
# rest of its modules already loaded.

ROOT = Path(__file__).resolve().parent.parent
PHASES = ["python starts (python3 -c pass)", "CLI imported, numpy imported, keeper forked",
          "the grader's modules imported", "spec, reference and checks loaded",
          "20 questions graded (grader's side)", "results.json written",
          "keeper, sandbox init and worker (all of their CPU)"]


def one_run() -> dict:
    """The phases of one grade in this process, in ms of CPU (run as a child of main())."""
    cpu = [time.process_time()]
    from autograder import cli
    from autograder.sandbox import launch
    cli._one_blas_thread()
    if not launch.fork_spare():
        raise SystemExit("this process may not fork its keeper (threads? BLAS threads?)")
    cpu.append(time.process_time())
    from autograder import engine, results, spec, submission
    from autograder.kinds.code import kind  # noqa: F401 - imported by the spec otherwise
    cpu.append(time.process_time())
    assignment = spec.load_assignment(ROOT / "problems" / "hw6")
    cpu.append(time.process_time())
    graded = engine.grade(assignment, submission.Submission(
        ROOT / "problems" / "hw6" / "solution", assignment.answers_file, assignment.code_files))
    cpu.append(time.process_time())
    results.write_results(graded, Path(os.environ["PHASES_RESULTS"]))
    cpu.append(time.process_time())
    import resource
    own = resource.getrusage(resource.RUSAGE_SELF)
    assert graded.tests and sum(t.score for t in graded.tests) == 27, "the solution lost points"
    return {"phases": [1000 * (b - a) for a, b in zip(cpu, cpu[1:])],
            "own": 1000 * (own.ru_utime + own.ru_stime)}


def main() -> int:
    if sys.argv[1:] == ["--child"]:
        measured = one_run()
        import json
        print(json.dumps(measured))
        os._exit(0)  # as cli.run() does
    import argparse
    import json
    import statistics
    import subprocess

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--cpus", default="0", help="CPUs to pin to (default 0: one core)")
    args = parser.parse_args()
    cpus = {int(c) for c in args.cpus.split(",")}
    pin = lambda: os.sched_setaffinity(0, cpus)  # noqa: E731
    from grade_hw6 import CLOCK, become_subreaper, prepare_like_setup, reap_all  # beside it

    prepare_like_setup()
    become_subreaper()  # so that orphans are counted where getrusage is the clock
    clock = CLOCK.open()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PHASES_RESULTS": os.devnull}
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    starts, runs = [], []
    for _ in range(args.runs):
        started = subprocess.Popen([sys.executable, "-c", "pass"], preexec_fn=pin)
        starts.append(1000 * _cpu_of(started))
        before = CLOCK.seconds()
        child = subprocess.run([sys.executable, __file__, "--child"], env=env, cwd=ROOT,
                               preexec_fn=pin, capture_output=True, text=True, check=True)
        reap_all()
        runs.append(json.loads(child.stdout))
        runs[-1]["children"] = 1000 * (CLOCK.seconds() - before) - runs[-1]["own"]
    medians = [statistics.median(starts)] + [
        statistics.median(run["phases"][i] for run in runs) for i in range(len(PHASES) - 2)]
    medians.append(statistics.median(run["children"] for run in runs))
    print(f"python {sys.version.split()[0]}, CPUs {sorted(cpus)}, medians of {args.runs} runs, "
          f"load average {load}; {clock}")
    for phase, ms in zip(PHASES, medians):
        print(f"  {phase:54} {ms:6.1f} ms")
    print(f"  {'total':54} {sum(medians):6.1f} ms")
    return 0


def _cpu_of(process) -> float:
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
