"""Every equation in every lesson typesets.

JupyterLab finds the maths in a markdown cell before rendering the markdown
(``removeMath`` in ``@jupyterlab/rendermime``: ``$...$``, ``$$...$$``,
``\\begin{env}...\\end{env}``, outside code spans and fenced code) and hands
each span to MathJax. A span MathJax cannot parse (an unknown macro such as
``\\pis``) is shown to the learner as red error text, and nothing else
notices: nbval does not look at markdown, and the browser test does not read
maths. This test finds the spans the same way (:func:`math_spans` is a port
of JupyterLab 4's ``removeMath``) and typesets every one with KaTeX,
``throwOnError: true``, in one ``node`` process (``tests/katex/typeset.js``).

KaTeX is pinned in ``tests/katex/package-lock.json``; install it with
``npm ci --prefix tests/katex`` (``.ci/run`` does). Without ``node`` or KaTeX
the tests are skipped with the reason, unless ``NNCOURSE_REQUIRE_KATEX=1`` (as
in CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from nncourse import course

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.lessons(ROOT / "notebooks")
KATEX_DIR = ROOT / "tests" / "katex"
TYPESET_JS = KATEX_DIR / "typeset.js"

# JupyterLab 4's MATHSPLIT: maths delimiters, braces, escaped delimiters and runs of newlines.
_MATHSPLIT = re.compile(r"(\$\$?|\\(?:begin|end)\{[a-z]*\*?\}|\\[{}$]|[{}]|(?:\n\s*)+|@@\d+@@|\\\\[()[\]])",
                        re.IGNORECASE)
_FENCED_CODE = re.compile(r"^(?P<fence>`{3,}|(?:~T){3,})[^`\n]*\n[\s\S]*?^(?P=fence)`*$", re.MULTILINE)
_CODE_SPAN = re.compile(r"(^|[^\\])(`+)([^\n]*?[^`\n])\2(?!`)", re.MULTILINE)


def math_spans(markdown: str) -> list[str]:
    """The maths spans of a markdown cell, delimiters included, exactly as JupyterLab finds them.

    A port of ``removeMath`` (JupyterLab 4.x, ``packages/rendermime/src/latex.ts``): dollar signs
    in code are hidden first; a span opened by ``$``, ``$$``, ``\\\\(``, ``\\\\[`` or ``\\begin{env}``
    ends at its closing delimiter outside braces, and is dropped at a blank line.
    """
    if "`" in markdown or "~~~" in markdown:
        hidden = markdown.replace("~", "~T")
        hidden = _FENCED_CODE.sub(lambda m: m.group(0).replace("$", "~D"), hidden)
        hidden = _CODE_SPAN.sub(lambda m: m.group(0).replace("$", "~D"), hidden)

        def restore(text: str) -> str:
            return re.sub(r"~([TD])", lambda m: "~" if m.group(1) == "T" else "$", text)
    else:
        hidden = markdown

        def restore(text: str) -> str:
            return text

    blocks = _MATHSPLIT.split(hidden.replace("\r\n", "\n").replace("\r", "\n"))
    spans: list[str] = []
    start = end = last = None
    braces = 0

    def take(first: int, final: int) -> None:
        spans.append(restore("".join(blocks[first:final + 1])))
        for k in range(first, final + 1):
            blocks[k] = ""

    i = 1
    while i < len(blocks):
        block = blocks[i]
        if block.startswith("@"):
            pass  # a placeholder from an earlier pass; never in a lesson's source
        elif start is not None:
            if block == end:
                if braces:
                    last = i
                else:
                    take(start, i)
                    start = end = last = None
            elif re.search(r"\n.*\n", block):
                if last is not None:
                    i = last
                    take(start, i)
                start = end = last = None
                braces = 0
            elif block == "{":
                braces += 1
            elif block == "}" and braces:
                braces -= 1
        elif block in ("$", "$$"):
            start, end, braces = i, block, 0
        elif block in ("\\\\(", "\\\\["):
            start, end, braces = i, "\\\\)" if block.endswith("(") else "\\\\]", 0
        elif block[1:6] == "begin":
            start, end, braces = i, "\\end" + block[6:], 0
        i += 2
    if start is not None and last is not None:
        take(start, last)
    return spans


def tex_of(span: str) -> tuple[str, bool]:
    """The TeX inside a span and whether it is displayed, as MathJax reads the delimiters."""
    for opening, closing, display in (("$$", "$$", True), ("\\\\[", "\\\\]", True), ("\\\\(", "\\\\)", False),
                                      ("$", "$", False)):
        if span.startswith(opening) and span.endswith(closing) and len(span) >= len(opening) + len(closing):
            return span[len(opening):len(span) - len(closing)], display
    return span, True  # \begin{env} ... \end{env}: the environment itself is the TeX


def typeset(tex_items: list[tuple[str, bool]]) -> list[dict]:
    """KaTeX's verdict on each (tex, display): a list of {"index", "error"} for the ones that fail."""
    node = shutil.which("node")
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in tex_items])
    done = subprocess.run([node, str(TYPESET_JS)], input=payload, capture_output=True, text=True,
                          cwd=KATEX_DIR, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"node {TYPESET_JS.name} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _missing_katex_reason() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs npm)"
    if not (KATEX_DIR / "node_modules" / "katex" / "package.json").is_file():
        return "KaTeX is not installed (npm ci --prefix tests/katex)"
    return None


def _require_katex():
    """The typesetter, or a skip with the reason (a failure when NNCOURSE_REQUIRE_KATEX=1)."""
    reason = _missing_katex_reason()
    if reason:
        if os.environ.get("NNCOURSE_REQUIRE_KATEX") == "1":
            pytest.fail(f"the typesetting test is required (NNCOURSE_REQUIRE_KATEX=1) but {reason}")
        pytest.skip(reason)
    return typeset


@pytest.fixture(scope="module")
def katex():
    return _require_katex()


def test_without_node_the_test_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("NNCOURSE_REQUIRE_KATEX", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not installed"):
        _require_katex()
    monkeypatch.setenv("NNCOURSE_REQUIRE_KATEX", "1")
    with pytest.raises(pytest.fail.Exception, match="required .* but node is not installed"):
        _require_katex()


def _lesson_spans(path: Path) -> list[tuple[int, str]]:
    """(cell index, span) for every maths span in the lesson's markdown cells."""
    notebook = nbformat.read(path, as_version=4)
    return [(index, span) for index, cell in enumerate(notebook.cells) if cell.cell_type == "markdown"
            for span in math_spans(cell.source)]


# --- the finder, against JupyterLab's own behaviour --------------------------------------------

def test_math_spans_are_found_as_jupyterlab_finds_them():
    assert math_spans("hello, $ \\alpha $, there") == ["$ \\alpha $"]
    assert math_spans("`$foo` and `$bar` are variables") == []
    assert math_spans("code `a $x$ b` then $y$") == ["$y$"]
    assert math_spans("```python\nprice = '$5'\n```\nand $z$") == ["$z$"]
    assert math_spans("$$\na = b \\tag{1}\n$$") == ["$$\na = b \\tag{1}\n$$"]
    assert math_spans("text \\begin{aligned} a &= b \\end{aligned} more") == [
        "\\begin{aligned} a &= b \\end{aligned}"]
    # A dollar inside braces does not close the span; a blank line abandons an unclosed one.
    assert math_spans("$\\text{costs \\$5 or {$}}$") == ["$\\text{costs \\$5 or {$}}$"]
    assert math_spans("costs $5\n\nand more") == []


def test_tex_of_strips_the_delimiters():
    assert tex_of("$x^2$") == ("x^2", False)
    assert tex_of("$$x^2$$") == ("x^2", True)
    assert tex_of("\\begin{cases} a \\end{cases}") == ("\\begin{cases} a \\end{cases}", True)


# --- KaTeX --------------------------------------------------------------------------------------

def test_a_known_bad_equation_is_caught(katex):
    """The error of issue 13: ``\\pis`` for ``\\pi s`` in lesson 04's eq. (4.11)."""
    cell = ("the density is $\\frac{1}{\\sqrt{2\\pis^2}}\\exp(-x)$ and\n\n"
            "$$\\tfrac12\\log(2\\pi s^2) \\tag{4.11}$$")
    spans = math_spans(cell)
    failures = katex([tex_of(span) for span in spans])
    assert [f["index"] for f in failures] == [0], failures
    assert "Undefined control sequence: \\pis" in failures[0]["error"]


def test_katex_accepts_what_the_lessons_rely_on(katex):
    good = ["\\lVert x\\rVert_2", "\\operatorname{softmax}(z)_k", "\\begin{pmatrix}1 & 2\\end{pmatrix}",
            "\\tfrac12", "\\underbrace{W_1W_2}_{W}", "\\mathcal N(0, 1)"]
    assert katex([(tex, False) for tex in good]) == []
    assert katex([("a = b \\tag{1.1}", True), ("\\begin{aligned} a &= b\\\\ c &= d \\end{aligned}", True)]) == []


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_equation_in_the_lesson_typesets(katex, path):
    spans = _lesson_spans(path)
    assert spans, f"{path.name}: no maths found (is the finder broken?)"
    failures = katex([tex_of(span) for _, span in spans])
    report = [f"cell {spans[f['index']][0]}: {spans[f['index']][1][:200]!r}\n    {f['error']}" for f in failures]
    assert not report, f"{path.name}: {len(report)} equation(s) do not typeset:\n" + "\n".join(report)
