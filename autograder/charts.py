"""The regrade report's pictures, drawn with matplotlib (the optional extra `[report]`).

histogram.png  total scores of the class: one bar per bin of whole points (summary.histogram),
               counts of submissions on an integer axis
items.png      mean score of each item as a fraction of its points, sorted, worst at the top

matplotlib is imported only here, and only when the pictures are drawn; without it every other
file of the report is written and summary.md says in one line how to get the pictures.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

HISTOGRAM = "histogram.png"
ITEMS = "items.png"
MISSING = ("no pictures: histogram.png and items.png need matplotlib "
           "(pip install 'nn-autograder[report]', or ./setup.sh --report)")
DPI = 100


def available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def draw(folder: Path, summary: dict) -> list:
    """Draw both pictures into folder; the names written ([] without matplotlib or without
    submissions)."""
    if not summary["submissions"] or not available():
        return []
    import matplotlib
    matplotlib.use("Agg")  # files only, never a window
    from matplotlib import pyplot
    from matplotlib.ticker import MaxNLocator

    _histogram(pyplot, MaxNLocator, summary, folder / HISTOGRAM)
    _items(pyplot, summary, folder / ITEMS)
    return [HISTOGRAM, ITEMS]


def _histogram(pyplot, MaxNLocator, summary: dict, path: Path) -> None:
    bins = summary["histogram"]
    figure, axes = pyplot.subplots(figsize=(7, 3.8))
    axes.bar([b["low"] for b in bins], [b["count"] for b in bins],
             width=[b["high"] - b["low"] for b in bins], align="edge", edgecolor="black",
             color="#4C72B0")
    axes.set_xlim(bins[0]["low"], bins[-1]["high"])
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=min(len(bins) + 1, 16)))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(f"total score out of {summary['max_score']:g} (bars {_bin_width(bins)} "
                    "wide; the last one is full marks)")
    axes.set_ylabel("submissions")
    _title(axes, f"{summary['title']}: {summary['submissions']} submissions")
    _save(pyplot, figure, path)


def _items(pyplot, summary: dict, path: Path) -> None:
    items = sorted((item for item in summary["items"] if item["mean"] is not None),
                   key=lambda item: (-item["mean"] / item["points"] if item["points"] else 0))
    fractions = [item["mean"] / item["points"] if item["points"] else 1.0 for item in items]
    figure, axes = pyplot.subplots(figsize=(7, 1.2 + 0.28 * max(len(items), 1)))
    positions = range(len(items))
    axes.barh(positions, fractions, color="#4C72B0", edgecolor="black")
    axes.set_yticks(list(positions), [item["id"] for item in items], fontsize=8)
    for position, fraction in zip(positions, fractions):
        axes.text(min(fraction, 1.0) + 0.01, position, f"{fraction:.0%}", va="center",
                  fontsize=7)
    axes.set_xlim(0, 1.1)
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
    axes.set_xlabel("mean score, as a share of the item's points")
    _title(axes, f"{summary['title']}: mean score per item")
    _save(pyplot, figure, path)


def _title(axes, text: str) -> None:
    """A title that fits the figure: long assignment titles wrap onto a second line."""
    axes.set_title(textwrap.fill(text, 70), fontsize=11)


def _bin_width(bins: list) -> str:
    width = bins[0]["high"] - bins[0]["low"]
    return "1 point" if width == 1 else f"{width:g} points"


def _save(pyplot, figure, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    pyplot.close(figure)
