"""Progress of a long command, on stderr: how far, how fast, and how long is left.

On a terminal, one bar redrawn in place: `[######......] 12/40 submissions  3.1/s  ~9 s left`.
Elsewhere (a CI log, a file) nothing can be redrawn, so plain lines: one per step when the
caller says what the step was (regrade names each submission and its score), otherwise one every
PLAIN_SECONDS and one at the end.

The rate counts only timed steps: a step that took no work (a submission unchanged since the
last regrade) advances the count without making the rest look faster than it will be.
"""

from __future__ import annotations

import sys
import time

PLAIN_SECONDS = 5.0
BAR_WIDTH = 30


class Progress:
    def __init__(self, total: int, noun: str, *, stream=None, clock=time.monotonic):
        self.total, self.noun = total, noun
        self.stream = stream or sys.stderr
        self.clock = clock
        self.terminal = _is_terminal(self.stream)
        self.started = clock()
        self.done = self.timed = 0
        self.last_line = self.started
        self.drawn = 0  # characters of the bar on the terminal's line

    def step(self, detail: str = "", *, timed: bool = True) -> None:
        """One more step done; detail: what it was (a plain line of its own off a terminal)."""
        self.done += 1
        self.timed += timed
        now = self.clock()
        if self.terminal:
            filled = round(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.status(now)}"
            # spaces over what a longer line before left behind
            self.stream.write("\r" + bar.ljust(self.drawn) + ("\n" if self.done >= self.total
                                                              else ""))
            self.drawn = len(bar)
        elif detail:
            self.stream.write(f"[{self.done}/{self.total}] {detail} ({self.pace(now)})\n")
        elif self.done >= self.total or now - self.last_line >= PLAIN_SECONDS:
            self.stream.write(f"{self.status(now)}\n")
            self.last_line = now
        self.stream.flush()

    def status(self, now: float) -> str:
        """`12/40 submissions, 3.1/s, ~9 s left` (or `in 12 s` once done)."""
        return f"{self.done}/{self.total} {self.noun}, {self.pace(now)}"

    def pace(self, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = self.timed / elapsed
        if self.done >= self.total:
            return f"{rate:.3g}/s, done in {_duration(elapsed)}"
        if not self.timed:
            return "time left unknown yet"
        return f"{rate:.3g}/s, ~{_duration((self.total - self.done) / rate)} left"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s"


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
