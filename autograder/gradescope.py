"""`autograder build --gradescope`: the zip to upload to Gradescope, and what it needs at run time.

The zip holds `setup.sh` and `run_autograder` at its root, beside the grader's source (the
`autograder` and `reference` packages and the assignment's folder). Gradescope unzips it into
/autograder/source, runs setup.sh once as root to build the image, then run_autograder once per
submission, as root (shared/docs/gradescope.md).

Who can read what. Student code runs as the unprivileged user setup.sh creates; the source folder
is made root-only (chmod 700), so that user cannot read the spec, the answer keys, the reference
or the solution. That is also why the grader is run from the source folder with `python3 -m` and
never pip-installed: site-packages is readable by everyone.

What goes in. The assignment's folder whole, the folder of every spec it extends, and every file
a spec names outside them (a reference or check `file.py`, with the modules beside it, which it
may import; support files). They keep their places relative to one another under problems/, so
every relative name in the specs resolves in the zip as it does here; a `module:function` that
Gradescope's image could not import is refused at its key.

The zip proves itself. Unless told not to, build unpacks it into a folder laid out like
Gradescope's (<root>/source, <root>/submission, <root>/results), runs its setup.sh and
run_autograder on the solution (solution/, with the answer key synthesized for the variant of the
student in the metadata it writes), and writes the zip only if the solution gets full marks.

Every path is under $AUTOGRADER_ROOT (default /autograder), so the tests and the verification can
run the built zip in a folder of their own; AUTOGRADER_SETUP_MODE=test makes setup.sh skip what
needs a real image (apt, pip, creating the user).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

from .errors import AutograderError, SpecError
from .kinds.code.kind import SECRET_FILE, new_secret
from .spec import load_assignment, student_identity
from .yamlio import Node, load_spec_file

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "reference")
SANDBOX_USER = "autograder-student"
# Gradescope stops a submission at 10 minutes by default; stopping ourselves earlier leaves
# time to write a results.json that says so, instead of Gradescope's bare failure.
GRADING_TIMEOUT_SECONDS = 540
# What a `module:function` in a spec may name: the grader's packages (in the zip), what setup.sh
# installs on the image (numpy, pyyaml) and the standard library.
IMPORTABLE_ON_GRADESCOPE = {*PACKAGES, "numpy", "yaml", *sys.stdlib_module_names}
# Whose variant the verification grades (params): a name no real student has.
VERIFIER = {"email": "build-verification@autograder.invalid", "id": 0, "name": "build"}

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the image (Ubuntu 22.04, python3.10).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
SANDBOX_USER="${{AUTOGRADER_SANDBOX_USER:-{user}}}"
PYTHON="${{AUTOGRADER_PYTHON:-python3}}"   # the interpreter run_autograder grades with

if [ "${{AUTOGRADER_SETUP_MODE:-}}" != test ]; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq python3-pip
    fi
    # Into the system python3 that run_autograder uses; not the grader itself, which stays in
    # the root-only source folder. gradescope-utils: what a `kind: unittest` file imports.
    pip3 install --quiet "numpy>=1.21" "pyyaml>=5.4" "gradescope-utils>=0.5"
    if ! id "$SANDBOX_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$SANDBOX_USER"
    fi
    (cd "$SOURCE" && python3 -m autograder.sandbox.prepare "$SANDBOX_USER")
fi

# Each submission runs in a fresh container of this image, so bytecode a run writes is lost
# with it; compiled here, once, it saves every run compiling the grader (about 20 ms).
"$PYTHON" -m compileall -q "$SOURCE" >/dev/null || true
# The specs too (autograder/yamlio.py): every run then reads their parsed form, never PyYAML.
# Only speed depends on it: a spec not parsed here is parsed by every run.
(cd "$SOURCE" && PYTHONDONTWRITEBYTECODE= "$PYTHON" -c \
    'import sys; from autograder.spec import load_assignment; load_assignment(sys.argv[1])' \
    {assignment}) >/dev/null \
    || echo "setup.sh: the specs could not be parsed ahead; every run will parse them" >&2

# The student's user must not read the spec, the keys, the reference or the solution.
chmod -R go-rwx "$SOURCE"
chmod u+x "$SOURCE/run_autograder"   # in case the upload lost the mode
echo "setup.sh: autograder for {assignment} is ready"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this once per submission, as root, in a fresh container. Whatever happens, it
# leaves a valid results.json: the grader writes one even when grading fails, and if the grader
# itself cannot run (or runs out of time) this script writes one that says so.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-python3}}"
RESULTS="$ROOT/results/results.json"
METADATA="$ROOT/submission_metadata.json"

mkdir -p "$ROOT/results"
rm -f "$RESULTS"
chmod 600 "$METADATA" 2>/dev/null   # other students' names and scores are in there
status=0
if cd "$ROOT/source"; then
    timeout --kill-after=10 "${{AUTOGRADER_TIMEOUT:-{timeout}}}" "$PYTHON" -m autograder grade \\
        {assignment} "$ROOT/submission" --results "$RESULTS" --metadata "$METADATA" \\
        || status=$?
else
    status=127
fi
if [ ! -s "$RESULTS" ]; then
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        why="Grading took longer than the time limit and was stopped."
    else
        why="The autograder could not run (exit status $status)."
    fi
    cat > "$RESULTS" <<EOF
{{"score": 0, "output": "$why Your submission was received; your instructor will grade it.",
 "tests": [{{"name": "Autograder", "score": 0, "max_score": 0, "status": "failed",
            "output": "$why Your instructor has the details."}}]}}
EOF
fi
exit 0
"""


def build_zip(assignment_folder: Path | str, output: Path | str, *, verify: bool = True) -> list:
    """Write the Gradescope zip for the assignment; return the names it holds.

    The spec must load and every file it names must be packable (SpecError otherwise): an
    assignment that cannot grade is not uploaded. verify: first run the zip on the solution as
    Gradescope would (verify_zip); the zip is written only if the solution gets full marks.
    """
    folder = Path(assignment_folder)
    inside, course = course_files(load_assignment(folder))
    files = {
        "setup.sh": SETUP_SH.format(user=SANDBOX_USER, assignment=shlex.quote(inside)),
        "run_autograder": RUN_AUTOGRADER.format(timeout=GRADING_TIMEOUT_SECONDS,
                                                assignment=shlex.quote(inside)),
    }
    sources = {f"{package}/{path.relative_to(REPOSITORY / package).as_posix()}": path
               for package in PACKAGES for path in _files(REPOSITORY / package)}
    sources.update(course)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    unproven = output.with_name(f".{output.name}.unverified")
    try:
        with zipfile.ZipFile(unproven, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in files.items():
                _write(archive, name, text.encode("utf-8"), executable=True)
            for name, path in sorted(sources.items()):
                _write(archive, name, path.read_bytes(), executable=False)
            if f"{inside}/{SECRET_FILE}" not in sources:
                # Only in the zip: the handout never has it (instructor guide, section 6).
                _write(archive, f"{inside}/{SECRET_FILE}", new_secret().encode(),
                       executable=False)
        if verify:
            verify_zip(unproven, folder)
        if output.exists() and not output.is_file():   # /dev/null, a pipe: never replaced
            output.write_bytes(unproven.read_bytes())
        else:
            os.replace(unproven, output)
    finally:
        unproven.unlink(missing_ok=True)
    return sorted([*files, *sources])


def course_files(assignment) -> tuple:
    """(the assignment's folder in the zip, {name in the zip: file}) for everything the
    assignment's specs need (the module docstring says what goes in)."""
    folder = assignment.folder.resolve()
    spec_folders = [Path(spec).resolve().parent for spec in assignment.spec_files] or [folder]
    paths = {path.resolve() for spec_folder in spec_folders for path in _files(spec_folder)}
    # Support files are shipped and importable in the grader too (cs231n.layers:f, say).
    importable = IMPORTABLE_ON_GRADESCOPE | {Path(support.name).parts[0].removesuffix(".py")
                                             for support in assignment.support}
    for question in assignment.questions:
        for target, where in _named_modules(question):
            module = target.partition(":")[0]
            if module.endswith(".py"):
                path = (Path(question.file).parent / module).resolve()
                if path.is_file() and not any(path.is_relative_to(f) for f in spec_folders):
                    paths.add(path)
                    paths.update(beside.resolve() for beside in path.parent.glob("*.py")
                                 if beside.is_file())
            elif module.split(".")[0] not in importable:
                raise SpecError(f"module '{module}' is not in the Gradescope zip and would not "
                                f"import there (only {', '.join(PACKAGES)}, the support files, "
                                f"numpy, yaml and the standard library do): name a file "
                                f"instead, such as "
                                f"{module.rpartition('.')[2]}.py:{target.partition(':')[2]}",
                                file=where.file, line=where.line, key=where.key)
    paths.update(Path(support.path).resolve() for support in assignment.support)
    common = Path(os.path.commonpath([folder, *(path.parent for path in paths)]))
    # A course's own problems/ folder (this repository's, say) is the zip's problems/.
    top = "problems" if common.name == "problems" else f"problems/{common.name or 'course'}"
    inside = "/".join(filter(None, [top, folder.relative_to(common).as_posix().strip(".")]))
    return inside, {f"{top}/{path.relative_to(common).as_posix()}": path for path in paths}


def _named_modules(question) -> list:
    """(target, where) for each `reference:` and `check:` a code question names, in its steps
    too; where: a SpecError at that key, for the message if the target cannot be shipped."""
    found = []

    def walk(value):
        if isinstance(value, Node):
            for key, item in value.items():
                if key in ("reference", "check") and isinstance(item, str):
                    found.append((item, value.error(key, "")))
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(_question_node(question))
    return found


def _question_node(question) -> Node:
    """The question's mapping as its spec file has it (lines and all)."""
    root = load_spec_file(Path(question.file))
    questions = root.get("questions") if isinstance(root, Node) else None
    return next((node for node in questions or [] if isinstance(node, Node)
                 and str(node.get("id")) == question.id), Node(file=question.file))


def verify_zip(archive: Path | str, assignment_folder: Path | str) -> str:
    """Grade the assignment's solution with the zip as Gradescope runs it, in a temporary root
    laid out like Gradescope's; AutograderError unless it gets full marks. Returns what it saw.
    """
    from .validate import SOLUTION_DIR  # only `build` needs validate's modules

    folder = Path(assignment_folder)
    with tempfile.TemporaryDirectory(prefix="autograder-verify-") as scratch:
        os.chmod(scratch, 0o755)   # as / is on Gradescope: the sandbox user may traverse it
        root = Path(scratch) / "autograder"
        source = unpack(archive, root / "source")
        # The zip's own code, not this checkout's: no PYTHONPATH and the like.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
        env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_SETUP_MODE="test",
                   AUTOGRADER_PYTHON=sys.executable)
        setup = subprocess.run(["bash", str(source / "setup.sh")], env=env, cwd=source,
                               capture_output=True, text=True, timeout=600)
        if setup.returncode != 0:
            raise AutograderError(f"the zip does not work: its setup.sh failed: "
                                  f"{_last_line(setup.stderr)}")
        variant = load_assignment(folder, student=student_identity([VERIFIER], "id"))
        _write_solution(variant, root / "submission")
        (root / "submission_metadata.json").write_text(json.dumps({"users": [VERIFIER]}))
        run = subprocess.run([str(source / "run_autograder")], env=env, cwd=root,
                             capture_output=True, text=True, timeout=GRADING_TIMEOUT_SECONDS + 60)
        results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    tests = results.get("tests", [])
    lost = [test for test in tests if test.get("status") != "passed"]
    total = variant.total_points
    if lost or results.get("score") != total:
        details = "; ".join(f"{test.get('name')}: {_last_line(test.get('output', ''), first=True)}"
                            for test in lost[:5])
        stderr = _last_line(run.stderr)
        raise AutograderError(
            f"the zip does not grade the solution right: through its run_autograder, "
            f"{folder / SOLUTION_DIR} scores {results.get('score', 0):g} / {total:g}"
            + (f" ({details})" if details else "") + (f"; stderr: {stderr}" if stderr else "")
            + ". The zip was not written (--no-verify writes it anyway).")
    return f"the solution scores {total:g} / {total:g} through the zip's run_autograder"


def _write_solution(variant, submission: Path) -> None:
    """The solution as a student would submit it: validate's key, that is the solution's code
    files (solution/, or the extended spec's) and the answer key of this variant (the spec's
    answers and solution/answers.yaml, params filled in)."""
    from .validate import load_key_file, solution_files, synthesize_key

    submission.mkdir(parents=True)
    for name, data in solution_files(variant).items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_bytes(data)
    key = synthesize_key(variant, load_key_file(variant.folder))
    if key:
        (submission / variant.answers_file).write_text(yaml.safe_dump(key, allow_unicode=True),
                                                       encoding="utf-8")


def unpack(archive: Path | str, source: Path) -> Path:
    """Unzip as Gradescope does, into its source folder, keeping the files' modes."""
    with zipfile.ZipFile(archive) as opened:
        for info in opened.infolist():
            opened.extract(info, source)
            mode = info.external_attr >> 16
            if mode:
                (source / info.filename).chmod(mode)
    return source


def _last_line(text: str, first: bool = False) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    line = (lines[0] if first else lines[-1]) if lines else ""
    return line if len(line) <= 300 else line[:299] + "…"


def _files(folder: Path) -> list:
    """Every file under folder worth shipping: no caches, no editor or VCS leftovers."""
    if not folder.is_dir():
        raise AutograderError(f"{folder} is not a folder")
    return sorted(path for path in folder.rglob("*")
                  if path.is_file() and not any(part == "__pycache__" or part.startswith(".")
                                                for part in path.relative_to(folder).parts)
                  and path.suffix not in {".pyc", ".zip"})


def _write(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
