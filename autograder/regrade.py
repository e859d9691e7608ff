"""`autograder regrade <assignment> <export-dir> -o <out-dir>`: grade a whole class at once.

Reads Gradescope's "Export Submissions" folder (export.py), grades every submission exactly as
`autograder grade` would (same engine, same sandbox, the submitter's identity for variants), and
writes out/<id>/results.json (and analysis.json: each item's answer and diagnosed mistakes, for
the item analysis), then the class's files from those (report.py): gradebooks, changes against
Gradescope's scores, the item analysis, summary.md + summary.json and the pictures.

Speed: submissions are graded by one grader process per core. Each grader forks its sandbox
workers from its own WorkerPool, a pre-warmed interpreter holding nothing but numpy and the
worker's program, so a submission costs its checks, not an interpreter start-up.
Re-runs: each results.json is kept beside a fingerprint of everything its grade depends on (the
assignment folder, the grader's own code and version, the student's files and identity); a
submission whose fingerprint is unchanged is not graded again unless --force.
Robustness: a submission whose grading fails, or whose grader process dies, gets a results.json
with a failing "Autograder setup" test saying so, and the batch goes on.
"""

from __future__ import annotations

import collections
import hashlib
import io
import json
import multiprocessing
import os
import queue
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path

from . import __version__, engine, gradebook, untrusted
from .errors import AutograderError
from .export import ExportedSubmission, read_export
from .results import Report, setup_failure, write_results
from .progress import Progress
from .sandbox.privileges import DEFAULT_USER, numbered_users
from .sandbox.sandbox import protect
from .spec import load_assignment
from .summary import write_report

GRADER_ROOT = Path(__file__).resolve().parent.parent  # holds autograder/ and reference/
RESULTS_FILE = "results.json"
ANALYSIS_FILE = "analysis.json"
FINGERPRINT_FILE = ".fingerprint"
LOG_FILE = "grading.log"
FINGERPRINT_CAP_BYTES = 32 * 1024 * 1024  # above every cap on what grading reads


@dataclass(frozen=True)
class Job:
    """One submission to grade, as sent to a grader process (plain, picklable)."""

    submission_id: str
    folder: str
    student: str
    assignment_dir: str
    out_dir: str
    fingerprint: str


@dataclass(frozen=True)
class Outcome:
    """What the progress display needs to know about one graded submission."""

    score: float
    max_score: float
    seconds: float
    graded: bool = True      # False: grading itself failed (see the results.json)
    skipped: bool = False    # unchanged since the last run
    logged: bool = False     # the grader wrote something to grading.log


# ------------------------------------------------------------------------------ the command

def run(args) -> int:
    """The `regrade` subcommand; AutograderError (a broken spec, no such folder) propagates."""
    summary = regrade(args.assignment, args.export, args.output, force=args.force,
                      jobs=args.jobs)
    print(f"{summary['submissions']} submissions: mean {_number(summary['mean'])}, median "
          f"{_number(summary['median'])} of {_number(summary['max_score'])}; wrote "
          f"{args.output / 'summary.md'}, gradebook.csv, canvas.csv, scores.csv, changes.csv, "
          f"items.csv" + "".join(f", {name}" for name in summary["pictures"]))
    if summary["pictures_missing"]:
        print(summary["pictures_missing"])
    if summary["refused"]:
        print(f"{len(summary['refused'])} folder(s) of the export refused, not graded: "
              f"{', '.join(summary['refused'])} (see the warnings above)")
    if summary["not_graded"]:
        print(f"{len(summary['not_graded'])} could not be graded: "
              f"{', '.join(summary['not_graded'])} (see their {RESULTS_FILE} and {LOG_FILE})")
    print(summary["changes_sentence"])
    return 0


def regrade(assignment_dir: Path | str, export_dir: Path | str, out_dir: Path | str, *,
            force: bool = False, jobs: int | None = None, progress=None) -> dict:
    """Grade every submission of the export into out_dir; returns the summary (summary.json).

    progress: called as progress(done, total, submission, outcome) after each submission;
    default: progress.py's bar on a terminal, one line per submission otherwise (on stderr).
    """
    assignment_dir, export_dir, out_dir = Path(assignment_dir), Path(export_dir), Path(out_dir)
    assignment = load_assignment(assignment_dir)  # a broken spec stops here, before any grading
    if not export_dir.is_dir():
        raise AutograderError(f"{export_dir} is not a folder (expected Gradescope's export)")
    export = read_export(export_dir)
    for warning in export.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    out_dir.mkdir(parents=True, exist_ok=True)
    progress = progress or _default_progress(len(export.submissions))
    total, done = len(export.submissions), 0
    spec_hash = _spec_fingerprint(assignment_dir)
    todo = []
    for submission in export.submissions:
        job = Job(submission.id, str(submission.folder), submission.student, str(assignment_dir),
                  str(out_dir / submission.id),
                  _fingerprint(spec_hash, submission.student, submission.folder))
        if not force and _up_to_date(job):
            done += 1
            progress(done, total, submission, _skipped(job))
        else:
            todo.append(job)
    by_id = {s.id: s for s in export.submissions}
    needs_pool = bool(assignment.code_files)
    if needs_pool:
        protect(assignment_dir, export_dir)  # without a private root: unreadable, or no grading
    workers = _graders(jobs or _cores(), needs_pool and bool(todo))
    for job, outcome in grade_jobs(todo, workers, needs_pool):
        done += 1
        progress(done, total, by_id[job.submission_id], outcome)
    rows = [_row(submission, out_dir / submission.id) for submission in export.submissions]
    # export.refused: submission_* entries that were not graded (links, names outside the export)
    return write_report(out_dir, assignment, rows, refused=list(export.refused))


# ------------------------------------------------------------------------- grading one folder

def grade_folder(assignment_dir: Path | str, folder: Path | str, student: str = "",
                 pool=None) -> Report:
    """What `autograder grade <assignment> <folder> --student <student>` reports, in every case,
    with the spec loaded once per grader process."""
    return engine.grade_folder(assignment_dir, folder, student=student, pool=pool,
                               load=lambda spec_dir, who: _load_spec(Path(spec_dir), who))


_specs: dict = {}  # per grader process: (folder, student) -> Assignment; student "" when no params


def _load_spec(folder: Path, student: str):
    """The assignment for this student, loaded once per process when the spec has no params."""
    shared = _specs.get((folder, ""))
    if shared is None:
        shared = _specs[(folder, "")] = load_assignment(folder)
    if not shared.params or not student:
        return shared
    if (folder, student) not in _specs:
        _specs[(folder, student)] = load_assignment(folder, student=student)
    return _specs[(folder, student)]


# ---------------------------------------------------------------------- grader processes

_pool = None  # this grader process's WorkerPool, when the assignment runs student code
QUEUE_SECONDS = 5  # a queue's items reach other processes through a thread: wait for them


def _start_grader(needs_pool: bool, users) -> None:
    """Runs first in each grader process: the WorkerPool's zygote is a fresh interpreter
    running only the sandbox's program, so it holds nothing of the grader, the spec or any
    submission. It exits when this process does (its socket reads end of file).

    users: a queue of sandbox user names, one taken per grader, so that a submission's
    kill(-1) cannot reach the student code another grader is running at the same time; when
    setup.sh made too few, the rest share the default user (and that protection).
    """
    global _pool
    if needs_pool:
        from .sandbox import WorkerPool
        try:
            user = users.get(timeout=QUEUE_SECONDS)
        except queue.Empty:
            user = "auto"
        _pool = WorkerPool(user=user if os.geteuid() == 0 else "auto")


def _grade_job(job: Job) -> Outcome:
    """Grade one submission in a grader process; write its results.json and fingerprint."""
    started = time.perf_counter()
    log = io.StringIO()
    with redirect_stderr(log):  # anything a library still prints goes there too
        report = grade_folder(job.assignment_dir, job.folder, job.student, pool=_pool)
    text = "".join(line + "\n" for line in report.log) + log.getvalue()
    return _write(job, report, text, time.perf_counter() - started)


def _write(job: Job, report: Report, log: str, seconds: float) -> Outcome:
    out = Path(job.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / FINGERPRINT_FILE).unlink(missing_ok=True)  # never a new fingerprint on old results
    write_results(report, out / RESULTS_FILE)
    _write_json(out / ANALYSIS_FILE, gradebook.analysis_record(report))
    if log:
        (out / LOG_FILE).write_text(log, encoding="utf-8")
    else:
        (out / LOG_FILE).unlink(missing_ok=True)
    broken = any(test.broken for test in report.tests)
    if not broken:  # not graded: no fingerprint, so the next run grades it again
        (out / FINGERPRINT_FILE).write_text(job.fingerprint + "\n", encoding="utf-8")
    return Outcome(report.score, report.max_score, seconds, graded=not broken, logged=bool(log))


def grade_jobs(jobs: list, workers: int, needs_pool: bool, grade=None):
    """Yield (job, Outcome) as each finishes, grading `workers` at a time in grader processes.

    grade: the function a grader process runs on each job (default: _grade_job; a test may pass
    another module-level function that wraps it).

    A grader process that dies breaks its executor and every job in flight in it. Only a few
    are in flight at a time (IN_FLIGHT per grader), so only those become suspects: they are
    graded again one at a time, alone, where the one that kills its grader again is found and
    gets a failing results.json; the rest of the queue goes on in a fresh executor.
    """
    grade = grade or _grade_job
    queue = collections.deque(jobs)
    while queue:
        suspects = []
        with _executor(min(workers, len(queue)), needs_pool) as executor:
            in_flight: dict = {}
            while (queue or in_flight) and not suspects:
                while queue and len(in_flight) < IN_FLIGHT * workers:
                    job = queue.popleft()
                    in_flight[executor.submit(grade, job)] = job
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    job = in_flight.pop(future)
                    try:
                        yield job, future.result()
                    except BrokenProcessPool:
                        suspects.append(job)
                    except Exception as exc:
                        yield job, _failed(job, f"internal error: {exc}")
            for future, job in in_flight.items():  # the executor broke: all of these end now
                try:
                    yield job, future.result()
                except Exception:
                    suspects.append(job)
        yield from _grade_alone(sorted(suspects, key=jobs.index), needs_pool, grade)


IN_FLIGHT = 2  # jobs queued per grader process: keeps each busy, and few at risk if one dies


def _grade_alone(jobs: list, needs_pool: bool, grade):
    """Grade each job by itself in a one-process executor, replaced whenever a job kills it."""
    executor = None
    try:
        for job in jobs:
            executor = executor or _executor(1, needs_pool)
            try:
                outcome = executor.submit(grade, job).result()
            except BrokenProcessPool:
                outcome = _failed(job, "the grading process died while grading this submission")
                executor.shutdown()
                executor = None
            except Exception as exc:
                outcome = _failed(job, f"internal error: {exc}")
            yield job, outcome
    finally:
        if executor:
            executor.shutdown()


def _graders(wanted: int, needs_users: bool) -> int:
    """How many grader processes to run: `wanted`, or as many as there are sandbox users for
    (as root each needs its own, so one submission's kill(-1) or leftovers reach no other)."""
    if not needs_users or os.geteuid() != 0:
        return wanted
    names, created = numbered_users(wanted)
    users = len(names)
    if created:
        print(f"created the sandbox users {', '.join(created)}", file=sys.stderr)
    if users < wanted:
        print(f"warning: only {users} of the {wanted} sandbox users {DEFAULT_USER}-1.. exist or "
              f"could be created; grading {max(users, 1)} submissions at a time", file=sys.stderr)
    return max(users, 1)


def _executor(workers: int, needs_pool: bool) -> ProcessPoolExecutor:
    # fork: a grader starts in milliseconds with the spec already loaded, and, unlike spawn, does
    # not re-run the caller's __main__ (a script calling regrade() needs no __main__ guard).
    # Student code never runs in a grader; its workers come from the WorkerPool's own clean
    # interpreter. With fork, ProcessPoolExecutor starts every grader before its own thread.
    context = multiprocessing.get_context("fork")
    users = context.Queue()
    for name in numbered_users(workers)[0]:
        users.put(name)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_start_grader,
                               initargs=(needs_pool, users))


def _failed(job: Job, message: str) -> Outcome:
    title = Path(job.assignment_dir).name
    try:
        title = _load_spec(Path(job.assignment_dir), "").title
    except Exception:  # the message below is what matters; the title is a courtesy
        pass
    return _write(job, setup_failure(title, message), message + "\n", 0.0)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# ------------------------------------------------------------------------------ re-runs

def _spec_fingerprint(assignment_dir: Path) -> str:
    """Everything a grade depends on apart from the student: the assignment folder's files,
    the grader's version, and its code (which changes more often than its version number)."""
    digest = hashlib.sha256(f"autograder {__version__}\n".encode())
    for root in (assignment_dir, GRADER_ROOT / "autograder", GRADER_ROOT / "reference"):
        _hash_tree(digest, root, only_python=root != assignment_dir)
    return digest.hexdigest()


def _fingerprint(spec_hash: str, student: str, folder: Path) -> str:
    digest = hashlib.sha256(f"{spec_hash}\nstudent {student}\n".encode())
    _hash_submission(digest, folder)
    return digest.hexdigest()


def _hash_submission(digest, folder: Path) -> None:
    """The student's folder, read as grading reads it (untrusted.read_file): a link, FIFO or
    device counts by what it is, never by what it leads to; a file over the cap by its size
    and time, since grading refuses it anyway."""
    for root, folders, files in os.walk(folder):
        folders.sort()
        for name in sorted(files + [f for f in folders if os.path.islink(os.path.join(root, f))]):
            relative = Path(root, name).relative_to(folder).as_posix()
            try:
                data = untrusted.read_file(folder, relative, FINGERPRINT_CAP_BYTES)
            except untrusted.NotAFile as exc:
                data = exc.message.encode()
            except untrusted.FileTooLarge:
                info = os.lstat(Path(root, name))
                data = f"over the cap: {info.st_size} bytes at {info.st_mtime_ns}".encode()
            except (AutograderError, OSError) as exc:
                data = f"unreadable: {exc}".encode()
            digest.update(f"{relative}\0{len(data)}\0".encode())
            digest.update(data)


def _hash_tree(digest, root: Path, only_python: bool = False) -> None:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file() or path.is_symlink():
            continue
        if only_python and path.suffix != ".py":
            continue
        data = path.read_bytes()
        digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)


def _up_to_date(job: Job) -> bool:
    out = Path(job.out_dir)
    try:
        recorded = (out / FINGERPRINT_FILE).read_text(encoding="utf-8").strip()
        gradebook.load_results(out / RESULTS_FILE)
        gradebook.load_results(out / ANALYSIS_FILE)
    except (OSError, ValueError):
        return False
    return recorded == job.fingerprint


def _skipped(job: Job) -> Outcome:
    results = gradebook.load_results(Path(job.out_dir) / RESULTS_FILE)
    max_score = sum(test.get("max_score", 0) for test in results.get("tests", []))
    return Outcome(results.get("score", 0), max_score, 0.0, skipped=True)


def _row(submission: ExportedSubmission, folder: Path) -> gradebook.Row:
    return gradebook.Row(submission.id, submission.joined("name"), submission.joined("email"),
                         submission.joined("sid"), gradebook.load_results(folder / RESULTS_FILE),
                         gradebook.load_results(folder / ANALYSIS_FILE), submission.submitters,
                         submission.score, submission.previous_tests)


def _write_json(path: Path, data: dict) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


# ----------------------------------------------------------------------------- progress

def _default_progress(total: int):
    shown = Progress(total, "submissions")

    def show(done: int, total: int, submission: ExportedSubmission, outcome: Outcome) -> None:
        shown.step(f"{submission.id} {submission.joined('name') or '-'}: {describe(outcome)}",
                   timed=not outcome.skipped)
    return show


def describe(outcome: Outcome) -> str:
    score = f"{_number(outcome.score)}/{_number(outcome.max_score)}"
    if outcome.skipped:
        return f"{score} (unchanged, not regraded)"
    if not outcome.graded:
        return f"NOT GRADED (see its {RESULTS_FILE} and {LOG_FILE})"
    note = f"; see {LOG_FILE}" if outcome.logged else ""
    return f"{score} in {outcome.seconds:.2f} s{note}"


def _number(value) -> str:
    return "-" if value is None else f"{float(value):g}"
