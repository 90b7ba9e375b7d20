"""``nncourse grade --shard K/N`` and ``--merge``: four shards merged are the single run, byte for byte.

The fast tests grade classes whose notebooks never need to run (not handed
in, or not a notebook at all), so every output — run times included — is
fully determined and the merge must equal a single run byte for byte. The slow
test grades real notebooks in the sandbox; there the files are compared with
the run times taken out (they belong to whichever run measured them).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from nncourse import course
from nncourse.checks import EXERCISES
from nncourse.grading import grade as grade_cmd
from nncourse.grading import shards
from nncourse.grading.grade import grade_submissions, merge
from nncourse.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted({e.lesson for e in EXERCISES.values()})[:2]
OUTPUTS = ("gradebook.csv", "gradebook.json", "junit.xml", "report.json", "report.html")


def _class(folder: Path, n: int) -> Path:
    """``n`` students: some hand in nothing, some a truncated notebook, some a file that is not JSON at all."""
    subs = folder / "submissions"
    for k in range(n):
        student = subs / (f"student-{k:03d}" if k % 7 else f"odd name {k} <b>")
        student.mkdir(parents=True)
        if k % 3 == 1:
            (student / f"{LESSONS[0]}.ipynb").write_bytes(b'{"cells": [')
        elif k % 3 == 2:
            (student / f"{LESSONS[1]}.ipynb").write_bytes(b"\x00not a notebook")
            (student / "notes.txt").write_text("an odd file the log mentions")
    return subs


def _secret(folder: Path) -> Path:
    path = folder / "secret"
    path.write_text("0123456789abcdef" * 4 + "\n")
    return path


def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(".") and ".cache" not in p.parts and p.name not in (
                "shard.json", "grade.log", ".lock")}


def _grade(subs: Path, out: Path, secret: Path, shard=None) -> dict:
    return grade_submissions(subs, out, jobs=1, lessons=LESSONS, isolate=False, secret_file=secret, shard=shard)


@pytest.fixture(scope="module")
def sharded(tmp_path_factory):
    base = tmp_path_factory.mktemp("shards")
    subs, secret = _class(base, 40), _secret(base)
    _grade(subs, base / "single", secret)
    parts = [base / f"part-{k}" for k in range(1, 5)]
    for k, part in enumerate(parts, start=1):
        _grade(subs, part, secret, shard=(k, 4))
    return {"base": base, "subs": subs, "secret": secret, "parts": parts}


def test_parse_shard_accepts_k_of_n_and_names_the_option():
    assert shards.parse_shard("2/4") == (2, 4) and shards.parse_shard("1/1") == (1, 1)
    for bad in ("0/4", "5/4", "4", "a/b", "-1/4", "1/0", "2/4/8", ""):
        with pytest.raises(ValueError, match="--shard"):
            shards.parse_shard(bad)


def test_a_student_keeps_their_shard_whatever_other_folders_exist():
    names = [f"s{k}" for k in range(200)]
    assert {shards.shard_of(n, 4) for n in names} == {1, 2, 3, 4}
    before = {n: shards.shard_of(n, 4) for n in names}
    assert {n: shards.shard_of(n, 4) for n in reversed(names[:50])} == {n: before[n] for n in names[:50]}
    counts = [list(before.values()).count(k) for k in range(1, 5)]
    assert min(counts) > 25, counts  # a hash spreads 200 students roughly evenly


def test_each_student_is_graded_by_exactly_one_shard(sharded):
    students = [json.loads((p / "shard.json").read_text())["students"] for p in sharded["parts"]]
    everyone = sorted(json.loads((sharded["base"] / "single" / "gradebook.json").read_text())["students"])
    assert sorted(s for part in students for s in part) == everyone
    assert all(part for part in students), "40 students leave no shard of 4 empty"


def test_four_shards_merged_are_the_single_run_byte_for_byte(sharded, tmp_path):
    summary = merge(sharded["parts"], tmp_path / "merged")
    assert summary["students"] == 40 and summary["notebooks"] == 80
    single, merged = _tree(sharded["base"] / "single"), _tree(tmp_path / "merged")
    assert set(merged) == set(single)
    for name in single:
        assert merged[name] == single[name], f"{name} differs from the single run"
    assert {n for n in single if n.startswith("feedback/")} and all(name in single for name in OUTPUTS)
    log = (tmp_path / "merged" / "grade.log").read_text()
    assert log.startswith("merged 4 shards") and all(f"shard {k}/4 from" in log for k in range(1, 5))
    single_log = (sharded["base"] / "single" / "grade.log").read_text().splitlines()
    per_notebook = [line for line in single_log if re.match(r"^\S.* \d\d[a-z]?_\w+: ", line)]
    assert per_notebook and [line for line in log.splitlines() if line in per_notebook] == per_notebook
    assert "notes.txt" in log


@pytest.mark.parametrize("problem", ["missing", "duplicate", "other-secret", "other-sharding", "other-class",
                                     "not-a-part", "out-is-a-part"])
def test_a_bad_set_of_parts_is_refused_and_nothing_is_written(sharded, tmp_path, problem):
    parts = list(sharded["parts"])
    if problem == "missing":
        parts, needle = parts[:2] + parts[3:], "missing shards: 3/4 (of 4)"
    elif problem == "duplicate":
        parts, needle = parts + [parts[1]], "duplicate shards: 2/4"
    elif problem == "other-secret":
        other = tmp_path / "other-secret"
        other.write_text("f" * 64)
        _grade(sharded["subs"], tmp_path / "odd-part", other, shard=(2, 4))
        parts[1], needle = tmp_path / "odd-part", "different grading secret"
    elif problem == "other-sharding":
        _grade(sharded["subs"], tmp_path / "odd-part", sharded["secret"], shard=(2, 3))
        parts[1], needle = tmp_path / "odd-part", "different shardings"
    elif problem == "other-class":  # shard 2 was graded from a folder with one more student
        other = tmp_path / "other-submissions"
        shutil.copytree(sharded["subs"], other)
        (other / "late-student").mkdir()
        _grade(other, tmp_path / "odd-part", sharded["secret"], shard=(2, 4))
        parts[1], needle = tmp_path / "odd-part", "the students in it differ"
    elif problem == "not-a-part":
        parts[1], needle = sharded["base"] / "single", "is not a finished shard"
    else:
        needle = "is one of the parts"
    out = parts[0] if problem == "out-is-a-part" else tmp_path / "merged"
    before = _tree(out) if out.exists() else None
    with pytest.raises(ValueError, match=re.escape(needle)):
        merge(parts, out)
    assert (_tree(out) if out.exists() else None) == before


def test_a_copied_part_under_another_shard_number_is_an_overlap(sharded, tmp_path):
    forged = tmp_path / "forged"
    forged.mkdir()
    document = json.loads((sharded["parts"][0] / "shard.json").read_text())
    document["shard"] = [2, 4]
    (forged / "shard.json").write_text(json.dumps(document))
    parts = [sharded["parts"][0], forged, *sharded["parts"][2:]]
    with pytest.raises(ValueError, match="graded by two parts"):
        merge(parts, tmp_path / "merged")
    document = json.loads((sharded["parts"][1] / "shard.json").read_text())
    document["results"] = document["results"][2:]  # a part that lost a student's results
    (forged / "shard.json").write_text(json.dumps(document))
    with pytest.raises(ValueError, match=r"1 student\(s\) in no part"):
        merge(parts, tmp_path / "merged")
    assert not (tmp_path / "merged").exists()
    for damage in ({"shard": [5, 4]}, {"results": [["a", "b"]]}, {"limits": {"cell_timeout": 1}}, {"class": None}):
        (forged / "shard.json").write_text(json.dumps(document | damage))
        with pytest.raises(ValueError, match="is damaged"):
            merge(parts, tmp_path / "merged")


def test_command_line_shards_and_merges(sharded, tmp_path, capsys):
    parser = __import__("argparse").ArgumentParser()
    grade_cmd.add_arguments(parser)
    args = parser.parse_args(["--merge", *map(str, sharded["parts"]), "--out", str(tmp_path / "merged")])
    assert grade_cmd.run(args) == 0
    assert "merged 4 shards: 40 students, 80 notebooks" in capsys.readouterr().out
    args = parser.parse_args(["--merge", *map(str, sharded["parts"][:3]), "--out", str(tmp_path / "again")])
    assert grade_cmd.run(args) == 2
    assert "missing shards: 4/4" in capsys.readouterr().err and not (tmp_path / "again").exists()
    with pytest.raises(SystemExit):
        parser.parse_args([str(sharded["subs"]), "--out", str(tmp_path / "x"), "--shard", "5/4"])
    assert "--shard" in capsys.readouterr().err
    weak = tmp_path / "weak"
    weak.write_text("short")
    args = parser.parse_args([str(sharded["subs"]), "--out", str(tmp_path / "x"), "--secret-file", str(weak),
                              "--no-isolation", "--lesson", LESSONS[0]])
    assert grade_cmd.run(args) == 2 and "--secret-file" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- #
# Real notebooks, in the sandbox
# --------------------------------------------------------------------------- #


def _without_run_times(name: str, data: bytes) -> object:
    """The file with the run times taken out (seconds measured by whichever run graded a notebook)."""
    text = data.decode("utf-8")
    if name.endswith(".json"):
        def strip(node):
            if isinstance(node, dict):
                return {k: strip(v) for k, v in node.items() if k not in ("seconds", "run_time")}
            return [strip(v) for v in node] if isinstance(node, list) else node
        return strip(json.loads(text))
    if name.endswith(".xml"):
        return re.sub(r' time="[^"]*"', "", text)
    if name.endswith(".html") and "<h2>Run time" in text:
        return text[:text.index("<h2>Run time")]
    return text


@pytest.mark.slow
def test_four_shards_of_real_notebooks_merge_into_the_single_run(tmp_path_factory, grading_sandbox):
    from test_grading import answer_sources, dump, filled, mistake_source, trimmed

    from nncourse.grading import release as rel

    base = tmp_path_factory.mktemp("real-shards")
    lesson = next(p for p in course.lessons(ROOT / "notebooks")
                  if sum(e.lesson == p.stem for e in EXERCISES.values()) >= 3)
    instructor = trimmed(json.loads(lesson.read_text(encoding="utf-8")))
    (base / "notebooks").mkdir()
    (base / "notebooks" / lesson.name).write_bytes(dump(instructor))
    right = answer_sources(instructor)
    ids = list(right)
    for k in range(6):  # each student gets exercise k wrong (a known mistake); the rest right
        sources = dict(right)
        sources[ids[k % len(ids)]] = mistake_source(instructor, ids[k % len(ids)])
        (base / "subs" / f"s{k}").mkdir(parents=True)
        (base / "subs" / f"s{k}" / lesson.name).write_bytes(dump(filled(rel.student_copy(instructor), sources)))
    secret, limits = _secret(base), Limits(cell_timeout=300, notebook_timeout=900)
    kwargs = {"jobs": 2, "notebooks": base / "notebooks", "limits": limits, "secret_file": secret}
    grade_submissions(base / "subs", base / "single", **kwargs)
    parts = [base / f"part-{k}" for k in range(1, 5)]
    for k, part in enumerate(parts, start=1):
        grade_submissions(base / "subs", part, shard=(k, 4), **kwargs)
    merge(parts, base / "merged")
    single, merged = _tree(base / "single"), _tree(base / "merged")
    assert set(single) == set(merged)
    for name in single:
        if name.endswith((".csv", ".md")) or name.startswith("feedback/"):
            assert merged[name] == single[name], name
        else:
            assert _without_run_times(name, merged[name]) == _without_run_times(name, single[name]), name
    book = json.loads(single["gradebook.json"])
    assert sum(c["outcome"] == "failed" for s in book["students"].values()
               for c in s["notebooks"][lesson.stem]["checks"].values()) == 6
