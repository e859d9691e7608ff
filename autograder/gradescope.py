"""`autograder build --gradescope`: the zip to upload to Gradescope, and what it needs at run time.

The zip holds `setup.sh` and `run_autograder` at its root, beside the grader's source (the
`autograder` and `reference` packages and the assignment's folder). Gradescope unzips it into
/autograder/source, runs setup.sh once as root to build the image, then run_autograder once per
submission, as root (shared/docs/gradescope.md).

Who can read what. Student code runs as the unprivileged user setup.sh creates; the source folder
is made root-only (chmod 700), so that user cannot read the spec, the answer keys, the reference
or the solution. That is also why the grader is run from the source folder with `python3 -m` and
never pip-installed: site-packages is readable by everyone.

Every path is under $AUTOGRADER_ROOT (default /autograder), so the tests can run the built zip
in a folder of their own; AUTOGRADER_SETUP_MODE=test makes setup.sh skip what needs a real image
(apt, pip, creating the user).
"""

from __future__ import annotations

import json
import shlex
import zipfile
from pathlib import Path

from .errors import AutograderError, SubmissionError
from .spec import load_assignment, student_identity

REPOSITORY = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "reference")
SANDBOX_USER = "autograder-student"
# Gradescope stops a submission at 10 minutes by default; stopping ourselves earlier leaves
# time to write a results.json that says so, instead of Gradescope's bare failure.
GRADING_TIMEOUT_SECONDS = 540

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the image (Ubuntu 22.04, python3.10).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
SANDBOX_USER="${{AUTOGRADER_SANDBOX_USER:-{user}}}"

if [ "${{AUTOGRADER_SETUP_MODE:-}}" != test ]; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq python3-pip
    fi
    # Into the system python3 that run_autograder uses; not the grader itself, which stays in
    # the root-only source folder.
    pip3 install --quiet "numpy>=1.21" "pyyaml>=5.4"
    if ! id "$SANDBOX_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$SANDBOX_USER"
    fi
    (cd "$SOURCE" && python3 -m autograder.sandbox.prepare "$SANDBOX_USER")
fi

# Each submission runs in a fresh container of this image, so bytecode a run writes is lost
# with it; compiled here, once, it saves every run compiling the grader (about 20 ms).
python3 -m compileall -q "$SOURCE" >/dev/null || true

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


def build_zip(assignment_folder: Path | str, output: Path | str) -> list:
    """Write the Gradescope zip for the assignment; return the names it holds.

    The spec must load (SpecError otherwise): an assignment that cannot grade is not uploaded.
    """
    folder = Path(assignment_folder)
    load_assignment(folder)
    inside = f"problems/{folder.resolve().name}"
    files = {
        "setup.sh": SETUP_SH.format(user=SANDBOX_USER, assignment=shlex.quote(inside)),
        "run_autograder": RUN_AUTOGRADER.format(timeout=GRADING_TIMEOUT_SECONDS,
                                                assignment=shlex.quote(inside)),
    }
    sources = {f"{package}/{path.relative_to(REPOSITORY / package).as_posix()}": path
               for package in PACKAGES for path in _files(REPOSITORY / package)}
    sources.update({f"{inside}/{path.relative_to(folder).as_posix()}": path
                    for path in _files(folder)})
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            _write(archive, name, text.encode("utf-8"), executable=True)
        for name, path in sorted(sources.items()):
            _write(archive, name, path.read_bytes(), executable=False)
    return sorted([*files, *sources])


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


def student_from_metadata(path: Path | str) -> str:
    """The identity that seeds a student's variant (spec.student_identity), from Gradescope's
    submission_metadata.json; the user id stands in where no email is given."""
    path = Path(path)
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SubmissionError(f"{path} was not found: cannot tell whose submission this is") \
            from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SubmissionError(f"{path} cannot be read ({exc})") from None
    users = metadata.get("users") if isinstance(metadata, dict) else None
    if not isinstance(users, list):
        raise SubmissionError(f"{path} lists no users: cannot tell whose submission this is")
    student = student_identity([user for user in users if isinstance(user, dict)], "id")
    if not student:
        raise SubmissionError(f"{path}: no user has an email or id")
    return student
