"""The grader's outputs: gradebook (CSV, JSON), feedback (HTML, Markdown), class report, JUnit XML, log.

Everything is written atomically (a temporary file renamed into place), in a
fixed order, so grading the same submissions twice writes the same files.
Feedback shows each exercise, passed or not, and the hint; everything that
came from a student (values, error messages, file names) is escaped.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from nncourse.checks import EXERCISES

from . import classreport
from .release import write_atomic

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _exercise_columns(scope: list[str]) -> list[str]:
    return [e.id for e in EXERCISES.values() if e.lesson in scope]


def _csv_safe(text: str) -> str:
    """Keep a spreadsheet from reading a student's id as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _total(values):
    """Sum of points, or None when the grader could not grade one of them (never a silent zero)."""
    values = list(values)
    return None if None in values else sum(values)


def _student_rows(scope: list[str], results: dict) -> dict:
    students = sorted({s for s, _ in results})
    rows = {}
    for student in students:
        notebooks = {lesson: results[(student, lesson)] for lesson in scope if (student, lesson) in results}
        checks = {c["id"]: c for r in notebooks.values() for c in r["checks"]}
        problems = [f"{lesson}: {r['status']}" + (f" ({_one_line(r['reason'])[:120]})" if r.get("reason") else "")
                    for lesson, r in notebooks.items() if r["status"] != "graded" or r.get("reason")]
        rows[student] = {
            "checks": checks, "notebooks": notebooks,
            "total": _total(c["points"] for c in checks.values()),
            "max": sum(c["max_points"] for c in checks.values()),
            "status": "; ".join(problems) if problems else "ok",
        }
    return rows


def _one_line(text: str) -> str:
    return " ".join(text.split())


def gradebook_csv(scope: list[str], rows: dict) -> str:
    columns = _exercise_columns(scope)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *columns, "total", "max", "status"])
    for student, row in rows.items():
        writer.writerow([_csv_safe(student), *[_cell(row["checks"].get(c, {}).get("points", 0)) for c in columns],
                         _cell(row["total"]), row["max"], _csv_safe(row["status"])])
    return buffer.getvalue()


def _cell(points) -> str | int:
    """A gradebook cell: the points, or empty when the grader could not grade it."""
    return "" if points is None else points


def gradebook_json(scope: list[str], rows: dict, limits) -> str:
    doc = {
        "lessons": scope,
        "exercises": {c: {"lesson": EXERCISES[c].lesson, "title": EXERCISES[c].title,
                          "points": EXERCISES[c].points} for c in _exercise_columns(scope)},
        "limits": limits.as_dict(),
        "students": {
            student: {
                "total": row["total"], "max": row["max"], "status": row["status"],
                "notebooks": {
                    lesson: {k: r.get(k) for k in ("file", "status", "reason", "seed", "seconds", "notes",
                                                  "other_cells_failed", "limit")}
                    | {"checks": {c["id"]: {k: c.get(k) for k in ("outcome", "points", "max_points", "reason",
                                                                  "seconds", "mistake", "hint", "limit")}
                                  for c in r["checks"]}}
                    for lesson, r in row["notebooks"].items()
                },
            }
            for student, row in rows.items()
        },
    }
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


_MARK = {"passed": "passed", "failed": "failed", "not attempted": "not attempted", "missing": "missing",
         "not graded": "not graded", "error": "not graded (grader error)"}


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _points(c: dict) -> str:
    return f"{'–' if c['points'] is None else c['points']} / {c['max_points']}"


def _for_the_student(result: dict) -> dict:
    """``result`` as a feedback page shows it: every path into the grader's, the course's or Python's own
    files cut to its part below that folder (:func:`nncourse.checks._running.learner_facing`)."""
    from nncourse.checks._running import learner_facing

    return {**result, "reason": learner_facing(result.get("reason") or ""),
            "notes": [learner_facing(n) for n in result.get("notes", [])],
            "checks": [{**c, "reason": learner_facing(c["reason"] or "")} for c in result["checks"]]}


def feedback_markdown(student: str, lesson: str, result: dict) -> str:
    result = _for_the_student(result)
    score = _total(c["points"] for c in result["checks"])
    top = sum(c["max_points"] for c in result["checks"])
    lines = [f"# Feedback: {lesson}", "", f"Student: {_code_span(student)}  ",
             f"Score: **{'not graded' if score is None else score} / {top}** points", ""]
    if result.get("reason"):
        lines += ["Note on the whole notebook:", "", _fence(result["reason"]), ""]
    for note in result.get("notes", []):
        lines += [f"* {_fence_inline(note)}"]
    lines += ["", "| exercise | result | points |", "|---|---|---|"]
    for c in result["checks"]:
        lines.append(f"| {c['id']} ({_escape_markdown(c['title'])}) | {_MARK[c['outcome']]} | {_points(c)} |")
    for c in result["checks"]:
        if c["reason"]:
            lines += ["", f"## {c['id']}: {_MARK[c['outcome']]}", "", _fence(c["reason"])]
            if classreport.is_valid_diagnosis(c["id"], c.get("mistake")):
                lines += ["", f"Diagnosis: {_code_span(c['mistake'])}"]
    if result.get("other_cells_failed"):
        lines += ["", f"{result['other_cells_failed']} other cell(s) did not reproduce the lesson's output "
                      "(not graded; usually a side effect of an answer, such as changed print options)."]
    return "\n".join(lines) + "\n"


def _code_span(text: str) -> str:
    """Inline code showing ``text`` literally (HTML, asterisks and backticks included), on one line."""
    text = " ".join(text.splitlines()) or " "
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {text} {fence}"


def _escape_markdown(text: str) -> str:
    """Text for a table cell on one line: no markup, no HTML, no column break."""
    return html.escape(re.sub(r"([\\`*_\[\]|~])", r"\\\1", " ".join(text.splitlines())), quote=False)


def _fence_inline(text: str) -> str:
    return _code_span(text)


def feedback_html(student: str, lesson: str, result: dict) -> str:
    result = _for_the_student(result)
    e = html.escape
    score = _total(c["points"] for c in result["checks"])
    top = sum(c["max_points"] for c in result["checks"])
    rows = "\n".join(
        f"<tr class=\"{e(c['outcome'].replace(' ', '-'))}\"><td>{e(c['id'])}</td><td>{e(c['title'])}</td>"
        f"<td>{e(_MARK[c['outcome']])}</td><td>{_points(c)}</td>"
        f"<td><pre>{e(c['reason'])}</pre>{_diagnosis_html(c)}</td></tr>" for c in result["checks"])
    notes = "".join(f"<li>{e(n)}</li>" for n in result.get("notes", []))
    whole = f"<p>Note on the whole notebook:</p><pre>{e(result['reason'])}</pre>" if result.get("reason") else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: {e(lesson)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}td,th{{border:1px solid #ccc;padding:4px;
vertical-align:top}}table{{border-collapse:collapse}}pre{{white-space:pre-wrap;margin:0}}
.passed td:nth-child(3){{color:#0a6b0a}}.failed td:nth-child(3){{color:#a40000}}</style></head>
<body><h1>Feedback: {e(lesson)}</h1>
<p>Student: <code>{e(student)}</code><br>Score: <strong>{'not graded' if score is None else score} / {top}</strong> points</p>
{whole}<ul>{notes}</ul>
<table><tr><th>exercise</th><th>title</th><th>result</th><th>points</th><th>reason and hint</th></tr>
{rows}
</table></body></html>
"""


def _diagnosis_html(check: dict) -> str:
    if not classreport.is_valid_diagnosis(check["id"], check.get("mistake")):
        return ""
    return f"<p>Diagnosis: <code>{html.escape(check['mistake'])}</code></p>"


def junit_xml(scope: list[str], results: dict) -> str:
    def clean(text: str) -> str:
        return _XML_BAD.sub("?", text)

    suites = ET.Element("testsuites", name="nncourse grade")
    for (student, lesson) in sorted(results):
        result = results[(student, lesson)]
        failures = sum(1 for c in result["checks"] if c["outcome"] not in ("passed", "error"))
        errors = sum(1 for c in result["checks"] if c["outcome"] == "error")
        suite = ET.SubElement(suites, "testsuite", name=clean(f"{student}/{lesson}"),
                              tests=str(len(result["checks"])), failures=str(failures), errors=str(errors),
                              time=f"{result.get('seconds', 0):.3f}")
        for c in result["checks"]:
            case = ET.SubElement(suite, "testcase", classname=clean(f"{student}.{lesson}"), name=c["id"],
                                 time=f"{c['seconds']:.3f}")
            if c["outcome"] != "passed":
                first = c["reason"].splitlines()[0] if c["reason"] else c["outcome"]
                failure = ET.SubElement(case, "error" if c["outcome"] == "error" else "failure",
                                        message=clean(f"{c['outcome']}: {first}"[:300]), type=c["outcome"])
                failure.text = clean(c["reason"])
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def write_all(out: Path, scope: list[str], results: dict, log: list[str], limits) -> dict:
    """Write every output file; return their paths."""
    rows = _student_rows(scope, results)
    paths = {"gradebook_csv": out / "gradebook.csv", "gradebook_json": out / "gradebook.json",
             "report_json": out / "report.json", "report_html": out / "report.html",
             "feedback": out / "feedback", "junit": out / "junit.xml", "log": out / "grade.log"}
    write_atomic(paths["gradebook_csv"], gradebook_csv(scope, rows).encode("utf-8"))
    write_atomic(paths["gradebook_json"], gradebook_json(scope, rows, limits).encode("utf-8"))
    write_atomic(paths["junit"], junit_xml(scope, results).encode("utf-8"))
    summary = classreport.class_report(scope, results)
    write_atomic(paths["report_json"], classreport.report_json(summary).encode("utf-8"))
    write_atomic(paths["report_html"], classreport.report_html(summary).encode("utf-8"))
    for (student, lesson), result in sorted(results.items()):
        folder = paths["feedback"] / feedback_folder(student)
        write_atomic(folder / f"{lesson}.md", feedback_markdown(student, lesson, result).encode("utf-8"))
        write_atomic(folder / f"{lesson}.html", feedback_html(student, lesson, result).encode("utf-8"))
    write_atomic(paths["log"], ("\n".join(log) + "\n").encode("utf-8"))
    return paths


def feedback_folder(student: str) -> str:
    """The folder of a student's feedback: a readable part of the id and a hash of all of it.

    The hash makes it unique (ids that differ only in characters a file name
    cannot hold, such as ``a b`` and ``a_b``, never share a folder) and the
    length stays far below the file system's limit whatever the id.
    """
    readable = re.sub(r"[^\w.@+-]", "_", student, flags=re.ASCII)[:40].strip(".") or "student"
    return f"{readable}-{hashlib.sha256(student.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}"
