"""Starting a keeper interpreter for a worker: standard library only, so it can run first.

A keeper takes about as long to come up as `python3 -c "import numpy"` (it imports numpy before
it forks the worker). `start_spare` begins one before the grader itself imports numpy, so the two
start-ups overlap on two cores; the sandbox then `take`s it, or launches a fresh one, and sends it
its configuration (user, directory, limits) on stdin. A spare nobody takes reads end of file on
stdin when the grader exits, and exits too.
"""

from __future__ import annotations

import builtins
import os
import socket
import sys
import types
from pathlib import Path


class Launched:
    """A keeper process waiting for its configuration, and the grader's ends of its channels.

    popen: its subprocess.Popen, or for a forked keeper a stand-in with the same few members.
    keeper_fds: the keeper's ends (command read, response write, control socket), by the fd
    numbers it has them under; the grader has already closed its copies. (A plain class: the
    dataclasses module would cost this early start-up more time than the rest of this file.)
    """

    def __init__(self, popen, cmd_w: int, resp_r: int, ctl: socket.socket,
                 keeper_fds: list):
        self.popen, self.cmd_w, self.resp_r, self.ctl = popen, cmd_w, resp_r, ctl
        self.keeper_fds = keeper_fds


SANDBOX_DIR = str(Path(__file__).resolve().parent)

# What a keeper or zygote interpreter runs first: this folder's modules imported as the package
# `_sandbox` (worker.py says why; its __init__ is not run, and `autograder` is never imported),
# then worker.main. Each module comes from its bytecode cache when setup has compiled it
# (compiling them takes a keeper ~15 ms). It reads them as the grader's own user, before any
# student code exists. Where they are comes as the first line on stdin, not in argv: a worker
# is a fork of this process, and its /proc/self/cmdline must not name the grader's folders.
# Under -S (our own interpreter) it adds the site-packages directories the grader passes, instead
# of site's scan of their .pth files, which costs tens of ms where an editable install or an
# injected certificate bundle adds some; site's builtins (exit, help, ...) are put back.
BOOTSTRAP = """\
import importlib, os, sys, types
line = b""
while not line.endswith(b"\\n"):  # byte by byte: what follows on stdin is the keeper's
    line += os.read(0, 1) or b"\\n"
sandbox_dir, site_dirs = os.fsdecode(line[:-1]).split("\\0")
if sys.flags.no_site:
    import site
    sys.path.extend(filter(None, site_dirs.split(os.pathsep)))
    site.setquit(), site.sethelper(), site.setcopyright()
package = types.ModuleType("_sandbox")
package.__path__ = [sandbox_dir]
sys.modules["_sandbox"] = package
importlib.import_module("_sandbox.worker").main(sys.argv[1:])
"""


def interpreter_command(python: str, *arguments: str) -> list:
    """The command line of a keeper (arguments: "keeper") or zygote ("zygote", fd); its stdin
    must start with bootstrap_line(python)."""
    return [python, "-I", *(["-S"] if python == sys.executable else []), "-c", BOOTSTRAP,
            *arguments]


def bootstrap_line(python: str) -> bytes:
    """Where BOOTSTRAP finds the sandbox's program and (for our own interpreter) site-packages."""
    site_dirs = ""
    if python == sys.executable:  # our site-packages are this interpreter's
        import site
        site_dirs = os.pathsep.join(path for path in site.getsitepackages()
                                    if os.path.isdir(path))
    return os.fsencode(f"{SANDBOX_DIR}\0{site_dirs}\n")


def worker_env(home: str) -> dict:
    # One BLAS/OpenMP thread: several threads each reserve large stacks and buffers, which
    # makes an address-space limit fail at random; grading needs no parallel BLAS.
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": home,
            "TMPDIR": home, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1"}


def channels() -> tuple:
    """((command write, response read, control socket), keeper's ends as a list of fds)."""
    cmd_r, cmd_w = os.pipe()
    resp_r, resp_w = os.pipe()
    ctl, ctl_keeper = socket.socketpair()
    return (cmd_w, resp_r, ctl), [cmd_r, resp_w, ctl_keeper.detach()]


def launch(python: str) -> Launched:
    """Start a keeper interpreter; it waits for its configuration on stdin."""
    import subprocess  # here: a grade that forks its keeper does without it (4 ms)

    (cmd_w, resp_r, ctl), keeper_fds = channels()
    try:
        # The worker sets its own directory and environment from the configuration.
        popen = subprocess.Popen(
            interpreter_command(python, "keeper"), env=worker_env("/"), cwd="/",
            pass_fds=keeper_fds, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
            start_new_session=True)  # a Ctrl-C at the terminal is the grader's to handle
        popen.stdin.write(bootstrap_line(python))
        popen.stdin.flush()
    except BaseException:
        for fd in (cmd_w, resp_r):
            os.close(fd)
        ctl.close()
        raise
    finally:
        for fd in keeper_fds:
            os.close(fd)
    return Launched(popen, cmd_w, resp_r, ctl, keeper_fds)


_spares: dict = {}


def start_spare(python: str = sys.executable) -> None:
    """Begin starting a keeper for `python` now, for the next sandbox to take."""
    if python not in _spares:
        _spares[python] = launch(python)


def fork_spare() -> bool:
    """Fork this process into the spare keeper for sys.executable, instead of starting one;
    False (nothing done) where this process may not be forked.

    A fresh keeper spends most of its start importing numpy; a fork of a grader that has just
    imported it skips that. The caller must not have read anything the student may not see (a
    spec, a key, a reference, a submission's metadata): the keeper and the worker it forks keep
    this process's memory. What the child keeps of the grader otherwise is made what a fresh
    keeper would have (see _become_keeper). Only for a process's own entry point (the CLI).
    Refused unless the process runs a single thread (fork keeps only the caller's: a BLAS
    thread pool would be lost) and asked BLAS for one thread, as a keeper's numpy must.
    """
    # What the keeper's program imports (codec.py, worker.py), imported here, before the fork:
    # the grader needs them too, and one import then serves both (20 ms of CPU less a grade).
    import json  # noqa: F401
    import numpy.random  # noqa: F401
    import signal  # noqa: F401  (its enums take a keeper 0.7 ms to build)

    if sys.executable in _spares:
        return True
    blas_single = all(os.environ.get(name) == "1" for name in worker_env("/")
                      if name.endswith("_THREADS"))
    if not blas_single or len(os.listdir("/proc/self/task")) != 1:
        return False
    (cmd_w, resp_r, ctl), keeper_fds = channels()
    config_r, config_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            _become_keeper(config_r, keeper_fds)
        finally:
            os._exit(70)  # never back into the grader's code
    for fd in (*keeper_fds, config_r):
        os.close(fd)
    stdin = os.fdopen(config_w, "wb")
    stdin.write(bootstrap_line(sys.executable))
    stdin.flush()
    _spares[sys.executable] = Launched(_Forked(pid, stdin), cmd_w, resp_r, ctl, keeper_fds)
    return True


class _Forked:
    """A forked keeper as the sandbox handles a started one (subprocess.Popen's few members)."""

    def __init__(self, pid: int, stdin):
        self.pid, self.stdin, self.returncode = pid, stdin, None

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self):
        if self.returncode is None:
            self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self.returncode


def _become_keeper(config_r: int, keeper_fds: list) -> None:
    """In the forked child: turn into what launch() starts, then run the keeper's program.

    Like a fresh `python -I -S` keeper it gets BOOTSTRAP's line and its configuration on stdin,
    /dev/null for stdout, the grader's stderr, its own session, the minimal environment, only the sandbox's fds, and
    the interpreter's own import path; it keeps none of the grader's modules, and its command
    line and environment as /proc shows them are overwritten (they named the grader's paths).
    """
    os.setsid()
    os.dup2(config_r, 0)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    keep = {0, 1, 2, *keeper_fds}
    for fd in map(int, os.listdir("/proc/self/fd")):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    os.environ.clear()
    os.environ.update(worker_env("/"))
    _overwrite_command_line_and_environment()
    prefixes = tuple({os.path.realpath(p) + os.sep for p in (
        sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)})

    def installed(path):  # as written first: realpath costs a stat per folder of the path
        return path.startswith(prefixes) or os.path.realpath(path).startswith(prefixes)

    sys.path[:] = [entry for entry in sys.path if entry and installed(entry)]
    grader = os.path.dirname(os.path.dirname(SANDBOX_DIR)) + os.sep
    for name, module in list(sys.modules.items()):
        where = str(getattr(module, "__file__", None) or "")
        # the grader's own modules go; an interpreter's (numpy in a venv that lies inside the
        # checkout, as setup.sh's .venv does) stay: numpy cannot be imported twice
        if name.split(".")[0] in ("autograder", "reference") or \
                name.startswith("__editable__") or \
                (where.startswith(grader) and not installed(where)):
            del sys.modules[name]
    sys.modules["__main__"] = types.ModuleType("__main__")
    sys.argv = ["-c", "keeper"]
    sys.orig_argv = [sys.executable]
    exec(BOOTSTRAP, {"__name__": "__main__", "__builtins__": builtins})


def _overwrite_command_line_and_environment() -> None:
    """Zero the memory /proc/<pid>/cmdline and /proc/<pid>/environ read (the grader's argv and
    environment, where the kernel put them at exec), leaving the name 'autograder-keeper'."""
    import ctypes
    fields = open("/proc/self/stat", "rb").read().rsplit(b")", 1)[1].split()
    # Fields 48-51 of stat (man 5 proc): arg_start, arg_end, env_start, env_end.
    arg_start, arg_end, env_start, env_end = (int(fields[i]) for i in range(45, 49))
    name = b"autograder-keeper"[:max(arg_end - arg_start - 1, 0)]
    ctypes.memset(arg_start, 0, arg_end - arg_start)
    ctypes.memmove(arg_start, name, len(name))
    ctypes.memset(env_start, 0, env_end - env_start)


def take(python: str) -> Launched:
    """The spare keeper for `python` if one is starting, else a freshly launched one."""
    spare = _spares.pop(python, None)
    if spare is not None:
        if spare.popen.poll() is None:
            return spare
        os.close(spare.cmd_w)
        os.close(spare.resp_r)
        spare.ctl.close()
    return launch(python)
