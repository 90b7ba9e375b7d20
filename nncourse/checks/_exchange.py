"""Plain-data hand-over of check results from a grading kernel to the grader.

When ``nncourse grade`` runs a submission, each check cell runs the learner's
code on cases drawn from a seed the grader chose, and writes what came back
here instead of judging it: a JSON file describing the structure and an
``.npz`` file with the arrays (``allow_pickle=False`` both ways). The grader
reads them back with every size, shape and dtype validated, regenerates the
same cases from the same seed, and judges in its own process
(:func:`nncourse.checks._judging.judge`). Nothing but numbers and short strings
crosses the boundary.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from ._running import MAX_RESULT_ELEMENTS, Outcome, Raised, Unsupported

#: Environment variables a grading kernel is started with.
EXCHANGE_DIR_ENV = "NNCOURSE_GRADE_EXCHANGE"
SEED_ENV = "NNCOURSE_GRADE_SEED"

MAX_JSON_BYTES = 2_000_000
MAX_NPZ_BYTES = 64_000_000
MAX_STRING = 500


class ExchangeError(ValueError):
    """The exchanged data is missing, malformed or too large."""


def grading_settings() -> tuple[Path, int] | None:
    """``(exchange dir, seed)`` when running under the grader, else None."""
    where, seed = os.environ.get(EXCHANGE_DIR_ENV), os.environ.get(SEED_ENV)
    if not where or seed is None:
        return None
    return Path(where), int(seed)


def _encode(value, arrays: dict):
    if value is None:
        return None
    if isinstance(value, Raised):
        return {"raised": [value.type_name[:100], value.message[:MAX_STRING]]}
    if isinstance(value, Unsupported):
        return {"unsupported": value.description[:MAX_STRING]}
    if isinstance(value, tuple):
        return {"tuple": [_encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        return {"dict": {k: _encode(v, arrays) for k, v in value.items()}}
    key = f"a{len(arrays)}"
    arrays[key] = np.asarray(value)
    return {"array": key}


def dump(directory: Path, exercise_id: str, seed: int, outcomes: list[Outcome]) -> None:
    """Write the outcomes of one check (atomically: a reader never sees half)."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict = {}
    doc = {
        "exercise": exercise_id,
        "seed": seed,
        "cases": [
            {
                "result": _encode(o.result, arrays),
                "inputs_after": [_encode(a, arrays) for a in o.inputs_after],
                "warnings": [w[:MAX_STRING] for w in o.warnings[:20]],
            }
            for o in outcomes
        ],
    }
    npz_tmp = directory / f".{exercise_id}.npz.tmp"
    with open(npz_tmp, "wb") as fh:
        np.savez(fh, **arrays)
    json_tmp = directory / f".{exercise_id}.json.tmp"
    json_tmp.write_text(json.dumps(doc))
    os.replace(npz_tmp, directory / f"{exercise_id}.npz")
    os.replace(json_tmp, directory / f"{exercise_id}.json")


def _decode(node, arrays, budget: list):
    if node is None:
        return None
    if not isinstance(node, dict) or len(node) != 1:
        raise ExchangeError("malformed node")
    (kind, body), = node.items()
    if kind == "raised":
        if not (isinstance(body, list) and len(body) == 2 and all(isinstance(s, str) for s in body)):
            raise ExchangeError("malformed error record")
        return Raised(body[0][:100], body[1][:MAX_STRING])
    if kind == "unsupported":
        if not isinstance(body, str):
            raise ExchangeError("malformed unsupported record")
        return Unsupported(body[:MAX_STRING])
    if kind == "tuple":
        if not isinstance(body, list) or len(body) > 64:
            raise ExchangeError("malformed tuple")
        return tuple(_decode(v, arrays, budget) for v in body)
    if kind == "dict":
        if not isinstance(body, dict) or len(body) > 64:
            raise ExchangeError("malformed dict")
        return {str(k)[:100]: _decode(v, arrays, budget) for k, v in body.items()}
    if kind == "array":
        if not isinstance(body, str) or body not in arrays.files:
            raise ExchangeError(f"missing array {body!r}")
        arr = arrays[body]
        if arr.dtype.kind not in "biuf" or arr.dtype.itemsize > 8:
            raise ExchangeError(f"array of dtype {arr.dtype}")
        budget[0] -= arr.size
        if budget[0] < 0:
            raise ExchangeError("too many numbers")
        return np.array(arr, copy=True)
    raise ExchangeError(f"unknown node kind {kind!r}")


def load(directory: Path, exercise_id: str, seed: int, n_cases: int) -> list[Outcome]:
    """Read and validate one check's outcomes; raise :class:`ExchangeError`."""
    json_path, npz_path = directory / f"{exercise_id}.json", directory / f"{exercise_id}.npz"
    for path, limit in ((json_path, MAX_JSON_BYTES), (npz_path, MAX_NPZ_BYTES)):
        if not path.is_file() or path.is_symlink():
            raise ExchangeError(f"no results were recorded for {exercise_id!r}")
        if path.stat().st_size > limit:
            raise ExchangeError(f"results for {exercise_id!r} are too large")
    try:
        doc = json.loads(json_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExchangeError(f"unreadable results: {exc}") from None
    if not isinstance(doc, dict) or doc.get("exercise") != exercise_id or doc.get("seed") != seed:
        raise ExchangeError("results were not produced by this grading run")
    cases = doc.get("cases")
    if not isinstance(cases, list) or len(cases) != n_cases:
        raise ExchangeError(f"expected results for {n_cases} cases")
    budget = [4 * MAX_RESULT_ELEMENTS]
    outcomes = []
    try:
        with np.load(npz_path, allow_pickle=False) as arrays:
            for c in cases:
                if not isinstance(c, dict):
                    raise ExchangeError("malformed case record")
                inputs = c.get("inputs_after")
                warns = c.get("warnings", [])
                if not isinstance(inputs, list) or not isinstance(warns, list):
                    raise ExchangeError("malformed case record")
                after = tuple(_decode(a, arrays, budget) for a in inputs)
                if not all(isinstance(a, np.ndarray) for a in after):
                    raise ExchangeError("malformed inputs record")
                outcomes.append(Outcome(_decode(c.get("result"), arrays, budget), after,
                                        tuple(str(w)[:MAX_STRING] for w in warns[:20])))
    except ExchangeError:
        raise
    except Exception as exc:  # a corrupt npz: zipfile, OSError, ValueError ...
        raise ExchangeError(f"unreadable results: {type(exc).__name__}") from None
    return outcomes
