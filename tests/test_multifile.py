"""Submissions of several files in folders, the instructor's support files beside them, and
specs that extend another: what issue 12 items 2-4 promise, on small assignments written here."""

import textwrap

import pytest

from autograder.engine import grade
from autograder.errors import SpecError
from autograder.spec import load_assignment
from autograder.submission import Submission

SPEC = """\
id: pkg
title: A package of two files
submit:
  code: [pkg/layers.py, pkg/utils.py, pkg/extra_*.py]
support: [pkg/__init__.py, pkg/helpers.py]
questions:
  - id: double
    kind: code
    points: 1
    function: pkg.layers:double
    reference: ref.py:double
    outputs: [0]
    cases:
      - args: [{normal: [3, 2]}]
  - id: triple
    kind: code
    points: 1
    function: pkg.utils:triple
    reference: ref.py:triple
    cases:
      - args: [{normal: [2, 2]}]
  - id: backward
    kind: code
    points: 1
    function: pkg.layers:double_backward
    reference: ref.py:double_backward
    cases:
      - name: after double
        before: {function: double, args: [{normal: [2, 3]}]}
        args: [{normal: [2, 3]}, {result: 1}]
"""

# The reference imports a module beside it, which imports a support file.
REFERENCE = """\
from ref_helpers import times


def double(x):
    return times(x, 2), x.shape


def double_backward(dout, cache):
    return dout * 2


def triple(x):
    return times(x, 3)
"""
REF_HELPERS = "from pkg.helpers import scale as times\n"
HELPERS = "def scale(x, k):\n    return x * k\n"

LAYERS = """\
from pkg.helpers import scale


def double(x):
    return scale(x, 2), {"seen": x.shape}


def double_backward(dout, cache):
    assert cache["seen"] == dout.shape
    return dout * 2
"""
# Across submitted files, by package name.
UTILS = """\
from pkg.layers import double


def triple(x):
    return double(x)[0] + x
"""


def write(folder, files: dict):
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


@pytest.fixture
def assignment_dir(tmp_path):
    return write(tmp_path / "pkg", {"assignment.yaml": SPEC, "ref.py": REFERENCE,
                                    "ref_helpers.py": REF_HELPERS, "pkg/__init__.py": "",
                                    "pkg/helpers.py": HELPERS})


def run(assignment_dir, submission_dir):
    assignment = load_assignment(assignment_dir)
    submission = Submission(submission_dir, assignment.answers_file, assignment.code_files,
                            support=assignment.support)
    return grade(assignment, submission)


def scores(report) -> dict:
    return {test.name: test.score for test in report.tests}


def test_a_package_submission_imports_across_its_files_and_the_support_files(assignment_dir,
                                                                           tmp_path):
    submission = write(tmp_path / "sub", {"pkg/layers.py": LAYERS, "pkg/utils.py": UTILS})
    report = run(assignment_dir, submission)
    assert scores(report) == {"double": 1, "triple": 1, "backward": 1}, report.tests
    backward = report.tests[2].output
    assert "`double_backward`" in backward


def test_a_backward_item_after_its_setup_step_names_the_backward_function(assignment_dir,
                                                                         tmp_path):
    broken = LAYERS.replace("return dout * 2", "return dout * 3")
    submission = write(tmp_path / "sub", {"pkg/layers.py": broken, "pkg/utils.py": UTILS})
    report = run(assignment_dir, submission)
    assert scores(report) == {"double": 1, "triple": 1, "backward": 0}
    assert "`double_backward` after `double` on after double" in report.tests[2].output
    missing_setup = LAYERS.replace("def double(x)", "def doubled(x)")
    submission = write(tmp_path / "sub2", {"pkg/layers.py": missing_setup, "pkg/utils.py": UTILS})
    report = run(assignment_dir, submission)
    assert report.tests[2].score == 0
    assert "setup call failed" in report.tests[2].output
    assert "`double` is not defined in pkg/layers.py" in report.tests[2].output


def test_single_files_uploaded_flat_are_graded_where_the_package_expects_them(assignment_dir,
                                                                             tmp_path):
    submission = write(tmp_path / "sub", {"layers.py": LAYERS, "utils.py": UTILS})
    report = run(assignment_dir, submission)
    assert scores(report) == {"double": 1, "triple": 1, "backward": 1}
    assert any("your layers.py was graded as pkg/layers.py" in note for note in report.notes)


def test_a_missing_file_is_named_with_what_the_submission_holds(assignment_dir, tmp_path):
    submission = write(tmp_path / "sub", {"pkg/layers.py": LAYERS, "notes/readme.txt": "hi"})
    report = run(assignment_dir, submission)
    assert scores(report) == {"double": 1, "triple": 0, "backward": 1}
    assert ("pkg/utils.py was not found in your submission (it has: notes/readme.txt, "
            "pkg/layers.py)") in report.tests[1].output


def test_a_student_file_never_replaces_a_support_file(assignment_dir, tmp_path):
    cheat = "def scale(x, k):\n    return x * 0\n"
    for name in ("pkg/helpers.py", "helpers.py"):
        submission = write(tmp_path / name.replace("/", "_"), {
            "pkg/layers.py": LAYERS, "pkg/utils.py": UTILS, name: cheat})
        report = run(assignment_dir, submission)
        assert scores(report) == {"double": 1, "triple": 1, "backward": 1}
        assert any(f"Your {name} was not used: pkg/helpers.py is provided by the course" in note
                   for note in report.notes), report.notes


def test_a_glob_brings_in_every_matching_file(assignment_dir, tmp_path):
    spec = SPEC + """\
  - id: extra
    kind: code
    points: 1
    function: pkg.extra_one:one
    reference: ref.py:triple
    cases:
      - args: [{normal: [2]}]
"""
    (assignment_dir / "assignment.yaml").write_text(spec, encoding="utf-8")
    extra = "from pkg.layers import double\n\ndef one(x):\n    return double(x)[0] + x\n"
    submission = write(tmp_path / "sub", {"pkg/layers.py": LAYERS, "pkg/utils.py": UTILS,
                                          "pkg/extra_one.py": extra})
    assert scores(run(assignment_dir, submission))["extra"] == 1
    assert load_assignment(assignment_dir).required_code_files == ("pkg/layers.py",
                                                                   "pkg/utils.py")


BASE = """\
id: base
title: The base
submit:
  code: hw.py
support: [helper.py]
questions:
  - id: double
    kind: code
    points: 1
    function: double
    reference: ref.py:double
    cases:
      - args: [{normal: [3]}]
  - id: triple
    kind: code
    points: 2
    function: triple
    reference: ref.py:triple
    cases:
      - args: [{normal: [3]}]
"""

CHILD = """\
id: child
title: A variant
extends: ../base
questions:
  - id: triple
    kind: code
    points: 1
    function: triple
    reference: ../base/ref.py:double
    cases:
      - args: [{normal: [3]}]
  - id: again
    kind: code
    points: 1
    function: double
    reference: ../base/ref.py:double
    cases:
      - args: [{normal: [2]}]
"""


def test_a_spec_extends_another_replacing_questions_by_id(tmp_path):
    base = write(tmp_path / "base", {"assignment.yaml": BASE, "helper.py": HELPERS,
                                     "ref.py": "def double(x):\n    return 2 * x\n\n"
                                               "def triple(x):\n    return 3 * x\n"})
    child = write(tmp_path / "child", {"assignment.yaml": CHILD})
    assignment = load_assignment(child)
    assert assignment.id == "child" and assignment.code_files == ("hw.py",)
    assert [(q.id, q.points) for q in assignment.questions] == [("double", 1), ("triple", 1),
                                                                ("again", 1)]
    assert [q.file for q in assignment.questions] == [str(base / "assignment.yaml"),
                                                      str(child / "assignment.yaml"),
                                                      str(child / "assignment.yaml")]
    assert [s.name for s in assignment.support] == ["helper.py"]
    assert assignment.support[0].path == base / "helper.py"
    assert assignment.spec_files == ((child / "assignment.yaml").resolve(),
                                     (base / "assignment.yaml").resolve())
    student = "from helper import scale\n\ndef double(x):\n    return scale(x, 2)\n\n" \
              "def triple(x):\n    return 2 * x\n"
    submission = write(tmp_path / "sub", {"hw.py": student})
    assert scores(run(child, submission)) == {"double": 1, "triple": 1, "again": 1}
    assert scores(run(base, submission)) == {"double": 1, "triple": 0}


@pytest.mark.parametrize("child, where, message", [
    ("id: c\ntitle: C\nextends: ../nowhere\n", "assignment.yaml:3", "extends: no assignment.yaml"),
    ("id: c\ntitle: C\nextends: ../child\n", "assignment.yaml:3", "a cycle"),
    ("id: c\ntitle: C\nextends: ../base\nquestions:\n  - id: double\n    kind: code\n"
     "    points: 1\n    function: double\n    referense: x\n", "assignment.yaml:9", "referense"),
])
def test_extends_mistakes_name_their_file_and_line(tmp_path, child, where, message):
    write(tmp_path / "base", {"assignment.yaml": BASE, "helper.py": HELPERS,
                              "ref.py": "def double(x):\n    return 2 * x\n\n"
                                        "def triple(x):\n    return 3 * x\n"})
    folder = write(tmp_path / "child", {"assignment.yaml": child})
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert str(raised.value).startswith(str(folder / where)), str(raised.value)
    assert message in str(raised.value)


def test_a_mistake_in_the_base_is_reported_in_the_base(tmp_path):
    base = write(tmp_path / "base", {"assignment.yaml": BASE.replace("[helper.py]",
                                                                     "[helper.py, gone.py]"),
                                     "helper.py": HELPERS})
    folder = write(tmp_path / "child", {"assignment.yaml": "id: c\ntitle: C\nextends: ../base\n"})
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert str(raised.value).startswith(f"{base / 'assignment.yaml'}:5: support: 'gone.py'")


@pytest.mark.parametrize("spec, line, message", [
    ("submit: {code: ../hw.py}", 3, "must be a relative path"),
    ("submit: {code: pkg/my-layers.py}", 3, "must be importable"),
    ("submit: {code: hw.txt}", 3, "must be a Python file"),
    ("submit: {code: [hw.py, hw.py]}", 3, "lists a file twice"),
    ("submit: {code: hw.py}\nsupport: [hw.py]", 4, "is also a file students submit"),
    ("submit: {code: hw.py}\nsupport: [missing/]", 4, "no such file or folder"),
    ("submit: {code: hw.py}\nsupport: [/etc/passwd]", 4, "must be a relative path"),
])
def test_submit_and_support_mistakes_are_spec_errors(tmp_path, spec, line, message):
    folder = write(tmp_path / "a", {"hw.py": "", "assignment.yaml": (
        f"id: t\ntitle: T\n{spec}\nquestions:\n  - {{id: q, kind: numeric, points: 1, "
        "answer: 1}\n")})
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert str(raised.value).startswith(f"{folder / 'assignment.yaml'}:{line}: ")
    assert message in str(raised.value)


def test_a_question_on_a_file_not_submitted_is_a_spec_error(tmp_path):
    folder = write(tmp_path / "a", {"ref.py": "def f(x):\n    return x\n", "assignment.yaml": (
        "id: t\ntitle: T\nsubmit: {code: hw.py}\nquestions:\n  - id: q\n    kind: code\n"
        "    points: 1\n    function: other.mod:f\n    reference: ref.py:f\n"
        "    cases: [{args: [1.0]}]\n")})
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert str(raised.value).startswith(f"{folder / 'assignment.yaml'}:8: function: "
                                        "other/mod.py is not among the files students submit")


def test_new_code_scaffolds_an_assignment_that_validates(tmp_path):
    from autograder.cli import main
    from autograder.validate import validate

    folder = tmp_path / "layers7"
    assert main(["new", str(folder), "--code"]) == 0
    assert {path.relative_to(folder).as_posix() for path in folder.rglob("*.py")} == {
        "solution/layers.py", "layers_reference.py", "helpers.py", "checks.py"}
    result = validate(folder)
    assert result.ok and [item.id for item in result.items] == [
        "affine-forward", "affine-backward", "relu-forward"]
    assert all(item.key == 1 and item.blank == 0 for item in result.items)


def test_a_then_step_uses_the_questions_reference_file(tmp_path):
    """No `reference:` on the step: the step's function is taken from the question's file."""
    folder = write(tmp_path / "a", {
        "ref.py": "def forward(x):\n    return 2 * x, x\n\ndef backward(dout, cache):\n"
                  "    return 2 * dout\n",
        "assignment.yaml": """\
id: t
title: T
submit: {code: hw.py}
questions:
  - id: q
    kind: code
    points: 1
    function: forward
    reference: ref.py:forward
    outputs: [0]
    cases:
      - args: [{normal: [3]}]
        then: {function: backward, args: [{normal: [3]}, {result: 1}]}
"""})
    right = "def forward(x):\n    return 2 * x, x\n\ndef backward(dout, cache):\n" \
            "    return 2 * dout\n"
    assert scores(run(folder, write(tmp_path / "s1", {"hw.py": right}))) == {"q": 1}
    wrong = right.replace("return 2 * dout", "return 3 * dout")
    report = run(folder, write(tmp_path / "s2", {"hw.py": wrong}))
    assert scores(report) == {"q": 0} and "`backward` after `forward`" in report.tests[0].output


def test_a_support_folder_brings_every_file_in_it(tmp_path):
    folder = write(tmp_path / "a", {
        "lib/__init__.py": "", "lib/ops.py": "def twice(x):\n    return 2 * x\n",
        "lib/__pycache__/ops.cpython-311.pyc": "junk",
        "ref.py": "from lib.ops import twice\n\ndef f(x):\n    return twice(x)\n",
        "assignment.yaml": "id: t\ntitle: T\nsubmit: {code: hw.py}\nsupport: [lib/]\n"
                           "questions:\n  - {id: q, kind: code, points: 1, function: f, "
                           "reference: 'ref.py:f', cases: [{args: [{normal: [2]}]}]}\n"})
    assignment = load_assignment(folder)
    assert [s.name for s in assignment.support] == ["lib/__init__.py", "lib/ops.py"]
    student = "from lib.ops import twice\n\ndef f(x):\n    return twice(x)\n"
    assert scores(run(folder, write(tmp_path / "s", {"hw.py": student}))) == {"q": 1}


def test_with_several_submitted_files_a_question_names_its_module(tmp_path):
    folder = write(tmp_path / "a", {"ref.py": "def f(x):\n    return x\n", "assignment.yaml": (
        "id: t\ntitle: T\nsubmit: {code: [a.py, b.py]}\nquestions:\n  - id: q\n    kind: code\n"
        "    points: 1\n    function: f\n    reference: ref.py:f\n    cases: [{args: [1.0]}]\n")})
    with pytest.raises(SpecError) as raised:
        load_assignment(folder)
    assert str(raised.value).startswith(f"{folder / 'assignment.yaml'}:8: function: students "
                                        "submit several code files: name the module")
