"""`code`: a function of the student's code file, checked against a trusted reference.

Its keys are declared in KEYS below. A case is {args, kwargs, name, then, before, visibility}:
each argument is described as in inputs.py. `then: {function, args, kwargs}` calls a second
function with `{result: i}` standing for item i of the first call's result (an opaque cache stays
opaque: the student's goes to the student's function, ours to ours); a step's reference defaults
to the question's reference module with the step's function name. A backward item is declared on
its own function with the forward as a `before` step instead: `before: {function: affine_forward,
args: [...]}` runs first, and the case's `args` may use `{result: i}` of it. A case with
`visibility: hidden` is graded and counted like the others but never shipped in the handout;
failing it tells the student only its `name`. An instructor's `check` is called as
function(student, rng) -> (fraction, feedback), where student.call(name, *args, **kwargs) runs
the student's code in its sandbox. `reveal` (a key of every question): feedback on a wrong result
shows the reference's values ("at [0, 2] yours 0.5, expected 0.25") only when true; by default it
says where and how the result is wrong and the student's own values, never the expected ones.

Every case, the gradient check and the custom check are one unit each; the question earns the
fraction of units passed. Why these tolerances: a correct implementation differs from the
reference only by roundoff, at most a few hundred ulps for these sizes (~1e-13 relative); the
smallest real mistake in our corpus (log(p + 1e-20) at logits of ±1000) is 1e-5 relative.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import functools
import hashlib
import importlib
import importlib.util
import inspect
import sys
import textwrap
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ...errors import SpecError, StudentCodeError, SubmissionError
from ...yamlio import Node
from ..base import Check, Key, Verdict, read_keys
from . import gradcheck, inputs, mismatch
from .calls import (MODIFIED_INPUT, NOT_IMPLEMENTED_MISTAKE, NOT_LOADED, is_placeholder,
                    module_file, mutation_message, not_implemented_message)
from .compare import compare, describe, short_value, what_it_is

if TYPE_CHECKING:  # a grade never shows a prompt: view.py is imported where it is (code_view)
    from .view import CodeView

DEFAULT_RTOL = 1e-7
DEFAULT_ATOL = 1e-9
_CASE_SCHEMA = {
    "type": "object", "additionalProperties": False,
    "properties": {"args": {"type": "array"}, "kwargs": {"type": "object"},
                   "name": {"type": "string"}, "then": {"type": "object"},
                   "before": {"type": "object", "description": "a setup call (e.g. the forward) "
                              "whose result the args use as {result: i}"},
                   "visibility": {"enum": ["visible", "hidden"], "description":
                                  "hidden: graded, never in the handout; failing it tells only "
                                  "the case's name"}}}
KEYS = (
    Key("function", ("string",), "the student's function name, or module:function "
        "(cs231n.layers:affine_forward) in a package submission",
        schema={"pattern": r"^([A-Za-z_]\w*(\.[A-Za-z_]\w*)*:)?[A-Za-z_]\w*$"}),
    Key("file", ("string",), "the submitted file holding it, such as cs231n/layers.py (default: "
        "the module of `function`, else the first of submit.code)", default=""),
    Key("reference", ("string",), "module:function or file.py:function to compare with "
        "(default reference:<function>); `then` and `before` steps default to the same module",
        default=None),
    Key("cases", ("array",), "a list of cases, inputs (autograder/kinds/code/inputs.py) the student's "
        "function and the reference are called with", default=[],
        schema={"items": _CASE_SCHEMA}),
    Key("outputs", ("array",), "which items of a tuple result to compare, by position from 0",
        default=None, schema={"items": {"type": "integer", "minimum": 0}}),
    Key("rtol", ("number",), "the relative tolerance of the comparison", default=DEFAULT_RTOL,
        minimum=0),
    Key("atol", ("number",), "the absolute tolerance, times max(1, max|expected|)",
        default=DEFAULT_ATOL, minimum=0),
    Key("may_modify", ("array",), "the arguments the function may change in place, by position "
        "from 0 or by name", default=[],
        schema={"items": {"type": ["integer", "string"], "minimum": 0}}),
    Key("gradient", ("object",), "{args, kwargs, wrt, loss, grads, directions}: check the "
        "student's gradients against central differences of the student's own loss",
        default=None, schema={"required": ["args"]}),
    Key("check", ("string", "object"), "file.py:function, an instructor's own check (run by the "
        "self-check too); {function, visibility: hidden} keeps it on Gradescope", default=None,
        schema={"additionalProperties": False, "required": ["function"],
                "properties": {"function": {"type": "string"},
                               "visibility": {"enum": ["visible", "hidden"]}}}),
)
GRADIENT_REDRAWS = 3
CASE_VISIBILITIES = ("visible", "hidden")
# Short names of mistakes for regrade's item analysis (mismatch.py and student_code.py name the
# rest: "times N", "transposed", "not implemented", ...).
NOT_SUBMITTED = "file not submitted"
SETUP_FAILED = "its setup call failed"
GRADIENT_INCONSISTENT = "gradient disagrees with its own loss"
GRADIENT_ZERO = "every gradient zero"
CHECK_FAILED = "failed the assignment's own check"
CHECK_UNUSABLE = "returned what the check could not use"
# A grading secret lives in the assignment folder, so it goes into the Gradescope zip (which
# ships the folder) and never into the handout (which ships only the starter and support files).
SECRET_FILE = "grading-secret.txt"


class Seeds(NamedTuple):
    """Where a question's random inputs come from.

    Public seeds (no secret) are the handout's: the self-check draws its public cases with them.
    The grader, given the assignment's secret, draws every case, gradient check and custom check
    from seeds the handout does not hold, so expected outputs copied from the handout say nothing
    about the inputs graded; the same secret gives the same inputs on every regrade.
    """

    secret: tuple = ()   # 32-bit words of the secret's hash; () for the public seeds

    @classmethod
    def of_folder(cls, folder: Path) -> "Seeds":
        """The grader's seeds: from the folder's secret when it has one, else the public ones
        (a local `grade` of a folder never built for Gradescope)."""
        path = Path(folder) / SECRET_FILE
        if not path.is_file():
            return cls()
        digest = hashlib.sha256(path.read_text(encoding="utf-8").strip().encode()).digest()
        return cls(tuple(int.from_bytes(digest[i:i + 4], "big") for i in range(0, 16, 4)))

    def case(self, question_id: str, number: int) -> list:
        return [zlib.crc32(question_id.encode("utf-8")), number, *self.secret]

    def gradient(self, question_id: str, attempt: int) -> list:
        """The gradient check's inputs and directions (attempt: redraws after a kink)."""
        return [zlib.crc32(question_id.encode("utf-8")), 1_000_003, attempt, *self.secret]

    def custom(self, question_id: str) -> list:
        return [zlib.crc32(question_id.encode("utf-8")), 2_000_003, *self.secret]


def new_secret() -> str:
    """A grading secret for a Gradescope zip whose assignment folder has none."""
    import secrets
    return secrets.token_hex(16) + "\n"


class Recorded(NamedTuple):
    """The reference of the handout's public projection: it replays the result the real
    reference gave on the case's public inputs (stored as data), whatever it is called with."""

    value: object
    result_names: tuple = ()   # the real reference's (_result_names), for the same messages

    def __call__(self, *args, **kwargs):
        return copy.deepcopy(self.value)


@dataclass(frozen=True)
class Case:
    function: str
    reference: object
    args: tuple
    kwargs: dict
    name: str
    then: "Case | None" = None
    before: "Case | None" = None   # a setup call whose result the case's args may use
    hidden: bool = False   # graded, but its inputs and outputs are never shown to students
    number: int = 0        # its place in the spec's list: the seed of its inputs
    where: SpecError | None = field(default=None, compare=False)   # its place in the spec


@dataclass
class _CaseCall:
    """One case's drawn inputs, and the reference's result once it is computed."""
    case: Case
    args: list
    kwargs: dict
    then_args: list
    then_kwargs: dict
    before_args: list
    before_kwargs: dict
    expected: object = None

    def first(self) -> tuple:
        """The student's first call, as (function, args, kwargs)."""
        return self.case.function, self.args, self.kwargs

    def then_step(self, result) -> tuple:
        """The student's `then` call, given what the first call returned."""
        return (self.case.then.function, _resolve(self.then_args, result),
                _resolve(self.then_kwargs, result))


class Gradient(NamedTuple):
    args: tuple
    kwargs: dict
    wrt: int
    loss: int | None
    grads: int | None
    directions: int | None  # None: the checker's default (every entry of a small tensor)

    def options(self) -> dict:
        """check_gradient's keyword arguments for this spec."""
        if self.directions is None:
            return {}
        return {"max_coordinates": 0, "directions": self.directions}


@dataclass(frozen=True)
class Code(Check):
    function: str
    file: str
    cases: tuple
    outputs: tuple | None
    rtol: float
    atol: float
    may_modify: frozenset
    gradient: Gradient | None
    custom: object
    seeds: Seeds = Seeds()
    custom_target: str = ""           # file.py:function of `custom`, for the handout
    custom_file: Path | None = None   # that file, where the spec that names it is
    custom_visibility: str = "visible"
    arg_names: tuple = ()             # the reference's parameter names, for messages
    hidden_units: int = 0             # in a public projection: the units left on Gradescope
    reveal: bool = False   # the question's `reveal`: may feedback show the reference's values?
    outputs_where: SpecError | None = field(default=None, compare=False)

    def grade(self, question_id: str, submission) -> Verdict:
        try:
            student = submission.code(self.file or _first_required(submission.code_files))
        except SubmissionError as exc:
            return Verdict(0.0, exc.message, mistakes=(NOT_SUBMITTED,), unanswered=True)
        problem = student.load_problem()
        if problem:
            return Verdict(0.0, problem, mistakes=(NOT_LOADED,))
        units = self._fixed_cases_after_random_ones(self._cases(student, question_id))
        if self.gradient is not None:
            units.append(self._gradient_check(student, question_id))
        if self.custom is not None:
            units.append(self._custom_check(student, question_id))
        fraction = sum(passed for passed, _, _ in units) / len(units)
        lines = [message for _, message, _ in units if message]
        if fraction == 1.0:
            return Verdict(1.0, f"`{self.function}`: all {len(units)} checks passed.")
        mistakes = dict.fromkeys(mistake for passed, _, mistake in units if passed < 1 and mistake)
        unanswered = all(f"`{self.function}` is not implemented yet" in message
                         or f"`{self.function}` is not defined" in message
                         for _, message, _ in units)
        return Verdict(fraction, "\n\n".join(dict.fromkeys(lines)), mistakes=tuple(mistakes),
                       unanswered=unanswered)

    def _fixed_cases_after_random_ones(self, units: list) -> list:
        """A case whose inputs are all written in the spec (an edge case: z = ±1000) has the
        same inputs in the handout and on Gradescope, so its expected output could be copied
        from the handout; it earns its share only when the function is also right on every
        case drawn at random (from the grader's secret seed), which copying cannot be."""
        drawn = [n for n, case in enumerate(self.cases) if _draws_at_random(case)]
        if not drawn or all(units[n][0] == 1.0 for n in drawn):
            return units
        return [(0.0, f"`{case.function}` on {case.name or 'a fixed case'}: right, but a case "
                      "with fixed inputs counts only once the random cases pass too.", "")
                if n not in drawn and unit[0] == 1.0 else unit
                for n, (case, unit) in enumerate(zip(self.cases, units))]

    # ------------------------------------------------------------------- public projection

    answered_in_file = False   # its answer is a function of the submitted code

    def check_submitted_files(self, node: Node, code_files: tuple) -> None:
        """Its file must be one students submit (a glob of submit: code will do)."""
        from ...spec import is_glob  # (the loader's; the handout's self-check never loads)
        if not code_files:
            raise node.error("kind", "a code question needs `submit: code:` (the files "
                                     "students upload) at the top of the spec")
        if not self.file and sum(not is_glob(name) for name in code_files) > 1:
            raise node.error("function", "students submit several code files: name the module "
                                         "of the function, e.g. cs231n.layers:affine_forward")
        if self.file and not any(fnmatch.fnmatchcase(self.file, pattern)
                                 for pattern in code_files):
            key = "file" if "file" in node else "function"
            raise node.error(key, f"{self.file} is not among the files students submit "
                                  f"(submit: code: {', '.join(code_files)})")

    def public(self, question_id: str, visible: bool) -> dict:
        """{function, code}: code is what the handout may know of this check, as JSON data (the
        visible cases with the reference's outputs on their public inputs, the gradient check, a
        visible custom check); a question whose results are hidden gets none of it.

        from_public turns it back into a Code whose references replay those outputs, so the
        self-check runs this very class on it: the same calls, comparisons and messages.
        """
        if not visible:
            return {"function": self.function}
        cases = [self._public_case(case, question_id) for case in self.cases if not case.hidden]
        gradient = None if self.gradient is None else {
            "args": list(self.gradient.args), "kwargs": dict(self.gradient.kwargs),
            "wrt": self.gradient.wrt, "loss": self.gradient.loss, "grads": self.gradient.grads,
            "directions": self.gradient.directions}
        custom = (f"{self.custom_file.name}:{self.custom_target.partition(':')[2]}"
                  if self.public_files() else "")
        hidden = len(self.cases) - len(cases) + (self.custom is not None and not custom)
        return {"function": self.function, "code": {
            "function": self.function, "file": self.file, "cases": cases,
            "outputs": None if self.outputs is None else list(self.outputs),
            "rtol": self.rtol, "atol": self.atol, "may_modify": sorted(self.may_modify, key=str),
            "gradient": gradient, "check": custom, "arg_names": list(self.arg_names),
            "hidden_units": hidden}}

    def _public_case(self, case: Case, question_id: str) -> dict:
        """One case with the reference's results on its public inputs, each step's its own."""
        before, expected, then = self._reference_results(case, question_id)
        return {"number": case.number, "name": case.name, "args": list(case.args),
                "kwargs": dict(case.kwargs),
                "then": None if case.then is None else _public_step(case.then, then),
                "before": None if case.before is None else _public_step(case.before, before),
                "expected": to_data(expected),
                "result_names": list(_result_names(case.reference))}

    def _reference_results(self, case: Case, question_id: str) -> tuple:
        """(the `before` step's result, the call's, the `then` step's) of the reference on the
        case's public inputs, None for a step the case lacks; a SpecError at the case where a
        `{result: i}` picks beyond the result it picks from."""
        call = _draw(case, np.random.default_rng(Seeds().case(question_id, case.number)))
        args, kwargs, before, then = call.args, call.kwargs, None, None
        if case.before is not None:
            before = case.before.reference(*inputs.fresh(call.before_args),
                                           **inputs.fresh(call.before_kwargs))
            problem = _picks_beyond((args, kwargs), before, "the `before` step's result")
            if problem:
                raise _at(case.where, problem)
            args, kwargs = _resolve(args, before), _resolve(kwargs, before)
        expected = case.reference(*inputs.fresh(args), **inputs.fresh(kwargs))
        if case.then is not None:
            problem = _picks_beyond((call.then_args, call.then_kwargs), expected,
                                    "the first call's result")
            if problem:
                raise _at(case.where, f"then: {problem}")
            then = case.then.reference(*inputs.fresh(_resolve(call.then_args, expected)),
                                       **inputs.fresh(_resolve(call.then_kwargs, expected)))
        return before, expected, then

    def public_files(self) -> dict:
        """The instructor's files a visible custom check needs in the handout: {name: path},
        each under its own name (a check of a spec it extends may be `../base/checks.py`)."""
        if self.custom_file is None or self.custom_visibility == "hidden":
            return {}
        return {self.custom_file.name: self.custom_file}

    def code_view(self, question, starters: dict, default_file: str) -> CodeView:
        from .view import code_view  # here: show, preview and the handout need it, a grade not
        return code_view(self, question, starters, default_file)

    def spec_problems(self, question_id: str) -> list:
        """The mistakes of the spec that only the reference's results show (SpecErrors): an
        `outputs` position or a `{result: i}` beyond the result it picks from, a reference that
        fails on a case. `validate` runs it, calling the reference on every case's public
        inputs, so such a spec never reaches a student as an item graded "internal error"."""
        problems = []
        for case in self.cases:
            try:
                _, expected, _ = self._reference_results(case, question_id)
            except SpecError as problem:   # a {result: i} beyond what it picks from
                problems.append(problem)
                continue
            except Exception as exc:  # the instructor's reference may fail in any way: say where
                problems.append(_at(case.where, f"the reference fails on this case: "
                                                f"{type(exc).__name__}: {exc}"))
                continue
            if self.outputs is not None and not (
                    isinstance(expected, (tuple, list))
                    and all(position < len(expected) for position in self.outputs)):
                size = (f"a tuple of {len(expected)} items"
                        if isinstance(expected, (tuple, list)) else what_it_is(expected))
                problems.append(_at(self.outputs_where, f"positions {list(self.outputs)}, but "
                                    f"the reference returns {size} on {case.where.message}"))
        return problems

    # ------------------------------------------------------------------ reference comparison

    def _cases(self, student, question_id: str) -> list:
        """(fraction, message, mistake) per case. The cases without a `then` step go to the worker in
        one request; a case with one runs its two calls back to back, because the second gets
        a handle into the worker that the first left there, and a later case that broke the
        worker in between would take it away."""
        calls = [_draw(case, np.random.default_rng(self.seeds.case(question_id, case.number)))
                 for case in self.cases]
        units: list = [None] * len(calls)
        alone = [n for n, call in enumerate(calls)
                 if call.case.then is None and call.case.before is None]
        outcomes = student.call_outcomes([calls[n].first() for n in alone])
        for n, outcome in zip(alone, outcomes):
            units[n] = self._first_step(calls[n], outcome)
        for n, call in enumerate(calls):
            if call.case.before is not None:
                units[n] = self._after_setup(student, call)
            if call.case.then is None:
                continue
            [outcome] = student.call_outcomes([call.first()])
            units[n] = self._first_step(call, outcome)
            if units[n][0] == 1.0:
                [outcome] = student.call_outcomes([call.then_step(outcome.value)])
                units[n] = self._then_step(call, outcome)
        for n, call in enumerate(calls):
            if call.case.hidden and units[n][0] < 1.0:
                units[n] = (units[n][0], hidden_failure(call.case), units[n][2])
        return units

    def _first_step(self, call: "_CaseCall", outcome, label: str = "",
                    reference_call: tuple | None = None) -> tuple:
        """reference_call: (args, kwargs) for the reference when they differ from the
        student's (after a setup step, whose results differ)."""
        case = call.case
        label = label or f"`{case.function}` on {case.name or describe(call.args, call.kwargs)}"
        if isinstance(outcome, StudentCodeError):
            return 0.0, f"{label}: {outcome.message}", outcome.mistake
        changed = [arg for arg in outcome.mutated_args if arg not in self.may_modify]
        if changed:
            return (0.0, f"{label}: {mutation_message(case.function, changed, self.arg_names)}",
                    MODIFIED_INPUT)
        args, kwargs = reference_call or (call.args, call.kwargs)
        call.expected = case.reference(*inputs.fresh(args), **inputs.fresh(kwargs))
        if is_placeholder(outcome.value, call.expected):
            return (0.0, not_implemented_message(case.function,
                                                 f"it returns {short_value(outcome.value)}"),
                    NOT_IMPLEMENTED_MISTAKE)
        problem = compare(outcome.value, call.expected, self.outputs, self.rtol, self.atol,
                          context=list(args) + list(kwargs.values()), reveal=self.reveal,
                          names=_NamesOf(case.reference))
        if problem is None:
            return 1.0, "", ""
        mistake, message = problem
        return 0.0, f"{label}: {message}", _on_case(mistake, case)

    def _after_setup(self, student, call: "_CaseCall") -> tuple:
        """A case whose function runs on what its `before` step returned: the student's
        function on the student's setup result, ours on ours (caches stay each side's own)."""
        case, before = call.case, call.case.before
        label = (f"`{case.function}` after `{before.function}` on "
                 f"{case.name or describe(call.before_args, call.before_kwargs)}")
        [setup] = student.call_outcomes([(before.function, call.before_args,
                                          call.before_kwargs)])
        if isinstance(setup, StudentCodeError):
            return 0.0, f"{label}: could not be checked, because the setup call failed: " \
                        f"{setup.message}", f"`{before.function}` {setup.mistake}"
        if setup.mutated_args:
            return (0.0, f"{label}: {mutation_message(before.function, setup.mutated_args)}",
                    f"`{before.function}` {MODIFIED_INPUT}")
        [outcome] = student.call_outcomes([(case.function, _resolve(call.args, setup.value),
                                            _resolve(call.kwargs, setup.value))])
        ours = before.reference(*inputs.fresh(call.before_args),
                                **inputs.fresh(call.before_kwargs))
        return self._first_step(call, outcome, label, (_resolve(call.args, ours),
                                                       _resolve(call.kwargs, ours)))

    def _then_step(self, call: "_CaseCall", outcome) -> tuple:
        case, then = call.case, call.case.then
        label = (f"`{then.function}` after `{case.function}` on "
                 f"{case.name or describe(call.args, call.kwargs)}")
        if isinstance(outcome, StudentCodeError):
            return 0.0, f"{label}: {outcome.message}", f"`{then.function}` {outcome.mistake}"
        if outcome.mutated_args:
            return (0.0, f"{label}: {mutation_message(then.function, outcome.mutated_args)}",
                    f"`{then.function}` {MODIFIED_INPUT}")
        expected = then.reference(*inputs.fresh(_resolve(call.then_args, call.expected)),
                                  **inputs.fresh(_resolve(call.then_kwargs, call.expected)))
        if is_placeholder(outcome.value, expected):
            return (0.0, not_implemented_message(then.function,
                                                 f"it returns {short_value(outcome.value)}"),
                    f"`{then.function}` {NOT_IMPLEMENTED_MISTAKE}")
        problem = compare(outcome.value, expected, None, self.rtol, self.atol,
                          context=call.then_args, reveal=self.reveal,
                          names=_NamesOf(then.reference))
        if problem is None:
            return 1.0, "", ""
        mistake, message = problem
        return 0.0, f"{label}: {message}", f"`{then.function}` {_on_case(mistake, case)}"

    # --------------------------------------------------------------- gradient self-consistency

    def _gradient_check(self, student, question_id: str) -> tuple:
        spec = self.gradient
        report = None
        for attempt in range(GRADIENT_REDRAWS):
            rng = np.random.default_rng(self.seeds.gradient(question_id, attempt))
            args, kwargs = inputs.build_call(spec.args, spec.kwargs, rng)

            def calls(points):
                """The student's function at each point, the other arguments unchanged."""
                return [(self.function, [params if position == spec.wrt else value
                                         for position, value in enumerate(args)], kwargs)
                        for params in points]

            def losses(points):
                return [_as_loss(_pick(value, spec.loss))
                        for value in student.call_many(calls(points))]

            def gradients(params):
                [value] = student.call_many(calls([params]))
                return _pick(value, spec.grads)

            try:
                report = gradcheck.check_gradient(
                    lambda params: losses([params])[0], gradients, args[spec.wrt], rng,
                    f_many=losses, **spec.options())
            except StudentCodeError as exc:
                return 0.0, f"Gradient check of `{self.function}`: {exc.message}", exc.mistake
            if report.status != gradcheck.INCONCLUSIVE:
                break
        if report.status == gradcheck.FAILED:
            return 0.0, (f"Gradient check of `{self.function}` (your gradients against central "
                         f"differences of your own loss): your backward pass disagrees with your "
                         f"own forward pass.\n\n{report.message}"), GRADIENT_INCONSISTENT
        if all(tensor.analytic is not None and not np.any(tensor.analytic)
               for tensor in report.tensors.values()):
            # A constant loss with zero gradients is consistent, and says nothing.
            return 0.0, (f"Gradient check of `{self.function}`: every gradient is zero, so "
                         "there is nothing to check against."), GRADIENT_ZERO
        return 1.0, "", ""

    def _custom_check(self, student, question_id: str) -> tuple:
        seed = self.seeds.custom(question_id)
        try:
            fraction, feedback = self.custom(student, np.random.default_rng(seed))
        except StudentCodeError as exc:
            return 0.0, exc.message, exc.mistake
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            # The check was proven on the solution; what breaks it is what the student returned.
            return 0.0, (f"`{self.function}` returned something the check could not use "
                         f"({type(exc).__name__}: {exc})."), CHECK_UNUSABLE
        fraction = min(1.0, max(0.0, float(fraction)))
        return fraction, feedback, CHECK_FAILED if fraction < 1 else ""


def _on_case(mistake: str, case: Case) -> str:
    """Non-finite values come from particular inputs (an exp that overflows at logits of
    ±1000), so their name says on which case; other mistakes show on every case alike."""
    if mistake == mismatch.NON_FINITE and case.name:
        return f"{mistake} on {case.name}"
    return mistake


def hidden_failure(case: Case) -> str:
    """What a student is told of a hidden case they fail: its name (the property it tests, such
    as "batch size 1"), never its inputs, the expected output or their own result."""
    which = f" ({case.name})" if case.name else ""
    return (f"`{case.function}` fails a hidden case{which}. Hidden cases are graded on "
            f"Gradescope only, and their values are not shown.")


def _draw(case: Case, rng) -> _CaseCall:
    """A case's inputs from the case's rng: its `before` step's first, then its own, then its
    `then` step's."""
    before_args, before_kwargs = ([], {}) if case.before is None else inputs.build_call(
        case.before.args, case.before.kwargs, rng)
    args, kwargs = inputs.build_call(case.args, case.kwargs, rng,
                                     after_a_call=case.before is not None)
    then_args, then_kwargs = ([], {}) if case.then is None else inputs.build_call(
        case.then.args, case.then.kwargs, rng, after_a_call=True)
    return _CaseCall(case, args, kwargs, then_args, then_kwargs, before_args, before_kwargs)


def _first_required(code_files: tuple) -> str:
    """The file a question without `file:` is about: the first listed that is not a glob."""
    return next((name for name in code_files if not any(c in name for c in "*?[")),
                code_files[0] if code_files else "")


RANDOM_INPUTS = ("normal", "uniform", "labels")


def _draws_at_random(case: Case) -> bool:
    """Whether any input of the case (or of its steps) is drawn from its seed."""
    def random(description) -> bool:
        if isinstance(description, dict):
            return (any(key in RANDOM_INPUTS for key in description)
                    or any(random(value) for value in description.values()))
        if isinstance(description, (list, tuple)):
            return any(random(item) for item in description)
        return False
    steps = [step for step in (case, case.before, case.then) if step is not None]
    return any(random(list(step.args)) or random(dict(step.kwargs)) for step in steps)


def _public_step(step: Case, result) -> dict:
    return {"function": step.function, "args": list(step.args), "kwargs": dict(step.kwargs),
            "expected": to_data(result), "result_names": list(_result_names(step.reference))}


def _step_of_public(data) -> Case | None:
    if data is None:
        return None
    return Case(data["function"], _recorded(data), tuple(data["args"]), dict(data["kwargs"]),
                "")


def _recorded(data: dict) -> Recorded:
    return Recorded(from_data(data["expected"]), tuple(data["result_names"]))


def load(node: Node, folder: Path) -> Code:
    values = read_keys(node, KEYS)
    target = values["function"]
    module, _, function = target.rpartition(":")
    if not function.isidentifier():
        raise node.error("function", f"'{function}' is not a Python function name")
    if module and not all(part.isidentifier() for part in module.split(".")):
        raise node.error("function", f"'{module}' is not a module name such as cs231n.layers")
    file = values["file"]
    if module and file and file != module_file(module):
        raise node.error("file", f"'{file}' is not the file of {module} ({module_file(module)})")
    file = file or (module_file(module) if module else "")
    raw_cases = values["cases"]
    # Only cases compare with a reference; a question checked otherwise needs none.
    reference_module = (values["reference"] or "reference:").partition(":")[0]
    reference = (_load_callable(node, "reference", folder, f"reference:{function}")
                 if raw_cases else None)
    cases = tuple(_load_case(node, item, index, function, reference, reference_module, folder)
                  for index, item in enumerate(raw_cases))
    gradient = _load_gradient(node) if values["gradient"] is not None else None
    custom, custom_target, custom_visibility = None, "", "visible"
    if values["check"] is not None:
        custom, custom_target, custom_visibility = _load_custom(node, folder)
    if not cases and gradient is None and custom is None:
        raise node.error(None, "a code question needs cases, a gradient check or a check")
    outputs = values["outputs"]
    if outputs is not None and not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                                       for i in outputs):
        raise node.error("outputs", "must list positions in the result from 0, such as [0]")
    may_modify = values["may_modify"]
    if not all((isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0)
               or (isinstance(arg, str) and arg.isidentifier()) for arg in may_modify):
        raise node.error("may_modify", "must list argument positions from 0 or parameter "
                                       "names, such as [0] or [cache]")
    return Code(function=function, file=file, cases=cases,
                outputs=tuple(outputs) if outputs is not None else None,
                rtol=float(values["rtol"]), atol=float(values["atol"]),
                may_modify=frozenset(may_modify), gradient=gradient,
                custom=custom, seeds=Seeds.of_folder(folder), custom_target=custom_target,
                custom_file=(folder / custom_target.partition(":")[0]).resolve()
                if custom_target.partition(":")[0].endswith(".py") else None,
                custom_visibility=custom_visibility, arg_names=_parameter_names(reference),
                reveal=node.optional("reveal", bool, "true or false", False),
                outputs_where=node.error("outputs", ""))


def _parameter_names(function) -> tuple:
    """The positional parameter names of a reference function, to name arguments in messages."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in parameters
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


class _NamesOf:
    """The names a reference returns its tuple's items as, looked up only when a message names
    an item: reading them parses the reference's source (10 ms over HW6's cases on one core)."""

    def __init__(self, reference):
        self.reference = reference

    def __len__(self) -> int:
        return len(_result_names(self.reference))

    def __getitem__(self, position: int) -> str:
        return _result_names(self.reference)[position]


def _result_names(reference) -> tuple:
    """The names a reference returns its tuple's items as, where every `return` of it is a
    tuple of plain names (`return dx, dw, db`); () otherwise (and for a lambda or a builtin)."""
    if isinstance(reference, Recorded):
        return reference.result_names
    return _returned_names(reference) if inspect.isfunction(reference) else ()


@functools.lru_cache(maxsize=None)
def _returned_names(function) -> tuple:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return ()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) \
                and node is not tree.body[0]:
            continue  # a nested function's returns are not the reference's
        if isinstance(node, ast.Return):
            value = node.value
            if not (isinstance(value, ast.Tuple)
                    and all(isinstance(item, ast.Name) for item in value.elts)):
                return ()
            found.add(tuple(item.id for item in value.elts))
    return found.pop() if len(found) == 1 else ()


def self_check(public: dict, submission, folder: Path) -> tuple:
    """The grader's check of this question on its public projection, run on the student's
    code in this process (the handout's self-check): (status, message)."""
    projection = public.get("code")
    if projection is None:
        return "hidden", "checked on Gradescope only"
    check = from_public(projection, folder)
    if not (check.cases or check.gradient or check.custom):
        return "hidden", "checked on Gradescope only"
    verdict = check.grade(public["id"], submission)
    later = f" ({check.hidden_units} more check(s) on Gradescope)" if check.hidden_units else ""
    if verdict.fraction == 1.0:
        return "pass", verdict.feedback + later
    return ("unanswered" if verdict.unanswered else "fail"), verdict.feedback


def from_public(data: dict, folder: Path) -> Code:
    """The Code of a public projection (Code.public), its references replaying the stored
    outputs; folder: where the projection's custom-check files are."""
    cases = tuple(Case(data["function"], _recorded(case),
                       tuple(case["args"]), dict(case["kwargs"]), case["name"],
                       _step_of_public(case["then"]), _step_of_public(case["before"]),
                       number=case["number"])
                  for case in data["cases"])
    gradient = None
    if data["gradient"] is not None:
        spec = data["gradient"]
        gradient = Gradient(tuple(spec["args"]), dict(spec["kwargs"]), spec["wrt"],
                            spec["loss"], spec["grads"], spec["directions"])
    custom = None
    if data["check"]:
        module_name, _, attribute = data["check"].partition(":")
        custom = getattr(_module_from_file((Path(folder) / module_name).resolve()), attribute)
    outputs = data["outputs"]
    return Code(function=data["function"], file=data["file"], cases=cases,
                outputs=None if outputs is None else tuple(outputs), rtol=data["rtol"],
                atol=data["atol"], may_modify=frozenset(data["may_modify"]), gradient=gradient,
                custom=custom, custom_target=data["check"],
                arg_names=tuple(data["arg_names"]), hidden_units=data["hidden_units"])


def to_data(value):
    """A result as JSON data (from_data inverts it): arrays keep dtype and shape, tuples stay
    tuples; an object that is not data (an opaque cache) becomes a placeholder, never compared
    (`outputs` leaves it out) and replaced by the student's own in a `then` step."""
    if isinstance(value, np.ndarray):
        return {"ndarray": value.ravel().tolist(), "dtype": str(value.dtype),
                "shape": list(value.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"tuple": [to_data(item) for item in value]}
    if isinstance(value, list):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {"dict": {str(key): to_data(item) for key, item in value.items()}}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return {"opaque": type(value).__qualname__}


def from_data(value):
    if isinstance(value, dict):
        if "ndarray" in value:
            return np.array(value["ndarray"], dtype=value["dtype"]).reshape(value["shape"])
        if "tuple" in value:
            return tuple(from_data(item) for item in value["tuple"])
        if "opaque" in value:
            return None
        return {key: from_data(item) for key, item in value["dict"].items()}
    if isinstance(value, list):
        return [from_data(item) for item in value]
    return value


def _load_case(node: Node, item, index: int, function: str, reference, reference_module: str,
               folder: Path) -> Case:
    where = f"cases[{index}]"
    if not isinstance(item, Node):
        raise node.error("cases", f"{where} must be a mapping with args (and kwargs)")
    item.reject_unknown_keys({"args", "kwargs", "name", "then", "before", "visibility"},
                             f"a case of {function}")
    before = (_load_step(item, "before", f"{where} before", reference_module, folder, False)
              if "before" in item else None)
    args, kwargs = _load_arguments(item, where, after_a_call=before is not None)
    then = (_load_step(item, "then", f"{where} then", reference_module, folder, True)
            if "then" in item else None)
    if then is not None and before is not None:
        raise item.error("then", "a case has a `before` step or a `then` step, not both")
    name = item.optional("name", str, "a short description of the case", "")
    visibility = item.optional("visibility", str, "visible or hidden", "visible")
    if visibility not in CASE_VISIBILITIES:
        raise item.error("visibility", f"'{visibility}' is not one of "
                                       f"{', '.join(CASE_VISIBILITIES)}")
    return Case(function, reference, args, kwargs, name, then, before,
                hidden=visibility == "hidden", number=index,
                where=SpecError(where, file=item.file, line=item.line, key="cases"))


def _load_step(item: Node, key: str, where: str, reference_module: str, folder: Path,
               after_a_call: bool) -> Case:
    """A `then` or `before` step: another function of the student's, with its reference (by
    default the function of that name in the question's reference module)."""
    step = item.typed(key, Node, "{function, args, kwargs}")
    step.reject_unknown_keys({"function", "reference", "args", "kwargs"}, f"a {key} step")
    step_function = step.require("function", str, f"the function to call {key}")
    if not step_function.isidentifier():
        raise step.error("function", f"'{step_function}' is not a Python function name")
    step_reference = _load_callable(step, "reference", folder,
                                    f"{reference_module}:{step_function}")
    step_args, step_kwargs = _load_arguments(step, where, after_a_call=after_a_call)
    return Case(step_function, step_reference, step_args, step_kwargs, "")


def _load_arguments(node: Node, where: str, after_a_call: bool = False) -> tuple:
    """node's `args` and `kwargs` input descriptions, each checked: (tuple, dict)."""
    args = node.optional("args", list, "a list of argument descriptions", [])
    kwargs = node.optional("kwargs", Node, "a mapping of keyword arguments", Node())
    for key, value in [(f"args[{i}]", a) for i, a in enumerate(args)] + list(kwargs.items()):
        inputs.check(value, node.error("args" if key.startswith("args[") else "kwargs",
                                       f"{where} {key}"), after_a_call=after_a_call)
    return tuple(args), dict(kwargs)


def _load_gradient(node: Node) -> Gradient:
    spec = node.typed("gradient", Node, "{args, kwargs, wrt, loss, grads}")
    spec.reject_unknown_keys({"args", "kwargs", "wrt", "loss", "grads", "directions"},
                             "gradient")
    if "args" not in spec:
        raise spec.error("args", "missing required key 'args' (the arguments of one call)")
    args, kwargs = _load_arguments(spec, "gradient")
    wrt = spec.optional("wrt", int, "the position of the parameters argument", 0)
    if not 0 <= wrt < len(args):
        raise spec.error("wrt", f"position {wrt} is not among the {len(args)} args")
    loss = spec.optional("loss", int, "the position of the loss in the result", None)
    grads = spec.optional("grads", int, "the position of the gradients in the result", None)
    directions = spec.optional("directions", int, "a number of random directions per tensor",
                               None)
    if directions is not None and not 1 <= directions <= 16:
        raise spec.error("directions", "must be between 1 and 16")
    return Gradient(args, kwargs, wrt, loss, grads, directions)


def _load_custom(node: Node, folder: Path) -> tuple:
    """`check: file.py:function` or `check: {function: file.py:function, visibility: hidden}`:
    (the function, its target, its visibility). A visible check runs in the self-check too, so
    its file is copied into the handout; a hidden one stays on Gradescope."""
    if not isinstance(node.get("check"), Node):
        return _load_callable(node, "check", folder, None), node["check"], "visible"
    spec = node["check"]
    spec.reject_unknown_keys({"function", "visibility"}, "check")
    if "function" not in spec:
        raise spec.error("function", "missing required key 'function' (file.py:function)")
    custom = _load_callable(spec, "function", folder, None)
    visibility = spec.optional("visibility", str, "visible or hidden", "visible")
    if visibility not in CASE_VISIBILITIES:
        raise spec.error("visibility", f"'{visibility}' is not one of "
                                       f"{', '.join(CASE_VISIBILITIES)}")
    return custom, spec["function"], visibility


def _load_callable(node: Node, key: str, folder: Path, default: str | None):
    target = node.optional(key, str, "module:function or file.py:function", default)
    module_name, _, attribute = target.partition(":")
    if not attribute:
        raise node.error(key, f"'{target}' must be module:function or file.py:function")
    try:
        if module_name.endswith(".py"):
            module = _module_from_file((folder / module_name).resolve())
        else:
            module = importlib.import_module(module_name)
        found = getattr(module, attribute)
    except Exception as exc:  # an instructor's module may fail in any way: say where
        raise node.error(key, f"cannot load {target}: {type(exc).__name__}: {exc}") from None
    if not callable(found):
        raise node.error(key, f"{target} is not a function")
    return found


@functools.lru_cache(maxsize=None)
def _module_from_file(path: Path):
    """An instructor's .py file in the assignment folder, run once however many items use it."""
    if not path.is_file():
        raise FileNotFoundError(f"no {path.name} in {path.parent}")
    # The modules beside it (and the assignment's support files) import by their own names.
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(f"_assignment_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _resolve(value, previous):
    if isinstance(value, inputs.PreviousResult):
        return previous if value.index is None else previous[value.index]
    if isinstance(value, dict):
        return {key: _resolve(item, previous) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_resolve(item, previous) for item in value)
    return value


def _at(where: SpecError | None, message: str) -> SpecError:
    """A SpecError with this message at the place `where` stands for."""
    if where is None:
        return SpecError(message)
    prefix = f"{where.message}: " if where.message else ""
    return SpecError(prefix + message, file=where.file, line=where.line, key=where.key)


def _picks_beyond(arguments, result, what: str) -> str:
    """Why a `{result: i}` among `arguments` cannot pick from `result` ("" when all can)."""
    def indexes(value):
        if isinstance(value, inputs.PreviousResult):
            return [value.index]
        items = value.values() if isinstance(value, dict) else value \
            if isinstance(value, (list, tuple)) else ()
        return [index for item in items for index in indexes(item)]
    for index in indexes(arguments):
        if index is None:
            continue
        if not isinstance(result, (tuple, list)):
            return f"{{result: {index}}} picks an item of {what}, which is {what_it_is(result)}"
        if not -len(result) <= index < len(result):
            return (f"{{result: {index}}} is beyond {what}, a tuple of {len(result)} items "
                    f"(positions from 0)")
    return ""


def _pick(value, position):
    if position is None:
        return value
    if not isinstance(value, (tuple, list)) or len(value) <= position:
        raise gradcheck.InvalidValue(f"expected a tuple with an item {position + 1}, got "
                                     f"{what_it_is(value)}")
    return value[position]


def _as_loss(value) -> float:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise gradcheck.InvalidValue(
            f"the loss must be a number, got {what_it_is(value)}") from None
    if array.size != 1:
        raise gradcheck.InvalidValue(f"the loss must be one number, got shape {array.shape}")
    return float(array.reshape(()))

