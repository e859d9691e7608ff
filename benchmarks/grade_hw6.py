"""Time `autograder grade` of the HW6 solution end to end against a bare python start-up.

Both are whole processes, started alternately in the same run so machine load affects them alike:
  baseline: python3 -c "import numpy, yaml"
  grade:    python3 -m autograder grade problems/hw6 problems/hw6/solution --quiet
Prints the median of each and the ratio (target: at most 2.5x).
Run: python3 benchmarks/grade_hw6.py [--runs N]
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.5


def timed(command) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        grade = [sys.executable, "-m", "autograder", "grade", "problems/hw6",
                 "problems/hw6/solution", "--quiet", "--results", f"{scratch}/results.json"]
        baseline = [sys.executable, "-c", "import numpy, yaml"]
        timed(grade)  # warm the page cache once, for both
        bare, graded = [], []
        for _ in range(runs):
            bare.append(timed(baseline))
            graded.append(timed(grade))
    bare_s, graded_s = statistics.median(bare), statistics.median(graded)
    print(f"bare `python3 -c 'import numpy, yaml'`: {bare_s * 1000:7.0f} ms (median of {runs})")
    print(f"`autograder grade` of the HW6 solution:  {graded_s * 1000:7.0f} ms (median of {runs})")
    print(f"ratio: {graded_s / bare_s:.2f}x (target <= {TARGET}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
