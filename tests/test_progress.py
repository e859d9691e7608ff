"""progress.py: a bar with count, rate and time left on a terminal; plain lines elsewhere.
Time comes from a fake clock, so nothing here depends on how fast the machine is."""

import io

from autograder.progress import PLAIN_SECONDS, Progress


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_one_bar_redrawn_with_count_rate_and_time_left():
    clock, out = Clock(), Terminal()
    progress = Progress(4, "submissions", stream=out, clock=clock)
    clock.now += 2
    progress.step("ignored on a terminal")
    clock.now += 2
    progress.step()
    frames = out.getvalue().split("\r")[1:]
    assert frames[0].startswith("[" + "#" * 8 + "." * 22 + "] 1/4 submissions, 0.5/s, ~6 s left")
    assert frames[1].startswith("[" + "#" * 15 + "." * 15 + "] 2/4 submissions, 0.5/s, ~4 s left")
    assert "\n" not in out.getvalue() and "ignored" not in out.getvalue()
    clock.now += 200
    progress.step()
    progress.step()
    assert out.getvalue().endswith("] 4/4 submissions, 0.0196/s, done in 3 min 24 s\n")


def test_plain_lines_name_each_step_when_told_what_it_was():
    clock, out = Clock(), io.StringIO()
    progress = Progress(3, "submissions", stream=out, clock=clock)
    clock.now += 1
    progress.step("7 Ada: 3/5 in 0.50 s")
    progress.step("8 Bob: 5/5 (unchanged, not regraded)", timed=False)
    clock.now += 1
    progress.step("9 Eve: 0/5 in 0.40 s")
    assert out.getvalue().splitlines() == [
        "[1/3] 7 Ada: 3/5 in 0.50 s (1/s, ~2 s left)",
        "[2/3] 8 Bob: 5/5 (unchanged, not regraded) (1/s, ~1 s left)",  # a skip is not work
        "[3/3] 9 Eve: 0/5 in 0.40 s (1/s, done in 2 s)"]


def test_plain_lines_are_periodic_without_details():
    clock, out = Clock(), io.StringIO()
    progress = Progress(10, "gradings", stream=out, clock=clock)
    for _ in range(9):
        clock.now += PLAIN_SECONDS / 3
        progress.step()
    progress.step()
    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "3/10 gradings", "6/10 gradings", "9/10 gradings", "10/10 gradings"]
    assert lines[-1].endswith("done in 15 s")
