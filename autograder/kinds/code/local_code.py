"""A student's code run in this very process: the runner of the handout's self-check.

Its modules have the interface of student_code.StudentModule (calls.StudentCalls), so the
self-check runs the grader's own checks on them. It is the student's own code on the student's
own machine, so there is no sandbox; what it shares with the grader is all a check can see: the
same inputs (a fresh copy and a fresh Generator for every call), the same input-mutation rule
(codec.snapshot, which the worker applies too), the same refusal of complex results and the same
messages (calls.py).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from dataclasses import dataclass
from pathlib import Path

from . import inputs
from .calls import (COMPLEX_VALUE, NOT_LOADED, StudentCalls, call_message, call_mistake,
                    load_message, module_file, module_name, unusable_value)
from ...errors import StudentCodeError, SubmissionError
from ...notebook import notebook_to_python
from ...sandbox.codec import snapshot
from ...sandbox.tracebacks import describe_exception


@dataclass(frozen=True)
class Outcome:
    """What one call did, with the fields of the sandbox's CallOutcome that checks read."""

    ok: bool
    value: object = None
    kind: str | None = None
    message: str = ""
    mutated_args: tuple = ()
    line: int | None = None


class LocalSubmission:
    """The student's folder as the checks see a Submission: its code files, by path."""

    def __init__(self, folder: Path, code_files: tuple):
        self.folder = Path(folder).resolve()
        self.code_files = tuple(code_files)
        self._modules: dict = {}

    def code(self, name: str) -> "LocalModule":
        """The student's `name` (hw6.py, cs231n/layers.py, or the notebook hw6.ipynb), imported
        once; SubmissionError if it is not in the folder."""
        if name not in self._modules:
            path = self.folder / name
            notebook = path.with_suffix(".ipynb")
            if not path.is_file() and not notebook.is_file():
                raise SubmissionError(f"{name} was not found in {self.folder}")
            self._modules[name] = LocalModule(self.folder, name)
        return self._modules[name]


class LocalModule(StudentCalls):
    """One student module, imported from the student's folder (on sys.path, so the student's
    files import each other by name, as they do in the grader's worker)."""

    def __init__(self, folder: Path, name: str):
        self.folder, self.file = folder, name
        self._module = None
        self._load_problem = None
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
        try:
            with _prints_to_stderr():
                self._module = self._import(module_name(name))
        except SubmissionError as exc:
            self._load_problem = exc.message
        except BaseException as exc:  # noqa: BLE001 - whatever the student's import does
            if isinstance(exc, KeyboardInterrupt):
                raise
            self._load_problem = load_message(name, self._failure(exc))

    def _import(self, module: str):
        path = self.folder / self.file
        if path.is_file():
            return importlib.import_module(module)
        notebook = path.with_suffix(".ipynb")
        source, _ = notebook_to_python(notebook.read_bytes(), notebook.name)
        loaded = types.ModuleType(module)
        loaded.__file__ = str(path)
        sys.modules[module] = loaded
        exec(compile(source, str(path), "exec"), loaded.__dict__)
        return loaded

    def load_problem(self) -> str | None:
        return self._load_problem

    def call_outcomes(self, calls) -> list:
        return [self._call(function, args, kwargs) for function, args, kwargs in calls]

    def _call(self, name: str, args, kwargs):
        if self._load_problem:
            return StudentCodeError(self._load_problem, mistake=NOT_LOADED)
        function = getattr(self._module, name, None)
        if not callable(function):
            missing = Outcome(False, kind="missing")
            return StudentCodeError(call_message(name, missing, module_file(module_name(
                self.file))), mistake=call_mistake("missing", ""))
        args, kwargs = inputs.fresh(list(args)), inputs.fresh(dict(kwargs))
        args_before = [snapshot(arg) for arg in args]
        kwargs_before = {key: snapshot(arg) for key, arg in kwargs.items()}
        try:
            with _prints_to_stderr():
                value = function(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the student's code may raise anything
            if isinstance(exc, KeyboardInterrupt):
                raise
            failure = self._failure(exc)
            return StudentCodeError(call_message(name, failure),
                                    mistake=call_mistake(failure.kind, failure.message))
        mutated = [i for i, arg in enumerate(args) if snapshot(arg) != args_before[i]]
        mutated += [key for key, arg in kwargs.items() if snapshot(arg) != kwargs_before[key]]
        problem = unusable_value(value)
        if problem is not None:
            return StudentCodeError(f"`{name}` returned {problem}.", mistake=COMPLEX_VALUE)
        return Outcome(True, value=value, mutated_args=tuple(mutated))

    def _failure(self, error: BaseException) -> Outcome:
        """The error as the sandbox reports it: the traceback trimmed to the student's files."""
        kind, lines, line = describe_exception(error, self._students, self._relative,
                                               str(self.folder))
        return Outcome(False, kind=kind, message="\n".join(lines), line=line)

    def _students(self, filename: str) -> bool:
        """A frame of the student's files: in their folder, and not the self-check's own."""
        path = Path(filename)
        return (path.is_relative_to(self.folder)
                and not path.is_relative_to(Path(__file__).resolve().parent))

    def _relative(self, filename: str) -> str:
        return Path(filename).relative_to(self.folder).as_posix()


def _prints_to_stderr():
    """The student's prints go to stderr: stdout is the self-check's (its --json output)."""
    return contextlib.redirect_stdout(sys.stderr)
