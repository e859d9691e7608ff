"""Time `autograder regrade` on 200 HW6 submissions against 200 bare `python3 -c "import numpy"`.

The submissions are copies of tests/corpus/hw6/correct/*.py and buggy/*.py (a mix, in turn),
each as hw6.py in an export-shaped folder (submission_<id>/ and submission_metadata.yml).
Both timings are taken in this one run, on this machine, one after the other:
  baseline  200 processes `python3 -c "import numpy"` started one after another: what grading
            costs when every submission pays for a fresh interpreter and nothing else;
  regrade   regrade() from nothing (no earlier results): grader start-up, every check, the
            gradebook and the summary, on every core.
Target: regrade <= 0.5 x baseline.

Then it checks that every submission's results.json equals what `autograder grade` gives it alone
(apart from execution_time): each distinct source is graded alone once, with the CLI, and every
copy of it must match (HW6 has no per-student params, so copies grade the same).

Memory: the peak RSS of a sandbox worker grading HW6 (target <= 80 MiB). Workers are not our
children (a keeper forked by the pool's zygote reaps them), so getrusage(RUSAGE_CHILDREN) cannot
see them; instead, while a smaller regrade runs, a thread reads /proc/<pid>/status VmHWM (the
kernel's high-water mark of the process's resident set) of every worker every 2 ms. Because
VmHWM only grows, a sample misses only growth in a worker's last 2 ms. A worker is a process
three forks below a zygote (zygote -> keeper -> sandbox init -> worker). Its RSS includes the
pages it shares with the zygote (the interpreter and numpy), as any RSS does.

Run from the repository root: python3 benchmarks/regrade.py [--submissions N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
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


def time_baseline(count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        subprocess.run([sys.executable, "-c", "import numpy"], check=True)
    return time.perf_counter() - started


def time_regrade(assignment: Path, export: Path, out: Path) -> float:
    started = time.perf_counter()
    regrade.regrade(assignment, export, out, progress=lambda *args: None)
    return time.perf_counter() - started


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
    differ = []
    for i, source in copied.items():
        batched = load_results(out / i / "results.json")
        if not regrade.results_equal(batched, alone[source]):
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
    count = parser.parse_args().submissions
    assignment, files = HW6, sources()
    with tempfile.TemporaryDirectory(prefix="regrade-bench-") as scratch:
        scratch = Path(scratch)
        copied = make_export(scratch / "export", count, files)
        print(f"{count} submissions of {assignment.name} ({len(files)} distinct files), "
              f"{regrade._cores()} cores, python {sys.version.split()[0]}")
        baseline = time_baseline(count)
        print(f"baseline: {count} x `python3 -c 'import numpy'` one after another: "
              f"{baseline:6.2f} s ({1000 * baseline / count:.0f} ms each)")
        elapsed = time_regrade(assignment, scratch / "export", scratch / "out")
        print(f"regrade:  {count} submissions, from nothing:            "
              f"{elapsed:6.2f} s ({1000 * elapsed / count:.0f} ms each)")
        ratio = elapsed / baseline
        print(f"ratio:    {ratio:.2f}x the baseline (target <= {TARGET_RATIO}x): "
              f"{'ok' if ratio <= TARGET_RATIO else 'MISSED'}")
        wrong = mismatches(assignment, scratch / "export", scratch / "out", copied, scratch)
        print(f"identical to `autograder grade` alone: {count - len(wrong)} of {count}"
              + (f" (differ: {', '.join(wrong[:10])})" if wrong else ""))
        sample = scratch / "memory"
        make_export(sample, len(files), files)
        peaks = worker_peaks(assignment, sample, scratch / "memory-out")
        top = peaks[-1] / 1024 if peaks else float("nan")
        print(f"memory:   peak RSS (VmHWM) of {len(peaks)} workers grading HW6: max {top:.1f} MiB, "
              f"median {statistics.median(peaks) / 1024 if peaks else float('nan'):.1f} MiB "
              f"(target <= {TARGET_MIB} MiB): {'ok' if top <= TARGET_MIB else 'MISSED'}")
        return 1 if wrong or ratio > TARGET_RATIO or not top <= TARGET_MIB else 0


if __name__ == "__main__":
    sys.exit(main())
