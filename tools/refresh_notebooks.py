"""Re-run instructor notebooks in a fresh kernel and store their outputs.

nbval compares every cell with the outputs stored in the notebook, so after a
notebook (or the package code it shows) changes, its outputs must be
regenerated exactly as the test suite will run it: a fresh kernel, the
notebook's folder as working directory, single-threaded BLAS.

    .venv/bin/python tools/refresh_notebooks.py notebooks/02a_activation_functions.ipynb [...]
    .venv/bin/python tools/refresh_notebooks.py --all

Cell ids and metadata are kept (no execution timings are recorded); execution counts are
renumbered from 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SINGLE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                 "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONHASHSEED": "0"}


def refresh(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    for key, value in SINGLE_THREAD.items():
        os.environ[key] = value
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    for cell in nb.cells:
        # Timings recorded by earlier refreshes: noise in every diff, never compared.
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)
    print(f"refreshed {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook in notebooks/")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks or pass --all")
    for path in paths:
        refresh(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
