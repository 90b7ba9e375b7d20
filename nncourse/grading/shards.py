"""Grading a class in shards, and merging the parts into the results one run would have written.

``nncourse grade SUBMISSIONS --out PART --shard K/N --secret-file SECRET``
grades the students whose folder falls in shard K of N (1 <= K <= N): the
shard is a hash of the folder's name alone, so adding or removing other
students' folders never moves a student to another shard. Every shard sees
the whole submissions folder (the lessons graded and the notes about odd files
are the same in each), grades only its own students, and writes, besides its
own gradebook, :data:`PART_FILE`: every result, the settings it graded with and
a hash of the grading secret.

``nncourse grade --merge PART... --out RESULTS`` checks that the parts are the
shards 1..N of one sharding — each exactly once, graded with the same secret,
lessons, limits, isolation, package and notes — and writes the gradebook,
feedback, class report and JUnit XML from their results, through the very
function a single run uses: given the same secret, they are byte for byte what
one run grading every student would have written (run times aside, which
belong to whichever run measured them). ``grade.log`` lists the shards and then
the same per-notebook lines. Missing, duplicate, overlapping or mismatched
parts are refused with what is wrong, and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ._files import read_regular_file
from .release import write_atomic
from .sandbox import Limits

PART_FILE = "shard.json"
FORMAT = 1
MAX_SHARDS = 100_000
MAX_PART_BYTES = 2 * 2**30


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)``, 1 <= K <= N; a ValueError naming ``--shard`` otherwise."""
    k, slash, n = str(text).partition("/")
    if not slash or not k.strip().isdigit() or not n.strip().isdigit():
        raise ValueError(f"--shard: expected K/N with whole numbers (e.g. 2/4 for the second of four shards), "
                         f"got {text!r}")
    k, n = int(k), int(n)
    if not 1 <= n <= MAX_SHARDS or not 1 <= k <= n:
        raise ValueError(f"--shard: expected 1 <= K <= N <= {MAX_SHARDS} (shards count from 1: a Kubernetes "
                         f"completion index i is shard i+1), got {k}/{n}")
    return k, n


def shard_of(folder: str, n: int) -> int:
    """The shard (1..n) of a student's folder: a hash of its name, nothing else."""
    digest = hashlib.sha256(os.fsencode(folder)).digest()
    return 1 + int.from_bytes(digest[:8], "big") % n


def secret_id(secret: str) -> str:
    """What the parts record of the secret: enough to tell two secrets apart, nothing to recover it."""
    return hashlib.sha256(b"nncourse grading secret\0" + secret.encode()).hexdigest()


def read_secret_file(path: Path) -> str:
    """The grading secret shared by every shard (at least 32 characters, e.g. ``openssl rand -hex 32``)."""
    try:
        secret = Path(path).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"--secret-file: cannot read {str(path)!r}: {exc}") from None
    if len(secret) < 32 or any(c.isspace() for c in secret):
        raise ValueError(f"--secret-file: {str(path)!r} must hold one secret of at least 32 characters without "
                         "spaces (make one with: python3 -c 'import secrets; print(secrets.token_hex(32))')")
    return secret


def part_document(*, shard: tuple[int, int], secret: str, scope: list, limits: Limits, settings: str,
                  fingerprint: str, notes: list, everyone: list, students: list, results: dict, counts: dict) -> dict:
    """What a shard leaves for the merge (plain JSON)."""
    return {"format": FORMAT, "shard": list(shard), "secret": secret_id(secret), "lessons": list(scope),
            "limits": limits.as_dict(), "settings": settings, "package": fingerprint, "notes": list(notes),
            "class": sorted(everyone), "students": sorted(students), "counts": counts,
            "results": [[student, lesson, results[(student, lesson)]] for student, lesson in sorted(results)]}


def write_part(out: Path, document: dict) -> Path:
    path = out / PART_FILE
    write_atomic(path, (json.dumps(document, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n")
                        .encode("utf-8"))
    return path


def _read_part(folder: Path) -> dict:
    path = Path(folder) / PART_FILE
    try:
        data = read_regular_file(path, MAX_PART_BYTES)
        document = json.loads(data.decode("utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"--merge: {str(folder)!r} is not a finished shard ({PART_FILE}: {exc}); grade it with "
                         "--shard K/N first") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError(f"--merge: {str(path)!r} was written by another version of the grader")
    shard, results = document.get("shard"), document.get("results")
    well_formed = (
        isinstance(shard, list) and len(shard) == 2 and all(type(x) is int for x in shard)
        and 1 <= shard[0] <= shard[1] <= MAX_SHARDS
        and isinstance(results, list) and all(isinstance(r, list) and len(r) == 3 and isinstance(r[0], str)
                                              and isinstance(r[1], str) and isinstance(r[2], dict) for r in results)
        and all(isinstance(document.get(k), list) for k in ("lessons", "notes", "class", "students"))
        and isinstance(document.get("limits"), dict) and set(document["limits"]) == set(Limits().as_dict())
        and isinstance(document.get("counts"), dict))
    if not well_formed:
        raise ValueError(f"--merge: {str(path)!r} is damaged (not the part a shard writes); grade that shard again")
    return document


_SAME = {"secret": "grading secret (pass the same --secret-file to every shard)", "lessons": "lessons graded",
         "limits": "limits", "settings": "settings (limits, isolation, cells run)", "package": "course package version",
         "notes": "submissions folder (its notes on odd files differ)",
         "class": "submissions folder (the students in it differ)"}


def merge_parts(parts: list, out: Path) -> tuple[list, dict, dict, list]:
    """Check that ``parts`` are every shard of one sharding exactly once; return what a single run would hold.

    Returns ``(scope, results, limits_dict, log)``. Raises ValueError naming
    the missing, duplicate or mismatched parts; nothing is written then.
    """
    if not parts:
        raise ValueError("--merge: name the shard folders to merge")
    folders = [Path(p).resolve() for p in parts]
    out = Path(out).resolve()
    if out in folders:
        raise ValueError(f"--merge: the results folder {str(out)!r} is one of the parts; merge into a new folder")
    documents = [_read_part(f) for f in folders]
    first, where = documents[0], folders[0]
    for document, folder in zip(documents[1:], folders[1:]):
        if document["shard"][1] != first["shard"][1]:
            raise ValueError(f"--merge: the parts come from different shardings: {str(where)!r} is one of "
                             f"{first['shard'][1]}, {str(folder)!r} one of {document['shard'][1]}")
        for key, what in _SAME.items():
            if document[key] != first[key]:
                raise ValueError(f"--merge: {str(folder)!r} and {str(where)!r} were graded with a different {what}")
    n = first["shard"][1]
    by_shard: dict[int, list] = {}
    for document, folder in zip(documents, folders):
        by_shard.setdefault(document["shard"][0], []).append(folder)
    problems = []
    duplicates = {k: f for k, f in sorted(by_shard.items()) if len(f) > 1}
    if duplicates:
        problems.append("duplicate shards: " + "; ".join(f"{k}/{n} in {', '.join(repr(str(p)) for p in f)}"
                                                         for k, f in duplicates.items()))
    missing = [k for k in range(1, n + 1) if k not in by_shard]
    if missing:
        problems.append(f"missing shards: {', '.join(f'{k}/{n}' for k in missing)} (of {n})")
    if problems:
        raise ValueError("--merge: refusing to merge: " + "; ".join(problems) + ". Nothing was written.")
    results, owner = {}, {}
    for document, folder in zip(documents, folders):
        for student, lesson, result in document["results"]:
            if (student, lesson) in results:
                raise ValueError(f"--merge: {student!r} {lesson} was graded by two parts ({str(owner[student])!r}, "
                                 f"{str(folder)!r}): were they graded from different submissions folders?")
            results[(student, lesson)] = result
            owner[student] = folder
    graded = sorted({s for s, _ in results})
    if graded != first["class"]:
        lost = sorted(set(first["class"]) - set(graded))
        raise ValueError(f"--merge: the parts do not grade the class they saw: {len(lost)} student(s) in no part "
                         f"({', '.join(map(repr, lost[:5]))}{', ...' if len(lost) > 5 else ''}); nothing was written")
    log = [f"merged {n} shards into {str(out)}: {len({s for s, _ in results})} students, lessons "
           f"{', '.join(first['lessons']) or '(none)'}"]
    log += list(first["notes"])
    for document, folder in sorted(zip(documents, folders), key=lambda d: d[0]["shard"][0]):
        counts = document["counts"]
        log.append(f"shard {document['shard'][0]}/{n} from {folder}: {len(document['students'])} students, "
                   + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return first["lessons"], results, first["limits"], log
