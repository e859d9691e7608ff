"""Isolation of student code: a worker process per submission, plain data across the boundary.

See sandbox.py for the grader-side API and worker.py for the process layout.
"""

from autograder.sandbox.codec import CodecError, Handle, Rng
from autograder.sandbox.pool import WorkerPool
from autograder.sandbox.privileges import DEFAULT_USER, check_sandbox_user_can_run
from autograder.sandbox.sandbox import CallOutcome, Limits, LoadOutcome, Sandbox

__all__ = ["CallOutcome", "CodecError", "DEFAULT_USER", "Handle", "Limits", "LoadOutcome", "Rng",
           "Sandbox", "WorkerPool", "check_sandbox_user_can_run"]
