"""A zygote: one clean, pre-warmed interpreter that forks a fresh sandbox worker on request.

Starting `python -I` and importing numpy costs about 0.1 s per worker; forking a process that
has already done so costs a few milliseconds. Regrading a class starts hundreds of workers.

    with WorkerPool() as pool:           # before any spec or answer key is loaded
        for submission in submissions:
            with Sandbox(limits, pool=pool) as box:
                ...

The zygote runs the same program as a spawned worker (worker.py), so a forked worker is set up
exactly like a spawned one: its keeper, limits, user, directory and environment are those of
the Sandbox that asked for it. The zygote stays root when the grader is root, like the keepers
it forks: were it the student's user, one submission's kill(-1, SIGKILL) would take down the
pool. Student code never runs in it; it only forks. It holds nothing of any assignment: it is a
fresh `python -I -S` running only the sandbox's own program (launch.BOOTSTRAP), and only ever
receives keeper configurations and fds.
Requests are serialised by a lock, so Sandboxes in several threads may share one pool.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

from autograder.errors import AutograderError
from autograder.sandbox import codec
from autograder.sandbox.launch import bootstrap_line, interpreter_command, worker_env

REPLY_SECONDS = 30.0  # includes the zygote's own start-up on the first request


class WorkerPool:
    def __init__(self, python: str | None = None, user: str | None = "auto"):
        """user: whom this pool's workers run as (see Sandbox); several pools grading at once
        should each have their own, so that one submission's kill(-1) reaches only its own."""
        self.python = python or sys.executable
        self.user = user
        self._lock = threading.Lock()
        # SEQPACKET keeps each request one message, its fds attached to it.
        self._sock, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._sock.settimeout(REPLY_SECONDS)
        try:
            self._process = subprocess.Popen(
                interpreter_command(self.python, "zygote", str(zygote_end.fileno())),
                env=worker_env("/"), cwd="/", pass_fds=[zygote_end.fileno()],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True)
            with self._process.stdin as stdin:
                stdin.write(bootstrap_line(self.python))
        finally:
            zygote_end.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def fork_keeper(self, config: dict, fds: list[int]) -> int:
        """Fork a keeper (which forks the worker) with `config`; returns the keeper's pid."""
        with self._lock:
            try:
                socket.send_fds(self._sock, [codec.encode(config)], fds)
                reply = self._sock.recv(4096)
            except OSError as error:
                raise AutograderError(f"the worker pool's zygote does not answer: {error}")
        if not reply:
            raise AutograderError("the worker pool's zygote has exited")
        header_len, body_len = codec.read_prefix(reply[:codec.PREFIX.size])
        answer = codec.decode(reply[codec.PREFIX.size:codec.PREFIX.size + header_len],
                              reply[codec.PREFIX.size + header_len:])
        return answer["keeper_pid"]

    def close(self) -> None:
        """Stop the zygote (Sandboxes still open keep their workers until they close)."""
        self._sock.close()
        try:
            self._process.wait(timeout=REPLY_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
