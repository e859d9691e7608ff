"""`autograder validate`: is a spec right before students see it?

Three submissions are graded with the real engine, for every variant checked:
  key    the instructor's answers: synthesized from the spec (choice letters, numeric answers,
         expression formulas), overridden by `solution/answers.yaml` where it answers a question
         (the only source for derivative questions, which have no closed form in the spec), and
         the code in `solution/` (solution/hw6.py). It must get full marks.
  blank  an empty answers file, and the starter code where the assignment has one (generated
         from the marked solution, or hand-written: starter.py), whose functions raise
         NotImplementedError. It must score nothing on every item.
  wrong  a generated wrong answer for every choice, numeric and formula item. It must lose
         points there, or the item cannot tell right from wrong (a tolerance too loose, say).
Then each of the instructor's known-wrong submissions in wrong/ (known_wrong.py), which must lose
points on exactly the items it lists.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import engine
from .errors import SpecError
from .known_wrong import WRONG_DIR, complete, judge, load_known_wrong
from .progress import Progress
from .spec import Assignment, code_files_in, load_assignment, substitute
from .starter import SOLUTION_DIR, assignment_starters
from .submission import Submission
from .yamlio import Node, load_spec_file

SAMPLE_STUDENTS = ("", "validate-student-1", "validate-student-2")


@dataclass
class Item:
    """One question's three grades (fractions of its points) and what is wrong with them."""

    id: str
    kind: str
    points: float
    key: float = 1.0
    blank: float = 0.0
    wrong: float | None = None
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)      # worth knowing, not wrong


@dataclass
class Validation:
    assignment: Assignment
    items: list
    variants: int
    problems: list = field(default_factory=list)   # about the assignment as a whole
    known_wrong: list = field(default_factory=list)  # KnownWrongGrade, one per wrong/ entry

    @property
    def ok(self) -> bool:
        return (not self.problems and not any(item.problems for item in self.items)
                and not any(graded.problems for graded in self.known_wrong))


@dataclass
class KnownWrongGrade:
    """A known-wrong submission (known_wrong.py): the items it lost points on, and what is
    wrong with that."""

    name: str
    fails: tuple
    lost: list
    problems: list


def validate(folder: Path | str, show_progress: bool = False) -> Validation:
    """Check the spec at `folder` (SpecError if it does not load) and grade the three submissions.

    When the spec has params, the default variant and two sample students' variants are checked,
    and an item's grades are the worst over them. show_progress: report each grading on stderr
    (progress.py), for the command line.
    """
    folder = Path(folder)
    base = load_assignment(folder)
    check_spec(base)
    key_file = load_key_file(folder)
    students = SAMPLE_STUDENTS if base.params else SAMPLE_STUDENTS[:1]
    items = {q.id: Item(q.id, q.kind, q.points) for q in base.questions}
    problems: list = []
    starters = assignment_starters(base)
    known_wrong = load_known_wrong(folder, base)
    progress = (Progress(3 * len(students) + len(known_wrong), "gradings") if show_progress
                else None)
    with tempfile.TemporaryDirectory(prefix="autograder-validate-") as scratch:
        for index, student in enumerate(students):
            assignment = load_assignment(folder, student=student) if student else base
            key = synthesize_key(assignment, key_file)
            who = f" (variant of student '{student}')" if student else ""
            wrong = wrong_answers(assignment, key)
            submissions = {
                "key": _submission(Path(scratch) / f"key{index}", assignment, key,
                                   solution_files(assignment)),
                "blank": _submission(Path(scratch) / f"blank{index}", assignment, {},
                                     starters),
                "wrong": _submission(Path(scratch) / f"wrong{index}", assignment, wrong, {}),
            }
            grades = {}
            for name, submission in submissions.items():
                grades[name] = _fractions(assignment, submission)
                if progress:
                    progress.step()
            grades["wrong"] = {qid: grade for qid, grade in grades["wrong"].items() if qid in wrong}
            for question in assignment.questions:
                _judge(items[question.id], question, grades, who,
                       has_key=question.id in key or _has_solution(folder, assignment, question))
        keyed = {item.id for item in items.values() if item.key == 1}
        known_wrong = _grade_known_wrong(folder, base, key_file, known_wrong, keyed,
                                         Path(scratch), progress)
    for name in sorted(set(key_file) - {q.id for q in base.questions}):
        problems.append(f"{SOLUTION_DIR}/answers.yaml answers '{name}', which is not a question")
    return Validation(base, list(items.values()), len(students), problems, known_wrong)


def check_spec(assignment: Assignment) -> None:
    """Raise the first mistake of the spec that loading it could not see (each kind's
    spec_problems: a code question's `outputs` beyond what its reference returns, say)."""
    for question in assignment.questions:
        for problem in question.check.spec_problems(question.id):
            raise problem


def _grade_known_wrong(folder: Path, assignment: Assignment, key_file: Node, known_wrong: list,
                       keyed: set, scratch: Path, progress: Progress | None) -> list:
    """Grade each of wrong/'s submissions (the default variant), completed from the key."""
    graded = []
    key = synthesize_key(assignment, key_file)
    solution = solution_files(assignment)
    for index, known in enumerate(known_wrong):
        answers, code = complete(known, assignment.answers_file, key, solution)
        submission = _submission(scratch / f"known-wrong{index}", assignment, answers, code)
        fractions = {qid: fraction for qid, (fraction, _) in
                     _fractions(assignment, submission).items()}
        if progress:
            progress.step()
        graded.append(KnownWrongGrade(known.name, known.fails,
                                      [q.id for q in assignment.questions if fractions[q.id] < 1],
                                      judge(known, fractions, keyed)))
    return graded


def _judge(item: Item, question, grades: dict, who: str, has_key: bool) -> None:
    key, blank = grades["key"][question.id], grades["blank"][question.id]
    wrong = grades["wrong"].get(question.id)
    item.key = min(item.key, key[0]) if has_key else math.nan
    item.blank = max(item.blank, blank[0])
    if not has_key and not question.check.answered_in_file:
        _add(item.problems, f"no solution to grade: put the instructor's solution in "
                            f"{SOLUTION_DIR}/ under the name students submit")
    elif not has_key:
        item.key = math.nan
        _add(item.notes, f"not checked against a key: add `{question.id}: <the answer>` to "
                         f"{SOLUTION_DIR}/answers.yaml (a derivative's spec has no closed form)")
    elif key[0] < 1:
        _add(item.problems, f"the key scores {key[0]:.0%}{who}: {_first_line(key[1])}")
    if blank[0] > 0:
        _add(item.problems, f"a blank submission scores {blank[0]:.0%}{who}")
    if wrong is not None:
        item.wrong = wrong[0] if item.wrong is None else max(item.wrong, wrong[0])
        if wrong[0] >= 1:
            _add(item.problems, f"a wrong answer gets full marks{who}: {_first_line(wrong[1])}")
    if question.points == 0:
        _add(item.problems, "is worth 0 points, so it can never be failed")


def _has_solution(folder: Path, assignment: Assignment, question) -> bool:
    if question.check.answered_in_file:
        return False
    name = getattr(question.check, "file", "") or assignment.required_code_files[0]
    return name in solution_files(assignment)


def _add(messages: list, message: str) -> None:
    if message not in messages:
        messages.append(message)


def load_key_file(folder: Path) -> Node:
    """The instructor's `solution/answers.yaml`: question id -> answer ({{param}} allowed)."""
    path = folder / SOLUTION_DIR / "answers.yaml"
    if not path.is_file():
        return Node(file=str(path))
    data = load_spec_file(path)
    if data is None:
        return Node(file=str(path))
    if not isinstance(data, Node):
        raise SpecError("must map each question id to its answer", file=str(path), line=1)
    return data


def synthesize_key(assignment: Assignment, key_file: Node) -> dict:
    """{question id: the right answer} for this variant, from the spec and the key file."""
    key = {question.id: answer for question in assignment.questions
           if (answer := question.check.key_answer()) is not None}
    key.update({str(k): v for k, v in substitute(key_file, assignment.params).items()})
    return key


def wrong_answers(assignment: Assignment, key: dict) -> dict:
    """A plainly wrong answer to every question answered in the answers file that has a key."""
    wrong = {}
    for question in assignment.questions:
        if question.id in key and question.check.answered_in_file:
            answer = question.check.wrong_answer(key[question.id])
            if answer is not None:
                wrong[question.id] = answer
    return wrong


def solution_files(assignment: Assignment) -> dict:
    """{submitted path: the bytes of the instructor's solution of it}: every file of solution/
    that submit: code names, and each required file missing there from the solution of the
    spec it extends."""
    solution = assignment.folder / SOLUTION_DIR
    files = {name: solution / name for name in code_files_in(solution, assignment.code_files)}
    for name in assignment.required_code_files:
        found = assignment.find_file(f"{SOLUTION_DIR}/{name}")
        if name not in files and found is not None:
            files[name] = found
    return {name: path.read_bytes() for name, path in files.items()}


def _submission(folder: Path, assignment: Assignment, answers: dict, code: dict) -> Submission:
    """A submission folder holding these answers and code files ({submitted path: bytes})."""
    folder.mkdir(parents=True)
    (folder / assignment.answers_file).write_text(
        yaml.safe_dump(answers, allow_unicode=True) if answers else "", encoding="utf-8")
    for name, data in code.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return Submission(folder, assignment.answers_file, assignment.code_files,
                      support=assignment.support)


def _fractions(assignment: Assignment, submission: Submission) -> dict:
    """{question id: (fraction, feedback)}; an internal error's traceback, which the grader
    keeps for the instructor's log, is the instructor's feedback here."""
    report = engine.grade(assignment, submission)
    return {question.id: (test.score / test.max_score if test.max_score else 1.0,
                          "\n".join([test.output] + [line for line in report.log if line.startswith(
                              engine.internal_error_heading(question.id))]))
            for question, test in zip(assignment.questions, report.tests)}


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 110 else line[:109] + "…"


def render(validation: Validation) -> str:
    """The one-screen summary: one line per item, then the problems."""
    assignment = validation.assignment
    lines = [f"{assignment.title} ({assignment.folder}): {len(assignment.questions)} items, "
             f"{assignment.total_points:g} points"
             + (f", {validation.variants} variants checked" if validation.variants > 1 else "")]
    lines.append(f"  {'':4} {'item':26} {'kind':10} {'pts':>4}  {'key':>5} {'blank':>5} "
                 f"{'wrong':>5}")
    for item in validation.items:
        mark = "ok" if not item.problems else "FAIL"
        wrong = "-" if item.wrong is None else _percent(item.wrong)
        lines.append(f"  {mark:4} {_clip(item.id, 26):26} {item.kind:10} {item.points:>4g}  "
                     f"{_percent(item.key):>5} {_percent(item.blank):>5} {wrong:>5}")
    if validation.known_wrong:
        lines.append(f"\n  known-wrong submissions ({WRONG_DIR}/): the items each loses points on")
        for graded in validation.known_wrong:
            mark = "ok" if not graded.problems else "FAIL"
            lines.append(f"  {mark:4} {_clip(graded.name, 40):40} "
                         f"{', '.join(graded.lost) or 'none'}")
    problems = [f"{item.id}: {problem}" for item in validation.items for problem in item.problems]
    problems += validation.problems
    problems += [problem for graded in validation.known_wrong for problem in graded.problems]
    notes = [f"{item.id}: {note}" for item in validation.items for note in item.notes]
    if notes:
        lines.append("")
        lines += [f"  note: {note}" for note in notes]
    if problems:
        lines.append("")
        lines += [f"  - {problem}" for problem in problems]
        lines.append(f"\n{len(problems)} problem(s): fix them before students see this spec.")
    else:
        lines.append("\nValid: the key gets full marks; a blank submission and wrong answers "
                     "lose every item" + ("; each known-wrong submission loses exactly the items "
                                          "it lists." if validation.known_wrong else "."))
    return "\n".join(lines)


def _percent(fraction: float) -> str:
    return f"{fraction:.0%}" if math.isfinite(fraction) else "-"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
