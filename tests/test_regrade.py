"""`autograder regrade`: the export layout, the gradebook and summary, re-runs, broken submissions,
and results identical to grading each submission alone."""

import csv
import json
import os
import shutil
import statistics

import pytest
import yaml

from autograder import regrade
from autograder.cli import main
from autograder.export import read_export
from autograder.spec import load_assignment
from conftest import EXAMPLES, PROBLEMS, ROOT, load_results, results_equal

QUIZ = PROBLEMS / "nn3-quiz"
HW6 = PROBLEMS / "hw6"
CORPUS = ROOT / "tests" / "corpus" / "hw6"

RUBY_METADATA = """\
submission_2:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1001'
    :email: ada@example.edu
  :created_at: 2023-10-02 14:03:11.123456789 -07:00
  :score: 21.5
submission_10: !ruby/hash:ActiveSupport::HashWithIndifferentAccess
  :submitters:
  - :name: Grace Hopper
    :sid: '2002'
    :email: grace@example.edu
  - :name: Alan Turing
    :sid: '1999'
    :email: Alan@Example.edu
submission_7:
  :submitters:
  - :name: Emmy Noether
    :sid: '3003'
submission_404:
  :score: 3.0
"""


def make_export(root, files_by_id: dict, metadata: str | None = None):
    """An export folder: submission_<id>/ with the given {name: text or bytes} files."""
    root.mkdir(parents=True, exist_ok=True)
    for submission_id, files in files_by_id.items():
        folder = root / f"submission_{submission_id}"
        folder.mkdir()
        for name, content in files.items():
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(folder / name, mode) as out:
                out.write(content)
    if metadata is not None:
        (root / "submission_metadata.yml").write_text(metadata)
    return root


def quiz_answers(name: str) -> str:
    return (EXAMPLES / "nn3-quiz" / name / "answers.yaml").read_text()


def with_chain_number_for(student: str) -> str:
    """The correct example's answers, with chain-number answered for this student's variant."""
    answers = yaml.safe_load(quiz_answers("correct"))
    variant = load_assignment(QUIZ, student=student)
    answers["chain-number"] = next(q for q in variant.questions
                                   if q.id == "chain-number").check.answer
    return yaml.safe_dump(answers, allow_unicode=True)


def run_regrade(assignment, export, out, **options):
    """regrade() with progress recorded: returns (summary, {submission id: Outcome})."""
    seen = {}
    summary = regrade.regrade(assignment, export, out, jobs=2,
                              progress=lambda done, total, sub, outcome: seen.update({sub.id: outcome}),
                              **options)
    return summary, seen


def grade_alone(tmp_path, assignment, folder, student="") -> dict:
    path = tmp_path / "alone" / folder.name / "results.json"
    assert main(["grade", str(assignment), str(folder), "--results", str(path), "--quiet",
                 "--student", student]) == 0
    return load_results(path)


def gradebook_rows(out) -> list:
    with open(out / "gradebook.csv", newline="") as source:
        return list(csv.DictReader(source))


# ---------------------------------------------------------------------------------- layout

def test_export_with_ruby_style_metadata(tmp_path):
    export = read_export(make_export(tmp_path / "export", {"2": {}, "10": {}, "7": {}},
                                     RUBY_METADATA))
    assert [s.id for s in export.submissions] == ["2", "7", "10"]  # numeric order
    ada, emmy, group = export.submissions
    assert (ada.joined("name"), ada.joined("sid"), ada.joined("email")) == (
        "Ada Lovelace", "1001", "ada@example.edu")
    assert ada.score == 21.5 and ada.created_at.startswith("2023-10-02T14:03:11")
    assert ada.student == "ada@example.edu"  # as the live grader seeds variants
    assert emmy.student == "3003" and emmy.score is None  # no email: the sid
    # a group (under a Ruby tag) gets one variant whatever order its members are listed in
    assert group.joined("name") == "Grace Hopper; Alan Turing"
    assert group.student == "alan@example.edu"
    assert any("submission_404" in warning for warning in export.warnings)


def test_export_without_metadata_or_with_unreadable_metadata(tmp_path):
    for metadata in (None, ":submitters: [unclosed\n", "- just\n- a list\n"):
        root = tmp_path / f"export{len(str(metadata))}"
        export = read_export(make_export(root, {"1": {"answers.yaml": "q: A\n"}}, metadata))
        assert [s.id for s in export.submissions] == ["1"]
        assert export.submissions[0].student == "" and export.submissions[0].submitters == ()
        assert len(export.warnings) == 1 and "submission_metadata.yml" in export.warnings[0]


def test_missing_keys_are_tolerated(tmp_path):
    metadata = "submission_1:\n  :submitters:\n  - :name: No Ids\n  :score: not a number\n"
    export = read_export(make_export(tmp_path / "export", {"1": {}}, metadata))
    submission = export.submissions[0]
    assert submission.joined("name") == "No Ids" and submission.student == ""
    assert submission.score is None and submission.created_at == ""


# ------------------------------------------------------------------------- the quiz, batched

@pytest.fixture(scope="module")
def quiz_batch(tmp_path_factory):
    """A graded quiz export: right, partly wrong, unreadable, empty, and a student variant."""
    root = tmp_path_factory.mktemp("quiz")
    export = make_export(root / "export", {
        "2": {"answers.yaml": with_chain_number_for("ada@example.edu")},
        "7": {"answers.yaml": quiz_answers("partly-wrong")},
        "10": {"answers.yaml": b"\xff\xfe not utf-8 [\n"},
        "11": {},                                               # nothing submitted
        "12": {"answers.yaml": quiz_answers("correct")},      # not in the metadata
    }, RUBY_METADATA)
    (export / "submission_11" / "answers.yaml").mkdir()     # unreadable: a folder, not a file
    out = root / "out"
    summary, outcomes = run_regrade(QUIZ, export, out)
    return export, out, summary, outcomes


def test_every_submission_gets_a_valid_results_json(quiz_batch):
    export, out, summary, outcomes = quiz_batch
    assert set(outcomes) == {"2", "7", "10", "11", "12"}
    for submission_id in outcomes:
        load_results(out / submission_id / "results.json")
    quiz = load_assignment(QUIZ)
    ada = load_results(out / "2" / "results.json")
    assert ada["score"] == quiz.total_points  # chain-number graded on Ada's own numbers
    unreadable = load_results(out / "10" / "results.json")
    assert unreadable["score"] == 0 and "not UTF-8" in unreadable["output"]


def test_results_identical_to_grading_each_alone(quiz_batch, tmp_path):
    export, out, _, _ = quiz_batch
    for submission in read_export(export).submissions:
        alone = grade_alone(tmp_path, QUIZ, submission.folder, submission.student)
        batched = load_results(out / submission.id / "results.json")
        assert results_equal(batched, alone), submission.id
    # the identity matters: Ada graded as nobody in particular loses her own-numbers item
    nobody = grade_alone(tmp_path / "nobody", QUIZ, export / "submission_2")
    assert not results_equal(load_results(out / "2" / "results.json"), nobody)


def test_gradebook_has_one_row_per_submission_and_a_column_per_question(quiz_batch):
    export, out, _, _ = quiz_batch
    quiz = load_assignment(QUIZ)
    rows = gradebook_rows(out)
    assert list(rows[0]) == ["submission_id", "name", "email", "sid",
                             *(q.id for q in quiz.questions), "total"]
    assert [row["submission_id"] for row in rows] == ["2", "7", "10", "11", "12"]
    group = {row["submission_id"]: row for row in rows}["10"]
    assert group["name"] == "Grace Hopper; Alan Turing"
    assert group["email"] == "grace@example.edu; Alan@Example.edu"
    for row in rows:
        results = load_results(out / row["submission_id"] / "results.json")
        scores = {test["number"]: test["score"] for test in results["tests"]}
        assert [float(row[q.id]) for q in quiz.questions] == [scores[q.number]
                                                             for q in quiz.questions]
        assert float(row["total"]) == pytest.approx(results["score"])


def test_summary_agrees_with_the_gradebook(quiz_batch):
    export, out, summary, _ = quiz_batch
    rows = gradebook_rows(out)
    totals = [float(row["total"]) for row in rows]
    assert summary == json.loads((out / "summary.json").read_text())
    assert summary["mean"] == pytest.approx(statistics.fmean(totals))
    assert summary["median"] == pytest.approx(statistics.median(totals))
    assert sum(b["count"] for b in summary["histogram"]) == len(rows)
    by_id = {q["id"]: q for q in summary["questions"]}
    for qid, question in by_id.items():
        full = sum(float(row[qid]) == question["points"] for row in rows)
        assert question["pass_rate"] == pytest.approx(full / len(rows))
    worst = max(q["failed"] for q in summary["questions"])
    assert by_id[summary["most_failed"][0]]["failed"] == worst
    markdown = (out / "summary.md").read_text()
    assert "`sigmoid(w1*x1 + w2*x2) * x1`" in markdown  # partly-wrong's logistic-derivative
    assert " 0–1 | " in markdown  # the text histogram, in whole points


def test_progress_prints_one_line_per_submission_when_not_a_terminal(tmp_path, capsys):
    export = make_export(tmp_path / "export", {str(i): {"answers.yaml": quiz_answers("correct")}
                                               for i in (1, 2, 3)})
    assert main(["regrade", str(QUIZ), str(export), "-o", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().err.splitlines()
    progress = [line for line in lines if line.startswith("[")]
    assert [line.split("]")[0] for line in progress] == ["[1/3", "[2/3", "[3/3"]
    assert any("submission_metadata.yml" in line for line in lines)  # the warning


# ------------------------------------------------------------------------------- re-runs

def test_rerun_skips_unchanged_submissions_and_force_regrades(tmp_path):
    spec = tmp_path / "quiz"
    shutil.copytree(QUIZ, spec)
    export = make_export(tmp_path / "export", {
        "1": {"answers.yaml": quiz_answers("correct")},
        "2": {"answers.yaml": quiz_answers("partly-wrong")}})
    out = tmp_path / "out"
    _, first = run_regrade(spec, export, out)
    assert not any(outcome.skipped for outcome in first.values())
    before = (out / "2" / "results.json").read_text()

    _, again = run_regrade(spec, export, out)
    assert all(outcome.skipped for outcome in again.values())
    assert (out / "2" / "results.json").read_text() == before  # not even rewritten
    assert len(gradebook_rows(out)) == 2

    (export / "submission_1" / "answers.yaml").write_text(quiz_answers("partly-wrong"))
    _, changed = run_regrade(spec, export, out)
    assert {i for i, outcome in changed.items() if not outcome.skipped} == {"1"}
    assert {row["total"] for row in gradebook_rows(out)} == {
        row["total"] for row in gradebook_rows(out) if row["submission_id"] == "2"}

    _, forced = run_regrade(spec, export, out, force=True)
    assert not any(outcome.skipped for outcome in forced.values())

    with open(spec / "assignment.yaml", "a") as out_file:
        out_file.write("# a changed spec regrades everyone\n")
    _, respec = run_regrade(spec, export, out)
    assert not any(outcome.skipped for outcome in respec.values())


# --------------------------------------------------------------------------- broken batches

def _die_on_submission_2(job):
    """A grader process that dies (as if the grader itself crashed) on submission 2."""
    if job.submission_id == "2":
        os._exit(1)
    return regrade._grade_job(job)


def test_a_grader_process_that_dies_costs_only_its_own_submission(tmp_path):
    export = make_export(tmp_path / "export", {
        str(i): {"answers.yaml": quiz_answers("correct")} for i in (1, 2, 3, 4)})
    submissions = read_export(export).submissions
    jobs = [regrade.Job(s.id, str(s.folder), s.student, str(QUIZ), str(tmp_path / "out" / s.id),
                        f"fingerprint-{s.id}") for s in submissions]
    outcomes = dict((job.submission_id, outcome) for job, outcome in
                    regrade.grade_jobs(jobs, 2, False, grade=_die_on_submission_2))
    assert set(outcomes) == {"1", "2", "3", "4"}
    assert not outcomes["2"].graded
    died = load_results(tmp_path / "out" / "2" / "results.json")
    assert died["score"] == 0 and died["tests"][0]["status"] == "failed"
    assert "grading process died" in died["tests"][0]["output"]
    alone = grade_alone(tmp_path, QUIZ, export / "submission_1")
    for submission_id in ("1", "3", "4"):
        assert outcomes[submission_id].graded
        assert results_equal(
            load_results(tmp_path / "out" / submission_id / "results.json"), alone)


def test_hw6_batch_with_crashing_code_matches_grading_each_alone(tmp_path):
    files = {
        "1": CORPUS / "correct" / sorted(os.listdir(CORPUS / "correct"))[0],
        "2": CORPUS / "hostile" / "os_exit_in_function.py",  # kills its worker in relu_grad
        "3": CORPUS / "hostile" / "sys_exit_at_import.py",
        "4": CORPUS / "syntax_error" / "hw6.py",
        "5": CORPUS / "buggy" / "softmax_no_shift.py",
    }
    export = make_export(tmp_path / "export", {i: {"hw6.py": path.read_text()}
                                               for i, path in files.items()})
    out = tmp_path / "out"
    summary, outcomes = run_regrade(HW6, export, out)
    assert all(outcome.graded for outcome in outcomes.values())
    hw6 = load_assignment(HW6)
    assert load_results(out / "1" / "results.json")["score"] == hw6.total_points
    crashed = {test["number"]: test for test in load_results(out / "2" / "results.json")["tests"]}
    relu_grad = next(q for q in hw6.questions if q.id == "relu-grad")
    assert crashed[relu_grad.number]["score"] == 0
    assert sum(test["score"] == test["max_score"] for test in crashed.values()) > 1
    for submission_id in files:
        alone = grade_alone(tmp_path, HW6, export / f"submission_{submission_id}")
        assert results_equal(load_results(out / submission_id / "results.json"),
                                     alone), submission_id


@pytest.mark.skipif(os.geteuid() != 0, reason="kill(-1) is only contained by the sandbox users")
def test_a_submission_that_kills_every_process_it_can_spares_its_neighbours(tmp_path):
    """kill_grader.py sends SIGKILL to every process its user may signal. Graders running at
    the same time run students as different users, so the correct neighbours keep full marks."""
    correct = sorted((CORPUS / "correct").glob("*.py"))
    files = {str(i): path for i, path in enumerate(correct[:4], start=1)}
    files["9"] = CORPUS / "hostile" / "kill_grader.py"
    export = make_export(tmp_path / "export", {i: {"hw6.py": path.read_text()}
                                               for i, path in files.items()})
    out = tmp_path / "out"
    run_regrade(HW6, export, out)
    total = load_assignment(HW6).total_points
    for submission_id in files:
        assert load_results(out / submission_id / "results.json")["score"] == total, submission_id
