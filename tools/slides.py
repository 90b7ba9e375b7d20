"""Export lessons as reveal.js slide decks, with their libraries beside them for offline use.

    python tools/slides.py notebooks/02a_activation_functions.ipynb  # -> build/slides/02a_activation_functions.slides.html
    python tools/slides.py notebooks/*.ipynb --assets /path/to/node_modules

Each cell's ``metadata.slideshow.slide_type`` decides where it goes ("slide",
"subslide", "fragment", "-" continues the current slide, "skip" leaves it out,
"notes" becomes speaker notes). Images in markdown are embedded in the file.

nbconvert's slides load reveal.js, require.js, jQuery and MathJax from public
CDNs. With ``--assets DIR`` (a ``node_modules`` folder holding ``reveal.js`` 4.x,
``requirejs``, ``jquery`` 2.x and ``mathjax`` 2.7.x, made once with
``npm install --prefix SOMEWHERE reveal.js@4.0.2 requirejs@2.3.7 jquery@2.2.4 mathjax@2.7.9``)
those four are copied next to the decks (``build/slides/vendor/``) and the
decks point at the copies, so the folder works offline and can be carried to a
lecture hall on a USB stick. Widgets are not live in an exported deck (there is
no kernel): each demo shows its first frame as a still picture instead; present
the notebook itself in JupyterLab for the live demo.
"""

from __future__ import annotations

import argparse
import base64
import re
import shutil
import sys
from pathlib import Path

import nbformat

# The libraries an exported deck loads (folders in node_modules).
REVEAL, REQUIRE, JQUERY, MATHJAX = "reveal.js", "requirejs", "jquery", "mathjax"
MATHJAX_CONFIG = "MathJax.js?config=TeX-AMS_CHTML-full,Safe"
_OBJECTIVES = "**Learning objectives.**"
# A demo cell ends with one call, ``activation_demo()`` or ``reg_widgets.regularization_demo()``.
_DEMO_CALL = re.compile(r"(?:^|\n)\s*(?:[\w.]+\.)?(\w+_demo)\(\)\s*;?\s*$")


def export(notebook: Path, out_dir: Path, vendor: str | None = None) -> Path:
    """Write ``<out_dir>/<stem>.slides.html``; ``vendor`` is the deck-relative folder of local libraries, if any."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.embed_images = True
    config.SlidesExporter.reveal_scroll = True
    # reveal.js's "white" theme brings its own font files; "simple" (the default) fetches Google fonts.
    config.SlidesExporter.reveal_theme = "white"
    if vendor is not None:
        config.SlidesExporter.reveal_url_prefix = f"{vendor}/{REVEAL}"
        config.SlidesExporter.require_js_url = f"{vendor}/{REQUIRE}/require.js"
        config.SlidesExporter.jquery_url = f"{vendor}/{JQUERY}/dist/jquery.min.js"
        config.SlidesExporter.mathjax_url = f"{vendor}/{MATHJAX}/{MATHJAX_CONFIG}"
    body, _resources = SlidesExporter(config=config).from_notebook_node(deck_notebook(notebook))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{notebook.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    return target


def deck_notebook(notebook: Path):
    """The lesson as its deck shows it: the opening split over slides that fit, demos as stills."""
    return with_demo_stills(split_opening(nbformat.read(notebook, as_version=4)))


def split_opening(nb):
    """``nb`` with the lesson's opening cell split where a slide would overflow.

    A lesson opens with one markdown cell (title, introduction, learning objectives,
    prerequisites, time), often followed on the same slide by the notation: far
    more than a slide holds. In the deck, the objectives start a subslide of their
    own, and so does a notation cell that continues the opening slide. The
    notebook itself is not changed.
    """
    first = nb.cells[0] if nb.cells else None
    if first is None or first.cell_type != "markdown" or _OBJECTIVES not in first.source:
        return nb
    head, tail = first.source.split(_OBJECTIVES, 1)
    first.source = head.rstrip()
    follower = nb.cells[1] if len(nb.cells) > 1 else None
    objectives = nbformat.v4.new_markdown_cell(_OBJECTIVES + tail, metadata={"slideshow": {"slide_type": "subslide"}})
    nb.cells.insert(1, objectives)
    if follower is not None and follower.cell_type == "markdown" and \
            follower.metadata.get("slideshow", {}).get("slide_type") == "-":
        follower.metadata["slideshow"]["slide_type"] = "subslide"
    return nb


def with_demo_stills(nb):
    """``nb`` with each demo cell's output replaced by the demo's first frame, as a still picture.

    A demo's stored output is a widget view, which a static deck cannot show (it
    would be an empty ``Out[..]:``). The still is what the live demo shows before
    anyone touches a control: the demo is built here and its first rendered frame
    (``Demo.png``) is put in the cell as an image, without an output prompt.
    """
    from nncourse import widgets

    for cell in nb.cells:
        call = _DEMO_CALL.search(cell.source) if cell.cell_type == "code" else None
        if call is None or call.group(1) not in widgets.__all__:
            continue
        demo = getattr(widgets, call.group(1))()
        cell.outputs = [nbformat.v4.new_output(
            "display_data", data={"image/png": base64.b64encode(demo.png).decode("ascii"),
                                  "text/plain": f"The {call.group(1)} demo as it starts (live in JupyterLab)"})]
    return nb


def copy_assets(node_modules: Path, out_dir: Path, vendor: str = "vendor") -> str:
    """Copy the deck's libraries from ``node_modules`` beside the decks; return their relative folder."""
    expected = {REVEAL: "dist/reveal.js", REQUIRE: "require.js", JQUERY: "dist/jquery.min.js", MATHJAX: "MathJax.js"}
    missing = [f"{node_modules / name / file}" for name, file in expected.items()
               if not (node_modules / name / file).is_file()]
    if missing:
        raise SystemExit("--assets: not found: " + ", ".join(missing) + "\nmake them once with: npm install "
                         "--prefix SOMEWHERE reveal.js@4.0.2 requirejs@2.3.7 jquery@2.2.4 mathjax@2.7.9  "
                         "(then pass SOMEWHERE/node_modules)")
    for name in expected:
        shutil.copytree(node_modules / name, out_dir / vendor / name, dirs_exist_ok=True)
    return vendor


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path, help="lesson notebooks to export")
    parser.add_argument("--out", type=Path, default=Path("build/slides"), help="output folder (default build/slides)")
    parser.add_argument("--assets", type=Path, default=None,
                        help="a node_modules folder with reveal.js, requirejs, jquery and mathjax, for offline decks")
    args = parser.parse_args(argv)
    vendor = copy_assets(args.assets, args.out) if args.assets else None
    for notebook in args.notebooks:
        print(export(notebook, args.out, vendor))
    if vendor is None:
        print("These decks load reveal.js, require.js, jQuery and MathJax from the internet; "
              "use --assets to work offline.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
