"""A class's results at a glance: the CSV gradebook and the summary (summary.md, summary.json).

Both are computed from the results.json files a regrade wrote, so a re-run that skipped
unchanged submissions gives the same gradebook as a full one. A submission's tests are matched
to the spec's questions by test number (engine.py numbers them in spec order).
"""

from __future__ import annotations

import csv
import json
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HISTOGRAM_BINS = 10
MOST_FAILED = 5


@dataclass(frozen=True)
class Row:
    """One submission in the gradebook: who, and its results.json as a dict."""

    submission_id: str
    name: str
    email: str
    sid: str
    results: dict

    @property
    def graded(self) -> bool:
        """False when grading itself failed (a setup failure or a grader crash)."""
        return not any(test.get("name") == "Autograder setup" for test in self.tests)

    @property
    def tests(self) -> list:
        return self.results.get("tests", [])

    def test_for(self, question) -> dict | None:
        return next((test for test in self.tests if test.get("number") == question.number), None)


def load_results(path: Path) -> dict:
    """A results.json as a dict; OSError or ValueError when it is missing or not JSON."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a results.json object")
    return data


def write_gradebook(path: Path, questions, rows) -> None:
    """submission_id, name, email, sid, one column per question id (its score), total."""
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["submission_id", "name", "email", "sid",
                         *(q.id for q in questions), "total"])
        for row in rows:
            scores = [row.test_for(q) for q in questions]
            writer.writerow([row.submission_id, row.name, row.email, row.sid,
                             *("" if test is None else _cell(test["score"]) for test in scores),
                             _cell(row.results.get("score", 0))])


def summarise(assignment, rows) -> dict:
    """The numbers of summary.json: spread of totals, and per question how often it passed."""
    totals = [float(row.results.get("score", 0)) for row in rows]
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
        "questions": questions,
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


def histogram(totals, max_score: float, bins: int = HISTOGRAM_BINS) -> list:
    """[{low, high, count}] over [0, max_score] in equal bins; the last bin includes max_score."""
    width = max_score / bins if max_score > 0 else 1.0
    counts = [0] * bins
    for total in totals:
        counts[min(max(int(total // width), 0), bins - 1)] += 1
    return [{"low": round(i * width, 6), "high": round((i + 1) * width, 6), "count": count}
            for i, count in enumerate(counts)]


def write_summary(folder: Path, summary: dict) -> list:
    """summary.json, summary.md and, when matplotlib is installed, histogram.png; their paths."""
    written = [folder / "summary.json", folder / "summary.md"]
    (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    png = folder / "histogram.png"
    has_png = _plot_histogram(summary, png)
    if has_png:
        written.append(png)
    (folder / "summary.md").write_text(render_markdown(summary, png.name if has_png else None),
                                       encoding="utf-8")
    return written


def render_markdown(summary: dict, png_name: str | None = None) -> str:
    lines = [f"# {summary['title']}: regrade summary", ""]
    if not summary["submissions"]:
        return "\n".join(lines + ["No submissions.", ""])
    lines += [f"{summary['submissions']} submissions; out of {_number(summary['max_score'])} "
              f"points: mean {summary['mean']:.2f}, median {_number(summary['median'])}, "
              f"min {_number(summary['min'])}, max {_number(summary['max'])}.", ""]
    if summary["not_graded"]:
        lines += [f"**Not graded** (grading itself failed; see their results.json): "
                  f"{', '.join(summary['not_graded'])}", ""]
    lines += ["## Per question", "", "| # | question | points | pass rate | mean score |",
              "|---|---|---|---|---|"]
    for q in summary["questions"]:
        rate = "–" if q["pass_rate"] is None else f"{q['pass_rate']:.0%}"
        mean = "–" if q["mean_score"] is None else f"{q['mean_score']:.2f}"
        lines.append(f"| {q['number']} | {q['id']} | {_number(q['points'])} | {rate} | {mean} |")
    by_id = {q["id"]: q for q in summary["questions"]}
    lines += ["", "## Most often failed", ""]
    for qid in summary["most_failed"]:
        q = by_id[qid]
        lines.append(f"- **{qid}**: failed by {q['failed']} of {q['graded']}; most common "
                     f"feedback ({q['common_feedback_count']}×): {q['common_feedback'] or '(none)'}")
    if not summary["most_failed"]:
        lines.append("Every submission passed every question.")
    lines += ["", "## Score histogram", ""]
    if png_name:
        lines += [f"![histogram of total scores]({png_name})", ""]
    lines += ["```", text_histogram(summary["histogram"]), "```", ""]
    return "\n".join(lines)


def text_histogram(bins: list, width: int = 40) -> str:
    peak = max((b["count"] for b in bins), default=0) or 1
    labels = [f"{_number(b['low'])}–{_number(b['high'])}" for b in bins]
    pad = max(map(len, labels), default=0)
    return "\n".join(f"{label.rjust(pad)} | {'#' * round(width * b['count'] / peak)} {b['count']}"
                     for label, b in zip(labels, bins))


def _plot_histogram(summary: dict, path: Path) -> bool:
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    from matplotlib import pyplot

    bins = summary["histogram"]
    figure, axes = pyplot.subplots(figsize=(6, 3.5))
    axes.bar([b["low"] for b in bins], [b["count"] for b in bins],
             width=[b["high"] - b["low"] for b in bins], align="edge", edgecolor="black")
    axes.set_xlabel(f"total score (out of {_number(summary['max_score'])})")
    axes.set_ylabel("submissions")
    axes.set_title(summary["title"])
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return True


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0].strip() if stripped else ""


def _cell(value) -> str:
    """A score as results.json has it (to 6 decimals), without a trailing .0 on whole points."""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)


def _number(value) -> str:
    return "" if value is None else f"{float(value):g}"
