"""A submission sees only itself (issue 10): hostile submissions from tests/corpus/isolation run
through the real CLI as root, with the sandbox's kernel isolation and without it (the fallback,
which must refuse to grade while the grader's files are readable by the sandbox user).

Each test asserts the honest score, that nothing leaked into results.json (no reference, spec or
classmate's line, no /etc/shadow line), and that nothing was left behind: no process of the
sandbox users, no tagged file in /tmp or /dev/shm, no memory cgroup.
"""

import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import Limits, Sandbox
from autograder.sandbox.prepare import directories_to_open
from autograder.sandbox.privileges import DEFAULT_USER
from autograder.sandbox.sandbox import GRADER_ROOT, readonly_paths
from conftest import ROOT, sandbox_protections

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="isolation is the root grader's")
CORPUS = ROOT / "tests" / "corpus" / "isolation"
SPEC = """\
# MARKER-SPEC-{marker}
id: layers
title: An affine layer
submit:
  code: layers.py
questions:
  - id: affine
    kind: code
    points: 3
    function: affine_forward
    reference: solution_layers.py:affine_forward
    cases:
      - name: a batch of 3
        args: [{{normal: [3, 4]}}, {{normal: [4, 2]}}, {{normal: [2]}}]
      - name: one example
        args: [{{normal: [1, 4]}}, {{normal: [4, 2]}}, {{normal: [2]}}]
"""
REFERENCE = """\
# MARKER-REFERENCE-{marker}
def affine_forward(x, w, b):
    return x @ w + b
"""
HONEST = """\
# MARKER-CLASSMATE-{marker}
def affine_forward(x, w, b):
    return x.dot(w) + b
"""
ATTACKS = ["fill_tmp", "fill_shm", "fill_folder", "memfd", "fork_bomb", "kill_all", "socket"]


@pytest.fixture(scope="module", autouse=True)
def sandbox_user_can_run_python():
    """As setup.sh does: others may traverse the folders on the way to python and numpy."""
    for folder in directories_to_open([Path(sys.executable), Path(np.__file__).parent,
                                       Path(os.__file__).parent]):
        folder.chmod(folder.stat().st_mode | 0o001)


@pytest.fixture
def marker():
    return secrets.token_hex(6)


@pytest.fixture
def assignment(tmp_path, marker):
    folder = tmp_path / "layers"
    folder.mkdir()
    (folder / "assignment.yaml").write_text(SPEC.format(marker=marker))
    (folder / "solution_layers.py").write_text(REFERENCE.format(marker=marker))
    return folder


def submission(folder: Path, template: str, **fields) -> Path:
    folder.mkdir(parents=True)
    text = (CORPUS / template).read_text()
    for name, value in fields.items():
        text = text.replace(f"__{name.upper()}__", str(value))
    (folder / "layers.py").write_text(text)
    return folder


def run_cli(*arguments, env=None, pythonpath=ROOT):
    environment = dict(os.environ, PYTHONPATH=str(pythonpath), **(env or {}))
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, arguments)],
                          capture_output=True, text=True, env=environment, timeout=600,
                          cwd="/")  # not the checkout: `-m` would import the grader from there


def shadow_lines() -> list:
    return [line for line in Path("/etc/shadow").read_text().splitlines() if len(line) > 8]


def assert_nothing_leaked(text: str, marker: str) -> None:
    assert marker not in text, "a secret line reached results.json"
    assert not any(line in text for line in shadow_lines())


def sandbox_users() -> list:
    return [entry.pw_uid for entry in pwd.getpwall()
            if entry.pw_name == DEFAULT_USER or entry.pw_name.startswith(DEFAULT_USER + "-")]


def assert_nothing_left(tag: str) -> None:
    uids = set(sandbox_users())
    survivors = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_bytes()
            if Path(f"/proc/{pid}").stat().st_uid in uids and b") Z " not in stat:
                survivors.append(pid)
        except OSError:
            continue
    assert survivors == []
    for folder in ("/tmp", "/dev/shm"):
        assert [name for name in os.listdir(folder) if tag in name] == []
    assert not [path for path in Path("/tmp").glob("autograder-sandbox-*/work/*") if tag in path.name]


def score(results: Path) -> float:
    return json.loads(results.read_text())["score"]


# ------------------------------------------------------------------------------- one grade

def test_a_submission_that_steals_finds_nothing_and_keeps_its_score(assignment, marker,
                                                                     tmp_path):
    # the grader's own tree by its parts: a venv inside the checkout is mounted for numpy
    targets = [str(assignment), *(str(GRADER_ROOT / part) for part in
                                  ("reference", "autograder", "problems", "tests", "README.md")),
               "/etc/shadow", "/autograder", "/work/shared"]
    folder = submission(tmp_path / "thief", "steal.py", targets=targets)
    results = tmp_path / "results.json"
    done = run_cli("grade", assignment, folder, "--results", results)
    text = results.read_text()
    assert done.returncode == 0, done.stderr
    assert score(results) == 3, text  # it raises with its loot if it found anything
    assert_nothing_leaked(text, marker)


def test_doctor_says_which_protections_are_active(tmp_path):
    done = run_cli("doctor")
    assert done.returncode == 0, done.stdout + done.stderr
    for protection in ("separate user", "pid namespace", "network namespace", "ipc namespace",
                       "private root (mount namespace)", "memory cgroup"):
        assert protection in done.stdout
    off = run_cli("doctor", env={"AUTOGRADER_SANDBOX_ISOLATION": "0"})
    assert "turned off" in off.stdout and "network namespace" in off.stdout


# ------------------------------------------------------------------ regrade, hostile class

@pytest.mark.parametrize("isolation", ["kernel", "fallback"])
def test_hostile_neighbours_in_a_regrade_change_no_honest_grade(assignment, marker, tmp_path,
                                                                isolation, request):
    """More grader processes than cores, each attack in its own submission beside honest ones;
    the sandbox users for the graders are created on demand (and removed afterwards). In the
    fallback (no namespaces, no cgroup: a root-only installed grader, as on Gradescope) the
    system call filter refuses the attacks instead."""
    fallback = isolation == "fallback"
    grader = request.getfixturevalue("installed") if fallback else GRADER_ROOT
    tag = f"hostile-{marker}"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    export = tmp_path / "export"
    honest = [f"{n}" for n in range(1, 5)]
    for number in honest:
        folder = export / f"submission_{number}"
        folder.mkdir(parents=True)
        (folder / "layers.py").write_text(HONEST.format(marker=marker))
    submission(export / "submission_50", "steal.py",
               targets=[str(assignment), str(export), str(grader / "reference"),
                        "/etc/shadow"])
    for number, attack in enumerate(ATTACKS, start=60):
        submission(export / f"submission_{number}", "attack.py", attack=attack, tag=tag,
                   port=listener.getsockname()[1])
    submission(export / "submission_70", "garble.py")
    prefix = f"{DEFAULT_USER}-t"
    try:
        done = run_cli("regrade", assignment, export, "-o", tmp_path / "out", "--jobs", 3,
                       env={"AUTOGRADER_SANDBOX_USER": prefix,
                            "AUTOGRADER_SANDBOX_ISOLATION": "0" if fallback else "1"},
                       pythonpath=grader)
        assert done.returncode == 0, done.stderr
        for number in honest + ["50"]:
            results = tmp_path / "out" / number / "results.json"
            assert score(results) == 3, results.read_text()
        garbled = tmp_path / "out" / "70"
        [setup] = json.loads((garbled / "results.json").read_text())["tests"]
        assert setup["extra_data"]["not_graded"] is True and "broke twice" in setup["output"]
        assert "could not be graded: 70" in done.stdout and not (garbled / ".fingerprint").exists()
        memfd = tmp_path / "out" / str(60 + ATTACKS.index("memfd")) / "results.json"
        if not fallback and sandbox_protections()["memory cgroup"] == "active":
            assert "MiB of memory" in memfd.read_text()  # the cgroup stopped it, and said so
        else:  # the filter refused its memfds, and the daemon it forks as it is imported
            assert "Operation not permitted" in memfd.read_text() and score(memfd) == 0
        for results in (tmp_path / "out").glob("*/results.json"):
            assert_nothing_leaked(results.read_text(), marker)
        with pytest.raises(BlockingIOError):  # nobody got through to the port
            listener.accept()
        assert_nothing_left(tag)
        for number in (1, 2, 3):  # one user per grader, made for this run
            pwd.getpwnam(f"{prefix}-{number}")
    finally:
        listener.close()
        for number in (1, 2, 3):
            subprocess.run(["userdel", f"{prefix}-{number}"], capture_output=True)


# ---------------------------------------------------------------------------- the fallback

@pytest.fixture
def readable_grader():
    """The grader's packages where everyone may read them, whatever this checkout's modes are
    (setup.sh as root closes the checkout to others)."""
    outer = Path(tempfile.mkdtemp(prefix="autograder-readable-", dir="/tmp"))
    outer.chmod(0o755)
    for package in ("autograder", "reference"):
        shutil.copytree(GRADER_ROOT / package, outer / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["chmod", "-R", "a+rX", str(outer)], check=True)
    yield outer
    shutil.rmtree(outer)


def test_without_isolation_grading_is_refused_while_the_grader_is_readable(assignment,
                                                                          readable_grader,
                                                                          tmp_path):
    # The grader (and so reference/) is readable by everyone: the refusal is the answer.
    folder = submission(tmp_path / "honest", "steal.py", targets=[])
    results = tmp_path / "results.json"
    done = run_cli("grade", assignment, folder, "--results", results,
                   pythonpath=readable_grader, env={"AUTOGRADER_SANDBOX_ISOLATION": "0"})
    report = json.loads(results.read_text())
    assert "refusing to grade" in results.read_text() and "reference" in results.read_text()
    assert report["tests"][0]["status"] == "failed" and done.returncode == 3  # not graded


@pytest.fixture
def installed(tmp_path):
    """The grader's packages in a folder only root may enter, as on Gradescope (pytest's own
    tmp folders are 0700)."""
    assert not Path("/tmp/pytest-of-root").stat().st_mode & 0o007
    folder = tmp_path / "grader"
    for package in ("autograder", "reference"):
        shutil.copytree(GRADER_ROOT / package, folder / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_without_isolation_a_root_only_grader_grades_and_nothing_is_stolen(assignment, marker,
                                                                          installed, tmp_path):
    targets = [str(assignment), str(installed / "reference"), "/etc/shadow"]
    folder = submission(tmp_path / "thief", "steal.py", targets=targets)
    results = tmp_path / "results.json"
    done = run_cli("grade", assignment, folder, "--results", results, pythonpath=installed,
                   env={"AUTOGRADER_SANDBOX_ISOLATION": "0"})
    assert done.returncode == 0, done.stderr
    assert score(results) == 3, results.read_text()
    assert_nothing_leaked(results.read_text(), marker)
    assert "not available on this machine: ipc namespace" in done.stderr  # the instructor is told
    assert "in their place the system call filter refuses" in done.stderr


def test_without_isolation_what_a_submission_leaves_is_removed(assignment, marker, installed,
                                                                tmp_path):
    tag = f"hostile-{marker}"
    folder = submission(tmp_path / "bomber", "attack.py", attack="fork_bomb", tag=tag, port=0)
    done = run_cli("grade", assignment, folder, "--results", tmp_path / "results.json",
                   pythonpath=installed, env={"AUTOGRADER_SANDBOX_ISOLATION": "0"})
    assert done.returncode == 0, done.stderr
    assert_nothing_left(tag)  # its daemon, fork bomb and files in /tmp and /dev/shm


# ------------------------------------------------------------------- the worker's own view

VIEW = """\
import os, socket

def view():
    try:
        socket.create_connection(("127.0.0.1", 9), timeout=1)
        network = "connected"
    except OSError as error:
        network = type(error).__name__
    return {"root": sorted(os.listdir("/")), "pids": sorted(p for p in os.listdir("/proc")
            if p.isdigit()), "network": network, "etc": sorted(os.listdir("/etc"))}

def fill(folder):
    written = 0
    try:
        while True:
            with open(os.path.join(folder, f"fill-{written}"), "wb") as out:
                out.write(b"x" * (1 << 20))
            written += 1
    except OSError as error:
        return written, error.strerror

def hog_memfd():
    fds = []
    while len(fds) < 200:
        fd = os.memfd_create("hog")
        for _ in range(16):
            os.write(fd, b"x" * (1 << 20))
        fds.append(fd)
    return len(fds)
"""


@pytest.fixture
def view_box(tmp_path):
    (tmp_path / "view.py").write_text(VIEW)
    with Sandbox(Limits(wall_seconds_per_call=20, memory_bytes=256 << 20,
                        disk_bytes=32 << 20)) as box:
        assert box.load(tmp_path / "view.py").ok
        yield box
    assert not list(Path("/tmp").glob("fill-*")) and not list(Path("/dev/shm").glob("fill-*"))


def needs(box, *protections):
    """Skip where this machine does not give a protection the test is about (a chroot has no
    private root, a container may have no memory cgroup): the fallback has tests of its own."""
    missing = {name: box.protections[name] for name in protections
               if box.protections[name] != "active"}
    if missing:
        pytest.skip(f"this machine gives no {missing}")


def test_the_worker_sees_only_its_private_root(view_box):
    needs(view_box, "pid namespace", "network namespace", "private root (mount namespace)")
    seen = view_box.call("view").value
    # the worker's own folders, then the outermost folder of each read-only installation
    # (a venv outside /usr adds its first component, e.g. the checkout's top folder)
    mounted = {path.split("/")[1] for path in readonly_paths(sys.executable)}
    assert seen["root"] == sorted({"dev", "etc", "proc", "root", "tmp"} | mounted)
    assert mounted <= {"bin", "etc", "lib", "lib32", "lib64", "libx32", "sbin", "usr",
                       Path(sys.prefix).parts[1], Path(sys.base_prefix).parts[1]}
    assert seen["etc"] == sorted(name for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d")
                                 if os.path.exists(f"/etc/{name}"))
    assert seen["pids"] == ["2"]  # itself; its init is root's and hidden
    assert seen["network"] != "connected"


@pytest.mark.parametrize("folder", ["/tmp", "/dev/shm", "."])
def test_files_in_tmp_shm_and_its_folder_share_one_bounded_disk(view_box, folder):
    needs(view_box, "private root (mount namespace)")
    written, why = view_box.call("fill", folder).value
    assert written < 32 and why == "No space left on device"


def test_memory_held_in_memfds_meets_the_memory_cgroup(view_box):
    needs(view_box, "memory cgroup")
    outcome = view_box.call("hog_memfd")
    assert outcome.kind == "memory" and "MiB of memory" in outcome.message
    assert view_box.call("view").ok  # a fresh worker, the memory given back


# ------------------------------------------------- the fallback's system call filter, as root

PROBE = """\
import os, socket

def attempt(action):
    try:
        action()
        return "done"
    except OSError as error:
        return error.strerror

def forked():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)

def probe():
    return {"memfd": attempt(lambda: os.memfd_create("hog")),
            "socket": attempt(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1)),
            "unix socket": attempt(lambda: socket.socket(socket.AF_UNIX)),
            "new file here": attempt(lambda: open("new.txt", "w")),
            "new file in /tmp": attempt(lambda: open("/tmp/probe-{marker}", "w")),
            "new file in /dev/shm": attempt(lambda: open("/dev/shm/probe-{marker}", "w")),
            "unnamed file": attempt(lambda: os.open(".", os.O_TMPFILE | os.O_WRONLY)),
            "folder": attempt(lambda: os.mkdir("folder")),
            "link": attempt(lambda: os.symlink("probe.py", "link")),
            "fork": attempt(forked),
            "read its own file": attempt(lambda: open("probe.py").read()),
            "rewrite its own file": attempt(lambda: open("probe.py", "r+").write("#")),
            "a thread": attempt(lambda: __import__("threading").Thread(target=len, args=[""]).start()),
            "numpy": attempt(lambda: __import__("numpy").linalg.svd(__import__("numpy").eye(40)))}
"""
FALLBACK_PROBE_RUN = """\
import json, sys
from autograder.sandbox import Limits, Sandbox
with Sandbox(Limits()) as box:
    assert box.load(sys.argv[1]).ok
    print(json.dumps({"protections": box.protections, "probe": box.call("probe").value,
                      "log": box.log}))
"""


def test_without_isolation_the_system_call_filter_refuses_what_the_limits_could_not_bound(
        installed, marker, tmp_path):
    """No network namespace, memory cgroup or private root (Gradescope's Docker, most likely):
    sockets, memfds, new processes and new files are refused, and what grading needs works."""
    (tmp_path / "probe.py").write_text(PROBE.replace("{marker}", marker))
    done = subprocess.run([sys.executable, "-c", FALLBACK_PROBE_RUN, str(tmp_path / "probe.py")],
                          capture_output=True, text=True, timeout=120, cwd="/",
                          env=dict(os.environ, PYTHONPATH=str(installed),
                                   AUTOGRADER_SANDBOX_ISOLATION="0"))
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["protections"]["system call filter"] == (
        "active: refuses sockets; System V shared memory; memfds and new processes; new files")
    refused = {name: "Operation not permitted" for name in (
        "memfd", "socket", "unix socket", "new file here", "new file in /tmp",
        "new file in /dev/shm", "unnamed file", "folder", "link", "fork")}
    allowed = dict.fromkeys(("read its own file", "rewrite its own file", "a thread", "numpy"),
                            "done")
    assert found["probe"] == refused | allowed
    assert any("in their place the system call filter refuses sockets" in line
               for line in found["log"])
    assert not list(Path("/tmp").glob(f"probe-{marker}"))
