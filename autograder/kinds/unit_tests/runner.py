"""Runs one test of an instructor's unittest file beside the student's code, and says what it
did as plain data. It is placed in the sandbox's worker beside the student's files (and run
in-process by the self-check), so it imports only the standard library.

A test's result comes from the same process as the student's code, as in every gradescope-utils
autograder: what the sandbox keeps from student code (the grader, the reference, other files,
the network) it keeps from these tests too, but a submission that rewrites unittest's
assertions could pass a test it fails. README's security section says so.
"""

import contextlib
import importlib
import io
import unittest

MAX_OUTPUT_CHARS = 4000
MAX_MESSAGE_CHARS = 2000


class _Result(unittest.TestResult):
    """Keeps the first failure's exception itself: its message, not the traceback text."""

    def __init__(self):
        super().__init__()
        self.problem = None

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._keep(err)

    def addError(self, test, err):
        super().addError(test, err)
        self._keep(err)

    def _keep(self, err):
        if self.problem is None:
            self.problem = _message(err[1])


def run_test(module_name, class_name, method_name):
    """{"passed", "score" (what the test set with set_score, or None), "loaded", "message",
    "output"} of one test method, with its class's and module's fixtures; "message" is the
    failure's own message (an assertion's, or the error's type and message), never its
    traceback, which would show lines of the hidden file."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            module = importlib.import_module(module_name)
            case_class = getattr(module, class_name)
            test = case_class(method_name)
        except Exception as error:  # noqa: BLE001 - the tests' import runs the student's code
            return {"passed": False, "score": None, "loaded": False,
                    "message": _message(error), "output": _tail(output)}
        result = _Result()
        unittest.TestSuite([test])(result)  # a suite: setUpClass and setUpModule run too
    method = getattr(case_class, method_name, None)
    score = getattr(method, "__score__", None)
    return {"passed": result.wasSuccessful() and result.testsRun == 1,
            "score": float(score) if isinstance(score, (int, float)) else None,
            "loaded": True, "message": result.problem or "", "output": _tail(output)}


def _message(error):
    """An exception in the words a failed test shows: an assertion's own message, otherwise the
    type and the message."""
    text = str(error).strip()
    name = "" if type(error) is AssertionError and text else f"{type(error).__name__}: "
    return (name + text)[:MAX_MESSAGE_CHARS]


def _tail(output):
    text = output.getvalue()
    return text if len(text) <= MAX_OUTPUT_CHARS else "..." + text[-MAX_OUTPUT_CHARS:]
