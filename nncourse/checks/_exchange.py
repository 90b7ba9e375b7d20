"""Plain-data hand-over of check results from a grading kernel to the grader.

When ``nncourse grade`` (or ``nncourse check``) runs a notebook, it installs a
*result sink* in the kernel before the first cell (:func:`set_sink`, called
from an IPython start-up file the grader writes into the run's fresh
``IPYTHONDIR``). Each check cell then runs the learner's code on cases drawn
from the sink's seed and writes what came back into the sink's folder instead
of judging it: a JSON file describing the structure and an ``.npz`` file with
the arrays (stored, never pickled). The grader reads them back with every
size, shape and dtype validated (:func:`load`), regenerates the same cases
from the same seed, and judges in its own process
(:func:`nncourse.checks._judging.judge`). Nothing but numbers and short strings
crosses the boundary. Without a sink (a learner's notebook) nothing is
written anywhere: the learner's API has no side effect driven by the
environment.

Everything read here was written by code the grader does not trust, so it is
read as hostile input: files are opened without following links and without
blocking (a FIFO in their place must not hang the grader), must be regular
files under a size cap, ``.npz`` members must be stored uncompressed and each
``.npy`` header's shape times item size is checked against the budget before
any array is allocated; JSON is size- and depth-capped, NaN and infinities
are refused, and every field is type-checked.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nncourse.grading._files import read_regular_file
from nncourse.grading._record import EXERCISE_ID, MAX_JSON_BYTES, MAX_NPZ_BYTES

from ._running import MAX_RESULT_ELEMENTS, Outcome, Raised, Unsupported, learner_facing

MAX_STRING = 500
MAX_DEPTH = 8
MAX_ARRAYS = 4096


class ExchangeError(ValueError):
    """The exchanged data is missing, malformed or too large."""


# --------------------------------------------------------------------------- #
# The sink (kernel side)
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Sink:
    directory: Path
    seed: int


_sink: Sink | None = None


def set_sink(directory: str | os.PathLike | None, seed: int | None = None) -> None:
    """Send the outcomes of every check run with ``seed`` to ``directory`` (None: stop).

    Called by the grader's start-up hook in a grading kernel, never by a
    notebook; see the module docstring.
    """
    global _sink
    if directory is None:
        _sink = None
        return
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"set_sink: seed must be an int, got {type(seed).__name__}")
    _sink = Sink(Path(directory), seed)


def current_sink() -> Sink | None:
    return _sink


def _encode(value, arrays: dict):
    if value is None:
        return None
    if isinstance(value, Raised):
        return {"raised": [value.type_name[:100], value.message[:MAX_STRING], value.where[:MAX_STRING]]}
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
    """Write the outcomes of one check (atomically: the JSON file appears last)."""
    directory = Path(directory)
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
        np.savez(fh, **arrays)  # ZIP_STORED: the reader refuses compressed members
    json_tmp = directory / f".{exercise_id}.json.tmp"
    json_tmp.write_text(json.dumps(doc, allow_nan=False))
    os.replace(npz_tmp, directory / f"{exercise_id}.npz")
    os.replace(json_tmp, directory / f"{exercise_id}.json")


# --------------------------------------------------------------------------- #
# Reading what an untrusted process wrote (grader side)
# --------------------------------------------------------------------------- #


def _reject_constant(name: str):
    raise ExchangeError(f"a non-finite number ({name}) in the results")


def parse_json(data: bytes, limit: int = MAX_JSON_BYTES):
    """JSON from untrusted bytes: size-capped, no NaN or infinities, no deep nesting."""
    if len(data) > limit:
        raise ExchangeError(f"{len(data):,} bytes of JSON, more than the {limit:,} allowed")
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise ExchangeError("JSON nested too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, ExchangeError):
            raise
        raise ExchangeError(f"unreadable JSON ({type(exc).__name__})") from None
    _check_depth(doc, 0)
    return doc


def _check_depth(node, depth: int) -> None:
    if depth > 2 * MAX_DEPTH + 4:
        raise ExchangeError("JSON nested too deeply")
    if isinstance(node, dict):
        for value in node.values():
            _check_depth(value, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _check_depth(value, depth + 1)
    elif isinstance(node, float) and not math.isfinite(node):
        raise ExchangeError("a non-finite number in the results")


def _npy_header(member: zipfile.ZipFile, name: str) -> tuple[tuple, np.dtype]:
    with member.open(name) as fh:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=10_000)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=10_000)
        else:
            raise ExchangeError(f"array file format {version} is not accepted")
    return shape, dtype


class _Arrays:
    """The arrays of an ``.npz`` from untrusted bytes, checked before any is allocated."""

    def __init__(self, data: bytes, budget_bytes: int):
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ExchangeError(f"unreadable arrays ({type(exc).__name__})") from None
        if len(infos) > MAX_ARRAYS:
            raise ExchangeError(f"{len(infos)} arrays, more than the {MAX_ARRAYS} allowed")
        self.files: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            if info.compress_type != zipfile.ZIP_STORED:
                raise ExchangeError("a compressed array (results are written uncompressed)")
            if not info.filename.endswith(".npy") or info.file_size > len(data):
                raise ExchangeError("a malformed array file")
            try:
                shape, dtype = _npy_header(self._zip, info.filename)
            except ExchangeError:
                raise
            except Exception as exc:  # noqa: BLE001 - a forged header: ValueError, SyntaxError, zipfile errors ...
                raise ExchangeError(f"a malformed array header ({type(exc).__name__})") from None
            if dtype.kind not in "biuf" or dtype.itemsize > 8 or dtype.hasobject:
                raise ExchangeError(f"an array of dtype {dtype}")
            if len(shape) > 32 or not all(isinstance(n, int) and n >= 0 for n in shape):
                raise ExchangeError("an array with a malformed shape")
            nbytes = math.prod(shape) * dtype.itemsize
            if nbytes > info.file_size:
                raise ExchangeError("an array header that claims more data than the file holds")
            total += nbytes
            if total > budget_bytes:
                raise ExchangeError("too many numbers")
            self.files[info.filename[:-4]] = info

    def __getitem__(self, key: str) -> np.ndarray:
        with self._zip.open(self.files[key]) as fh:
            return np.lib.format.read_array(fh, allow_pickle=False)

    def close(self) -> None:
        self._zip.close()


def _decode(node, arrays: _Arrays, depth: int = 0):
    if depth > MAX_DEPTH:
        raise ExchangeError("results nested too deeply")
    if node is None:
        return None
    if not isinstance(node, dict) or len(node) != 1:
        raise ExchangeError("malformed node")
    (kind, body), = node.items()
    if kind == "raised":
        if not (isinstance(body, list) and len(body) in (2, 3) and all(isinstance(s, str) for s in body)):
            raise ExchangeError("malformed error record")
        # The learner's lines come from the kernel: cleaned again here, as everything from there is untrusted.
        return Raised(body[0][:100], learner_facing(body[1][:MAX_STRING]),
                      learner_facing(body[2][:MAX_STRING]) if len(body) == 3 else "")
    if kind == "unsupported":
        if not isinstance(body, str):
            raise ExchangeError("malformed unsupported record")
        return Unsupported(body[:MAX_STRING])
    if kind == "tuple":
        if not isinstance(body, list) or len(body) > 64:
            raise ExchangeError("malformed tuple")
        return tuple(_decode(v, arrays, depth + 1) for v in body)
    if kind == "dict":
        if not isinstance(body, dict) or len(body) > 64:
            raise ExchangeError("malformed dict")
        return {str(k)[:100]: _decode(v, arrays, depth + 1) for k, v in body.items()}
    if kind == "array":
        if not isinstance(body, str) or body not in arrays.files:
            raise ExchangeError(f"missing array {str(body)[:40]!r}")
        return arrays[body]
    raise ExchangeError(f"unknown node kind {str(kind)[:40]!r}")


def load_bytes(json_data: bytes, npz_data: bytes, exercise_id: str, seed: int, n_cases: int) -> list[Outcome]:
    """Validate one check's outcomes from the bytes of its two files; raise :class:`ExchangeError`."""
    doc = parse_json(json_data)
    if not isinstance(doc, dict) or doc.get("exercise") != exercise_id or doc.get("seed") != seed:
        raise ExchangeError("results were not produced by this grading run")
    cases = doc.get("cases")
    if not isinstance(cases, list) or len(cases) != n_cases:
        raise ExchangeError(f"expected results for {n_cases} cases")
    if len(npz_data) > MAX_NPZ_BYTES:
        raise ExchangeError(f"results for {exercise_id!r} are too large")
    arrays = _Arrays(npz_data, budget_bytes=MAX_NPZ_BYTES)
    outcomes = []
    try:
        for c in cases:
            if not isinstance(c, dict):
                raise ExchangeError("malformed case record")
            inputs, warns = c.get("inputs_after"), c.get("warnings", [])
            if not isinstance(inputs, list) or not isinstance(warns, list) or len(inputs) > 64:
                raise ExchangeError("malformed case record")
            if not all(isinstance(w, str) for w in warns):
                raise ExchangeError("malformed warnings record")
            after = tuple(_decode(a, arrays) for a in inputs)
            if not all(isinstance(a, np.ndarray) for a in after):
                raise ExchangeError("malformed inputs record")
            outcomes.append(Outcome(_decode(c.get("result"), arrays), after,
                                    tuple(w[:MAX_STRING] for w in warns[:20])))
    except ExchangeError:
        raise
    except Exception as exc:  # noqa: BLE001 - a corrupt member: zipfile, OSError, ValueError ...
        raise ExchangeError(f"unreadable results: {type(exc).__name__}") from None
    finally:
        arrays.close()
    return outcomes


def load(directory: Path, exercise_id: str, seed: int, n_cases: int) -> list[Outcome]:
    """Read and validate one check's outcomes from ``directory``; raise :class:`ExchangeError`."""
    if not EXERCISE_ID.fullmatch(exercise_id):
        raise ExchangeError(f"no results can exist for {exercise_id!r}")
    data = {}
    for suffix, limit in (("json", MAX_JSON_BYTES), ("npz", MAX_NPZ_BYTES)):
        try:
            data[suffix] = read_regular_file(Path(directory) / f"{exercise_id}.{suffix}", limit)
        except OSError as exc:
            if exc.errno == errno.EFBIG:
                raise ExchangeError(f"results for {exercise_id!r} are too large") from None
            raise ExchangeError(f"no results were recorded for {exercise_id!r}") from None
    return load_bytes(data["json"], data["npz"], exercise_id, seed, n_cases)
