"""`autograder preview`: one self-contained HTML page of every question, its math typeset as
MathML, checked in headless Chromium; and ASSIGNMENT.md, the same content as Markdown."""

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.cli import main
from autograder.kinds.code.view import describe_input
from autograder.preview import question_views, render_markdown
from autograder.spec import load_assignment
from conftest import PROBLEMS

QUIZ, HW6 = PROBLEMS / "nn3-quiz", PROBLEMS / "hw6"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_libraries = pytest.mark.skipif(
    not all(importlib.util.find_spec(name) for name in ("markdown", "latex2mathml")),
    reason="the [preview] extra (markdown, latex2mathml) is not installed")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="no chromium to render the page")

# Appended to a copy of the page in the test only: after layout, it records how the browser laid
# out the math, where --dump-dom shows it. A fraction is typeset when its numerator sits above
# its denominator; a browser that does not know MathML runs them together on one line.
MEASURE = """<script>
window.addEventListener("load", () => {
  const maths = [...document.querySelectorAll("math")];
  const stacked = [...document.querySelectorAll("mfrac")].filter(f =>
    f.children[0].getBoundingClientRect().bottom <= f.children[1].getBoundingClientRect().top + 1);
  const report = document.createElement("pre");
  report.id = "measured";
  report.textContent = JSON.stringify({maths: maths.length,
    laid_out: maths.filter(m => m.getBoundingClientRect().height > 0).length,
    fractions: document.querySelectorAll("mfrac").length, stacked: stacked.length});
  document.body.appendChild(report);
});
</script></body>"""


def preview(assignment, tmp_path, name="preview.html") -> str:
    output = tmp_path / name
    assert main(["preview", str(assignment), "-o", str(output)]) == 0
    return output.read_text(encoding="utf-8")


def chromium(*args, timeout=120):
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", *args], capture_output=True, text=True,
                          timeout=timeout)


def visible_text(dom: str) -> str:
    """The page's text outside math, code and scripts."""
    for tag in ("math", "code", "pre", "script", "style"):
        dom = re.sub(rf"<{tag}\b.*?</{tag}>", " ", dom, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", dom)


@needs_libraries
@pytest.mark.parametrize("assignment", [QUIZ, HW6], ids=["quiz", "hw6"])
def test_the_page_is_self_contained_and_shows_every_question(assignment, tmp_path):
    page = preview(assignment, tmp_path)
    assert not re.search(r"<(script|link|img|iframe)\b|\b(src|href)\s*=|@import|url\(", page)
    loaded = load_assignment(assignment)
    for question in loaded.questions:
        assert f'<section id="{question.id}" class="question kind-{question.kind}">' in page
    assert page.count("<section") == len(loaded.questions)
    assert "results shown at once" in page


@needs_libraries
def test_every_kind_shows_its_own_parts(tmp_path):
    quiz = preview(QUIZ, tmp_path, "quiz.html")
    assert "<b>A.</b> gradients, parameters" in quiz                       # choices
    assert "a number, such as 0.25" in quiz                                  # numeric
    assert "a formula in yhat, y" in quiz                                    # expression
    assert "a formula in x1, x2, w1, w2, y" in quiz                          # derivative
    assert quiz.count("<math") >= 25 and "$" not in visible_text(quiz)
    hw6 = preview(HW6, tmp_path, "hw6.html")
    section = hw6[hw6.index('<section id="softmax"'):hw6.index('<section id="cross-entropy"')]
    assert "def softmax(F):" in section and "Row-wise softmax of logits." in section
    assert "batch size 1: <code>softmax(normal(1×5))</code>" in section
    assert "logits of ±1000: <code>softmax([[1000, -1000, 0], [1000, 1000, -1000]])</code>" \
        in section
    train = hw6[hw6.index('<section id="train"'):hw6.index('<section id="predict"')]
    assert "Also graded on Gradescope: the assignment&#x27;s own check of it." in train


@needs_libraries
@needs_chromium
@pytest.mark.parametrize("assignment", [QUIZ, HW6], ids=["quiz", "hw6"])
def test_chromium_typesets_the_math_and_the_screenshot_is_taken(assignment, tmp_path):
    page = preview(assignment, tmp_path)
    measured = tmp_path / "measured.html"
    measured.write_text(page.replace("</body>", MEASURE), encoding="utf-8")
    done = chromium("--virtual-time-budget=5000", "--dump-dom", measured.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    text = visible_text(dom)
    assert not re.search(r"\$[^$]+\$", text), "raw TeX left in the rendered text"
    report = re.search(r'<pre id="measured">(.*?)</pre>', dom).group(1).replace("&quot;", '"')
    figures = json.loads(report)
    assert figures["maths"] == page.count("<math") and figures["laid_out"] == figures["maths"]
    assert figures["stacked"] == figures["fractions"]
    if assignment == QUIZ:
        assert figures["fractions"] >= 5
    screenshot = tmp_path / f"{assignment.name}.png"
    done = chromium("--window-size=900,2400", f"--screenshot={screenshot}",
                    (tmp_path / "preview.html").as_uri())
    assert done.returncode == 0 and screenshot.stat().st_size > 20_000
    print(f"screenshot: {screenshot}")


@needs_libraries
def test_math_that_cannot_be_typeset_is_a_warning_naming_the_question(tmp_path, capsys):
    folder = tmp_path / "quiz"
    shutil.copytree(QUIZ, folder)
    spec = folder / "assignment.yaml"
    spec.write_text(spec.read_text().replace("when $y = 1$", "when $y^$", 1))
    preview(folder, tmp_path)
    err = capsys.readouterr().err
    assert "warning: question 1 (logistic-derivative): cannot typeset $y^$" in err


def test_without_the_libraries_the_command_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "markdown", None)     # import markdown now fails
    assert main(["preview", str(QUIZ), "-o", str(tmp_path / "p.html")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'markdown>=3.4' 'latex2mathml>=3.75'" in err and "Traceback" not in err


# ---------------------------------------------------------------------------- ASSIGNMENT.md

def sections(markdown: str) -> dict:
    parts = re.split(r"^## (.+)$", markdown, flags=re.MULTILINE)
    return {title: body.strip() for title, body in zip(parts[1::2], parts[2::2])}


@pytest.mark.parametrize("assignment", [QUIZ, HW6], ids=["quiz", "hw6"])
def test_assignment_md_has_the_same_content_and_no_empty_section(assignment, tmp_path):
    archive = tmp_path / "handout.zip"
    assert main(["build", str(assignment), "--student", "-o", str(archive)]) == 0
    loaded = load_assignment(assignment)
    with zipfile.ZipFile(archive) as opened:
        text = opened.read(f"{loaded.id}/ASSIGNMENT.md").decode("utf-8")
    assert text == render_markdown(loaded, placeholders="generic")
    found = sections(text)
    assert len(found) == len(loaded.questions)
    for view, (title, body) in zip(question_views(loaded, "generic"), found.items()):
        assert title.startswith(f"{view.number}. {view.title} ({view.points_text}")
        assert body, title
        for letter, choice in view.choices:
            assert f"- **{letter}.** {choice}" in body
        if view.code is not None:
            assert f"def {view.code.function}(" in body
            assert all(call in body for _, call in view.code.cases)


def test_code_sections_tell_hidden_cases_and_visibility_without_values(tmp_path):
    folder = tmp_path / "hw6"
    shutil.copytree(HW6, folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec = folder / "assignment.yaml"
    text = spec.read_text()
    text = text.replace('      - {name: "batch size 1", args: [{normal: [1, 5]}]}',
                        '      - {name: "batch size 1", visibility: hidden, args: [[[7.25, 3.5]]]}')
    text = text.replace("    function: relu_grad\n",
                        "    function: relu_grad\n    visibility: after_due_date\n")
    spec.write_text(text)
    found = sections(render_markdown(load_assignment(folder), placeholders="generic"))
    softmax = found["7. softmax (1 point)"]
    assert "Also graded on Gradescope: 1 hidden case." in softmax
    assert "7.25" not in softmax and "batch size 1" not in softmax
    relu_grad = found["4. relu-grad (1 point; results shown after the due date)"]
    assert "def relu_grad(z):" in relu_grad and "Public cases" not in relu_grad
    assert "every check runs on Gradescope only" in relu_grad


def test_inputs_are_described_in_a_few_words():
    assert describe_input({"normal": [4, 3], "scale": 3}) == "normal(4×3)·3"
    assert describe_input({"labels": 6, "classes": 4}) == "labels(6, of 4)"
    assert describe_input({"array": [2], "dtype": "int64"}) == "[2] as int64"
    assert describe_input({"uniform": [2], "low": 0, "high": 2}) == "uniform(2, 0..2)"
    assert describe_input({"dict": {"W1": {"normal": [5, 4]}, "b1": {"rng": 3}}}) == \
        "{W1: normal(5×4), b1: default_rng(3)}"
    assert describe_input({"list": [2.3, 1.9]}) == "[2.3, 1.9]"
    assert describe_input([[0.0, 1000.0]]) == "[[0, 1000]]" and describe_input(0.1) == "0.1"


def test_an_assignment_that_extends_another_shows_every_question_with_its_own_prompt():
    """cs231n-drop writes one question and inherits ten: each is shown, the replaced one as
    the child spec writes it (it used to show one question, paired with the wrong entry)."""
    views = question_views(load_assignment(PROBLEMS / "cs231n-drop"))
    base = question_views(load_assignment(PROBLEMS / "cs231n"))
    assert [view.id for view in views] == [view.id for view in base]
    assert [view.prompt for view in views if view.id != "dropout-train-mode"] == \
        [view.prompt for view in base if view.id != "dropout-train-mode"]


def test_a_unittest_file_shows_each_test_once_with_the_prompt_on_the_first():
    views = question_views(load_assignment(PROBLEMS / "hw6-unittest"))
    assert len(views) == 7 and views[0].prompt.startswith("Implement every function")
    assert all(view.prompt == "" for view in views[1:])
    assert views[3].title == "cross_entropy: mean -log p of the true class"
