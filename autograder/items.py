"""Item analysis: per question, how the class did, and which wrong answers it gave most.

From the graded submissions of a regrade (a submission whose grading failed is left out):
  mean            mean score of the item, in points
  full_marks      fraction of the class with the item's full points
  discrimination  Pearson correlation of the item's score with the rest of the test (the total
                  without this item) over the class: near 0 or below, the item does not tell
                  strong students from weak ones (or its key is wrong); undefined (None) when
                  everyone scored the same on the item or on the rest
  wrong_answers   the most common answers among those without full marks, with counts: each
                  mistake a check diagnosed ("times N", "not implemented", "no answer") counts
                  once per student who made it; other answers are grouped by the question's own
                  check (Check.same_answer: for formulas, equal at the sample points the grading
                  uses, so `x1*(1-s)` and `x1 - x1*s` are one group; for choices, the same set
                  of letters), shown as the group's most common spelling.
"""

from __future__ import annotations

import csv
import statistics
from collections import Counter
from pathlib import Path

from .gradebook import number_cell, spreadsheet_text

ITEMS_FILE = "items.csv"
CSV_WRONG_ANSWERS = 3
FULL = 1e-9  # points: a score this close to the item's points is full marks


def analyse(assignment, rows) -> list:
    """One dict per question, in spec order (see the module's docstring)."""
    graded = [row for row in rows if row.graded]
    totals = [row.total for row in graded]
    items = []
    for question in assignment.questions:
        scores = [row.score_for(question) for row in graded]
        wrong = [row.record_for(question) for row, score in zip(graded, scores)
                 if score < question.points - FULL]
        full = len(scores) - len(wrong)
        items.append({
            "id": question.id, "number": question.number, "title": question.title,
            "kind": question.kind, "points": question.points, "graded": len(scores),
            "mean": statistics.fmean(scores) if scores else None,
            "full_marks": full / len(scores) if scores else None,
            "discrimination": _correlation(scores, [t - s for t, s in zip(totals, scores)]),
            "wrong_answers": wrong_answers(question, wrong),
        })
    return items


def wrong_answers(question, records) -> list:
    """[{answer, count, spellings}] most common first: diagnosed mistakes, and answers grouped
    by question.check.same_answer. spellings: the group's distinct answers, most common first."""
    mistakes = Counter()
    answers = Counter()
    for record in records:
        named = record.get("mistakes") or []
        mistakes.update(set(named))  # once per student, however many cases showed it
        if not named and record.get("answer") is not None:
            answers[record["answer"]] += 1
    groups: list = []  # [[(spelling, count), ...], ...], each group's first spelling its most common
    for spelling, count in answers.most_common():
        group = next((g for g in groups
                      if question.check.same_answer(question.id, g[0][0], spelling)), None)
        if group is None:
            groups.append([(spelling, count)])
        else:
            group.append((spelling, count))
    found = [{"answer": name, "count": count, "spellings": []}
             for name, count in mistakes.items()]
    found += [{"answer": group[0][0], "count": sum(count for _, count in group),
               "spellings": [spelling for spelling, _ in group]} for group in groups]
    found.sort(key=lambda entry: (-entry["count"], not entry["spellings"]))  # ties: answers first
    return found


def _correlation(xs: list, ys: list) -> float | None:
    if len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


def write_items(path: Path, items: list) -> None:
    """items.csv: one row per question; the three most common wrong answers with counts."""
    wrong_columns = [name for i in range(1, CSV_WRONG_ANSWERS + 1)
                     for name in (f"wrong_{i}", f"wrong_{i}_count")]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["number", "question", "kind", "points", "graded", "mean", "full_marks",
                         "discrimination", *wrong_columns])
        for item in items:
            wrong = []
            for entry in item["wrong_answers"][:CSV_WRONG_ANSWERS]:
                wrong += [spreadsheet_text(entry["answer"]), entry["count"]]
            wrong += [""] * (len(wrong_columns) - len(wrong))
            writer.writerow([item["number"], spreadsheet_text(item["id"]), item["kind"],
                             number_cell(item["points"]), item["graded"],
                             _rounded(item["mean"]), _rounded(item["full_marks"]),
                             _rounded(item["discrimination"]), *wrong])


def _rounded(value) -> str:
    return "" if value is None else f"{value:.4g}"
