"""Lecture mode: every lesson cell carries slide metadata and every lesson exports as a reveal.js deck."""

import importlib.util
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from nncourse import course

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.lessons(ROOT / "notebooks")
# nbconvert's slide types: "-" continues the current slide, "notes" becomes speaker notes.
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}


def _load_slides_tool():
    spec = importlib.util.spec_from_file_location("slides_tool", ROOT / "tools" / "slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slides = _load_slides_tool()


class _Sections(HTMLParser):
    """Counts reveal.js <section> elements: top level (slides) and one level down (subslides)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.counts = {1: 0, 2: 0}

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.depth += 1
            if self.depth in self.counts:
                self.counts[self.depth] += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


def _slide_types(notebook: Path, deck: bool = False) -> list[str]:
    cells = (slides.deck_notebook(notebook) if deck else nbformat.read(notebook, as_version=4)).cells
    return [cell.metadata.get("slideshow", {}).get("slide_type") for cell in cells]


def test_there_are_lessons_to_present():
    assert LESSONS, "no lesson notebooks found in notebooks/"


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_cell_has_slide_metadata_and_the_deck_opens_on_a_slide(notebook):
    types = _slide_types(notebook)
    wrong = [(index, slide_type) for index, slide_type in enumerate(types) if slide_type not in SLIDE_TYPES]
    assert not wrong, f"cells (index, slide_type) without a valid metadata.slideshow.slide_type: {wrong}"
    assert types[0] == "slide", f"the first cell should start a slide, it is {types[0]!r}"


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.stem for path in LESSONS])
def test_lesson_exports_as_a_deck_with_one_section_per_slide_using_local_libraries(notebook, tmp_path):
    deck = slides.export(notebook, tmp_path, vendor="vendor")
    html = deck.read_text(encoding="utf-8")
    types = _slide_types(notebook, deck=True)
    sections = _Sections()
    sections.feed(html)
    assert sections.counts[1] == types.count("slide")
    assert sections.counts[2] == types.count("slide") + types.count("subslide")
    for local in ("vendor/reveal.js/dist/reveal.js", "vendor/requirejs/require.js", "vendor/jquery/dist/jquery.min.js",
                  "vendor/mathjax/MathJax.js"):
        assert local in html, f"{local} not referenced"
    for cdn in ("unpkg.com/reveal.js", "cdnjs.cloudflare.com/ajax/libs/require.js",
                "cdnjs.cloudflare.com/ajax/libs/mathjax", "cdnjs.cloudflare.com/ajax/libs/jquery"):
        assert cdn not in html, f"the deck still loads {cdn}"


def test_a_deck_without_local_libraries_points_at_the_cdn(tmp_path):
    if not LESSONS:
        pytest.skip("no lessons yet")
    deck = slides.export(LESSONS[0], tmp_path)
    assert "https://unpkg.com/reveal.js" in deck.read_text(encoding="utf-8")


def test_copy_assets_copies_the_four_libraries_and_names_what_is_missing(tmp_path):
    node_modules = tmp_path / "node_modules"
    files = ["reveal.js/dist/reveal.js", "requirejs/require.js", "jquery/dist/jquery.min.js", "mathjax/MathJax.js"]
    for relative in files[:-1]:
        (node_modules / relative).parent.mkdir(parents=True, exist_ok=True)
        (node_modules / relative).write_text("// library")
    with pytest.raises(SystemExit, match=r"mathjax/MathJax.js[\s\S]*npm install"):
        slides.copy_assets(node_modules, tmp_path / "out")
    (node_modules / files[-1]).parent.mkdir(parents=True)
    (node_modules / files[-1]).write_text("// library")
    assert slides.copy_assets(node_modules, tmp_path / "out") == "vendor"
    for relative in files:
        assert (tmp_path / "out" / "vendor" / relative).read_text() == "// library"


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.stem for path in LESSONS])
def test_every_demo_shows_its_first_frame_as_a_still_in_the_deck(notebook):
    nb = nbformat.read(notebook, as_version=4)
    demo_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "_demo()" in c.source]
    stills = slides.with_demo_stills(nb)
    for i in demo_cells:
        (output,) = stills.cells[i].outputs
        assert output.output_type == "display_data"  # no Out[..]: prompt
        assert output.data["image/png"].startswith("iVBORw0KGgo")  # a PNG, base64


def test_the_opening_is_split_so_that_the_title_slide_fits():
    lesson = next(p for p in LESSONS if p.stem == "02a_activation_functions")
    original, deck = nbformat.read(lesson, as_version=4), slides.deck_notebook(lesson)
    assert "Learning objectives" in original.cells[0].source
    assert "Learning objectives" not in deck.cells[0].source and deck.cells[0].source.startswith("# Lesson 2")
    assert deck.cells[1].source.startswith("**Learning objectives.**")
    assert [c.metadata["slideshow"]["slide_type"] for c in deck.cells[:3]] == ["slide", "subslide", "subslide"]
    assert len(deck.cells) == len(original.cells) + 1
