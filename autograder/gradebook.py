"""A class's grades as files: gradebook.csv, a Canvas-importable CSV and a plain sid,score CSV.

All are computed from the results.json files a regrade wrote, so a re-run that skipped
unchanged submissions gives the same files as a full one. A submission's tests are matched to
the spec's questions by test number (engine.py numbers them in spec order).

Every cell whose text comes from outside (names, emails, sids, answers, question ids) goes
through spreadsheet_text: a cell starting with `=`, `+`, `-` or `@` (or a tab or carriage
return) is a formula to Excel, LibreOffice and Google Sheets, so it is written with a leading
apostrophe, which spreadsheets show as text. Numbers we format ourselves are written as numbers.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from .export import Submitter

GRADEBOOK_FILE = "gradebook.csv"
CANVAS_FILE = "canvas.csv"
SCORES_FILE = "scores.csv"
# Canvas's own gradebook export starts with these columns, and its import reads the same: a
# student is matched by ID (Canvas's user id), SIS User ID or SIS Login ID; the row under the
# header gives each assignment's points.
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Row:
    """One submission: who, its results.json and analysis.json as dicts, and what Gradescope
    had (its score, and each test's score when the export holds Gradescope's results)."""

    submission_id: str
    name: str
    email: str
    sid: str
    results: dict
    analysis: dict = field(default_factory=dict)
    people: tuple = ()                      # export.Submitter per member of the group
    gradescope_score: float | None = None
    gradescope_tests: tuple = ()            # (test number, score)

    @property
    def graded(self) -> bool:
        """False when grading itself failed (a setup failure or a grader crash)."""
        return not any(test.get("name") == "Autograder setup" for test in self.tests)

    @property
    def tests(self) -> list:
        return self.results.get("tests", [])

    @property
    def total(self) -> float:
        return float(self.results.get("score", 0))

    def test_for(self, question) -> dict | None:
        return next((test for test in self.tests if test.get("number") == question.number), None)

    def score_for(self, question) -> float:
        test = self.test_for(question)
        return 0.0 if test is None else float(test.get("score", 0))

    def record_for(self, question) -> dict:
        """{"answer": text or None, "mistakes": [...]} of the question (analysis.json)."""
        record = self.analysis.get("tests", {}).get(question.number)
        return record if isinstance(record, dict) else {"answer": None, "mistakes": []}


def load_results(path: Path) -> dict:
    """A results.json (or analysis.json) as a dict; OSError or ValueError when it is missing or
    not a JSON object."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a JSON object")
    return data


def analysis_record(report) -> dict:
    """analysis.json of a graded Report: per test number, the answer and diagnosed mistakes."""
    return {"tests": {test.number: {"answer": test.answer, "mistakes": list(test.mistakes)}
                      for test in report.tests}}


def write_gradebooks(folder: Path, assignment, rows) -> list:
    """gradebook.csv, canvas.csv and scores.csv in folder; their paths."""
    write_gradebook(folder / GRADEBOOK_FILE, assignment.questions, rows)
    write_canvas(folder / CANVAS_FILE, assignment, rows)
    write_scores(folder / SCORES_FILE, rows)
    return [folder / name for name in (GRADEBOOK_FILE, CANVAS_FILE, SCORES_FILE)]


def write_gradebook(path: Path, questions, rows) -> None:
    """submission_id, name, email, sid, one column per question id (its score), total."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["submission_id", "name", "email", "sid",
                         *(spreadsheet_text(q.id) for q in questions), "total"])
        for row in rows:
            scores = [row.test_for(q) for q in questions]
            writer.writerow([*map(spreadsheet_text, (row.submission_id, row.name, row.email,
                                                     row.sid)),
                             *("" if test is None else number_cell(test["score"])
                               for test in scores),
                             number_cell(row.total)])


def write_canvas(path: Path, assignment, rows) -> None:
    """Canvas's gradebook import: its five identity columns, then one column named after the
    assignment, a "Points Possible" row, and one row per student (each member of a group gets
    the group's score). A submission that could not be graded gets an empty cell, which
    Canvas's import leaves alone, never a 0."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow([*CANVAS_COLUMNS, spreadsheet_text(assignment.title)])
        writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", number_cell(assignment.total_points)])
        for row, person in _people(rows):
            writer.writerow([spreadsheet_text(person.name), "", spreadsheet_text(person.sid), "",
                             "", number_cell(row.total) if row.graded else ""])


def write_scores(path: Path, rows) -> None:
    """sid,score: one line per student (each member of a group); empty when not graded."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["sid", "score"])
        for row, person in _people(rows):
            writer.writerow([spreadsheet_text(person.sid),
                             number_cell(row.total) if row.graded else ""])


def _people(rows):
    """(row, submitter) for every student; a submission without metadata is one nameless one."""
    for row in rows:
        for person in row.people or (Submitter(row.name, row.sid, row.email),):
            yield row, person


def spreadsheet_text(value) -> str:
    """Text for a CSV cell that no spreadsheet runs as a formula (see the module's docstring)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def number_cell(value) -> str:
    """A score as results.json has it (to 6 decimals), without a trailing .0 on whole points."""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)
