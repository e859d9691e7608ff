"""Which user student code runs as, and whether that user can run the interpreter at all."""

from __future__ import annotations

import importlib.util
import os
import pwd
import sys
from pathlib import Path
from typing import NamedTuple

from autograder.errors import AutograderError

# setup.sh and the Gradescope zip's setup.sh create the user under this same variable's name.
DEFAULT_USER = os.environ.get("AUTOGRADER_SANDBOX_USER") or "autograder-student"
FALLBACK_USER = "nobody"

_checked: set[tuple[str, int]] = set()


class SandboxUser(NamedTuple):
    name: str
    uid: int
    gid: int
    note: str = ""  # for the instructor's log: why student code runs as this user


def numbered_users(count: int) -> tuple:
    """(names, those created now) of `count` users $AUTOGRADER_SANDBOX_USER-1, -2, ..., for
    graders that run at the same time to run students as different users: those that exist
    (setup.sh makes one per core), and, as root, the missing ones created now (system users: no
    home, no login shell). Fewer when a user cannot be created; the caller runs only that many
    graders at once."""
    names, created = [], []
    for number in range(1, count + 1):
        name = f"{DEFAULT_USER}-{number}"
        try:
            pwd.getpwnam(name)
        except KeyError:
            if os.geteuid() != 0 or not _create_user(name):
                break
            created.append(name)
        names.append(name)
    return names, created


def _create_user(name: str) -> bool:
    import subprocess  # here and below, not at the top: a grade never needs it (4 ms)

    try:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                               "/usr/sbin/nologin", name], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return made.returncode == 0


def resolve_user(user: str | None) -> SandboxUser | None:
    """The user to drop to, or None to run the worker as ourselves.

    "auto": the dedicated user when we are root, nobody to drop to otherwise. A named user that
    does not exist falls back to `nobody`, saying so in its note (for the instructor's log), so
    that grading still runs unprivileged on a machine where setup.sh did not create the user.
    """
    if user is None:
        return None
    if os.geteuid() != 0:
        if user == "auto":
            return None
        raise AutograderError(f"running student code as {user!r} needs root; "
                              "run the grader as root or pass user=None")
    name = DEFAULT_USER if user == "auto" else user
    note = ""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        note = (f"autograder sandbox: user {name!r} does not exist (setup.sh creates it); "
                f"running student code as {FALLBACK_USER!r} instead")
        entry = pwd.getpwnam(FALLBACK_USER)
    if entry.pw_uid == 0:
        raise AutograderError(f"refusing to run student code as {entry.pw_name!r}, which is root")
    return SandboxUser(entry.pw_name, entry.pw_uid, entry.pw_gid, note)


def check_sandbox_user_can_run(python: str = sys.executable, user: str | None = "auto") -> None:
    """Raise AutograderError, saying what to do, unless `user` can run `python` with numpy.

    The worker's interpreter starts as root but imports the student's modules (and any stdlib
    module not yet loaded) after dropping to the user, so every directory on the way to the
    interpreter and to numpy needs o+x (traversal; no listing, no reading of other files).
    A pyenv interpreter under /root (mode 0700) fails this; setup.sh grants the o+x bits
    (prepare.py).
    """
    import subprocess

    from autograder.sandbox.prepare import directories_to_open  # which imports subprocess too

    sandbox_user = resolve_user(user)
    if sandbox_user is None or (python, sandbox_user.uid) in _checked:
        return
    try:
        result = subprocess.run([python, "-I", "-c", "import numpy"], user=sandbox_user.uid,
                                group=sandbox_user.gid, extra_groups=[], cwd="/",
                                env={"PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"},
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        last_line = result.stderr.decode(errors="replace").strip().splitlines()[-1:]
        problem = (last_line or [f"exit status {result.returncode}"]) if result.returncode else None
    except (OSError, subprocess.SubprocessError) as error:
        problem = [str(error)]
    if problem is None:
        _checked.add((python, sandbox_user.uid))
        return
    blocked = directories_to_open(_interpreter_paths(python))
    advice = (f"run setup.sh as root, or: chmod o+x {' '.join(map(str, blocked))}" if blocked
              else "check that numpy is installed for this interpreter")
    raise AutograderError(f"the sandbox user {sandbox_user.name!r} cannot run {python} with "
                          f"numpy ({' '.join(problem)}); {advice}")


def _interpreter_paths(python: str) -> list[Path]:
    paths = [Path(os.path.realpath(python))]
    numpy_spec = importlib.util.find_spec("numpy")
    if numpy_spec and numpy_spec.origin:
        paths.append(Path(numpy_spec.origin))
    return paths
