"""A regraded class at a glance: every file of regrade's output folder beyond the results.

write_report(folder, assignment, rows) writes, from the rows (gradebook.Row: each submission's
results.json and analysis.json, and what Gradescope had):
  gradebook.csv, canvas.csv, scores.csv   the grades (gradebook.py)
  changes.csv                             scores that differ from Gradescope's (changes.py)
  items.csv                               the item analysis (items.py)
  summary.json, summary.md                all of it in one place, changes first
  histogram.png, items.png                when matplotlib is installed (charts.py)
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from pathlib import Path

from . import changes as changes_module
from . import charts, gradebook, items as items_module

MOST_FAILED = 5
MAX_BINS = 30           # the histogram's bins are whole points, widened past this many
WRONG_ANSWERS_SHOWN = 5


def write_report(folder: Path, assignment, rows, refused=()) -> dict:
    """Write every file listed in the module's docstring into folder; returns the summary
    (summary.json's content), whose "pictures" lists the PNGs written (empty without
    matplotlib, when "pictures_missing" says how to get them). refused: the export's entries
    that were not graded at all (export.py), listed in the summary."""
    gradebook.write_gradebooks(folder, assignment, rows)
    changes = changes_module.find_changes(assignment.questions, rows)
    changes_module.write_changes(folder / changes_module.CHANGES_FILE, changes)
    items = items_module.analyse(assignment, rows)
    items_module.write_items(folder / items_module.ITEMS_FILE, items)
    summary = summarise(assignment, rows, changes, items)
    summary["refused"] = list(refused)
    summary["pictures"] = charts.draw(folder, summary)
    summary["pictures_missing"] = "" if charts.available() else charts.MISSING
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    (folder / "summary.md").write_text(render_markdown(summary), encoding="utf-8")
    return summary


def summarise(assignment, rows, changes: dict, items: list) -> dict:
    """The numbers of summary.json: spread of totals, changes, per question how it went."""
    totals = [row.total for row in rows]
    max_score = float(assignment.total_points)
    questions = [_question_summary(q, rows) for q in assignment.questions]
    failed = sorted((q for q in questions if q["failed"]), key=lambda q: (-q["failed"], q["number"]))
    return {
        "assignment": assignment.id,
        "title": assignment.title,
        "submissions": len(rows),
        "not_graded": [row.submission_id for row in rows if not row.graded],
        "max_score": max_score,
        "mean": statistics.fmean(totals) if totals else None,
        "median": statistics.median(totals) if totals else None,
        "min": min(totals, default=None),
        "max": max(totals, default=None),
        "changes": changes,
        "changes_sentence": changes_module.describe(changes),
        "questions": questions,
        "items": items,
        "most_failed": [q["id"] for q in failed[:MOST_FAILED]],
        "histogram": histogram(totals, max_score),
    }


def _question_summary(question, rows) -> dict:
    tests = [test for test in (row.test_for(question) for row in rows) if test is not None]
    failures = [test for test in tests if test.get("status") != "passed"]
    feedback = Counter(_first_line(test.get("output", "")) for test in failures)
    common, count = feedback.most_common(1)[0] if feedback else ("", 0)
    return {"id": question.id, "number": int(question.number), "title": question.title,
            "points": question.points, "graded": len(tests), "failed": len(failures),
            "pass_rate": (len(tests) - len(failures)) / len(tests) if tests else None,
            "mean_score": statistics.fmean(t["score"] for t in tests) if tests else None,
            "common_feedback": common, "common_feedback_count": count}


def histogram(totals, max_score: float) -> list:
    """[{low, high, count}]: bins [low, high) of whole points from 0, one point wide (wider when
    there would be more than MAX_BINS), the last one holding max_score (full marks)."""
    width = max(1, math.ceil(max_score / MAX_BINS))
    bins = int(max_score // width) + 1
    counts = [0] * bins
    for total in totals:
        counts[min(max(int(total // width), 0), bins - 1)] += 1
    return [{"low": i * width, "high": (i + 1) * width, "count": count}
            for i, count in enumerate(counts)]


# ------------------------------------------------------------------------------ summary.md

def render_markdown(summary: dict) -> str:
    lines = [f"# {summary['title']}: regrade summary", ""]
    if not summary["submissions"]:
        return "\n".join(lines + ["No submissions.", ""])
    lines += _changes_section(summary["changes"], summary["changes_sentence"])
    lines += ["## Scores", "",
              f"{summary['submissions']} submissions; out of {_number(summary['max_score'])} "
              f"points: mean {summary['mean']:.2f}, median {_number(summary['median'])}, "
              f"min {_number(summary['min'])}, max {_number(summary['max'])}.", ""]
    if summary["not_graded"]:
        lines += [f"**Not graded** (grading itself failed; see their results.json): "
                  f"{', '.join(summary['not_graded'])}", ""]
    if summary["refused"]:
        lines += [f"**Refused** (folders of the export that were not graded): "
                  f"{', '.join(_cell(name) for name in summary['refused'])}", ""]
    if summary["pictures_missing"]:
        lines += [f"({summary['pictures_missing']})", ""]
    if charts.HISTOGRAM in summary["pictures"]:
        lines += [f"![histogram of total scores]({charts.HISTOGRAM})", ""]
    lines += ["```", text_histogram(summary["histogram"]), "```", ""]
    lines += _items_section(summary["items"], summary["pictures"])
    lines += _wrong_answers_section(summary["items"])
    return "\n".join(lines)


def _changes_section(changes: dict, sentence: str) -> list:
    lines = ["## Changed against Gradescope", "", sentence, ""]
    if changes["changed"]:
        lines += ["| student | sid | Gradescope | new | difference | items changed |",
                  "|---|---|---|---|---|---|"]
        for change in changes["changed"]:
            who = change["student"] or f"submission {change['submission_id']}"
            lines.append(f"| {_cell(who)} | {_cell(change['sid'])} | "
                         f"{_number(change['gradescope_score'])} | {_number(change['new_score'])} "
                         f"| {change['difference']:+g} | "
                         f"{', '.join(change['items_changed']) or '–'} |")
        lines += ["", f"(also in {changes_module.CHANGES_FILE})", ""]
    return lines


def _items_section(items: list, pictures: list) -> list:
    lines = ["## Items", ""]
    if charts.ITEMS in pictures:
        lines += [f"![mean score per item]({charts.ITEMS})", ""]
    lines += ["Discrimination: the correlation of the item's score with the rest of the test; "
              "near 0 or below, the item does not separate strong from weak submissions.", "",
              "| # | question | points | mean | full marks | discrimination |",
              "|---|---|---|---|---|---|"]
    for item in items:
        mean = "–" if item["mean"] is None else f"{item['mean']:.2f}"
        full = "–" if item["full_marks"] is None else f"{item['full_marks']:.0%}"
        link = "–" if item["discrimination"] is None else f"{item['discrimination']:.2f}"
        lines.append(f"| {item['number']} | {item['id']} | {_number(item['points'])} | {mean} "
                     f"| {full} | {link} |")
    return lines + ["", f"(also in {items_module.ITEMS_FILE})", ""]


def _wrong_answers_section(items: list) -> list:
    lines = ["## What the class got wrong", ""]
    wrong = sorted((item for item in items if item["wrong_answers"]),
                   key=lambda item: (item["full_marks"], int(item["number"])))
    if not wrong:
        return lines + ["Every graded submission has full marks on every item.", ""]
    for item in wrong:
        lines += [f"**{item['id']}** ({_points(item['points'])}; {item['full_marks']:.0%} "
                  f"of {item['graded']} with full marks):", ""]
        for entry in item["wrong_answers"][:WRONG_ANSWERS_SHOWN]:
            share = entry["count"] / item["graded"]
            also = [s for s in entry["spellings"][1:3]]
            written = f" (also written {', '.join(f'`{_code(s)}`' for s in also)})" if also else ""
            answer = f"`{_code(entry['answer'])}`" if entry["spellings"] else entry["answer"]
            lines.append(f"- {share:.0%} ({entry['count']}): {answer}{written}")
        left = len(item["wrong_answers"]) - WRONG_ANSWERS_SHOWN
        if left > 0:
            lines.append(f"- and {left} other answer(s)")
        lines.append("")
    return lines


def text_histogram(bins: list, width: int = 40) -> str:
    """The histogram as text, from the lowest bin holding a score to the highest."""
    filled = [i for i, b in enumerate(bins) if b["count"]]
    bins = bins[filled[0]:filled[-1] + 1] if filled else bins
    peak = max((b["count"] for b in bins), default=0) or 1
    labels = [f"{_number(b['low'])}–{_number(b['high'])}" for b in bins]
    pad = max(map(len, labels), default=0)
    return "\n".join(f"{label.rjust(pad)} | {'#' * round(width * b['count'] / peak)} {b['count']}"
                     for label, b in zip(labels, bins))


def _cell(text: str) -> str:
    """Text inside a Markdown table cell: no pipe or newline can break the table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _code(text: str) -> str:
    """A student's answer inside `...`: on one line, backticks replaced, at most 80 characters."""
    flat = " ".join(str(text).split()).replace("`", "'")
    return flat if len(flat) <= 80 else flat[:79] + "…"


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def _points(value) -> str:
    return f"{float(value):g} point" + ("" if value == 1 else "s")


def _number(value) -> str:
    return "" if value is None else f"{float(value):g}"
