"""Time `autograder regrade` on 200 HW6 submissions against two yardsticks, in one run.

The submissions are copies of tests/corpus/hw6/correct/*.py and buggy/*.py (a mix, in turn),
each as hw6.py in an export-shaped folder (submission_<id>/ and submission_metadata.yml).
In every round, one after the other, on the same CPUs (--cpus 0: one core, as on Gradescope):
  (a) regrade   `python3 -m autograder regrade` of the export from nothing: grader start-up,
                every check, the gradebook and the summary, with one grader per CPU;
  (b) peer      the conventional gradescope-utils autograder (benchmarks/peer_gsutils/) run on
                every submission, one process each, as Gradescope would run it;
  (c) baseline  N processes `python3 -c "import numpy"` one after another: what grading costs
                when every submission pays for a fresh interpreter and nothing else.
CPU time is user + sys of each process and every descendant, counted as grade_hw6.py counts it
(a cgroup of its own where it can make one, else getrusage as their subreaper: a grader's
zygote outlives it); wall time too. Target: regrade <= 0.5 x baseline (CPU and wall).

Then it checks that every submission's results.json equals what `autograder grade` gives it alone
(apart from execution_time): each distinct source is graded alone once, with the CLI, and every
copy of it must match (HW6 has no per-student params, so copies grade the same).

Memory: the peak RSS of a sandbox worker grading HW6 (target <= 80 MiB), and the peak of the
resident set summed over every process of a regrade of one copy of each file (as in
grade_hw6.py). Workers are not our children (a keeper forked by the pool's zygote reaps them),
so a thread reads /proc/<pid>/status VmHWM (the kernel's high-water mark of the process's
resident set) of every worker every 2 ms. Because VmHWM only grows, a sample misses only growth
in a worker's last 2 ms. A worker is a process three forks below a zygote (zygote -> keeper ->
sandbox init -> worker). Its RSS includes the pages it shares with the zygote (the interpreter
and numpy), as any RSS does.

Run from the repository root: python3 benchmarks/regrade.py [--submissions N] [--cpus 0]
[--rounds R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import regrade  # noqa: E402
from autograder.cli import main as autograder_main  # noqa: E402
from autograder.gradebook import load_results  # noqa: E402
from grade_hw6 import CLOCK, become_subreaper, cpu_set, measure, memory  # noqa: E402 - on sys.path

HW6 = ROOT / "problems" / "hw6"
CORPUS = ROOT / "tests" / "corpus" / "hw6"
TARGET_RATIO = 0.5
TARGET_MIB = 80
SAMPLE_SECONDS = 0.002


def sources() -> list:
    """The files to copy in turn: every correct and every buggy submission of the corpus."""
    return sorted((CORPUS / "correct").glob("*.py")) + sorted((CORPUS / "buggy").glob("*.py"))


def make_export(folder: Path, count: int, files: list) -> dict:
    """An export of `count` submissions; returns {submission id: the source it copies}."""
    folder.mkdir(parents=True)
    copied, metadata = {}, []
    for i in range(1, count + 1):
        source = files[(i - 1) % len(files)]
        submission = folder / f"submission_{i}"
        submission.mkdir()
        (submission / "hw6.py").write_bytes(source.read_bytes())
        copied[str(i)] = source
        metadata.append(f"submission_{i}:\n  :submitters:\n  - :name: Student {i}\n"
                        f"    :sid: '{100000 + i}'\n    :email: student{i}@example.edu\n")
    (folder / "submission_metadata.yml").write_text("".join(metadata))
    return copied


def time_each(commands: list, cpus) -> tuple:
    """(CPU seconds, wall seconds) of running `commands` one after another."""
    cpu = wall = 0.0
    for command in commands:
        used, took = measure(command, cpus)
        cpu, wall = cpu + used, wall + took
    return cpu, wall


def mismatches(assignment: Path, export: Path, out: Path, copied: dict, scratch: Path) -> list:
    """Submission ids whose batch results differ from grading their source alone."""
    alone = {}
    for source in sorted(set(copied.values())):
        first = next(i for i, s in copied.items() if s == source)
        results = scratch / f"alone-{first}.json"
        autograder_main(["grade", str(assignment), str(export / f"submission_{first}"),
                         "--results", str(results), "--quiet",
                         "--student", f"student{first}@example.edu"])
        alone[source] = load_results(results)
    def without_time(results):  # no two runs share an execution_time
        return {key: value for key, value in results.items() if key != "execution_time"}

    differ = []
    for i, source in copied.items():
        batched = load_results(out / i / "results.json")
        if without_time(batched) != without_time(alone[source]):
            tests = [a["name"] for a, b in zip(batched["tests"], alone[source]["tests"]) if a != b]
            differ.append(f"{i} ({source.name}: {', '.join(tests) or 'summary'})")
    return differ


# ------------------------------------------------------------------------- worker memory

def _parents() -> dict:
    parents = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        parents[int(entry)] = int(stat.rsplit(b")", 1)[1].split()[1])
    return parents


def _is_zygote(pid: int) -> bool:
    try:
        return b"zygote" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False


def _vm_hwm_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


class WorkerMemory:
    """Samples the peak RSS of every sandbox worker below this process until stopped."""

    def __init__(self):
        self.peaks: dict = {}
        self._zygotes: set = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            parents = _parents()
            ours = _descendants(os.getpid(), parents)
            for pid in ours:
                # Checked again each time until found: a zygote's pid first shows the grader's
                # command line, between fork and exec. Its own forks (keepers, workers) keep
                # its command line, so the zygote is the one whose parent does not have it.
                near = (pid, parents[pid], parents.get(parents[pid]))
                if not self._zygotes.intersection(near) and _is_zygote(pid) \
                        and not _is_zygote(parents[pid]):
                    self._zygotes.add(pid)
            for pid in ours:
                if parents.get(parents.get(parents[pid])) in self._zygotes:
                    peak = _vm_hwm_kib(pid)
                    if peak is not None:
                        self.peaks[pid] = max(peak, self.peaks.get(pid, 0))
            time.sleep(SAMPLE_SECONDS)


def _descendants(root: int, parents: dict) -> set:
    children: dict = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.add(child)
            todo.append(child)
    return found


def worker_peaks(assignment: Path, export: Path, out: Path) -> list:
    with WorkerMemory() as memory:
        regrade.regrade(assignment, export, out, progress=lambda *args: None)
    return sorted(memory.peaks.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--cpus", help="pin every process to these CPUs, e.g. 0 (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="timed rounds (default 1)")
    args = parser.parse_args()
    become_subreaper()
    count, cpus = args.submissions, cpu_set(args.cpus)
    if cpus:
        os.sched_setaffinity(0, cpus)  # for the checks and the memory below too
    assignment, files = HW6, sources()
    with tempfile.TemporaryDirectory(prefix="regrade-bench-") as scratch:
        scratch = Path(scratch)
        export = scratch / "export"
        copied = make_export(export, count, files)
        print(f"{count} submissions of {assignment.name} ({len(files)} distinct files), "
              f"{len(cpus or os.sched_getaffinity(0))} CPUs, python {sys.version.split()[0]}, "
              f"{args.rounds} rounds; load average at start: {_load()}; {CLOCK.open()}")
        peer = [[sys.executable, "benchmarks/peer_gsutils/run_tests.py",
                 str(export / f"submission_{i}"), "--results", str(scratch / "peer.json")]
                for i in copied]
        bare = [[sys.executable, "-c", "import numpy"]] * count
        times: dict = {"regrade": [], "peer": [], "baseline": []}
        for number in range(args.rounds):
            times["baseline"].append(time_each(bare, cpus))
            times["regrade"].append(measure(
                [sys.executable, "-m", "autograder", "regrade", str(assignment), str(export),
                 "-o", str(scratch / f"out-{number}")], cpus, quiet=True))
            times["peer"].append(time_each(peer, cpus))
        labels = {"regrade": "(a) regrade", "peer": "(b) gradescope-utils peer, each",
                  "baseline": "(c) bare `import numpy`, each"}
        cpu = {name: statistics.median(c for c, _ in runs) for name, runs in times.items()}
        wall = {name: statistics.median(w for _, w in runs) for name, runs in times.items()}
        for name in ("regrade", "peer", "baseline"):
            print(f"{labels[name]:32} CPU {cpu[name]:6.2f} s  wall {wall[name]:6.2f} s  "
                  f"({1000 * wall[name] / count:.0f} ms wall a submission)")
        ratio = max(cpu["regrade"] / cpu["baseline"], wall["regrade"] / wall["baseline"])
        print(f"a/c: CPU {cpu['regrade'] / cpu['baseline']:.2f}x  wall "
              f"{wall['regrade'] / wall['baseline']:.2f}x (target <= {TARGET_RATIO}x: "
              f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'});  a/b: CPU "
              f"{cpu['regrade'] / cpu['peer']:.2f}x  wall {wall['regrade'] / wall['peer']:.2f}x")
        print(f"load average at end: {_load()}")
        wrong = mismatches(assignment, export, scratch / "out-0", copied, scratch)
        print(f"identical to `autograder grade` alone: {count - len(wrong)} of {count}"
              + (f" (differ: {', '.join(wrong[:10])})" if wrong else ""))
        sample = scratch / "memory"
        make_export(sample, len(files), files)
        peaks = worker_peaks(assignment, sample, scratch / "memory-out")
        top = peaks[-1] / 1024 if peaks else float("nan")
        print(f"memory:   peak RSS (VmHWM) of {len(peaks)} workers grading HW6: max {top:.1f} MiB, "
              f"median {statistics.median(peaks) / 1024 if peaks else float('nan'):.1f} MiB "
              f"(target <= {TARGET_MIB} MiB): {'ok' if top <= TARGET_MIB else 'MISSED'}")
        # (The sum of every process's own peak means nothing here: most of them never coexist.)
        together, _ = memory([sys.executable, "-m", "autograder", "regrade", str(assignment),
                              str(sample), "-o", str(scratch / "memory-tree")], cpus, quiet=True)
        print(f"memory:   all processes of a regrade of {len(files)} submissions together: "
              f"peak summed RSS {together:.0f} MiB")
        return 1 if wrong or ratio > TARGET_RATIO or not top <= TARGET_MIB else 0


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
