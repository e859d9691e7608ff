"""`python -m autograder.sandbox.prepare USER`: let the sandbox user start this python (setup.sh).

Student code runs as an unprivileged user, which must be able to execute the interpreter and
import numpy. Gradescope's python lives in /usr and is fine; a python under a private home (pyenv
in /root, mode 0700, or setup.sh's .venv in a clone there) is not. Each directory on the way to
the interpreter and to numpy is given the "others may traverse" bit (o+x) only: no listing, no
reading of anything else.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import sys
from pathlib import Path

import numpy


def directories_to_open(paths) -> list:
    """The ancestors of `paths` that others may not traverse, outermost first."""
    closed = []
    for path in paths:
        # A venv's python is a link to the base interpreter: the link's folders (the venv's bin)
        # must be traversable as well as the target's.
        for directory in [*reversed(Path(path).absolute().parents),
                          *reversed(Path(path).resolve().parents)]:
            mode = directory.stat().st_mode
            if not mode & stat.S_IXOTH and directory not in closed:
                closed.append(directory)
    return closed


def main(user: str) -> int:
    targets = [Path(sys.executable), Path(numpy.__file__).parent, Path(os.__file__).parent]
    for directory in directories_to_open(targets):
        directory.chmod(directory.stat().st_mode | stat.S_IXOTH)
        print(f"prepare: others may now traverse {directory} (o+x) so '{user}' can run python")
    probe = subprocess.run(
        [sys.executable, "-I", "-c", "import numpy"], user=user, group=pwd.getpwnam(user).pw_gid,
        extra_groups=[], capture_output=True, text=True, cwd="/")
    if probe.returncode != 0:
        print(f"prepare: '{user}' still cannot run {sys.executable} with numpy (exit status "
              f"{probe.returncode}):\n{probe.stderr}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "autograder-student"))
