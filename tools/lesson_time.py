"""How long a lesson takes a learner, estimated from its content, and the time the lesson states.

    .venv/bin/python tools/lesson_time.py                 # every lesson: estimate, stated time, verdict
    .venv/bin/python tools/lesson_time.py notebooks/04a_mse_and_cross_entropy.ipynb

The estimate is deliberately simple, so that a lesson's author can predict it:

* **prose**: the words of the markdown cells, maths left out, read at 120 words per minute (careful
  study of technical prose, well below the 200-250 of ordinary reading);
* **maths**: 30 seconds per displayed equation (``$$...$$`` or an environment), 5 seconds per inline span;
* **code**: 30 seconds per code cell that is not part of an exercise (reading it, running it, reading
  its printed output), plus 1 minute per figure it draws;
* **exercises**: 5 minutes per point (a 1-point warm-up about 5 minutes, a 3-point derivation about 15);
* **demos**: 5 minutes per interactive demo.

Each lesson states its time in its first cell as ``**Estimated time:** about N minutes``;
``tests/test_lesson_time.py`` requires the estimate to be within ``TOLERANCE`` of it. The constants are
a model, not a measurement of learners: change them here, in one place, if learners' timings say otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from nncourse import course

ROOT = Path(__file__).resolve().parents[1]

WORDS_PER_MINUTE = 120
MINUTES_PER_DISPLAY_EQUATION = 0.5
MINUTES_PER_INLINE_MATHS = 5 / 60
MINUTES_PER_CODE_CELL = 0.5
MINUTES_PER_FIGURE = 1.0
MINUTES_PER_POINT = 5.0
MINUTES_PER_DEMO = 5.0
#: The stated time may differ from the estimate by this fraction (but always by 5 minutes).
TOLERANCE = 0.15

STATED = re.compile(r"\*\*Estimated time:?\*\*:?\s*about\s+(\d+)\s+minutes", re.IGNORECASE)
_DISPLAY = re.compile(r"\$\$.*?\$\$|\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.DOTALL)
_INLINE = re.compile(r"(?<![\\$])\$(?!\$)(?:\\.|[^$\\])+?\$")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.\-]*")
_DEMO = re.compile(r"^(\w+\s*=\s*)?[\w.]*_demo\(", re.MULTILINE)


@dataclass
class Estimate:
    words: int
    display_equations: int
    inline_maths: int
    code_cells: int
    figures: int
    points: int
    demos: int

    @property
    def minutes(self) -> float:
        return (self.words / WORDS_PER_MINUTE + self.display_equations * MINUTES_PER_DISPLAY_EQUATION
                + self.inline_maths * MINUTES_PER_INLINE_MATHS + self.code_cells * MINUTES_PER_CODE_CELL
                + self.figures * MINUTES_PER_FIGURE + self.points * MINUTES_PER_POINT
                + self.demos * MINUTES_PER_DEMO)

    def breakdown(self) -> str:
        return (f"{self.words} words, {self.display_equations} displayed + {self.inline_maths} inline maths, "
                f"{self.code_cells} code cells, {self.figures} figures, {self.points} exercise points, "
                f"{self.demos} demos")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _is_figure(cell) -> bool:
    return any("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def estimate(notebook) -> Estimate:
    """Count what a learner reads, runs and solves in ``notebook`` (an nbformat notebook node)."""
    words = display = inline = code = figures = points = demos = 0
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            text = cell.source
            display += len(_DISPLAY.findall(text))
            text = _DISPLAY.sub(" ", text)
            inline += len(_INLINE.findall(text))
            text = _INLINE.sub(" ", text)
            text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)           # an image's alt text is not read
            text = _CODE.sub(lambda m: " x " * len(m.group(0).split()), text)  # code in text: words as written
            words += len(_WORD.findall(text))
        elif cell.cell_type == "code":
            meta = _nbgrader(cell)
            if meta.get("grade"):
                points += int(meta.get("points", 0))
            elif _DEMO.search(cell.source):
                demos += 1
            elif not meta.get("solution") and cell.metadata.get("slideshow", {}).get("slide_type") != "skip":
                code += 1
                figures += _is_figure(cell)
    return Estimate(words, display, inline, code, figures, points, demos)


def stated_minutes(notebook) -> int | None:
    """The time the lesson's first cell states (``**Estimated time:** about N minutes``), or None."""
    first = next((c for c in notebook.cells if c.cell_type == "markdown"), None)
    match = STATED.search(first.source) if first is not None else None
    return int(match.group(1)) if match else None


def agrees(estimated: float, stated: int) -> bool:
    return abs(estimated - stated) <= max(5.0, TOLERANCE * stated)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    paths = parser.parse_args(argv).notebooks or course.lessons(ROOT / "notebooks")
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        found, stated = estimate(notebook), stated_minutes(notebook)
        verdict = "states no time" if stated is None else (
            f"states {stated} min: {'ok' if agrees(found.minutes, stated) else 'DIFFERS'}")
        print(f"{path.stem:<22} estimate {found.minutes:5.0f} min ({found.breakdown()}); {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
