"""`kind: unittest`: an instructor's existing gradescope-utils test file, one item per test.

    - id: unit
      kind: unittest
      tests: test_hw6.py   # beside assignment.yaml: unittest.TestCase classes with
      points: 10           # gradescope-utils' @weight, @visibility, @number, @partial_credit
      public: false        # true: ship the file in the handout, for the self-check to run

Each `test*` method of each TestCase class becomes one item of results.json, in the file's
order: its points are its @weight (or @partial_credit's), its visibility its @visibility (else
the question's), its number its @number (else the question's number and its place), its title
its docstring's first line; `points` must be the weights' sum, a check that the file is the one
meant. The decorators are read from the file's source, so loading runs none of the
instructor's code. On Gradescope the tests run in the sandbox's worker beside the student's
files (runner.py), each test a call under the worker's limits; a failure shows the assertion's
message (or @hide_errors' text), never a traceback of the hidden file.
"""

from __future__ import annotations

import ast
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path

from ...errors import SpecError, StudentCodeError
from ...yamlio import Node
from ..base import Check, Key, Verdict, read_keys

KEYS = (
    Key("tests", ("string",), "the instructor's unittest file (gradescope-utils decorators), "
        "beside assignment.yaml"),
    Key("public", ("boolean",), "true or false: ship the test file in the handout, for the "
        "self-check to run", default=False),
)
RUNNER = Path(__file__).resolve().with_name("runner.py")
RUNNER_AS = "_autograder_unittest_runner.py"   # its name beside the student's files
DECORATORS = {"weight", "partial_credit", "visibility", "number", "hide_errors"}
TEST_VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
FAILED_TEST = "failed the instructor's test"
TESTS_NOT_LOADED = "the tests could not be loaded"


@dataclass(frozen=True)
class UnitTest:
    """One test method, as its decorators declare it."""

    class_name: str
    method: str
    title: str
    weight: float
    visibility: str | None
    number: str | None
    partial: bool
    hidden_errors: str | None   # @hide_errors: what a failure says instead of its message
    line: int


@dataclass(frozen=True)
class UnitTests(Check):
    """The test file (`test` None) or, once items() has expanded it, one of its tests."""

    tests_file: Path
    tests: tuple
    public_file: bool
    test: UnitTest | None = None

    answered_in_file = False

    def items(self, question) -> tuple:
        total = sum(test.weight for test in self.tests)
        if abs(total - question.points) > 1e-9 * max(1.0, total):
            raise SpecError(f"the weights of the tests in {self.tests_file.name} add up to "
                            f"{total:g}, not {question.points:g}", file=question.file,
                            line=question.line, key="points")
        return tuple(question._replace(
            id=f"{question.id}.{test.class_name}.{test.method}",
            number=test.number or f"{question.number}.{place}", title=test.title,
            points=test.weight, visibility=test.visibility or question.visibility,
            prompt=question.prompt if place == 1 else "",  # the file's prompt, said once
            check=dataclasses.replace(self, test=test))
            for place, test in enumerate(self.tests, start=1))

    def check_submitted_files(self, node: Node, code_files: tuple) -> None:
        if not code_files:
            raise node.error("kind", "a unittest question needs `submit: code:` (the files "
                                     "its tests import) at the top of the spec")

    def grade(self, question_id: str, submission) -> Verdict:
        results = submission.shared(("unittest", str(self.tests_file)),
                                    lambda: self._run_all(submission))
        return verdict(self.test, results[(self.test.class_name, self.test.method)])

    def _run_all(self, submission) -> dict:
        """{(class, method): result} of every test of the file, in the student's worker."""
        runner = submission.instructor_module(RUNNER_AS, {RUNNER_AS: RUNNER,
                                                          self.tests_file.name: self.tests_file})
        module = self.tests_file.stem
        calls = [("run_test", (module, test.class_name, test.method), {}) for test in self.tests]
        results = {}
        for test, outcome in zip(self.tests, runner.call_outcomes(calls)):
            failed = isinstance(outcome, StudentCodeError)  # it timed out, crashed the worker...
            results[(test.class_name, test.method)] = (
                outcome.value if not failed and isinstance(outcome.value, dict) else
                {"passed": False, "score": None, "loaded": True, "output": "",
                 "message": outcome.message.replace("`run_test`", "the test") if failed else ""})
        return results

    def public(self, question_id: str, visible: bool) -> dict:
        return {"unittest": {"file": self.tests_file.name if self.public_file and visible
                             else None, "test": dataclasses.asdict(self.test)}}

    def public_files(self) -> dict:
        return {self.tests_file.name: self.tests_file} if self.public_file else {}


def verdict(test: UnitTest, result: dict) -> Verdict:
    """What one test's result earns and says (the grader's and the self-check's alike): its
    weight when it passed, what it set with set_score when it gives partial credit, else 0."""
    if not result.get("loaded", True):
        message = f"The tests could not be loaded with your code: {result['message']}"
        return Verdict(0.0, message, mistakes=(TESTS_NOT_LOADED,))
    score = result.get("score")
    if test.partial and score is not None:
        fraction = min(max(score / test.weight, 0.0), 1.0) if test.weight else 1.0
    else:
        fraction = 1.0 if result.get("passed") else 0.0
    lines = []
    if fraction < 1.0:
        told = test.hidden_errors if test.hidden_errors is not None else result.get("message")
        lines.append("Test failed." if not told else f"Test failed:\n\n```\n{told}\n```"
                     if "\n" in told else f"Test failed: {told}")
    if result.get("output"):
        lines.append("Output:\n\n```\n" + result["output"].rstrip() + "\n```")
    return Verdict(fraction, "\n\n".join(lines) or "Passed.",
                   mistakes=() if fraction == 1.0 else (FAILED_TEST,))


def load(node: Node, folder: Path) -> UnitTests:
    values = read_keys(node, KEYS)
    path = (folder / values["tests"]).resolve()
    if not path.is_file() or path.suffix != ".py":
        raise node.error("tests", f"no Python file {values['tests']} beside the spec")
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError) as error:
        raise node.error("tests", f"{path.name} cannot be read: {error}") from None
    tests = tuple(_tests_in(tree, path.name, node))
    if not tests:
        raise node.error("tests", f"{path.name} has no test methods (test_* in a TestCase class)")
    return UnitTests(tests_file=path, tests=tests, public_file=values["public"])


def _tests_in(tree: ast.Module, name: str, node: Node):
    for class_node in tree.body:
        if not (isinstance(class_node, ast.ClassDef) and any(
                _dotted(base).endswith("TestCase") for base in class_node.bases)):
            continue
        for method in class_node.body:
            if isinstance(method, ast.FunctionDef) and method.name.startswith("test"):
                yield _test_of(class_node.name, method, name, node)


def _test_of(class_name: str, method: ast.FunctionDef, name: str, node: Node) -> UnitTest:
    declared = {}
    for decorator in method.decorator_list:
        if isinstance(decorator, ast.Call) and _dotted(decorator.func).split(".")[-1] in DECORATORS:
            which = _dotted(decorator.func).split(".")[-1]
            try:
                declared[which] = (ast.literal_eval(decorator.args[0]) if decorator.args
                                   else "Test failed")
            except ValueError:
                raise node.error("tests", f"{name}:{decorator.lineno}: @{which} of "
                                          f"{class_name}.{method.name} must be given a plain "
                                          "value, such as @weight(2)") from None
    weight = declared.get("partial_credit", declared.get("weight", 0))
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise node.error("tests", f"{name}:{method.lineno}: {class_name}.{method.name}'s weight "
                                  f"must be a number, 0 or more, not {weight!r}")
    visibility = declared.get("visibility")
    if visibility is not None and visibility not in TEST_VISIBILITIES:
        raise node.error("tests", f"{name}:{method.lineno}: {class_name}.{method.name}'s "
                                  f"visibility must be one of {', '.join(TEST_VISIBILITIES)}")
    doc = ast.get_docstring(method)
    return UnitTest(class_name=class_name, method=method.name,
                    title=doc.strip().splitlines()[0] if doc else f"{class_name}.{method.name}",
                    weight=float(weight), visibility=visibility,
                    number=str(declared["number"]) if "number" in declared else None,
                    partial="partial_credit" in declared,
                    hidden_errors=(str(declared["hide_errors"]) if "hide_errors" in declared
                                   else None), line=method.lineno)


def _dotted(expression) -> str:
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Attribute):
        return f"{_dotted(expression.value)}.{expression.attr}"
    return ""


def self_check(public: dict, submission, folder: Path) -> tuple:
    """The test run in this process on the student's own code, when the instructor made the
    file public (the handout ships it in `folder`); scored as the grader scores it."""
    spec = public.get("unittest") or {}
    if not spec.get("file"):
        return "hidden", "checked on Gradescope only (the instructor's tests)"
    from . import runner
    for place in (str(Path(submission.folder).resolve()), str(Path(folder).resolve())):
        if place not in sys.path:
            sys.path.insert(0, place)
    test = UnitTest(**spec["test"])
    result = runner.run_test(Path(spec["file"]).stem, test.class_name, test.method)
    if not result["loaded"] and "gradescope_utils" in result["message"]:
        return "hidden", "needs gradescope-utils here to run (pip install gradescope-utils)"
    checked = verdict(test, result)
    return ("pass" if checked.fraction == 1.0 else "fail"), checked.feedback
