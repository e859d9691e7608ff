"""`autograder grade` forks the sandbox's keeper from itself once numpy is imported (instead of
starting a second interpreter that imports numpy again): the worker must still see nothing of the
grader. A spy submission reports what its process can see, through the feedback of a function that
raises; the grader runs as a real CLI process, as on Gradescope.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import PROBLEMS, ROOT, load_results

MARKER = "grader-only-marker-6f1c"

SPY = r'''
import json, os, sys

def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace").rstrip("\0")
    except OSError as error:
        return f"<{error.strerror}>"

def sigmoid(z):
    seen = {"cmdline": _read("/proc/self/cmdline"), "environ": _read("/proc/self/environ"),
            "parent": _read(f"/proc/{os.getppid()}/cmdline"),
            "modules": sorted(m for m in sys.modules if m.split(".")[0] in
                              ("autograder", "reference", "conftest") or "editable" in m),
            "path": sys.path, "argv": sys.argv, "orig_argv": sys.orig_argv,
            "env": sorted(os.environ), "fds": len(os.listdir("/proc/self/fd"))}
    raise RuntimeError("SPY" + json.dumps(seen) + "YPS")
'''


def cli_grade(submission, tmp_path):
    results = tmp_path / "results.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AUTOGRADER_TEST_SECRET": MARKER}
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(PROBLEMS / "hw6"),
                    str(submission), "--quiet", "--results", str(results)],
                   cwd=ROOT, env=env, check=True, timeout=120)
    return load_results(results)


def test_the_solution_graded_by_the_cli_gets_full_marks(tmp_path):
    results = cli_grade(PROBLEMS / "hw6" / "solution", tmp_path)
    assert results["score"] == 27


def test_a_forked_worker_sees_nothing_of_the_grader(tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "hw6.py").write_text(SPY)
    results = cli_grade(submission, tmp_path)
    output = next(t["output"] for t in results["tests"] if "sigmoid" in t["name"].lower())
    seen = json.loads(output[output.index("SPY{") + 3:output.index("}YPS") + 1])
    # The fork path was taken: the worker is a fork of the forked keeper, named so (a spawned
    # keeper's command line is python's).
    assert seen["cmdline"] == "autograder-keeper"
    grader_words = [str(ROOT), str(submission), "autograder grade", MARKER]
    for what in ("cmdline", "environ", "parent", "argv", "orig_argv", "path", "env"):
        # the interpreter's own installation is the worker's to see, even a venv in the checkout
        text = json.dumps(seen[what]).replace(sys.prefix, "<the interpreter's prefix>")
        assert not any(word in text for word in grader_words), (what, seen[what])
    assert seen["modules"] == []
    assert set(seen["env"]) == {"PATH", "LANG", "HOME", "TMPDIR", "OPENBLAS_NUM_THREADS",
                                "OMP_NUM_THREADS", "MKL_NUM_THREADS"}
    assert seen["fds"] <= 6  # stdin/out/err, the two pipes, the directory being listed
    # The other items are graded as usual: the spy defines nothing else.
    assert results["score"] == 0 and len(results["tests"]) == 20


@pytest.mark.parametrize("threads", ["1", None])
def test_the_keeper_is_forked_only_from_a_process_with_one_blas_thread(threads):
    env = {key: value for key, value in os.environ.items()
           if key not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if threads:
        env.update(OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
    env["PYTHONPATH"] = str(ROOT)
    forked = subprocess.run([sys.executable, "-c", "from autograder.sandbox import launch; "
                             "print(launch.fork_spare())"],
                            env=env, capture_output=True, text=True, check=True, timeout=60)
    assert forked.stdout.strip() == str(threads == "1")
