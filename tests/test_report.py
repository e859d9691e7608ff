"""regrade's report on a generated class of 42: changes against Gradescope, the item analysis
(wrong formulas grouped by equivalence, picked sets, diagnosed code mistakes), the gradebooks
(Canvas's import format), formula-injection cells, and the pictures with and without matplotlib.

The quiz export's answers and the HW6 export's corpus files have known mistakes, so every count
below is known in advance."""

import csv
import json
import shutil
import statistics
import sys

import pytest
import yaml

from autograder import gradebook, regrade
from autograder.cli import main
from autograder.export import Submitter
from autograder.results import setup_failure, to_gradescope
from autograder.spec import load_assignment
from conftest import EXAMPLES, PROBLEMS, ROOT

QUIZ = PROBLEMS / "nn3-quiz"
HW6 = PROBLEMS / "hw6"
CORPUS = ROOT / "tests" / "corpus" / "hw6"
QUIZ_SIZE = 30
INJECTED_NAME = '=HYPERLINK("http://evil.example","click")'

# question id -> {submission number: answer}; everyone else answers right.
WRONG = {
    "dropout-formula": {**{i: "h*(1 - p)" for i in range(1, 7)},
                        **{i: "h - h*p" for i in (7, 8, 9)},     # the same wrong formula
                        **{i: "h - p*h" for i in (10, 11)},      # and again
                        **{i: "h/p" for i in (12, 13, 14, 15)}},
    "logistic-derivative": {**{i: "sigmoid(w1*x1 + w2*x2) * x1" for i in range(1, 6)},
                            **{i: "x1*sigmoid(w2*x2 + w1*x1)" for i in (6, 7)}},
    "million-images": {**{i: "B" for i in range(1, 6)}, **{i: "A" for i in (6, 7, 8)}},
    "vanishing-true": {i: ["A", "B", "C"] for i in (1, 2, 3, 4)},
    "chain-x1": {**{i: "-(y - yhat)*x1" for i in (20, 21, 22)}, 23: "(yhat - y)*x1"},
}
# right answers written otherwise: never among the wrong ones
RIGHT_SPELLINGS = {
    "dropout-formula": {16: "h*(1-p)^-1", 17: "(h)/(1 - p)"},
    "logistic-derivative": {8: "x1 - x1*sigmoid(w1*x1 + w2*x2)", 9: "x1*(1 - σ(w1 x1 + w2 x2))"},
    "vanishing-true": {5: "B, A"},
}
BLANK = {"parameter-count": (29, 30)}
HW6_FILES = {
    "1": "correct/compact_numpy.py", "2": "correct/explicit_loops.py",
    "3": "buggy/ce_grad_missing_1_over_n.py", "4": "buggy/ce_grad_missing_1_over_n.py",
    "5": "buggy/ce_grad_missing_1_over_n.py",
    "6": "buggy/softmax_no_shift.py", "7": "buggy/softmax_no_shift.py",
    "8": "buggy/dW_transposed.py", "9": "buggy/dW_transposed.py",
    "10": "buggy/dropout_backward_in_place.py", "11": "buggy/dropout_backward_in_place.py",
    "12": "partial/only_activations.py",
}


def student(i: int) -> dict:
    if i == QUIZ_SIZE:
        return {"name": INJECTED_NAME, "sid": "+4912345", "email": "@evil.example"}
    return {"name": f"Student {i:02d}", "sid": f"{1000 + i}", "email": f"s{i}@example.edu"}


def quiz_answers(i: int) -> str:
    answers = yaml.safe_load((EXAMPLES / "nn3-quiz" / "correct" / "answers.yaml").read_text())
    variant = load_assignment(QUIZ, student=student(i)["email"].lower())
    answers["chain-number"] = next(q for q in variant.questions
                                   if q.id == "chain-number").check.answer
    for table in (WRONG, RIGHT_SPELLINGS):
        for qid, by_student in table.items():
            if i in by_student:
                answers[qid] = by_student[i]
    for qid, who in BLANK.items():
        if i in who:
            del answers[qid]
    return yaml.safe_dump(answers, allow_unicode=True)


def metadata(scores: dict, results: dict = ()) -> str:
    """submission_metadata.yml in Gradescope's Ruby style; scores/results by submission id."""
    entries = {}
    for i in range(1, QUIZ_SIZE + 1):
        person = student(i)
        entry = {":submitters": [{f":{k}": v for k, v in person.items()}]}
        if str(i) in scores:
            entry[":score"] = scores[str(i)]
        if str(i) in dict(results):
            entry[":results"] = dict(results)[str(i)]
        entries[f"submission_{i}"] = entry
    return yaml.safe_dump(entries, allow_unicode=True)


def read_csv(path) -> list:
    with open(path, newline="", encoding="utf-8") as source:
        return list(csv.reader(source))


def dict_rows(path) -> list:
    with open(path, newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def regrade_quietly(assignment, export, out):
    return regrade.regrade(assignment, export, out, jobs=2, progress=lambda *_: None)


@pytest.fixture(scope="module")
def quiz_class(tmp_path_factory):
    """The quiz export graded once; then Gradescope's scores are set to the new ones except for
    four students, and the report is made again (nothing is regraded)."""
    root = tmp_path_factory.mktemp("class")
    export = root / "export"
    for i in range(1, QUIZ_SIZE + 1):
        folder = export / f"submission_{i}"
        folder.mkdir(parents=True)
        (folder / "answers.yaml").write_text(quiz_answers(i), encoding="utf-8")
    (export / "submission_metadata.yml").write_text(metadata({}), encoding="utf-8")
    out = root / "out"
    regrade_quietly(QUIZ, export, out)
    new = {str(i): json.loads((out / str(i) / "results.json").read_text())
           for i in range(1, QUIZ_SIZE + 1)}
    shown = {i: results["score"] for i, results in new.items()}
    shown["3"] += 2          # Gradescope showed 2 more points than the regrade gives
    shown["18"] -= 1.5       # and 1.5 fewer
    shown["30"] -= 1         # the student whose name is a formula
    del shown["25"]          # no score in the export
    # the results Gradescope kept for student 12 had dropout-formula right
    kept = json.loads(json.dumps(new["12"]))
    numbers = {q.id: q.number for q in load_assignment(QUIZ).questions}
    for test in kept["tests"]:
        if test["number"] == numbers["dropout-formula"]:
            test["score"] = test["max_score"]
    kept["score"] = sum(test["score"] for test in kept["tests"])
    shown["12"] = kept["score"]
    (export / "submission_metadata.yml").write_text(metadata(shown, {"12": kept}),
                                                    encoding="utf-8")
    summary = regrade_quietly(QUIZ, export, out)
    return export, out, summary, new


@pytest.fixture(scope="module")
def hw6_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("hw6class")
    export = root / "export"
    for submission_id, name in HW6_FILES.items():
        folder = export / f"submission_{submission_id}"
        folder.mkdir(parents=True)
        shutil.copy(CORPUS / name, folder / "hw6.py")
    out = root / "out"
    summary = regrade_quietly(HW6, export, out)
    return out, summary


def item(summary, qid) -> dict:
    return next(entry for entry in summary["items"] if entry["id"] == qid)


def counts(entry) -> dict:
    return {wrong["answer"]: wrong["count"] for wrong in entry["wrong_answers"]}


# ---------------------------------------------------------------------- changes against Gradescope

def test_changes_csv_lists_exactly_the_changed_students(quiz_class):
    _, out, summary, new = quiz_class
    rows = dict_rows(out / "changes.csv")
    assert list(rows[0]) == ["student", "sid", "email", "gradescope_score", "new_score",
                             "difference", "items_changed"]
    by_sid = {row["sid"]: row for row in rows}
    assert set(by_sid) == {"1003", "1018", "1012", "'+4912345"}
    assert float(by_sid["1003"]["difference"]) == -2
    assert float(by_sid["1018"]["difference"]) == 1.5
    assert float(by_sid["1003"]["new_score"]) == new["3"]["score"]
    assert by_sid["1012"]["items_changed"] == "dropout-formula"
    assert by_sid["1003"]["items_changed"] == ""  # the export held no per-item results for it
    assert rows[0]["sid"] == "1003"  # the largest change first
    assert summary["changes"]["compared"] == QUIZ_SIZE - 1
    assert summary["changes"]["without_score"] == ["25"]


def test_summary_and_command_say_what_changed_first(quiz_class, capsys):
    export, out, summary, _ = quiz_class
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    sections = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert sections[0] == "## Changed against Gradescope"
    sentence = "4 of 29 scores changed against Gradescope's, by at most 2 points (Student 03: "
    assert sentence in markdown
    assert main(["regrade", str(QUIZ), str(export), "-o", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith(sentence) and "1 had no Gradescope score" in last


# ------------------------------------------------------------------------------- item analysis

def test_wrong_formulas_are_grouped_by_equivalence(quiz_class):
    _, out, summary, _ = quiz_class
    dropout = item(summary, "dropout-formula")
    assert counts(dropout) == {"h*(1 - p)": 11, "h/p": 4}
    group = dropout["wrong_answers"][0]
    assert group["spellings"] == ["h*(1 - p)", "h - h*p", "h - p*h"]
    logistic = item(summary, "logistic-derivative")  # a derivative: no closed form in the spec
    assert counts(logistic) == {"sigmoid(w1*x1 + w2*x2) * x1": 7}
    chain = item(summary, "chain-x1")
    assert counts(chain) == {"-(y - yhat)*x1": 4}


def test_a_right_answer_never_appears_as_wrong(quiz_class):
    _, _, summary, _ = quiz_class
    for qid, spellings in RIGHT_SPELLINGS.items():
        wrong = {s for entry in item(summary, qid)["wrong_answers"] for s in entry["spellings"]}
        assert not wrong & set(spellings.values()), qid
    assert item(summary, "gd-computes")["wrong_answers"] == []


def test_choice_counts_per_picked_set_and_blanks(quiz_class):
    _, _, summary, _ = quiz_class
    assert counts(item(summary, "million-images")) == {"B": 5, "A": 3}
    assert counts(item(summary, "vanishing-true")) == {"A, B, C": 4}  # partial credit is not full
    assert counts(item(summary, "parameter-count")) == {"no answer": 2}


def test_items_csv_means_full_marks_and_discrimination(quiz_class):
    _, out, summary, _ = quiz_class
    rows = {row["question"]: row for row in dict_rows(out / "items.csv")}
    grades = dict_rows(out / "gradebook.csv")
    quiz = load_assignment(QUIZ)
    assert len(rows) == len(quiz.questions)
    for question in quiz.questions:
        scores = [float(row[question.id]) for row in grades]
        rest = [float(row["total"]) - score for row, score in zip(grades, scores)]
        row = rows[question.id]
        assert float(row["mean"]) == pytest.approx(statistics.fmean(scores), rel=1e-3)
        full = sum(score == question.points for score in scores) / len(scores)
        assert float(row["full_marks"]) == pytest.approx(full, rel=1e-3)
        if len(set(scores)) > 1:
            assert float(row["discrimination"]) == pytest.approx(
                statistics.correlation(scores, rest), rel=1e-3, abs=1e-4)
        else:
            assert row["discrimination"] == ""
    dropout = rows["dropout-formula"]
    assert (dropout["wrong_1"], dropout["wrong_1_count"]) == ("h*(1 - p)", "11")
    assert (dropout["wrong_2"], dropout["wrong_2_count"]) == ("h/p", "4")
    assert dropout["wrong_3"] == ""
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert "- 37% (11): `h*(1 - p)` (also written `h - h*p`, `h - p*h`)" in markdown


def test_code_mistakes_are_counted_as_the_corpus_says(hw6_class):
    out, summary = hw6_class
    assert counts(item(summary, "cross-entropy-grad")) == {
        "times N": 3, "nan or inf on logits of ±1000": 2, "not implemented": 1}
    assert counts(item(summary, "softmax")) == {
        "nan or inf on logits of ±1000": 2, "not implemented": 1}
    assert counts(item(summary, "linear-backward"))["transposed"] == 2
    assert counts(item(summary, "dropout-backward"))["modified its input"] == 2
    assert item(summary, "sigmoid")["wrong_answers"] == []
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert "- 25% (3): times N" in markdown


# ---------------------------------------------------------------------------------- gradebooks

def test_canvas_csv_follows_canvas_import_format(quiz_class):
    _, out, summary, new = quiz_class
    rows = read_csv(out / "canvas.csv")
    quiz = load_assignment(QUIZ)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", quiz.title]
    assert rows[1] == ["Points Possible", "", "", "", "", gradebook.number_cell(quiz.total_points)]
    students = {row[2]: row for row in rows[2:]}
    assert len(students) == QUIZ_SIZE
    assert float(students["1007"][5]) == new["7"]["score"]
    assert students["1007"][0] == "Student 07"


def test_scores_csv_one_row_per_group_member_and_none_for_the_ungraded(tmp_path):
    """A group's members each get its score; a submission whose grading failed gets an empty
    cell (which an LMS import leaves alone), never a 0."""
    graded = {"score": 21.5, "tests": []}
    failed = to_gradescope(setup_failure("quiz", "the grading process died"))
    rows = [gradebook.Row("1", "A; B", "", "1; 2", graded,
                          people=(Submitter("A", "1"), Submitter("B", "2"))),
            gradebook.Row("2", "C", "", "3", failed, people=(Submitter("C", "3"),)),
            gradebook.Row("3", "", "", "", graded)]  # no metadata: one nameless student
    gradebook.write_gradebooks(tmp_path, load_assignment(QUIZ), rows)
    assert read_csv(tmp_path / "scores.csv") == [
        ["sid", "score"], ["1", "21.5"], ["2", "21.5"], ["3", ""], ["", "21.5"]]
    assert [row[::5] for row in read_csv(tmp_path / "canvas.csv")[2:]] == [
        ["A", "21.5"], ["B", "21.5"], ["C", ""], ["", "21.5"]]


def test_formula_injection_is_neutralised_in_every_csv(quiz_class):
    _, out, _, _ = quiz_class
    for name in ("gradebook.csv", "canvas.csv", "scores.csv", "changes.csv", "items.csv"):
        cells = [cell for row in read_csv(out / name)[1:] for cell in row]
        dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "@")
                     or (cell.startswith("-") and not _is_number(cell))]
        assert not dangerous, (name, dangerous)
    grades = {row["submission_id"]: row for row in dict_rows(out / "gradebook.csv")}
    assert grades["30"]["name"] == "'" + INJECTED_NAME
    assert (grades["30"]["sid"], grades["30"]["email"]) == ("'+4912345", "'@evil.example")
    items = {row["question"]: row for row in dict_rows(out / "items.csv")}
    assert items["chain-x1"]["wrong_1"] == "'-(y - yhat)*x1"
    changes = {row["sid"]: row for row in dict_rows(out / "changes.csv")}
    assert changes["'+4912345"]["difference"] == "1"  # numbers stay numbers
    assert changes["1003"]["difference"] == "-2"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_spreadsheet_text():
    for text in ("=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"):
        assert gradebook.spreadsheet_text(text) == "'" + text
    for text in ("Ada", "1.5", "", "a=b", "x-1"):
        assert gradebook.spreadsheet_text(text) == text


# ------------------------------------------------------------------------------------ pictures

def test_without_matplotlib_everything_else_is_written(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    export = tmp_path / "export"
    for i in (1, 2, 3):
        (export / f"submission_{i}").mkdir(parents=True)
        (export / f"submission_{i}" / "answers.yaml").write_text(quiz_answers(i))
    out = tmp_path / "out"
    assert main(["regrade", str(QUIZ), str(export), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    hint = "no pictures: histogram.png and items.png need matplotlib"
    assert sum(hint in line for line in printed.splitlines()) == 1
    for name in ("gradebook.csv", "canvas.csv", "scores.csv", "changes.csv", "items.csv",
                 "summary.md", "summary.json"):
        assert (out / name).stat().st_size > 0, name
    assert not (out / "histogram.png").exists() and not (out / "items.png").exists()
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert hint in markdown and "![" not in markdown


def test_pictures_are_written_and_decode(quiz_class):
    pytest.importorskip("matplotlib")
    from matplotlib import image

    _, out, summary, _ = quiz_class
    assert summary["pictures"] == ["histogram.png", "items.png"]
    for name in summary["pictures"]:
        assert (out / name).stat().st_size > 10_000, name
        pixels = image.imread(out / name)
        assert pixels.shape[0] >= 300 and pixels.shape[1] >= 600, name
        assert pixels.std() > 0.05, name  # not a blank canvas
    markdown = (out / "summary.md").read_text(encoding="utf-8")
    assert "![histogram of total scores](histogram.png)" in markdown
    assert "![mean score per item](items.png)" in markdown


def test_histogram_has_whole_point_bins(quiz_class):
    _, _, summary, _ = quiz_class
    bins = summary["histogram"]
    assert all(b["high"] - b["low"] == 1 and float(b["low"]).is_integer() for b in bins)
    assert bins[0]["low"] == 0 and bins[-1]["low"] == summary["max_score"]
    assert sum(b["count"] for b in bins) == QUIZ_SIZE
    assert all(isinstance(b["count"], int) for b in bins)


def test_the_excerpts_in_docs_regrade_md_are_what_the_example_export_gives(tmp_path):
    out = tmp_path / "regraded"
    summary = regrade_quietly(QUIZ, ROOT / "examples" / "nn3-quiz-export", out)
    guide = (ROOT / "docs" / "regrade.md").read_text(encoding="utf-8")
    assert summary["changes_sentence"] in " ".join(guide.split())  # wrapped in the guide
    for name in ("changes.csv", "items.csv", "canvas.csv", "scores.csv"):
        row = next(line for line in guide.splitlines() if line.startswith(f"| `{name}`"))
        excerpts = row.split("|")[3].strip().strip("`").split("` / `")
        written = (out / name).read_text(encoding="utf-8").splitlines()
        for excerpt in excerpts:
            assert excerpt in written, (name, excerpt)
