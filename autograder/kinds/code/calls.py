"""Calling a student's functions, as every check sees it, wherever the code runs.

Two runners share this interface: student_code.StudentModule (the grader: a sandbox worker) and
local_code.LocalModule (the handout's self-check: the student's own process). Each provides
`load_problem()` and `call_outcomes(calls)`; `call` and `call_many`, the rule that a function must
not modify its inputs, and every message for the student are here, once, so both faces say the
same thing about the same call, in the same words and numbering.
"""

from __future__ import annotations

import numpy as np

from ...errors import StudentCodeError

NOT_IMPLEMENTED = "NotImplementedError"
MODIFIED_INPUT = "modified its input"
COMPLEX_VALUE = "returned complex numbers"
NOT_LOADED = "the file could not be loaded"
NOT_IMPLEMENTED_MISTAKE = "not implemented"
_CALL_MISTAKES = {"missing": "not defined", "timeout": "timed out", "memory": "out of memory",
                  "crashed": "crashed"}


class StudentCalls:
    """What checks call: a runner implements load_problem() and call_outcomes(calls)."""

    def load_problem(self) -> str | None:
        """None when the student's module imported; otherwise what the student should know."""
        raise NotImplementedError

    def call_outcomes(self, calls) -> list:
        """[(function, args, kwargs), ...] -> for each, an outcome (ok, value, kind, message,
        mutated_args) or the StudentCodeError that says why it failed."""
        raise NotImplementedError

    def call(self, function: str, *args, **kwargs):
        """The function's return value, or StudentCodeError saying what went wrong.

        A function that modifies its inputs fails too: the contract says it must not.
        """
        return self.call_many([(function, args, kwargs)])[0]

    def call_many(self, calls) -> list:
        """[(function, args, kwargs), ...] -> their return values, as call() gives each, at the
        cost of one round trip; the first call that failed raises its StudentCodeError. A check
        calls a function for its value, so None (what a `pass` stub returns) is "not implemented
        yet"."""
        values = []
        for (function, _, _), outcome in zip(calls, self.call_outcomes(calls)):
            if isinstance(outcome, StudentCodeError):
                raise outcome
            if outcome.mutated_args:
                raise StudentCodeError(mutation_message(function, outcome.mutated_args),
                                       mistake=MODIFIED_INPUT)
            if outcome.value is None:
                raise StudentCodeError(not_implemented_message(function, "it returns None"),
                                       mistake=NOT_IMPLEMENTED_MISTAKE)
            values.append(outcome.value)
        return values


def unusable_value(value) -> str | None:
    """What makes a return value one no check may compare, or None.

    Complex numbers: every comparison is of real numbers, and converting a complex array to float
    silently drops its imaginary part (`value + 1e6j` would pass). Handles of what the worker
    could not send as plain data (an ndarray subclass, an object array, a Python complex) are not
    refused here: an opaque cache is one too, and a comparison that gets one says what it is.
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "c":
            return (f"complex numbers (an array of dtype {value.dtype}); the result must be real "
                    "numbers (a complex value is never compared: its imaginary part would be "
                    "lost)")
        return None
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            problem = unusable_value(item)
            if problem:
                return problem
    return None


def argument_label(position, names=()) -> str:
    """How every face names an argument: 1-based, with its name when known ("argument 1 `dZ`");
    a keyword argument by its name ("argument `lam`")."""
    if isinstance(position, str):
        return f"argument `{position}`"
    name = f" `{names[position]}`" if position < len(names) else ""
    return f"argument {position + 1}{name}"


def result_label(position: int, names=()) -> str:
    """How every face names an item of a tuple result: 1-based, with the name the reference
    returns it under when known ("`dw` (item 2 of the result)")."""
    where = f"item {position + 1} of the result"
    return f"`{names[position]}` ({where})" if position < len(names) else where


def is_placeholder(value, expected) -> bool:
    """Whether a result is what a skeleton returns before it is written: None, or a tuple of
    Nones (`dx, dw, db = None, None, None`), where the reference returns something."""
    if value is None:
        return expected is not None
    return (isinstance(value, (tuple, list)) and len(value) > 0
            and all(item is None for item in value)
            and isinstance(expected, (tuple, list))
            and any(item is not None for item in expected))


def mutation_message(function: str, mutated_args, names=()) -> str:
    labels = ", ".join(argument_label(a, names) for a in mutated_args)
    return (f"`{function}` modified its input ({labels}); it must leave its inputs unchanged "
            "(make a copy first).")


def not_implemented_message(function: str, how: str) -> str:
    return f"`{function}` is not implemented yet ({how})."


def call_mistake(kind: str, message: str) -> str:
    """The short name of a failed call's mistake, from the sandbox's kind of failure (and, as
    call_message tells it, NotImplementedError from other exceptions)."""
    if kind == "exception":
        return NOT_IMPLEMENTED_MISTAKE if NOT_IMPLEMENTED in message else "raised an exception"
    return _CALL_MISTAKES.get(kind, kind)


def call_message(function: str, outcome, file: str = "your file") -> str:
    if outcome.kind == "exception" and NOT_IMPLEMENTED in outcome.message:
        return not_implemented_message(function, "it raises NotImplementedError")
    if outcome.kind == "missing":
        return f"`{function}` is not defined in {file}."
    if outcome.kind == "timeout":
        return f"`{function}` did not finish within the time limit (an endless loop?)."
    if outcome.kind == "memory":
        return f"`{function}` ran out of memory."
    if outcome.kind == "crashed":
        return f"`{function}` crashed the process running your code ({outcome.message})."
    message = outcome.message.strip()
    return f"`{function}` failed:\n\n```\n{message[-1500:]}\n```"


def load_message(name: str, outcome) -> str:
    where = f" (line {outcome.line})" if outcome.line else ""
    text = outcome.message.strip()
    return f"{name} could not be loaded{where}: {outcome.kind}.\n\n```\n{text[-1500:]}\n```"


def module_name(path: str) -> str:
    """The module a submitted file imports as: cs231n/layers.py -> cs231n.layers."""
    return path[:-len(".py")].replace("/", ".") if path.endswith(".py") else path.replace("/", ".")


def module_file(module: str) -> str:
    """The file of a module: cs231n.layers -> cs231n/layers.py."""
    return module.replace(".", "/") + ".py"
