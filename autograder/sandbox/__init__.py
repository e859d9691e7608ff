"""Isolation of student code: a worker process per submission, plain data across the boundary.

API (sandbox.py): Sandbox(limits, user, pool=...) -> .load(path) -> LoadOutcome,
.call(name, *args, **kwargs) -> CallOutcome, .close(). WorkerPool (pool.py) forks workers from a
pre-warmed zygote. codec.py is the wire format; worker.py the program of the sandbox's
processes (keeper, sandbox init, worker, zygote); isolation.py the kernel's namespaces, cgroup
and, where those are missing, the seccomp filter; processes.py the walk of /proc; tracebacks.py
how a student's exception is told (the self-check's too); launch.py starts a keeper
interpreter; privileges.py picks the user; prepare.py is setup.sh's step.

What protects what (README's Security section has the whole list; `autograder doctor` says
which of the kernel's protections are active on a machine)
- Everything outside its own folder and python: where the kernel allows it (root, no seccomp
  filter against it), each worker gets PID, mount, network and IPC namespaces, a private root
  of one bounded tmpfs (its folder, /tmp, /dev/shm) with the system and python read-only, and a
  memory cgroup (isolation.py). Where it does not, a seccomp filter refuses what the missing
  protection bounded (sockets, memfds, new processes, new files), and the grader refuses to
  grade while the sandbox user can read what sandbox.protect() names (the assignment, the
  export, the reference).
- The grader's memory and objects: student code never runs in the grader's process; only
  plain data comes back (never a pickle), rebuilt through base-class methods in the worker and
  decoded strictly in the grader, so no lying __eq__ or ndarray subclass reaches a check.
- The answers: the worker is a fresh `python -I` (or a fork of a zygote that only ever
  imported numpy), started before the grader loads a spec; its sys.path does not reach the
  grader's package. Running as another user, it cannot read files that are not world-readable:
  the grader's source and results must not be (Gradescope's /autograder is root's).
- The results: as the unprivileged user the worker cannot write the results directory; it can
  only write its own directory and world-writable places such as /tmp.
- The grader's process: as root, the worker runs as `autograder-student` (or `nobody`), which
  may not signal root's processes: os.kill(os.getppid()) hits the keeper (root) and fails;
  kill(-1) reaches only that user's processes. As a plain user there is no user to drop to:
  os.kill(os.getppid()) still hits the keeper, not the grader (the worker then dies with it and
  the call reports a crash), but nothing stops kill(-1) or a kill by pid, and a submission that
  kills its keeper first can leave daemons behind. Grade as root (Gradescope, CI) for isolation.
- Leftover processes: the keeper is a child subreaper, so everything the submission starts
  (double-forked, setsid'ed daemons too) stays its descendant; it SIGKILLs them all when the
  worker dies or the grader closes the sandbox, and RLIMIT_NPROC bounds a fork bomb.
- Time: a wall-clock deadline per load/call in the grader, and a per-call RLIMIT_CPU whose
  SIGXCPU kills a worker stuck in C code before the wall clock runs out (a submission that
  ignores SIGXCPU meets the wall clock instead).
- Memory, output, disk: RLIMIT_AS (numpy with one BLAS thread, so the limit behaves), the first
  output_bytes of each request's prints kept and the rest dropped without failing the print,
  RLIMIT_FSIZE on every file (stdout included: a raw write past it is cut short), no core dumps.

Sandboxes running at the same time should run as different users, or (without a PID namespace)
one submission's kill(-1) kills the other workers: `autograder regrade` gives each grader process
its own ($AUTOGRADER_SANDBOX_USER-1, -2, ..., created as needed), through its WorkerPool.
"""

import importlib

# Where each public name lives. They are imported on first use, so that launch.py (standard
# library only) can start a worker before the grader has imported numpy at all.
_HOME = {"CodecError": "codec", "Handle": "codec", "Rng": "codec", "WorkerPool": "pool",
         "DEFAULT_USER": "privileges", "check_sandbox_user_can_run": "privileges",
         "CallOutcome": "sandbox", "Limits": "sandbox", "LoadOutcome": "sandbox",
         "Sandbox": "sandbox"}

__all__ = sorted(_HOME)


def __getattr__(name):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
