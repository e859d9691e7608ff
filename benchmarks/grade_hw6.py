"""Time and size `autograder grade` of the HW6 solution against two yardsticks, in one run.

Three whole processes, started in turn in every round so that machine load affects them alike:
  (a) grade:   python3 -m autograder grade problems/hw6 problems/hw6/solution --quiet
               --metadata <a submission_metadata.json>, as run_autograder runs it on
               Gradescope, after what its setup.sh does (compileall, the spec parsed)
  (b) peer:    python3 benchmarks/peer_gsutils/run_tests.py problems/hw6/solution, the
               conventional (unsafe, in-process) gradescope-utils autograder of the same HW6
  (c) bare:    python3 -c "import numpy, yaml"
For each: CPU time (user + sys of the process and of every descendant: keepers, sandbox inits,
workers and what they start) and wall time until the process exits, medians over the rounds,
and the ratios a/b and a/c of both. The CPU time is the kernel's count for a cgroup of this
script's own, in which the measured processes are born (cgroup v1's cpuacct.usage, or v2's
cpu.stat; less this script's own time), where it can make one (root):
getrusage(RUSAGE_CHILDREN) misses the processes that nobody who is counted reaps, the sandbox
init and worker in their PID namespace (a grade of the solution with the kernel's isolation:
148 ms by getrusage, 180 ms by the cgroup, on one core). Elsewhere it falls back to getrusage
(this script is the subreaper of what it runs, so orphans are reaped and counted) and says so.
On one core (--cpus 0, as on Gradescope's half CPU) wall time is about the CPU time of all
processes; on two, the grader and the sandbox's worker overlap.

Memory (--memory-runs, runs of their own, after the timed ones): the peak of the resident set
summed over all processes of a grade at the same moment, from a thread that reads VmRSS of every
descendant in /proc every 2 ms (a spike shorter than that can be missed), and, as an upper bound,
the sum of every process's own peak (VmHWM), which counts each process at its own worst moment.
Both count pages shared by several processes (the interpreter, numpy) once per process, so they
overstate what the container is charged. --hostile sizes a grade of every file of
tests/corpus/hw6/hostile/ the same way (one run each).

Run: python3 benchmarks/grade_hw6.py [--runs 15] [--cpus 0] [--memory-runs 3] [--hostile]
"""

from __future__ import annotations

import argparse
import atexit
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "corpus" / "hw6" / "hostile"
TARGET_PEER, TARGET_BARE = 1.0, 1.8
TARGET_SOLUTION_MIB, TARGET_HOSTILE_MIB = 300, 768
SAMPLE_SECONDS = 0.002


def cpu_set(text: str | None) -> set | None:
    """'0' or '0,1' or '0-1' -> {0, 1}; None: no pinning."""
    if text is None:
        return None
    cpus = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        cpus.update(range(int(low), int(high or low) + 1))
    return cpus


class CpuClock:
    """The CPU time of every process this script starts, and of all their descendants.

    Through a cgroup of its own (made by `open`) where it can make one: this script moves into
    it, so that what it starts is born there, and its own CPU time is subtracted. Else
    getrusage of this process's children (the module's docstring says why the cgroup's count
    is the better)."""

    def __init__(self):
        self.cgroup = self.usage = self.left = None
        self.scale = 1.0

    def open(self) -> str:
        """Make the cgroup and move in, if possible (both undone when this script exits); says
        which clock is used."""
        name = f"autograder-benchmark-{os.getpid()}"
        for root in (Path("/sys/fs/cgroup/cpuacct"), Path("/sys/fs/cgroup/cpu,cpuacct")):
            if (root / "cpuacct.usage").exists() and self._enter(root, root / name):
                self.usage, self.scale = self.cgroup / "cpuacct.usage", 1e-9
                return f"CPU from cgroup v1 {self.cgroup}"
        v2 = Path("/sys/fs/cgroup")
        if (v2 / "cgroup.controllers").exists():
            own = next(line[3:] for line in Path("/proc/self/cgroup").read_text().splitlines()
                       if line.startswith("0::"))
            parent = v2 / own.lstrip("/")
            if self._enter(parent, parent / name):
                self.usage, self.scale = self.cgroup / "cpu.stat", 1e-6
                return (f"CPU from cgroup v2 {self.cgroup} (the sandbox's memory cgroup is not "
                        f"available inside it)")
        return "CPU from getrusage (no cgroup could be made: a sandbox worker may be missed)"

    def _enter(self, parent: Path, folder: Path) -> bool:
        try:
            folder.mkdir()
        except OSError:
            return False
        try:
            (folder / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            folder.rmdir()
            return False
        self.cgroup, self.left = folder, parent
        atexit.register(self.close)
        return True

    def seconds(self) -> float:
        """CPU seconds of what this script started, so far (only differences mean anything)."""
        if self.usage is None:
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime
        text = self.usage.read_text()
        if self.usage.name == "cpu.stat":
            text = next(line.split()[1] for line in text.splitlines()
                        if line.startswith("usage_usec "))
        own = resource.getrusage(resource.RUSAGE_SELF)
        return int(text) * self.scale - own.ru_utime - own.ru_stime

    def close(self) -> None:
        (self.left / "cgroup.procs").write_text(str(os.getpid()))
        self.cgroup.rmdir()


CLOCK = CpuClock()


def start(command, cpus, quiet=False) -> subprocess.Popen:
    """Start `command` pinned to `cpus` (its descendants inherit the affinity); quiet: without
    its stderr (regrade's progress) too."""
    pin = (lambda: os.sched_setaffinity(0, cpus)) if cpus else None
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, preexec_fn=pin,
                            stderr=subprocess.DEVNULL if quiet else None)


def become_subreaper() -> None:
    """Orphans of the measured processes (a regrade's zygotes outlive their graders) become our
    children, so that reaping them counts their CPU time too."""
    import ctypes
    pr_set_child_subreaper = 36
    ctypes.CDLL(None).prctl(pr_set_child_subreaper, 1, 0, 0, 0)


def reap_all() -> None:
    """Wait for every child left (the orphans the measured process left behind)."""
    while True:
        try:
            os.wait4(-1, 0)
        except ChildProcessError:
            return


def measure(command, cpus, quiet=False) -> tuple:
    """(CPU seconds of the process and of every descendant, wall seconds until it exits)."""
    before = CLOCK.seconds()
    started = time.perf_counter()
    process = start(command, cpus, quiet)
    _, status, _ = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    reap_all()
    after = CLOCK.seconds()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command} exited with {process.returncode}")
    return after - before, wall


# ------------------------------------------------------------------------------ memory

def _children() -> dict:
    children: dict = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        children.setdefault(int(stat.rsplit(b")", 1)[1].split()[1]), []).append(int(entry))
    return children


def _descendants(root: int) -> list:
    children, found, todo = _children(), [root], [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def _rss_and_peak_kib(pid: int) -> tuple:
    rss = peak = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        pass
    return rss, peak


def memory(command, cpus, quiet=False) -> tuple:
    """(peak of the summed RSS, sum of each process's peak RSS) of `command`'s tree, in MiB."""
    process = start(command, cpus, quiet)
    together, peaks = 0, {}
    done = threading.Event()

    def sample():
        nonlocal together
        while not done.is_set():
            now = 0
            for pid in _descendants(process.pid):
                rss, peak = _rss_and_peak_kib(pid)
                now += rss
                if peak:
                    peaks[pid] = max(peak, peaks.get(pid, 0))
            together = max(together, now)
            time.sleep(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    done.set()
    sampler.join()
    reap_all()
    return together / 1024, sum(peaks.values()) / 1024


def prepare_like_setup() -> None:
    """What Gradescope's setup.sh does once before any run: byte-compile (else, where
    PYTHONDONTWRITEBYTECODE is set, every run would compile the grader, and the peer its tests,
    anew) and parse HW6's spec (autograder/yamlio.py)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "autograder", "reference",
                    "problems", "benchmarks/peer_gsutils"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    env = {name: value for name, value in os.environ.items()
           if name != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "from autograder.spec import load_assignment; "
                    "load_assignment('problems/hw6')"], cwd=ROOT, env=env, check=True)


def median(values) -> float:
    return statistics.median(values)


def main() -> int:
    become_subreaper()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument("--cpus", help="pin every process to these CPUs, e.g. 0 (default: all)")
    parser.add_argument("--memory-runs", type=int, default=3, help="sized grades (default 3)")
    parser.add_argument("--hostile", action="store_true",
                        help="also size a grade of every hostile corpus file")
    args = parser.parse_args()
    cpus = cpu_set(args.cpus)
    with tempfile.TemporaryDirectory() as scratch:
        commands = {
            "grade": [sys.executable, "-m", "autograder", "grade", "problems/hw6",
                      "problems/hw6/solution", "--quiet", "--results", f"{scratch}/results.json",
                      "--metadata", f"{scratch}/submission_metadata.json"],
            "peer": [sys.executable, "benchmarks/peer_gsutils/run_tests.py",
                     "problems/hw6/solution", "--results", f"{scratch}/peer.json"],
            "bare": [sys.executable, "-c", "import numpy, yaml"],
        }
        Path(scratch, "submission_metadata.json").write_text(
            '{"users": [{"email": "student@example.edu", "id": 1}]}')
        where = f"CPUs {sorted(cpus)}" if cpus else f"all {len(os.sched_getaffinity(0))} CPUs"
        print(f"python {sys.version.split()[0]}, {where}, {args.runs} rounds; "
              f"load average at start: {_load()}; {CLOCK.open()}")
        prepare_like_setup()
        for command in commands.values():  # warm the page cache once
            measure(command, cpus)
        times: dict = {name: [] for name in commands}
        for _ in range(args.runs):
            for name in ("bare", "grade", "peer"):
                times[name].append(measure(commands[name], cpus))
        cpu = {name: median(c for c, _ in runs) for name, runs in times.items()}
        wall = {name: median(w for _, w in runs) for name, runs in times.items()}
        labels = {"grade": "(a) autograder grade", "peer": "(b) gradescope-utils peer",
                  "bare": "(c) bare numpy + yaml"}
        for name in ("grade", "peer", "bare"):
            print(f"{labels[name]:27} CPU {cpu[name] * 1000:5.0f} ms   wall "
                  f"{wall[name] * 1000:5.0f} ms   (medians of {args.runs})")
        ok = True
        for other, target in (("peer", TARGET_PEER), ("bare", TARGET_BARE)):
            ratio = cpu["grade"] / cpu[other]
            ok &= ratio <= target
            print(f"a/{'b' if other == 'peer' else 'c'}: CPU {ratio:.2f}x  wall "
                  f"{wall['grade'] / wall[other]:.2f}x  (target CPU <= {target}x: "
                  f"{'ok' if ratio <= target else 'MISSED'})")
        print(f"load average at end: {_load()}")
        if args.memory_runs:
            sizes = [memory(commands["grade"], cpus) for _ in range(args.memory_runs)]
            together = max(s for s, _ in sizes)
            bound = max(b for _, b in sizes)
            ok &= bound <= TARGET_SOLUTION_MIB
            print(f"memory of a grade of the solution, all processes, worst of "
                  f"{args.memory_runs}: peak summed RSS {together:.0f} MiB, sum of each "
                  f"process's peak {bound:.0f} MiB (target <= {TARGET_SOLUTION_MIB} MiB: "
                  f"{'ok' if bound <= TARGET_SOLUTION_MIB else 'MISSED'})")
        if args.hostile:
            ok &= hostile_memory(Path(scratch), cpus)
    return 0 if ok else 1


def hostile_memory(scratch: Path, cpus) -> bool:
    ok = True
    for source in sorted(HOSTILE.glob("*.py")):
        submission = scratch / "hostile" / source.stem
        submission.mkdir(parents=True)
        shutil.copy(source, submission / "hw6.py")
        command = [sys.executable, "-m", "autograder", "grade", "problems/hw6", str(submission),
                   "--quiet", "--results", str(submission / "results.json")]
        together, bound = memory(command, cpus)
        ok &= bound <= TARGET_HOSTILE_MIB
        print(f"memory of a grade of hostile/{source.name:24} peak summed RSS {together:4.0f} "
              f"MiB, sum of peaks {bound:4.0f} MiB (target <= {TARGET_HOSTILE_MIB}: "
              f"{'ok' if bound <= TARGET_HOSTILE_MIB else 'MISSED'})")
    return ok


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
