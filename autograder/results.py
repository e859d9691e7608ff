"""Grading results: one test per question, written as Gradescope's results.json or as a table.

results.json follows Gradescope's specification (shared/docs/gradescope.md): numbers for scores
and execution_time (gradescope-utils writes a string there), status per test, Markdown output.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple


class TestResult(NamedTuple):
    number: str
    name: str
    score: float
    max_score: float
    output: str
    visibility: str = "visible"
    broken: bool = False  # grading itself failed: never "passed", even when worth 0 points
    answer: str | None = None  # for regrade's item analysis (kinds/base.py Verdict); never
    mistakes: tuple = ()       # written to results.json

    @property
    def status(self) -> str:
        return "passed" if self.score >= self.max_score and not self.broken else "failed"


@dataclass
class Report:
    title: str
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    log: list = field(default_factory=list)  # for the instructor (stderr, grading.log), not students
    execution_time: float = 0.0
    failure: str | None = None  # "input" (a broken spec or folder) or "internal": not graded

    @property
    def score(self) -> float:
        return round(sum(test.score for test in self.tests), 6)

    @property
    def max_score(self) -> float:
        return round(sum(test.max_score for test in self.tests), 6)

    def summary(self) -> str:
        """The text every student sees at once (results.json's top-level output): it counts
        only the items visible now, so that a hidden or after-due-date item's result is told
        by its own test, when Gradescope shows it, and never here."""
        shown = [test for test in self.tests if test.visibility == "visible"]
        later = len(self.tests) - len(shown)
        passed = sum(test.status == "passed" for test in shown)
        score = round(sum(test.score for test in shown), 6)
        top = round(sum(test.max_score for test in shown), 6)
        lines = [f"{self.title}: {_points(score)} / {_points(top)} points; {passed} of "
                 f"{len(shown)} items fully correct."
                 + (f" {later} more item(s) are shown later." if later else "")]
        broken = [test for test in self.tests if test.broken and test.number != SETUP_NUMBER]
        if broken:
            names = [test.name for test in broken if test.visibility == "visible"]
            listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
            lines.append(f"NOT FULLY GRADED: {len(broken)} item(s) failed on the autograder's "
                         f"side{f' ({listed})' if listed else ''}; this submission must be "
                         "regraded, and those items' points are not yours to lose.")
        lines += self.notes
        return "\n\n".join(lines)


SETUP_NUMBER = "0"  # the one test of a report whose grading could not start
NOT_GRADED = ("Not graded: the autograder failed on this item (a failure of ours, not of your "
              "submission). It must be regraded; your instructor has the details.")


def setup_failure(title: str, message: str, failure: str = "input") -> Report:
    """The report when grading could not happen at all (a broken spec, an unreadable folder, or
    a failure of ours: failure "internal")."""
    report = Report(title, failure=failure)
    if failure == "internal":
        output = ("This submission was not graded: the autograder failed (a failure of ours, not "
                  "of your submission). It must be regraded; your instructor has the details.")
    else:
        output = "The autograder could not grade this submission; your instructor has been shown why."
    report.tests.append(TestResult(SETUP_NUMBER, "Autograder setup", 0.0, 0.0,
                                   output + "\n\n" + message, broken=True))
    report.notes.append("Grading failed: " + message)
    return report


def to_gradescope(report: Report) -> dict:
    """results.json as a dict: text that UTF-8 cannot encode (lone surrogates from student
    output) is escaped, so the file is always valid UTF-8 JSON."""
    return _encodable(_results(report))


def _results(report: Report) -> dict:
    return {
        "score": report.score,
        "execution_time": round(report.execution_time, 3),
        "output": report.summary(),
        "output_format": "md",
        "test_output_format": "md",
        "tests": [
            {"name": test.name, "number": test.number, "score": round(test.score, 6),
             "max_score": test.max_score, "status": test.status, "output": test.output,
             "output_format": "md", "visibility": test.visibility,
             **({"extra_data": {"not_graded": True}} if test.broken else {})}
            for test in report.tests
        ],
    }


def _encodable(value):
    """value with every string UTF-8 can encode: a lone surrogate becomes the text '\\udc80'."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_encodable(key): _encodable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_encodable(item) for item in value]
    return value


def write_results(report: Report, path: Path | str) -> None:
    """Write results.json atomically, so a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(to_gradescope(report), indent=2, ensure_ascii=False, allow_nan=False)
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a pipe: written into, never replaced (as root, replacing
        # /dev/null would leave every process on the machine a root-only regular file).
        path.write_text(data + "\n", encoding="utf-8")
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(data + "\n")
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def render_table(report: Report, width: int = 100) -> str:
    """A plain-text table of the report for a terminal (any terminal: text is made encodable)."""
    rows = [(test.number, _encodable(test.name), f"{_points(test.score)}/{_points(test.max_score)}",
             "NOT GRADED" if test.broken else "ok" if test.status == "passed" else "FAIL",
             _encodable(_first_line(test.output)))
            for test in report.tests]
    headers = ("#", "question", "score", "", "feedback")
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    widths[1] = min(widths[1], 28)
    fixed = sum(widths[:4]) + 8
    widths[4] = max(20, min(widths[4], width - fixed))
    lines = [_row(headers, widths), _row(["-" * w for w in widths], widths)]
    lines += [_row(row, widths) for row in rows]
    lines.append("")
    lines.append(f"Total: {_points(report.score)} / {_points(report.max_score)}")
    lines += map(_encodable, report.notes)
    return "\n".join(lines)


def _row(cells, widths) -> str:
    return "  ".join(_clip(str(cell), w).ljust(w) for cell, w in zip(cells, widths)).rstrip()


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _points(value: float) -> str:
    return f"{value:g}"
