"""Run a student's module in an isolated worker process and call its functions with plain data.

    with Sandbox(Limits(wall_seconds_per_call=5)) as box:   # start it before loading any answers
        loaded = box.load(Path("submission/hw6.py"))
        outcome = box.call("sigmoid", np.array([0.0, 1000.0]))
        if outcome.ok: ... outcome.value ...
        else: ... outcome.kind, outcome.message ...

A submission of several files (a package) is placed file by file, then imported by module name,
and its functions called as "module:function":

        box.place(Path("submission/cs231n/layers.py"), "cs231n/layers.py")
        box.import_module("cs231n.layers")
        box.call("cs231n.layers:affine_forward", x, w, b)

Student code runs only in the worker: a fresh `python -I` (or a fork of a WorkerPool's clean
zygote) in its own temporary directory, with a minimal environment, CPU/wall/memory/output
limits, no core dumps, and, when the grader is root, an unprivileged user. Only plain data comes
back (see codec.py). A worker that dies, hangs or exits is replaced before the next request, and
the student's module is loaded again in the replacement. `close()` kills every process the
submission started. The process layout is described at the top of worker.py.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

from autograder.errors import AutograderError, GraderFault
from autograder.sandbox import codec, launch
from autograder.sandbox.launch import worker_env
from autograder.sandbox.privileges import check_sandbox_user_can_run, resolve_user
from autograder.sandbox.processes import descendants

GRADER_ROOT = Path(__file__).resolve().parents[2]  # the directory that holds `autograder/`
# What a worker must never read: the grader's packages (reference/ holds reference solutions),
# and what protect() adds (the assignment, the export). With a private root they are not in the
# worker's view at all; without one, grading is refused while the sandbox user can read them.
GRADER_PACKAGES = [str(GRADER_ROOT / "autograder"), str(GRADER_ROOT / "reference")]
_protected: list = [str(GRADER_ROOT / "reference")]
# The system's files a worker needs, mounted read-only in its private root (python's own are
# added per interpreter). /etc holds only the dynamic linker's cache: no passwd, no shadow.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
                "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d")
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm")  # what every user may write, without isolation
ISOLATION_SWITCH = "AUTOGRADER_SANDBOX_ISOLATION"  # "0": no namespaces or cgroup (to test)
LOAD_KINDS = {"missing-file", "syntax", "exception", "memory", "timeout", "crashed"}
CALL_KINDS = {"exception", "memory", "timeout", "crashed", "missing", "bad-output",
              "not-loaded", "stale-handle"}
STOP_SECONDS = 5.0
_TARGET = re.compile(r"(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*:)?[A-Za-z_]\w*")


class Limits(NamedTuple):
    """What one worker may use. CPU and wall time apply to each load and each call."""
    cpu_seconds_per_call: int = 10
    wall_seconds_per_call: float = 20.0
    memory_bytes: int = 1 << 30      # RLIMIT_AS: address space, not RSS
    output_bytes: int = 64 * 1024    # printed output kept per request for feedback
    file_bytes: int = 16 << 20       # RLIMIT_FSIZE: any file the worker writes, its stdout too
    processes: int = 64              # RLIMIT_NPROC of the sandbox user (when dropping to one)
    disk_bytes: int = 64 << 20       # the private root's tmpfs: workdir, /tmp, /dev/shm together
    files: int = 4096                # inodes of that tmpfs (empty files cost memory too)
    open_files: int = 256            # RLIMIT_NOFILE
    message_bytes: int = 64 << 20    # largest frame either side accepts
    start_seconds: float = 30.0      # for a new worker to become ready


class LoadOutcome(NamedTuple):
    """Whether the student's module imported. kind (when not ok): 'missing-file', 'syntax',
    'exception', 'memory', 'timeout' or 'crashed'; line: where in the student's file."""
    ok: bool
    kind: str | None = None
    message: str = ""
    line: int | None = None
    output: str = ""
    output_truncated: bool = False


class CallOutcome(NamedTuple):
    """What one call returned (value: plain data and Handles) or why it failed.

    kind (when not ok): 'exception', 'memory', 'timeout', 'crashed' (the worker died or sent
    malformed data; it has been replaced), 'missing' (no such function), 'bad-output' (the
    return value cannot cross the boundary), 'not-loaded' (the module did not load) or
    'stale-handle' (a Handle from a worker since replaced). mutated_args: indexes of positional
    and names of keyword arguments the call modified.
    """
    ok: bool
    value: object = None
    kind: str | None = None
    message: str = ""
    mutated_args: tuple = ()
    output: str = ""
    output_truncated: bool = False
    seconds: float = 0.0


def protect(*paths) -> None:
    """Add folders no worker may read (the assignment, an export), for every Sandbox after."""
    for path in paths:
        real = os.path.realpath(path)
        if real not in _protected:
            _protected.append(real)


class IsolationRefused(GraderFault):
    """The machine cannot hide the grader's files from the worker and they are readable."""

    def __init__(self, message: str, protections: dict):
        super().__init__(message)
        self.protections = protections


class _Broken(Exception):
    """The worker is unusable (hung, dead, or sent malformed data); kind as in the outcomes,
    or "channel": the frames themselves were malformed (retried once, then a GraderFault)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.replies: list = []  # of a request with several calls: those answered before
        self.seconds = 0.0


class Sandbox:
    """One student's worker. Starts it on construction; use as a context manager or close()."""

    def __init__(self, limits: Limits = Limits(), user: str | None = "auto", *, pool=None,
                 python: str | None = None):
        """user: "auto" (an unprivileged user when root, see privileges.py), a user name, or
        None (run as ourselves). pool: a WorkerPool to fork workers from instead of spawning
        an interpreter; its user then replaces `user`. python: the interpreter to spawn (default: ours)."""
        self.limits = limits
        self.user = resolve_user(pool.user if pool else user)
        self.log: list = [self.user.note] if self.user and self.user.note else []  # instructor's
        self.pool = pool
        self.python = pool.python if pool else (python or sys.executable)
        self.restarts = 0
        self.protections: dict = {}  # protection -> "active" or "not available: why"
        self._worker: _Worker | None = None
        self._placed: dict = {}   # name in the workdir -> the file it is a copy of
        self._modules: list = []  # (file name or None, module name), in the order loaded
        self._load_failure: LoadOutcome | None = None
        # The student owns workdir; its parent is ours so the student cannot swap workdir
        # for a symlink into the grader's files before we copy something into it.
        self._root = Path(tempfile.mkdtemp(prefix="autograder-sandbox-"))
        os.chmod(self._root, 0o711)
        self.workdir = self._root / "work"
        self.workdir.mkdir(mode=0o700)
        (self._root / "root").mkdir(mode=0o700)  # where a worker's private root is mounted
        if self.user:
            os.chown(self.workdir, self.user.uid, self.user.gid)
        try:
            self._worker = self._start_worker()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The current worker's process id (None between a crash and the next request)."""
        return self._worker.pid if self._worker else None

    def copy_in(self, *paths: Path) -> None:
        """Copy helper files of the submission into the worker's directory (kept on restarts)."""
        for path in map(Path, paths):
            self.place(path, path.name)

    def place(self, path: Path, name: str) -> None:
        """Copy the file `path` to `name` (a relative path such as cs231n/layers.py, its folders
        made as needed) in the worker's directory; kept on restarts."""
        parts = name.split("/")
        if any(part in ("", ".", "..") for part in parts) or "\0" in name:
            raise ValueError(f"{name!r} is not a relative path")
        self._copy(Path(path), name)
        self._placed[name] = Path(path)

    def import_module(self, module_name: str) -> LoadOutcome:
        """Import `module_name` (placed files, e.g. cs231n.layers) in the worker, beside the
        modules loaded before; its functions are then called as "module_name:function"."""
        if not all(part.isidentifier() for part in module_name.split(".")):
            raise ValueError(f"{module_name!r} is not a module name")
        try:
            outcome = self._load(None, module_name)
        except _Broken as broken:
            outcome = LoadOutcome(False, broken.kind, f"importing {module_name}: {broken.message}")
        if outcome.ok:
            if (None, module_name) not in self._modules:
                self._modules.append((None, module_name))
        elif not self._modules:
            self._load_failure = outcome
        return outcome

    def load(self, path: Path, module_name: str | None = None) -> LoadOutcome:
        """Copy the student's file into the worker's directory and import it there; calls
        without a module name go to it. Any module loaded before is forgotten.

        module_name defaults to the file's stem made importable ("hw6 (1).py", as browsers
        rename a second upload, loads as hw6__1_).
        """
        path = Path(path)
        module_name = module_name or re.sub(r"\W", "_", path.stem)
        if module_name[:1].isdigit():
            module_name = "_" + module_name
        if not module_name.isidentifier():
            raise ValueError(f"{module_name!r} is not a module name")
        self._modules = []
        if not path.is_file():
            self._load_failure = LoadOutcome(False, "missing-file",
                                             f"{path.name} was not found in the submission")
            return self._load_failure
        self.copy_in(path)
        try:
            outcome = self._load(path.name, module_name)
        except _Broken as broken:
            outcome = LoadOutcome(False, broken.kind, f"importing {path.name}: {broken.message}")
        self._modules = [(path.name, module_name)] if outcome.ok else []
        self._load_failure = None if outcome.ok else outcome
        return outcome

    def call(self, function: str, /, *args, **kwargs) -> CallOutcome:
        """Call the loaded module's `function` with plain data, Rng and Handle arguments."""
        return self.call_many([(function, args, kwargs)])[0]

    def call_many(self, calls) -> list[CallOutcome]:
        """Several calls [(function, args, kwargs), ...] sent as one request, run in order.

        Each runs under the limits of one call and gets its own outcome, as if called alone;
        only the round trips are saved. A call that breaks the worker (timeout, crash) ends the
        list: the outcomes stop at its own, and the calls after it were not run (the worker is
        replaced; send them again if they are still wanted). Calls whose arguments together
        exceed the size limit of one message are sent in as many requests as they need.
        """
        calls = [(function, list(args), dict(kwargs)) for function, args, kwargs in calls]
        try:
            return self._call_many(calls)
        except codec.MessageTooLarge:
            if len(calls) == 1:
                raise
        # Together over the size limit of one message (nothing was sent): in two requests.
        middle = len(calls) // 2
        first = self.call_many(calls[:middle])
        if len(first) < middle:  # one of them broke the worker: the list ends there
            return first
        return first + self.call_many(calls[middle:])

    def _call_many(self, calls) -> list[CallOutcome]:
        for function, _, _ in calls:
            if not _TARGET.fullmatch(function):
                raise ValueError(f"{function!r} is not a function name (or module:function)")
        if not self._modules:
            reason = (self._load_failure.message if self._load_failure
                      else "no module has been loaded")
            return [CallOutcome(False, kind="not-loaded", message=reason) for _ in calls]
        token = self._worker.token if self._worker else None
        outcomes: list = [None] * len(calls)
        for position, (_, args, kwargs) in enumerate(calls):
            stale = _stale_handle([args, kwargs], token)
            if stale:
                outcomes[position] = CallOutcome(False, kind="stale-handle", message=(
                    f"{stale!r} came from a worker that has since been replaced"))
        to_send = [position for position, outcome in enumerate(outcomes) if outcome is None]
        if not to_send:
            return outcomes
        # Arguments that are not plain data raise CodecError: the caller's mistake, not the student's.
        request = {"op": "calls", "calls": [
            {"function": calls[p][0], "args": calls[p][1], "kwargs": calls[p][2]} for p in to_send]}
        try:
            replies = self._request(request, len(to_send))
        except _Broken as broken:
            replies = broken.replies
            position = to_send[len(replies)]
            outcomes[position] = CallOutcome(False, kind=broken.kind,
                                             message=f"{calls[position][0]}: {broken.message}",
                                             seconds=broken.seconds)
            del outcomes[position + 1:]
        for position, (reply, seconds) in zip(to_send, replies):
            outcomes[position] = CallOutcome(reply["ok"], reply["value"], reply["kind"],
                                             reply["message"], tuple(reply["mutated"]),
                                             reply["output"], reply["truncated"], seconds)
        return outcomes

    def close(self) -> None:
        """Stop the worker, kill every process the submission started, delete the directory."""
        if self._worker:
            self._worker.stop()
            self._worker = None
        if self.user and self.protections.get(PRIVATE_ROOT) != "active":
            _remove_files_of(self.user.uid)
        if self._root.exists():
            shutil.rmtree(self._root, ignore_errors=True)

    # --------------------------------------------------------------------------- internals

    def _copy(self, path: Path, name: str) -> None:
        try:
            self._copy_file(path, name)
        except OSError as error:  # our disk (full?), not the student's file: not graded
            raise GraderFault(f"could not copy {name} for the sandbox: {error}") from None

    def _copy_file(self, path: Path, name: str) -> None:
        *folders, file_name = name.split("/")
        directory = os.open(self.workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            for folder in folders:
                directory = self._enter(directory, folder)
            try:
                os.unlink(file_name, dir_fd=directory)
            except FileNotFoundError:
                pass
            except IsADirectoryError:
                shutil.rmtree(os.path.join(f"/proc/self/fd/{directory}", file_name))
            # O_EXCL | O_NOFOLLOW: never write through a link the student left in its directory.
            fd = os.open(file_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644,
                         dir_fd=directory)
        finally:
            os.close(directory)
        with open(fd, "wb") as out, open(path, "rb") as source:
            shutil.copyfileobj(source, out)
            if self.user:
                os.fchown(out.fileno(), self.user.uid, self.user.gid)

    def _enter(self, directory: int, folder: str) -> int:
        """The folder `folder` inside the open `directory` (made if missing; `directory` is
        closed), opened without following a link: a link or file left in its place by the
        student's code is removed first."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        try:
            try:
                return os.open(folder, flags, dir_fd=directory)
            except FileNotFoundError:
                pass
            except OSError:   # ELOOP (a link) or ENOTDIR (a file): not ours to follow
                os.unlink(folder, dir_fd=directory)
            os.mkdir(folder, 0o755, dir_fd=directory)
            inner = os.open(folder, flags, dir_fd=directory)
            if self.user:
                os.fchown(inner, self.user.uid, self.user.gid)
            return inner
        finally:
            os.close(directory)

    def _load(self, file_name: str | None, module_name: str) -> LoadOutcome:
        [(reply, _)] = self._request({"op": "load", "file": file_name, "module": module_name})
        return LoadOutcome(reply["ok"], reply["kind"], reply["message"], reply["line"],
                           reply["output"], reply["truncated"])

    def _request(self, request: dict, replies: int = 1) -> list:
        """Send a request and read its replies: [(reply, seconds it took)], one per call.

        Each reply has the wall-clock limit of one call, counted from the one before it. On a
        broken worker, _Broken carries the replies read before it (.replies) and the time spent
        waiting for the next one (.seconds). Malformed frames are not the student's doing as
        far as we can tell: the rest of the request goes to a fresh worker once, and if its
        frames are malformed too, the submission cannot be graded (GraderFault).
        """
        try:
            return self._exchange(request, replies)
        except _Broken as broken:
            if broken.kind != "channel":
                raise
            done = broken.replies
        retry = dict(request, calls=request["calls"][len(done):]) if "calls" in request else request
        try:
            return done + self._exchange(retry, replies - len(done))
        except _Broken as again:
            if again.kind == "channel":
                raise GraderFault(f"the sandbox's channel broke twice ({again.message}); "
                                  "this submission was not graded") from None
            again.replies = done + again.replies
            raise

    def _exchange(self, request: dict, replies: int) -> list:
        if self._worker and self._worker.reported():  # died between requests: not this one's fault
            self._discard_worker()
        if self._worker is None:
            self._replace_worker()
        kinds = LOAD_KINDS if request["op"] == "load" else CALL_KINDS
        received: list = []
        started = time.monotonic()
        try:
            self._worker.send(request, started + self.limits.wall_seconds_per_call)
            while len(received) < replies:
                reply = self._worker.receive(started + self.limits.wall_seconds_per_call)
                _check_reply(reply, kinds)
                now = time.monotonic()
                received.append((reply, now - started))
                started = now
            return received
        except _Broken as broken:
            broken.replies, broken.seconds = received, time.monotonic() - started
            self._discard_worker()
            raise

    def _discard_worker(self) -> None:
        self._worker.stop()
        self._worker = None

    def _replace_worker(self) -> None:
        """A fresh worker with the same files and the same modules loaded."""
        self.restarts += 1
        self._worker = self._start_worker()
        for name, path in self._placed.items():
            self._copy(path, name)
        for file_name, module_name in list(self._modules):
            try:
                outcome = self._load(file_name, module_name)
            except _Broken as broken:
                outcome = LoadOutcome(False, broken.kind, broken.message)
            if not outcome.ok:
                self._modules, self._load_failure = [], outcome
                raise _Broken(outcome.kind, "the replacement worker could not import "
                              f"{file_name or module_name}: {outcome.message}")

    def _start_worker(self) -> _Worker:
        token = secrets.token_hex(8)
        config = {"uid": self.user.uid if self.user else None,
                  "gid": self.user.gid if self.user else None,
                  "workdir": str(self.workdir), "env": worker_env(str(self.workdir)),
                  "strip_paths": [str(GRADER_ROOT)], "limits": self.limits._asdict(),
                  "token": token,
                  "isolate": os.environ.get(ISOLATION_SWITCH, "1") != "0",
                  "root": str(self._root / "root"), "staging": str(self._root / "submitted"),
                  "readonly": readonly_paths(self.python),
                  "hidden": GRADER_PACKAGES + _installed_grader(self.python) + _protected,
                  "protected": _protected + _installed_grader(self.python) if self.user else []}
        popen = None
        if self.pool:
            (cmd_w, resp_r, ctl), keeper_fds = launch.channels()
            try:
                keeper_pid = self.pool.fork_keeper(config, keeper_fds)
            finally:
                for fd in keeper_fds:
                    os.close(fd)
        else:
            launched = launch.take(self.python)
            config["fds"] = launched.keeper_fds
            popen, keeper_pid = launched.popen, launched.popen.pid
            cmd_w, resp_r, ctl = launched.cmd_w, launched.resp_r, launched.ctl
            try:
                popen.stdin.write(codec.encode(config))
                popen.stdin.close()
            except OSError:
                pass  # the keeper died: wait_ready below says how
        worker = _Worker(cmd_w, resp_r, ctl, keeper_pid, popen, token, self.limits)
        try:
            ready = worker.wait_ready(time.monotonic() + self.limits.start_seconds)
        except _Broken as broken:
            worker.stop()
            if self.user:
                # Checked only on failure: probing up front costs a whole interpreter start.
                try:
                    check_sandbox_user_can_run(self.python, self.user.name)
                except AutograderError as error:
                    raise GraderFault(str(error)) from None
            raise GraderFault(f"the sandbox worker did not start: {broken.message}") from None
        self.protections = ready["protections"]
        if ready["exposed"]:
            worker.stop()
            raise IsolationRefused(
                f"refusing to grade: this machine does not let the sandbox hide files "
                f"(private root {self.protections.get(PRIVATE_ROOT, '?')}), and the sandbox user "
                f"{self.user.name!r} can read {', '.join(ready['exposed'])}; make them readable "
                "by root only (chmod 700) or grade where mount namespaces are allowed",
                self.protections)
        note = _unprotected_note(self.protections)
        # a grader as root; a plain user (the self-check) expects none of this
        if self.user and note and note not in self.log:
            self.log.append(note)
        return worker


PRIVATE_ROOT = "private root (mount namespace)"
SYSTEM_CALL_FILTER = "system call filter"


def _unprotected_note(protections: dict) -> str:
    """For the instructor's log: what this machine does not give student code, and what the
    system call filter refuses in its place ("" when everything is active)."""
    missing = sorted(f"{name} ({status.removeprefix('not available: ')})"
                     for name, status in protections.items() if _missing(status))
    if not missing:
        return ""
    standing_in = protections.get(SYSTEM_CALL_FILTER, "")
    return ("autograder sandbox: not available on this machine: " + "; ".join(missing)
            + (f"; in their place the system call filter {standing_in.removeprefix('active: ')}"
               if standing_in.startswith("active") else "; so the sandbox does not enforce them"))


def _missing(status: str) -> bool:
    return status.startswith("not available")


def describe_protections(limits: Limits) -> tuple:
    """(text, whether grading may go on): each protection a worker gets on this machine,
    active or why not, found by starting one (`autograder doctor`)."""
    try:
        with Sandbox(limits) as box:
            statuses, user, refusal = box.protections, box.user, None
    except IsolationRefused as refused:
        statuses, user, refusal = refused.protections, resolve_user("auto"), str(refused)
    width = max(map(len, statuses))
    lines = ["How student code is isolated here:"]
    for name, status in statuses.items():
        if name == "separate user" and user and status == "active":
            status += f" ({user.name})"
        lines.append(f"  {name:<{width}}  {status}")
    if statuses.get(PRIVATE_ROOT) == "active":
        disk = f"{limits.disk_bytes >> 20} MiB of files in all (its folder, /tmp, /dev/shm), "
    elif statuses.get(SYSTEM_CALL_FILTER, "").startswith("active"):
        disk = "no new files (no private root), "
    else:
        disk = "no total for files (no private root), "
    lines.append(f"  limits per worker: {limits.cpu_seconds_per_call} s of CPU and "
                 f"{limits.wall_seconds_per_call:g} s per call, {limits.memory_bytes >> 20} MiB of "
                 f"address space, {disk}{limits.file_bytes >> 20} MiB per file, "
                 f"{limits.processes} processes, {limits.open_files} open files")
    lines.append(f"Grading is refused: {refusal}" if refusal else "Grading can go on.")
    return "\n".join(lines), refusal is None


def _remove_files_of(uid: int) -> None:
    """Without a private root a worker can write the machine's shared folders: what its user
    left there goes when the sandbox closes (links are removed, never followed)."""
    for folder in SHARED_WRITABLE:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_uid != uid:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


@functools.lru_cache(maxsize=None)
def _installed_grader(python: str) -> list:
    """The grader's packages where pip installed copies of them into `python`'s site-packages
    (readable by everyone, and bound into every worker's view): blanked there, and, without a
    private root, a reason to refuse to grade."""
    if python != sys.executable:
        return []
    import site
    return [os.path.join(folder, package) for folder in site.getsitepackages()
            for package in ("autograder", "reference")
            if os.path.isdir(os.path.join(folder, package))]


def readonly_paths(python: str) -> list:
    """What a worker of `python` sees read-only: the system's libraries and the interpreter's
    installation (prefix and site-packages), outermost folders only."""
    return _readonly_paths(python)


@functools.lru_cache(maxsize=None)
def _readonly_paths(python: str) -> list:
    real = os.path.realpath(python)
    wanted = {os.path.dirname(os.path.dirname(real)), os.path.dirname(real)}
    if python == sys.executable:
        import site
        wanted |= {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    wanted = {os.path.realpath(path) for path in wanted if os.path.isdir(path)}
    paths = [path for path in SYSTEM_PATHS if os.path.lexists(path)]
    for path in sorted(wanted):
        if not any(path == kept or path.startswith(kept.rstrip("/") + "/") for kept in paths):
            paths.append(path)
    return paths


def _stale_handle(value, token):
    kind = type(value)
    if kind is codec.Handle:
        return value if value.token != token else None
    items = value.values() if kind is dict else value if kind in (list, tuple) else ()
    return next(filter(None, (_stale_handle(item, token) for item in items)), None)


def _check_reply(reply, kinds) -> None:
    """A reply must have exactly the worker's shape; anything else means a broken worker."""
    types = {"ok": bool, "kind": (str, type(None)), "message": str, "line": (int, type(None)),
             "output": str, "truncated": bool, "mutated": list, "value": object}
    if type(reply) is not dict or set(reply) != set(types) or not all(
            isinstance(reply[key], expected) for key, expected in types.items()):
        raise _Broken("channel", "the worker sent a malformed reply")
    if reply["ok"] != (reply["kind"] is None) or (reply["kind"] and reply["kind"] not in kinds):
        raise _Broken("channel", f"the worker sent an unknown outcome {reply['kind']!r}")
    if not all(type(name) in (int, str) for name in reply["mutated"]):
        raise _Broken("channel", "the worker sent a malformed list of modified arguments")


class _Worker:
    """The grader's end of one keeper + worker pair."""

    def __init__(self, cmd_w, resp_r, ctl, keeper_pid, popen, token, limits: Limits):
        self.cmd_w, self.resp_r, self.ctl = cmd_w, resp_r, ctl
        self.keeper_pid, self.popen, self.token, self.limits = keeper_pid, popen, token, limits
        self.pid = None
        os.set_blocking(cmd_w, False)

    def wait_ready(self, deadline: float) -> dict:
        """The worker's first message: {"token", "protections", "exposed"}."""
        started = self._read_frame(self.ctl.fileno(), deadline, watch_ctl=False)
        ready = self._read_frame(self.resp_r, deadline)
        if (type(started) is not dict or type(started.get("worker_pid")) is not int
                or type(ready) is not dict or ready.get("token") != self.token
                or type(ready.get("protections")) is not dict
                or type(ready.get("exposed")) is not list):
            raise _Broken("crashed", "unexpected start-up messages")
        self.pid = started["worker_pid"]
        return ready

    def reported(self) -> bool:
        """Whether the keeper has spoken (or gone) since start-up: the worker is dead."""
        return bool(select.select([self.ctl], [], [], 0)[0])

    def send(self, request: dict, deadline: float) -> None:
        data = memoryview(codec.encode(request, self.limits.message_bytes))
        while data:
            self._wait(deadline, writable=True)
            try:
                data = data[os.write(self.cmd_w, data):]
            except BlockingIOError:
                continue
            except BrokenPipeError:
                raise _Broken(*self._death()) from None

    def receive(self, deadline: float) -> dict:
        return self._read_frame(self.resp_r, deadline)

    def _read_frame(self, fd, deadline, watch_ctl=True):
        def readable():
            if fd not in self._wait(deadline, fd=fd, watch_ctl=watch_ctl):
                raise _Broken(*self._death())  # the keeper spoke: the worker is dead

        def read_exact(n):
            data = codec.read_exact(fd, n, wait=readable)
            if data is None:
                raise _Broken(*self._death())
            return data

        try:
            return codec.read_frame(read_exact, self.limits.message_bytes)
        except codec.CodecError as error:
            raise _Broken("channel", f"the worker sent malformed data ({error})") from None

    def _wait(self, deadline, fd=None, writable=False, watch_ctl=True):
        """Wait until fd is readable (or cmd_w writable), or the keeper reports; or time out."""
        remaining = deadline - time.monotonic()
        watched = [self.ctl.fileno()] if watch_ctl else []
        if fd is not None:
            watched.append(fd)
        readable, writable_now, _ = select.select(
            watched, [self.cmd_w] if writable else [], [], max(remaining, 0))
        if not readable and not writable_now:
            raise _Broken("timeout", f"did not finish within {self.limits.wall_seconds_per_call}"
                          " s (wall-clock limit); the worker was stopped and replaced")
        if writable and not writable_now:
            raise _Broken(*self._death())
        return readable

    def _death(self) -> tuple[str, str]:
        """(kind, message): why the worker died, as the keeper reports it."""
        try:
            report = self._read_frame(self.ctl.fileno(), time.monotonic() + 2.0, watch_ctl=False)
        except (_Broken, OSError):
            return "crashed", "the worker's supervisor died (was it killed?); it was replaced"
        code = report.get("worker_exit") if type(report) is dict else None
        if type(code) is not int:
            return "crashed", "the worker's supervisor sent a malformed report"
        if report.get("out_of_memory") is True:
            return "memory", (f"used more than {self.limits.memory_bytes >> 20} MiB of memory "
                              f"(files in /tmp and /dev/shm, up to {self.limits.disk_bytes >> 20}"
                              " MiB, count too); the worker was stopped and replaced")
        if code == -signal.SIGXCPU:
            return "timeout", (f"used more than {self.limits.cpu_seconds_per_call} s of CPU "
                               "time; the worker was stopped and replaced")
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return "crashed", f"the worker process was killed by {name}; it was replaced"
        return "crashed", (f"the worker process exited (status {code}), e.g. by os._exit(); "
                           "it was replaced")

    def stop(self) -> None:
        """Make the keeper kill the worker and everything it started, and wait for that."""
        for fd in (self.cmd_w, self.resp_r):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            self.ctl.shutdown(socket.SHUT_WR)
            self.ctl.settimeout(STOP_SECONDS)
            while self.ctl.recv(4096):  # EOF once the keeper has exited
                pass
        except OSError:  # timed out: the keeper itself is stuck; do its work
            _kill_tree(self.keeper_pid)
        self.ctl.close()
        if self.popen:
            self.popen.wait()


def _kill_tree(root: int) -> None:
    """SIGKILL `root` and all its descendants (the fallback when a keeper does not respond)."""
    for pid in [root, *descendants(root)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
