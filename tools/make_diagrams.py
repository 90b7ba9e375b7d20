"""Rebuild every diagram in images/ (the pictures that are not plots).

Each lesson that has diagrams owns a module in tools/diagrams/ with a
``main(images_dir: Path)`` that (re)writes its ``images/<lesson>_*.png``
deterministically. Run after changing one:

    .venv/bin/python tools/make_diagrams.py            # all of them
    .venv/bin/python tools/make_diagrams.py backprop   # one lesson's
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    import matplotlib

    matplotlib.use("Agg")
    folder = ROOT / "tools" / "diagrams"
    sys.path.insert(0, str(folder))  # the scripts share tools/diagrams/_draw.py
    modules = sorted(folder.glob("*.py"))
    wanted = set(argv)
    for path in modules:
        if path.name.startswith("_") or (wanted and path.stem not in wanted):
            continue
        spec = importlib.util.spec_from_file_location(f"diagrams_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main(ROOT / "images")
        print(f"drew {path.stem}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
