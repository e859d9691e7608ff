"""What a regrade changes against the scores Gradescope showed: changes.csv and its summary.

Gradescope's score for a submission comes from the export's metadata (`:score:`); when the
metadata also holds the results Gradescope kept (`:results:` with its tests), the items whose
score changed are named too. A submission that could not be graded now is never listed as a
change (its 0 is ours, not the student's): summary.md lists it apart.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .gradebook import number_cell, spreadsheet_text

CHANGES_FILE = "changes.csv"
TOLERANCE = 1e-4  # points: scores are written to 6 decimals; anything closer is the same score
COLUMNS = ("student", "sid", "email", "gradescope_score", "new_score", "difference",
           "items_changed")


def find_changes(questions, rows) -> dict:
    """{changed: [{submission_id, student, sid, email, gradescope_score, new_score, difference,
    items_changed}], compared: n, without_score: [ids]} over the graded rows."""
    changed, compared, without_score = [], 0, []
    for row in rows:
        if not row.graded:
            continue
        if row.gradescope_score is None:
            without_score.append(row.submission_id)
            continue
        compared += 1
        difference = row.total - row.gradescope_score
        if abs(difference) <= TOLERANCE:
            continue
        changed.append({"submission_id": row.submission_id, "student": row.name, "sid": row.sid,
                        "email": row.email, "gradescope_score": row.gradescope_score,
                        "new_score": row.total, "difference": round(difference, 6),
                        "items_changed": _items_changed(questions, row)})
    changed.sort(key=lambda change: (-abs(change["difference"]), change["submission_id"]))
    return {"changed": changed, "compared": compared, "without_score": without_score}


def _items_changed(questions, row) -> list:
    """Ids of the questions whose score differs from Gradescope's test of the same number
    (empty when the export does not hold Gradescope's per-test results)."""
    if not row.gradescope_tests:
        return []
    before = dict(row.gradescope_tests)
    return [q.id for q in questions
            if abs(row.score_for(q) - before.get(q.number, 0.0)) > TOLERANCE]


def write_changes(path: Path, changes: dict) -> None:
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for change in changes["changed"]:
            writer.writerow([spreadsheet_text(change["student"]), spreadsheet_text(change["sid"]),
                             spreadsheet_text(change["email"]),
                             number_cell(change["gradescope_score"]),
                             number_cell(change["new_score"]), number_cell(change["difference"]),
                             spreadsheet_text(" ".join(change["items_changed"]))])


def describe(changes: dict) -> str:
    """One sentence: how many scores changed, and by how much at most."""
    changed, compared = changes["changed"], changes["compared"]
    missing = changes["without_score"]
    unknown = (f"; {len(missing)} had no Gradescope score in the export" if missing else "")
    if not compared:
        return f"No Gradescope scores to compare with{unknown}."
    if not changed:
        return f"No score changed: all {compared} equal Gradescope's{unknown}."
    largest = changed[0]  # find_changes sorts the largest change first
    who = largest["student"] or largest["sid"] or f"submission {largest['submission_id']}"
    size = abs(largest["difference"])
    return (f"{len(changed)} of {compared} scores changed against Gradescope's, by at most "
            f"{size:g} point{'' if size == 1 else 's'} ({who}: "
            f"{largest['gradescope_score']:g} -> {largest['new_score']:g}){unknown}; "
            f"see {CHANGES_FILE}.")
