# The program of the sandbox's own processes: keeper, worker and zygote.
#
# A keeper or zygote is `python -I -S -c <launch.BOOTSTRAP>`, which imports this module and its
# neighbours (codec, isolation, processes) as the package `_sandbox` from this folder, and runs
# main(). Nothing else from the autograder package is imported, nor is it on sys.path: these
# modules use the standard library, ctypes and numpy only. The grader imports them too (as
# autograder.sandbox.*) for what they share: the wire format, the process walk.
#
#   grader ──cmd pipe──▶ worker (unprivileged, limited, runs the student's module)
#          ◀─resp pipe──   │ child of
#                        sandbox init (PID 1 of the worker's namespaces; see isolation.py;
#                          │ none without a PID namespace: the keeper's child is the worker)
#          ◀─ctl socket─▶ keeper (the init's parent; privileged when the grader is root)
#
# The keeper is a child subreaper: every process the submission starts, daemons included, stays
# its descendant, so it can kill them all when the grader closes the ctl socket or the worker
# dies (in a PID namespace by killing its init, which takes the namespace with it). It stays
# root when the grader is root, so the student's user cannot kill it.
# The zygote (pool mode) is a pre-warmed interpreter that forks keepers on request.

import ctypes
import importlib.util
import io
import os
import resource
import select
import signal
import sys
import time

import numpy as np

from .codec import (ALLOWED_DTYPES, MAX_DEPTH, MAX_MESSAGE_BYTES, CodecError, Handle, Rng,
                    decode_frame, encode, read_exact, read_frame, snapshot)
from .isolation import (ACTIVE, cgroup_ran_out, create_memory_cgroup, enter_namespaces,
                        join_cgroup, remove_cgroup, restrict_system_calls,
                        unshare_pid_namespace)
from .processes import descendants
from .tracebacks import describe_exception

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

_libc = ctypes.CDLL(None, use_errno=True)

# Taken before any student code runs: a submission may monkeypatch numpy's Python-level
# functions, but not these C methods, which do the copying and comparing below.
_array = np.array
_copy = np.ndarray.copy
_default_rng = np.random.default_rng
_NUMPY_SCALARS = frozenset(t for t in set(np.sctypeDict.values())
                           if issubclass(t, (np.bool_, np.number)))
_SCALAR_TYPES = ((np.bool_, bool), (np.integer, int), (np.floating, float))
_complex128 = np.complex128
_ndarray = np.ndarray


def _prctl(option, value):
    if _libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def write_frame(fd, value, max_bytes):
    data = memoryview(encode(value, max_bytes))
    while data:
        data = data[os.write(fd, data):]


def read_frame_from(fd, max_bytes):
    """The next value on fd, or None at end of file."""
    return read_frame(lambda n: read_exact(fd, n), max_bytes)


# ---------------------------------------------------------------------------------- keeper

def run_keeper(config):
    """Start the sandbox init (which starts the worker), or where there is no PID namespace
    (the init would not be its PID 1) the worker itself; then wait: for the grader to close
    ctl, or for the worker to die.

    Either way, kill every descendant, tell the grader how the worker ended, and exit.
    """
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(wake_w)
    cmd_fd, resp_fd, ctl_fd = config["fds"]
    protections = {}
    cgroup, protections["memory cgroup"] = create_memory_cgroup(config)
    protections["pid namespace"] = unshare_pid_namespace(config)
    status_r, status_w = os.pipe()
    joined_r, joined_w = os.pipe()
    keeper = os.getpid()
    init_pid = os.fork()  # the init, or the worker where there is no init
    if init_pid == 0:
        try:
            for fd in (status_r, joined_w, ctl_fd, wake_r, wake_w):
                os.close(fd)
            if protections["pid namespace"] == ACTIVE:
                run_init(config, cmd_fd, resp_fd, status_w, joined_r, protections)
            else:
                # Without a PID namespace an init would only pass the worker's status on: the
                # worker is this process, which saves a grade a fork and a process's exit
                # (~5 ms of CPU); the keeper, a subreaper, reaps what it leaves.
                os.close(status_w)
                enter_sandbox(config, joined_r, protections)
                run_worker(config, cmd_fd, resp_fd, protections, keeper)
        finally:
            os._exit(70)
    for fd in (cmd_fd, resp_fd, status_w, joined_r):
        os.close(fd)
    # Moving a process between cgroups waits for the kernel (~8 ms): done here, while the init
    # builds its namespaces, which it then tells about before it starts the worker.
    joined = b"-"
    if cgroup:
        try:
            join_cgroup(cgroup, init_pid)
            joined = b"+"
        except OSError as error:
            joined = os.fsencode(f"not available: {error.strerror or error}")
    os.write(joined_w, joined)
    os.close(joined_w)
    message_bytes = config["limits"]["message_bytes"]
    status = None
    try:
        write_frame(ctl_fd, {"worker_pid": init_pid}, message_bytes)
        while status is None:
            readable, _, _ = select.select([ctl_fd, wake_r], [], [])
            if ctl_fd in readable and not os.read(ctl_fd, 4096):  # the grader closed it
                break
            if wake_r in readable:
                os.read(wake_r, 4096)
                status = _reap(init_pid)
    finally:  # whatever went wrong here, nothing the submission started may outlive us
        if protections["pid namespace"] != ACTIVE:
            kill_descendants()
        elif status is None:  # else the init is reaped: the namespace is empty already
            end_namespace(init_pid)
    if status is not None:
        # The init passes on the worker's wait status; none if the init itself was killed,
        # or if the worker was this keeper's own child.
        reported = os.read(status_r, 64)
        if reported.isdigit():
            status = int(reported)
        report = {"worker_exit": os.waitstatus_to_exitcode(status),
                  "out_of_memory": bool(cgroup) and cgroup_ran_out(cgroup)}
        try:
            write_frame(ctl_fd, report, message_bytes)
        except OSError:
            pass
    if cgroup:
        remove_cgroup(cgroup)
    os._exit(0)


def enter_sandbox(config, joined_r, protections):
    """In the keeper's child, init or worker: leave the keeper's signal handling, die with the
    keeper, enter the namespaces and wait for the keeper to have moved it into the cgroup."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    protections.update(enter_namespaces(config, config["uid"], config["gid"]))
    joined = os.read(joined_r, 256)  # "+" joined, "-" no cgroup, else why it failed
    os.close(joined_r)
    if joined not in (b"+", b"-"):
        protections["memory cgroup"] = os.fsdecode(joined)


def run_init(config, cmd_fd, resp_fd, status_w, joined_r, protections):
    """The sandbox init, PID 1 of the PID namespace: enter the sandbox, start the worker, reap
    every process until the worker ends, pass its wait status on and exit; its exit makes the
    kernel kill all that is left in the namespace."""
    enter_sandbox(config, joined_r, protections)
    init = os.getpid()  # 1, as the worker sees it in the namespace
    worker_pid = os.fork()
    if worker_pid == 0:
        try:
            os.close(status_w)
            run_worker(config, cmd_fd, resp_fd, protections, init)
        finally:
            os._exit(70)
    os.close(cmd_fd)
    os.close(resp_fd)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        if pid == worker_pid:
            os.write(status_w, str(status).encode())
            os._exit(0)


def _reap(worker_pid):
    """Reap dead children; the worker's wait status if it is among them."""
    status = None
    while True:
        try:
            pid, child_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == worker_pid:
            status = child_status


def end_namespace(init_pid):
    """Kill the sandbox init and reap it. The kernel kills every other process of its PID
    namespace with it, and reports its death only once they are all gone; so nothing the
    submission started is left, without the /proc walks of kill_descendants (~1 ms each)."""
    try:
        os.kill(init_pid, signal.SIGKILL)
        os.waitpid(init_pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def kill_descendants():
    """SIGKILL every descendant until none is left (orphans keep coming back to us)."""
    me = os.getpid()
    while True:
        for pid in descendants(me):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                break
        time.sleep(0.001)


# ---------------------------------------------------------------------------------- worker

def run_worker(config, cmd_fd, resp_fd, protections, parent):
    """Become the limited, unprivileged worker and serve the grader's requests until EOF.

    parent: the pid of the process that forked this one (the init or the keeper), taken before
    the fork, so that a parent that died at any moment before PDEATHSIG was armed is noticed."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a capped write fails with EFBIG instead
    os.setsid()
    _close_fds_except({cmd_fd, resp_fd})
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    _set_limits(config)
    if config["uid"] is not None:
        os.setgroups([])
        os.setgid(config["gid"])
        os.setuid(config["uid"])
        protections["separate user"] = ACTIVE
    else:
        protections["separate user"] = "not available: the grader is not root"
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before PDEATHSIG was armed
        os._exit(71)
    workdir = config["workdir"]
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(config["env"])  # TMPDIR included: tempfile's default is the workdir
    if "tempfile" in sys.modules:  # imported by numpy: its default may be decided already
        sys.modules["tempfile"].tempdir = workdir
    _isolate_imports(workdir, config["strip_paths"], config["readonly"])
    private_root = protections["private root (mount namespace)"] == ACTIVE
    # Without a private root, what the grader protects must be unreadable to this user: the
    # grader refuses to grade otherwise (the paths are forgotten before any student code runs).
    exposed = [] if private_root else [path for path in config.pop("protected")
                                       if _readable(path)]
    worker = Worker(config, cmd_fd, resp_fd, config["staging"] if private_root else None)
    protections["system call filter"] = restrict_system_calls(protections)  # last: it may
    worker.serve({"protections": protections, "exposed": exposed})  # refuse new files


def _readable(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
        return True
    except OSError:
        return False


def _close_fds_except(keep):
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _set_limits(config):
    limits = config["limits"]
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"],) * 2)
    if config["uid"] is not None:  # counts every process of the user: only meaningful for ours
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"],) * 2)


def _isolate_imports(workdir, strip_paths, installed):
    """Student imports resolve in the workdir and the stdlib/site-packages, never the grader.
    installed: the interpreter's folders (the read-only ones of the private root); those inside
    the grader's stay (setup.sh's .venv is in the checkout): what is installed there, such as
    the gradescope-utils a unittest file imports, is not the grader, whose packages are blanked."""
    stripped = [os.path.realpath(path) for path in strip_paths]

    def inside(real, folders):
        return any(real == path or real.startswith(path + os.sep) for path in folders)

    kept = [real for real in map(os.path.realpath, installed)
            if inside(real, stripped) and real not in stripped]

    def reaches_grader(entry):
        real = os.path.realpath(entry or ".")
        return inside(real, stripped) and not inside(real, kept)

    # An editable install of the grader adds finders and hooks rather than a plain path entry.
    def editable(hook):
        return str(getattr(hook, "__module__", "")).startswith("__editable__")

    sys.path[:] = [workdir] + [entry for entry in sys.path if not (
        entry.startswith("__editable__") or reaches_grader(entry))]
    sys.meta_path[:] = [finder for finder in sys.meta_path if not editable(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not editable(hook)]
    sys.path_importer_cache.clear()
    sys.dont_write_bytecode = True


class CappedOutput(io.RawIOBase):
    """Raw writer to fd 1 that keeps the first `cap` bytes of each request and drops the rest.

    Claims every write succeeded, so a student's print never fails however much it prints.
    """

    def __init__(self, cap):
        super().__init__()
        self.cap = cap
        self.written = 0

    def writable(self):
        return True

    def fileno(self):
        return 1

    def write(self, data):
        room = self.cap - self.written
        if room > 0:
            try:
                os.write(1, bytes(data[:room]))
            except OSError:
                pass
        self.written += len(data)
        return len(data)


class Worker:
    def __init__(self, config, cmd_fd, resp_fd, staging):
        """staging: where the grader's copies of the submission's files are (read-only), to be
        copied into the workdir before each load; None when the workdir is that folder."""
        self.limits = config["limits"]
        self.staging = staging
        self.token = config["token"]
        self.workdir = config["workdir"]
        self.cmd_fd, self.resp_fd = cmd_fd, resp_fd
        self.module = None
        self.modules = {}
        self.handles = {}
        # fd 1 and 2 share one unlinked file: prints and C-level writes land in it, in order,
        # and RLIMIT_FSIZE bounds it (and every file the student writes). A worker replacing
        # one that crashed finds the name free again unless the student's code took it.
        path = os.path.join(self.workdir, ".autograder-output")
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        capture = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.unlink(path)
        os.dup2(capture, 1)
        os.dup2(capture, 2)
        os.close(capture)
        self.sink = CappedOutput(self.limits["output_bytes"])
        # Line-buffered, as on a terminal: prints stay in order with C-level writes.
        self.text = io.TextIOWrapper(io.BufferedWriter(self.sink), encoding="utf-8",
                                     errors="backslashreplace", line_buffering=True)

    def serve(self, ready):
        """ready: what the first reply tells the grader besides the token. Requests: {"op": "load", "file", "module"}, one reply; {"op": "calls", "calls": [{
        "function", "args", "kwargs"}, ...]}, one reply per call, each sent as soon as it is
        done and each call under its own CPU limit and output capture."""
        self.reply({"ready": os.getpid(), "token": self.token, **ready})
        while True:
            request = read_frame_from(self.cmd_fd, self.limits["message_bytes"])
            if request is None:
                os._exit(0)
            if request["op"] == "load":
                self.run(self.load, request["file"], request["module"])
            else:
                for call in request["calls"]:
                    self.run(self.call, call["function"], call["args"], call["kwargs"])

    def run(self, action, *arguments):
        self.start_request()
        try:
            result = action(*arguments)
        except BaseException as error:  # noqa: BLE001 - the student's code may raise anything
            result = self.failure(error)
        self.finish_request(result)

    def reply(self, value):
        write_frame(self.resp_fd, value, self.limits["message_bytes"])

    def start_request(self):
        sys.stdout = sys.stderr = sys.__stdout__ = sys.__stderr__ = self.text
        self.text.flush()
        os.ftruncate(1, 0)
        os.lseek(1, 0, os.SEEK_SET)
        self.sink.written = 0
        used = resource.getrusage(resource.RUSAGE_SELF)
        seconds = int(used.ru_utime + used.ru_stime) + 1 + self.limits["cpu_seconds_per_call"]
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if hard != resource.RLIM_INFINITY:
            seconds = min(seconds, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, hard))

    def finish_request(self, result):
        try:
            self.text.flush()
            size = os.fstat(1).st_size
            output = os.pread(1, self.limits["output_bytes"], 0)
        except (OSError, ValueError):  # the student closed or replaced fd 1
            size, output = 0, b"<the output was lost: the code closed its standard output>"
        result["output"] = output.decode("utf-8", errors="replace")
        result["truncated"] = size > len(output) or self.sink.written > self.limits["output_bytes"]
        result.setdefault("mutated", [])
        result.setdefault("value", None)
        result.setdefault("line", None)
        try:
            self.reply(result)
        except CodecError as error:
            result["value"] = None
            result.update(ok=False, kind="bad-output",
                          message=f"the return value cannot be sent back: {error}")
            self.reply(result)

    def load(self, file_name, module_name):
        """Import the student's file as `module_name`, or (file_name None) the module of that
        name among the placed files; calls name it as "module:function", or go to the last
        file loaded (or the first module imported)."""
        if self.staging:
            self.copy_submission()
        if file_name is None:
            module = importlib.import_module(module_name)
        else:
            spec = importlib.util.spec_from_file_location(
                module_name, os.path.join(self.workdir, file_name))
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except BaseException:
                del sys.modules[module_name]
                raise
        self.modules[module_name] = module
        if file_name is not None or self.module is None:
            self.module = module
        return {"ok": True, "kind": None, "message": ""}

    def copy_submission(self, relative=""):
        """The grader's copies of the submission's files (folders too) into the workdir, a
        tmpfs of bounded size; a file of the student's code in their place is replaced."""
        for entry in os.scandir(os.path.join(self.staging, relative)):
            name = os.path.join(relative, entry.name)
            target = os.path.join(self.workdir, name)
            if entry.is_dir(follow_symlinks=False):
                if not os.path.isdir(target) or os.path.islink(target):
                    if os.path.lexists(target):
                        os.unlink(target)
                    os.mkdir(target)
                self.copy_submission(name)
                continue
            if os.path.lexists(target):
                os.unlink(target)
            with open(entry.path, "rb") as original, open(target, "xb") as copy:
                copy.write(original.read())

    def call(self, function_name, args, kwargs):
        module_name, _, name = function_name.rpartition(":")
        module = self.modules.get(module_name) if module_name else self.module
        function = getattr(module, name, None) if module else None
        if not callable(function):
            return {"ok": False, "kind": "missing",
                    "message": f"{name} is not defined" if function is None
                    else f"{name} is not a function"}
        try:
            args = [self.resolve(arg) for arg in args]
            kwargs = {name: self.resolve(arg) for name, arg in kwargs.items()}
        except LookupError as error:
            return {"ok": False, "kind": "stale-handle", "message": str(error)}
        args_before = [snapshot(arg) for arg in args]
        kwargs_before = {name: snapshot(arg) for name, arg in kwargs.items()}
        value = function(*args, **kwargs)
        mutated = [i for i, arg in enumerate(args) if snapshot(arg) != args_before[i]]
        mutated += [name for name, arg in kwargs.items() if snapshot(arg) != kwargs_before[name]]
        try:
            plain = self.to_plain(value, 0)
        except CodecError as error:
            return {"ok": False, "kind": "bad-output", "message": str(error), "mutated": mutated}
        return {"ok": True, "kind": None, "message": "", "value": plain, "mutated": mutated}

    def resolve(self, value):
        """Arguments as the student's function gets them: markers replaced by their objects."""
        kind = type(value)
        if kind is Handle:
            if value.token != self.token or value.id not in self.handles:
                raise LookupError(f"{value!r} belongs to a worker that no longer exists")
            return self.handles[value.id]
        if kind is Rng:
            return _default_rng(value.seed)
        if kind in (list, tuple):
            return kind(self.resolve(item) for item in value)
        if kind is dict:
            return {key: self.resolve(item) for key, item in value.items()}
        return value

    def to_plain(self, value, depth):
        """The student's return value as exact plain types; anything else becomes a Handle.

        Subclasses of plain types are rebuilt through the base class's own methods, so an
        override (a lying __eq__, __array_function__, __iter__) cannot survive the copy; an
        ndarray subclass, or an array of objects, stays here as a Handle named for what it is.
        """
        if depth > MAX_DEPTH:
            raise CodecError(f"the return value is nested deeper than {MAX_DEPTH} levels")
        kind = type(value)
        type_name = ""
        if value is None or kind in (bool, int, float, str):
            return value
        if kind in _NUMPY_SCALARS:
            for numpy_kind, python_type in _SCALAR_TYPES:
                if issubclass(kind, numpy_kind):
                    return python_type(value)
            return _array(value, dtype=_complex128)  # no plain complex: a 0-d array
        if kind is _ndarray:
            if value.dtype.newbyteorder("<").str in ALLOWED_DTYPES:
                return _copy(value)
            type_name = f"numpy array of dtype {str(value.dtype)[:100]}"
        elif issubclass(kind, _ndarray):  # np.matrix, a masked array: not what a check compares
            type_name = f"{kind.__qualname__[:100]} (a subclass of numpy.ndarray)"
        elif issubclass(kind, (list, tuple)):
            items = (list if issubclass(kind, list) else tuple).__iter__(value)
            plain = [self.to_plain(item, depth + 1) for item in items]
            return plain if issubclass(kind, list) else tuple(plain)
        elif issubclass(kind, dict):
            pairs = list(dict.items(value))
            if all(issubclass(type(key), str) for key, _ in pairs):
                return {str.__str__(key): self.to_plain(item, depth + 1) for key, item in pairs}
        elif issubclass(kind, (int, float, str)):
            base_type = next(t for t in (int, float, str) if issubclass(kind, t))
            return getattr(base_type, f"__{base_type.__name__}__")(value)
        handle = Handle(len(self.handles), type_name or kind.__qualname__[:200], self.token)
        self.handles[handle.id] = value
        return handle

    def failure(self, error):
        """A request that raised: kind, message and line, traceback trimmed to the student's files."""
        kind, lines, line = describe_exception(
            error, lambda filename: filename.startswith(self.workdir + os.sep), self.relative,
            self.workdir)
        if kind == "memory":
            lines.append(f"(the sandbox allows {self.limits['memory_bytes'] >> 20} MiB of memory)")
        if type(error) is SystemExit:
            lines.append("(the code called sys.exit)")
        return {"ok": False, "kind": kind, "message": "\n".join(lines), "line": line}

    def relative(self, path):
        return path[len(self.workdir) + 1:]


# ---------------------------------------------------------------------------------- zygote

def run_zygote(sock_fd):
    """Fork a keeper for each request on the socket until the grader closes it.

    A request is a frame (the keeper's config) sent with three fds: the worker's cmd and resp
    pipe ends and the keeper's ctl socket end. The reply is {"keeper_pid": pid}.
    """
    import socket  # only a zygote needs it, for the fds that come with each request

    sock = socket.socket(fileno=sock_fd)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(wake_w)
    while True:
        readable, _, _ = select.select([sock, wake_r], [], [])
        if wake_r in readable:
            os.read(wake_r, 4096)
            _reap(None)
        if sock in readable:
            try:
                data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
            except InterruptedError:
                continue
            if not data:
                os._exit(0)
            config = decode_frame(data)
            config["fds"] = fds
            pid = os.fork()
            if pid == 0:
                sock.close()
                os.close(wake_r)
                os.close(wake_w)
                run_keeper(config)
            for fd in fds:
                os.close(fd)
            sock.sendall(encode({"keeper_pid": pid}))


def main(argv):
    if argv[0] == "zygote":
        run_zygote(int(argv[1]))
    else:
        try:
            config = read_frame_from(0, MAX_MESSAGE_BYTES)
        except (OSError, CodecError):
            config = None
        if config is None:  # a spare keeper that no sandbox took: the grader is gone
            sys.exit(0)
        os.close(0)
        run_keeper(config)
