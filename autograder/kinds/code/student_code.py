"""A student's code files running in a sandbox worker, as the code checks see them.

Values going in are plain data (inputs.RngSeed becomes the sandbox's Rng); values coming out are
plain data or Handles, and never complex (unusable_value). Calls that fail come back as
StudentCodeError with a message for the student.
"""

from __future__ import annotations

import threading
from pathlib import Path

from .calls import (COMPLEX_VALUE, NOT_LOADED, StudentCalls, call_message, call_mistake,
                    load_message, module_file, unusable_value)
from ...errors import GraderFault, StudentCodeError
from .inputs import RngSeed
from ...sandbox import Limits, Rng, Sandbox

# HW6's functions take milliseconds and train() well under a second; these limits leave a wide
# margin while keeping a hanging submission's cost to seconds per function. A worker's address
# space peaks near 140 MiB grading HW6; 512 MiB keeps a memory hog's worker, not the grader, the
# one that fails inside Gradescope's 768 MB container.
STUDENT_LIMITS = Limits(cpu_seconds_per_call=5, wall_seconds_per_call=10,
                        memory_bytes=512 << 20)


class StudentCode:
    """A submission's code files, and the instructor's support files, in one worker: placed at
    their paths (cs231n/layers.py), so they import each other by package name, and each module
    imported. The worker starts in a thread from construction, so the grader can go on meanwhile.

    files: {path in the worker: the file to copy there}; modules: the module names to import, in
    order (cs231n.layers for cs231n/layers.py). `module(name)` is what a check calls.
    """

    def __init__(self, files: dict, modules, *, limits: Limits = STUDENT_LIMITS, pool=None):
        self.files = {name: Path(path) for name, path in files.items()}
        self.modules = tuple(modules)
        self._limits, self._pool = limits, pool
        self._hung: set = set()  # functions that timed out: not called again
        self._sandbox: Sandbox | None = None
        self._load_problems: dict = {}   # module name -> why it did not import
        self._fault: GraderFault | None = None  # ours, raised on first use: not graded
        # The worker starts and imports the student's modules while the grader loads the spec.
        self._starting = threading.Thread(target=self._start, daemon=True)
        self._starting.start()

    def _start(self) -> None:
        """Start the worker, place the files and import the modules (in a thread of its own)."""
        try:
            self._sandbox = Sandbox(self._limits, pool=self._pool)
            for name, path in self.files.items():
                self._sandbox.place(path, name)
        except GraderFault as fault:
            self._fault = fault
            return
        except Exception as exc:  # ours too (the files placed are our own copies): not graded
            self._fault = GraderFault(f"the sandbox could not start: {type(exc).__name__}: {exc}")
            return
        try:
            for module in self.modules:
                self._import(module)
        except GraderFault as fault:
            self._fault = fault

    def _import(self, module: str) -> None:
        """Import `module` in the worker; what went wrong, if anything, is load_problem's."""
        outcome = self._sandbox.import_module(module)
        if not outcome.ok:
            self._load_problems[module] = load_message(module_file(module), outcome)

    def add(self, files: dict, module: str) -> None:
        """Place more files ({name: path}) beside the student's and import `module` (kept on
        restarts); whether it imported is then load_problem(module)."""
        self._starting.join()
        if self._fault is not None:
            raise self._fault
        try:
            for name, path in files.items():
                self._sandbox.place(path, name)
        except GraderFault:
            raise
        except Exception as exc:  # our own files: a failure to place them is ours
            raise GraderFault(f"the sandbox could not take {module}: {exc}") from None
        self._import(module)

    def module(self, name: str) -> "StudentModule":
        return StudentModule(self, name)

    def load_problem(self, module: str) -> str | None:
        """None when `module` imported; otherwise what the student should know.
        GraderFault when the sandbox could not do its job (the submission is not graded)."""
        self._starting.join()
        if self._fault is not None:
            raise self._fault
        return self._load_problems.get(module)

    def call_outcomes(self, module: str, calls) -> list:
        """Several calls [(function, args, kwargs), ...] of `module`, at the cost of one round trip.

        For each, in order: its CallOutcome, or the StudentCodeError that says why it failed.
        A call that breaks the worker fails alone: those after it go to the replacement, except
        calls of a function that has just timed out, which fail at once.
        """
        results: list = [None] * len(calls)
        waiting = list(range(len(calls)))
        while waiting:
            problem = self.load_problem(module)
            to_send = []
            for position in waiting:
                function = calls[position][0]
                if problem:
                    results[position] = StudentCodeError(problem, mistake=NOT_LOADED)
                elif (module, function) in self._hung:
                    results[position] = StudentCodeError(
                        f"`{function}` was not run again: it timed out before.",
                        mistake=call_mistake("timeout", ""))
                else:
                    to_send.append(position)
            outcomes = self._sandbox.call_many(
                [(f"{module}:{function}", to_wire(list(args)), to_wire(dict(kwargs)))
                 for function, args, kwargs in (calls[p] for p in to_send)]) if to_send else []
            for position, outcome in zip(to_send, outcomes):
                function = calls[position][0]
                if outcome.ok:
                    problem = unusable_value(outcome.value)
                    results[position] = outcome if problem is None else StudentCodeError(
                        f"`{function}` returned {problem}.", mistake=COMPLEX_VALUE)
                    continue
                if outcome.kind == "timeout":
                    self._hung.add((module, function))
                results[position] = StudentCodeError(
                    call_message(function, outcome, module_file(module)),
                    mistake=call_mistake(outcome.kind, outcome.message))
            waiting = to_send[len(outcomes):]
        return results

    def close(self) -> None:
        self._starting.join()
        if self._sandbox is not None:
            self._sandbox.close()

    @property
    def log(self) -> list:
        """For the instructor's log: what the sandbox said about this machine."""
        self._starting.join()
        return list(self._sandbox.log) if self._sandbox is not None else []


class StudentModule(StudentCalls):
    """One module of the student's code, as the code checks and instructors' checks see it."""

    def __init__(self, code: StudentCode, name: str):
        self._code, self.module_name = code, name

    def load_problem(self) -> str | None:
        """None when the module imported; otherwise what the student should know."""
        return self._code.load_problem(self.module_name)

    def call_outcomes(self, calls) -> list:
        """As StudentCode.call_outcomes, for this module's functions."""
        return self._code.call_outcomes(self.module_name, calls)


def to_wire(value):
    """Inputs as the sandbox takes them: RngSeed -> Rng, containers recursively."""
    if isinstance(value, RngSeed):
        return Rng(value.seed)
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(to_wire(item) for item in value)
    return value
