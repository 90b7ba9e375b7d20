"""The class report: what a class got wrong, from the results of one grading run.

Every grading run writes ``report.json`` (the numbers) and ``report.html`` (one
self-contained page: inline SVG figures, no script, a Content-Security-Policy
that forbids loading anything) next to the gradebook. Both are built from the
same per-check records as ``gradebook.json`` and the feedback, cached results
included, so a re-run that reuses every result writes the same report.

What it holds:

* score distribution for the course and per lesson: histogram (tenths of the
  maximum), mean, median, quartiles, over the notebooks handed in (an
  unreadable file scores 0; grader errors are left out);
* per exercise: handed in, graded, attempted, passed, failed, not attempted,
  not graded, and the pass rate (passed / graded), hardest first;
* per exercise, the diagnoses of the failures: the **known mistakes** (the
  exercise's own ``Mistake`` names) with counts and the hint shown, the generic
  diagnoses (``generic:...``), and the failures that matched no known mistake;
* the students who need an instructor: not handed in, refused, unreadable,
  grader errors, limits hit, each with the reason — the only place student ids
  appear; everything else is aggregated;
* run time per notebook: median and slowest, per lesson and overall.

Diagnosis ids are the grader's own (it judges the plain data a run handed over
in its own process), yet they are checked against the exercise's known
mistakes and :data:`GENERIC_IDS` wherever they are read; anything else counts
as undiagnosed. Every text in the page is escaped.
"""

from __future__ import annotations

import functools
import html
import json
import statistics
from collections import Counter

from nncourse.checks import EXERCISES, _diagnosis
from nncourse.checks._judging import NOT_ATTEMPTED

FORMAT = 1
# Every generic diagnosis id the checks can give, from their own table.
GENERIC_IDS = _diagnosis.GENERIC_IDS
HINT_CHARS = 1000
REASON_CHARS = 300
BINS = 10  # histogram bins, each a tenth of the maximum score
# Outcomes of a check on a notebook that was handed in and graded, by what they mean for the pass rate.
GRADED = {"passed": "passed", "failed": "failed", "not attempted": "not_attempted", "missing": "not_attempted"}


# --------------------------------------------------------------------------- #
# Diagnosis ids
# --------------------------------------------------------------------------- #


def _clip(text, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


@functools.cache
def _known_mistakes(exercise_id: str) -> dict:
    exercise = EXERCISES.get(exercise_id)
    return {m.name: m.hint for m in exercise.mistakes} if exercise is not None else {}


def known_hint(exercise_id: str, mistake: str | None) -> str | None:
    """The hint of a known mistake of the exercise, or None when ``mistake`` is not one of them."""
    return _known_mistakes(exercise_id).get(mistake) if isinstance(mistake, str) else None


def is_valid_diagnosis(exercise_id: str, mistake) -> bool:
    return isinstance(mistake, str) and (mistake in GENERIC_IDS or known_hint(exercise_id, mistake) is not None)


def diagnosis_of(exercise, verdict) -> tuple[str | None, str | None]:
    """The diagnosis id and hint of a failing :class:`~nncourse.checks._judging.Report`.

    That of the failure whose hint the message shows (the first one that is not
    "not attempted"). A known mistake's hint is taken from its definition; an
    id that is neither a known mistake of this exercise nor a generic id gives
    ``(None, None)``.
    """
    first = next((f for f in verdict.failures if f.reason != NOT_ATTEMPTED), None)
    if first is None or not is_valid_diagnosis(exercise.id, first.diagnosis):
        return None, None
    hint = known_hint(exercise.id, first.diagnosis) or first.hint
    return first.diagnosis, _clip(hint, HINT_CHARS) if hint else None


# --------------------------------------------------------------------------- #
# The numbers
# --------------------------------------------------------------------------- #


def _round(x: float) -> float:
    return round(float(x), 3)


def distribution(scores: list, maximum: int) -> dict:
    """Count, mean, quartiles and a histogram in tenths of ``maximum`` of a list of scores."""
    counts = [0] * BINS
    for score in scores:
        fraction = score / maximum if maximum else 0.0
        counts[min(BINS - 1, max(0, int(fraction * BINS)))] += 1
    summary = {"n": len(scores), "max_points": maximum, "histogram": counts,
               "bin_edges_percent": [round(100 * k / BINS) for k in range(BINS + 1)]}
    if not scores:
        return summary | {k: None for k in ("mean", "median", "q1", "q3", "min", "max")}
    q1, median, q3 = (statistics.quantiles(scores, n=4, method="inclusive") if len(scores) > 1
                      else [scores[0]] * 3)
    return summary | {"mean": _round(statistics.fmean(scores)), "median": _round(median), "q1": _round(q1),
                      "q3": _round(q3), "min": min(scores), "max": max(scores)}


def _handed_in(result: dict) -> bool:
    return result["status"] not in ("missing", "refused")


def _scored(result: dict) -> bool:
    """Handed in and graded (an unreadable file is the student's doing and scores 0; an error scores nothing)."""
    return _handed_in(result) and result["status"] != "error" and None not in (c["points"] for c in result["checks"])


def _scores(scope: list, results: dict, students: list) -> dict:
    by_lesson = {}
    for lesson in scope:
        notebooks = [results[(s, lesson)] for s in students if (s, lesson) in results]
        scored = [r for r in notebooks if _scored(r)]
        top = max((sum(c["max_points"] for c in r["checks"]) for r in notebooks), default=0)
        by_lesson[lesson] = distribution([sum(c["points"] for c in r["checks"]) for r in scored], top)
    course_scores = []
    for student in students:
        mine = [results[(student, lesson)] for lesson in scope if (student, lesson) in results]
        if any(_scored(r) for r in mine) and not any(_handed_in(r) and not _scored(r) for r in mine):
            course_scores.append(sum(c["points"] or 0 for r in mine if _scored(r) for c in r["checks"]))
    course_top = sum(d["max_points"] for d in by_lesson.values())
    return {"course": distribution(course_scores, course_top), "lessons": by_lesson}


def _exercise_stats(scope: list, results: dict, students: list) -> list:
    rows = []
    by_id = {key: {c["id"]: c for c in result["checks"]} for key, result in results.items()}
    for exercise_id, exercise in EXERCISES.items():
        if exercise.lesson not in scope:
            continue
        row = {"id": exercise_id, "lesson": exercise.lesson, "title": exercise.title, "points": exercise.points,
               "students": 0, "handed_in": 0, "graded": 0, "attempted": 0, "passed": 0, "failed": 0,
               "not_attempted": 0, "not_graded": 0}
        known, generic, undiagnosed = Counter(), Counter(), 0
        generic_hints: dict[str, Counter] = {}
        for student in students:
            result = results.get((student, exercise.lesson))
            check = by_id[(student, exercise.lesson)].get(exercise_id) if result else None
            if check is None:
                continue
            row["students"] += 1
            if not _handed_in(result):
                continue
            row["handed_in"] += 1
            kind = GRADED.get(check["outcome"]) if result["status"] == "graded" else None
            if kind is None:
                row["not_graded"] += 1
                continue
            row["graded"] += 1
            row[kind] += 1
            row["attempted"] += kind != "not_attempted"
            if kind != "failed":
                continue
            mistake = check.get("mistake")
            if not is_valid_diagnosis(exercise_id, mistake):
                undiagnosed += 1
            elif mistake in GENERIC_IDS:
                generic[mistake] += 1
                if check.get("hint"):
                    generic_hints.setdefault(mistake, Counter())[_clip(check["hint"], HINT_CHARS)] += 1
            else:
                known[mistake] += 1
        row["pass_rate"] = _round(row["passed"] / row["graded"]) if row["graded"] else None
        row["mistakes"] = [{"id": m, "count": n, "hint": known_hint(exercise_id, m)}
                           for m, n in sorted(known.items(), key=lambda kv: (-kv[1], kv[0]))]
        row["generic"] = [{"id": g, "count": n,
                           "hint": min(generic_hints[g].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                           if g in generic_hints else None}
                          for g, n in sorted(generic.items(), key=lambda kv: (-kv[1], kv[0]))]
        row["unmatched"] = row["failed"] - sum(known.values())
        row["undiagnosed"] = undiagnosed
        rows.append(row)
    order = {e: i for i, e in enumerate(EXERCISES)}
    return sorted(rows, key=lambda r: (r["pass_rate"] is None, r["pass_rate"] or 0.0, -r["failed"], order[r["id"]]))


def _attention(scope: list, results: dict, students: list) -> list:
    """Who needs an instructor's attention, and why (the only place student ids appear)."""
    found = []
    for student in students:
        for lesson in scope:
            result = results.get((student, lesson))
            if result is None:
                continue
            status = result["status"]
            if status != "graded":
                kind = {"missing": "not handed in", "error": "grader error"}.get(status, status)
                found.append({"student": student, "lesson": lesson, "exercise": None, "problem": kind,
                              "reason": _clip(result.get("reason") or kind, REASON_CHARS)})
                continue
            if result.get("limit") in ("time", "memory"):
                found.append({"student": student, "lesson": lesson, "exercise": None,
                              "problem": f"{result['limit']} limit", "reason": _clip(result["reason"], REASON_CHARS)})
            elif result.get("reason"):
                found.append({"student": student, "lesson": lesson, "exercise": None, "problem": "run stopped",
                              "reason": _clip(result["reason"], REASON_CHARS)})
            for check in result["checks"]:
                if check.get("limit") in ("time", "memory"):
                    found.append({"student": student, "lesson": lesson, "exercise": check["id"],
                                  "problem": f"{check['limit']} limit",
                                  "reason": _clip(check["reason"].splitlines()[0] if check["reason"] else "",
                                                  REASON_CHARS)})
    return found


def _run_times(scope: list, results: dict) -> dict:
    def summary(seconds: list) -> dict:
        return {"notebooks": len(seconds), "median_seconds": _round(statistics.median(seconds)) if seconds else None,
                "slowest_seconds": _round(max(seconds)) if seconds else None}

    ran: dict[str, list] = {lesson: [] for lesson in scope}
    for (_, lesson), r in sorted(results.items()):
        if lesson in ran and r["status"] in ("graded", "error") and r.get("seconds"):
            ran[lesson].append(r["seconds"])
    return {"course": summary([s for values in ran.values() for s in values]),
            "lessons": {lesson: summary(values) for lesson, values in ran.items()}}


def class_report(scope: list, results: dict) -> dict:
    """The class report of ``results`` (``{(student, lesson): result}`` as the grader made them) as plain data."""
    students = sorted({s for s, _ in results})
    notebooks = Counter(results[key]["status"] for key in sorted(results))
    return {
        "format": FORMAT,
        "lessons": list(scope),
        "students": len(students),
        "notebooks": {"total": len(results), "handed_in": sum(_handed_in(r) for r in results.values()),
                      **{status: notebooks.get(status, 0)
                         for status in ("graded", "missing", "unreadable", "refused", "error")}},
        "scores": _scores(scope, results, students),
        "exercises": _exercise_stats(scope, results, students),
        "attention": _attention(scope, results, students),
        "run_time": _run_times(scope, results),
        "definitions": {
            "handed_in": "the student's notebook of the lesson was there (not missing, not refused)",
            "graded": "handed in and graded (not unreadable, no grader error, the check ran)",
            "attempted": "graded, and the answer was not left as the stub or deleted",
            "pass_rate": "passed / graded",
            "scores": "points of the notebooks handed in (an unreadable file scores 0, as in the gradebook); "
                      "notebooks not handed in and grader errors are listed, not counted; the course score sums "
                      "a student's lessons (0 for a lesson not handed in)",
            "mistakes": "failures matched to a known mistake of the exercise, with the hint shown",
            "generic": "failures given a generic diagnosis (generic:...) with the most frequent hint shown",
            "unmatched": "failures that matched no known mistake (generic diagnoses included)",
            "undiagnosed": "failures with no diagnosis at all",
            "run_time": "seconds per notebook run, reused results counted with the time of their run",
        },
    }


def report_json(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


# --------------------------------------------------------------------------- #
# The page
# --------------------------------------------------------------------------- #

_esc = html.escape


def _palette() -> tuple[str, str]:
    # The course's colour-blind-safe palette (Okabe & Ito); colour never carries
    # information alone here: every bar is labelled with its number.
    from nncourse.widgets._base import OKABE_ITO

    return OKABE_ITO[3], OKABE_ITO[4]  # blue, vermillion


def _percent(x) -> str:
    return "–" if x is None else f"{100 * x:.0f}\u00a0%"


def _number(x) -> str:
    return "–" if x is None else f"{round(x, 1):g}"


def histogram_svg(dist: dict, title: str, ident: str) -> str:
    """A histogram of a score distribution as an accessible inline SVG (labelled axes, title, description)."""
    blue, _ = _palette()
    width, height, left, right, top, bottom = 440, 250, 50, 16, 42, 52
    plot_w, plot_h = width - left - right, height - top - bottom
    counts = dist["histogram"]
    peak = max(max(counts), 1)
    step = max(1, -(-peak // 5))
    ticks = list(range(0, peak + step, step))
    y_top = ticks[-1]
    bar_w = plot_w / len(counts)
    edges = dist["bin_edges_percent"]
    described = "; ".join(f"{edges[k]}–{edges[k + 1]} %: {n}" for k, n in enumerate(counts))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">',
             f'<title id="{ident}-t">{_esc(title)}</title>',
             f'<desc id="{ident}-d">Number of students per score band (percent of {dist["max_points"]} '
             f'points), {dist["n"]} students: {_esc(described)}.</desc>',
             f'<text x="{left + plot_w / 2:.1f}" y="18" text-anchor="middle" class="fig-title">{_esc(title)}</text>']
    for t in ticks:
        y = top + plot_h - plot_h * t / y_top
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{t}</text>')
    for k, n in enumerate(counts):
        x = left + k * bar_w
        h = plot_h * n / y_top
        parts.append(f'<rect x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                     f'fill="{blue}" stroke="#000000" stroke-width="0.5"/>')
        if n:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
                         f'text-anchor="middle">{n}</text>')
    for k, edge in enumerate(edges):
        x = left + k * bar_w
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}" class="axis"/>'
                     f'<text x="{x:.1f}" y="{top + plot_h + 17}" text-anchor="middle">{edge}</text>')
    parts += [f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" class="axis"/>',
              f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" class="axis"/>',
              f'<text x="{left + plot_w / 2:.1f}" y="{height - 10}" text-anchor="middle">score (% of '
              f'{dist["max_points"]} points)</text>',
              f'<text transform="translate(16 {top + plot_h / 2:.1f}) rotate(-90)" text-anchor="middle">'
              'students</text>', "</svg>"]
    return "\n".join(parts)


def pass_rate_svg(exercises: list, ident: str) -> str:
    """Pass rate per exercise, hardest first, as horizontal bars (accessible inline SVG)."""
    blue, _ = _palette()
    shown = [r for r in exercises if r["pass_rate"] is not None]
    row_h, left, right, top, bottom = 22, 200, 60, 30, 48
    width = 640
    plot_w = width - left - right
    height = top + bottom + row_h * max(len(shown), 1)
    described = "; ".join(f"{r['id']}: {_percent(r['pass_rate'])} of {r['graded']}" for r in shown) or "no data"
    title = "Pass rate per exercise, hardest first"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" role="img" aria-labelledby="{ident}-t {ident}-d">',
             f'<title id="{ident}-t">{title}</title>',
             f'<desc id="{ident}-d">Share of graded notebooks that passed each exercise: {_esc(described)}.</desc>',
             f'<text x="{left + plot_w / 2:.1f}" y="18" text-anchor="middle" class="fig-title">{title}</text>']
    for tick in range(0, 101, 20):
        x = left + plot_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{height - bottom}" class="grid"/>'
                     f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">{tick}</text>')
    for k, r in enumerate(shown):
        y = top + k * row_h
        w = plot_w * r["pass_rate"]
        parts.append(f'<text x="{left - 6}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end">{_esc(r["id"])}</text>'
                     f'<rect x="{left}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 6}" fill="{blue}" '
                     f'stroke="#000000" stroke-width="0.5"/>'
                     f'<text x="{left + w + 4:.1f}" y="{y + row_h / 2 + 4:.1f}">{_percent(r["pass_rate"])}</text>')
    parts += [f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}" class="axis"/>',
              f'<line x1="{left}" x2="{left + plot_w}" y1="{height - bottom}" y2="{height - bottom}" class="axis"/>',
              f'<text x="{left + plot_w / 2:.1f}" y="{height - 12}" text-anchor="middle">pass rate (% of graded '
              'notebooks that passed)</text>', "</svg>"]
    return "\n".join(parts)


def _table(header: list, rows: list, caption: str = "") -> str:
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _stats_row(name: str, d: dict) -> list:
    return [_esc(name), str(d["n"]), str(d["max_points"]), _number(d["mean"]), _number(d["q1"]),
            _number(d["median"]), _number(d["q3"]), _number(d["min"]), _number(d["max"])]


def report_html(doc: dict) -> str:
    """The class report as one self-contained page (no script, nothing loaded from anywhere)."""
    blue, vermillion = _palette()
    scores = doc["scores"]
    # With one lesson the course's distribution is the lesson's: shown once.
    figures = ([("course", "course", "Course score distribution (all lessons in this report)", scores["course"])]
               if len(scores["lessons"]) > 1 else [])
    figures += [(f"lesson-{k}", lesson, f"Score distribution: {lesson}", d)
                for k, (lesson, d) in enumerate(scores["lessons"].items())]
    score_figs = "\n".join(
        f'<figure>{histogram_svg(d, title, ident)}<figcaption>{_esc(title)}: {d["n"]} '
        f'{"students" if ident == "course" else "notebooks handed in"}.</figcaption></figure>'
        for ident, _, title, d in figures)
    stats = _table(["", "n", "max points", "mean", "lower quartile", "median", "upper quartile", "lowest",
                    "highest"], [_stats_row(name, d) for _, name, _, d in figures], "Scores in points")
    exercise_rows = [[_esc(r["id"]), _esc(r["lesson"]), _esc(r["title"]), str(r["handed_in"]), str(r["graded"]),
                      str(r["attempted"]), str(r["passed"]), str(r["failed"]), str(r["not_attempted"]),
                      str(r["not_graded"]), _percent(r["pass_rate"])] for r in doc["exercises"]]
    exercises = _table(["exercise", "lesson", "title", "handed in", "graded", "attempted", "passed", "failed",
                        "not attempted", "not graded", "pass rate"], exercise_rows,
                       "Exercises, hardest first (pass rate = passed / graded)")
    common = sorted(((m["count"], r["id"], m["id"], m["hint"], r["graded"]) for r in doc["exercises"]
                     for m in r["mistakes"]), key=lambda t: (-t[0], t[1], t[2]))[:10]
    mistakes = [_table(["exercise", "known mistake", "students", "of graded", "hint shown"],
                       [[f"<code>{_esc(ex)}</code>", f"<code>{_esc(m)}</code>", str(n), _percent(n / graded),
                         _esc(hint or "")] for n, ex, m, hint, graded in common],
                       "The most common known mistakes")] if common else []
    for r in doc["exercises"]:
        if not r["failed"]:
            continue
        rows = [[f"<code>{_esc(m['id'])}</code>", "known mistake", str(m["count"]), _esc(m["hint"] or "")]
                for m in r["mistakes"]]
        rows += [[f"<code>{_esc(g['id'])}</code>", "generic", str(g["count"]), _esc(g["hint"] or "")]
                 for g in r["generic"]]
        if r["undiagnosed"]:
            rows.append(["–", "no diagnosis", str(r["undiagnosed"]), ""])
        mistakes.append(f'<h3><code>{_esc(r["id"])}</code> ({_esc(r["title"])}): {r["failed"]} failed, '
                        f'{r["failed"] - r["unmatched"]} matched a known mistake, {r["unmatched"]} did not</h3>'
                        + _table(["diagnosis", "kind", "students", "hint shown"], rows))
    attention = _table(["student", "lesson", "exercise", "problem", "reason"],
                       [[f"<code>{_esc(a['student'])}</code>", _esc(a["lesson"]), _esc(a["exercise"] or "–"),
                         _esc(a["problem"]), _esc(a["reason"])] for a in doc["attention"]],
                       "Students who need attention") if doc["attention"] else (
        "<p>Nobody: every notebook was handed in and graded.</p>")
    times = doc["run_time"]
    time_rows = [[_esc(name), str(t["notebooks"]), _number(t["median_seconds"]), _number(t["slowest_seconds"])]
                 for name, t in [("course", times["course"]), *times["lessons"].items()]]
    nb = doc["notebooks"]
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {_esc(", ".join(doc["lessons"]) or "no lessons")}</title>
<style>
body{{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em;color:#000;line-height:1.4}}
table{{border-collapse:collapse;margin:0.5em 0 1.5em}}td,th{{border:1px solid #999;padding:3px 6px;vertical-align:top;
text-align:left}}caption{{text-align:left;font-weight:bold;padding:4px 0}}
figure{{display:inline-block;margin:0 1em 1em 0}}figcaption{{font-size:0.9em}}
svg{{font-family:sans-serif;font-size:12px;max-width:100%;height:auto}}svg .fig-title{{font-size:14px;font-weight:bold}}
svg .grid{{stroke:#d0d0d0;stroke-width:1}}svg .axis{{stroke:#000;stroke-width:1}}
.key{{display:inline-block;width:0.9em;height:0.9em;background:{blue};border:1px solid #000}}
h2{{border-bottom:3px solid {vermillion};padding-bottom:2px}}
</style></head>
<body>
<h1>Class report</h1>
<p>Lessons: {_esc(", ".join(doc["lessons"]) or "none")}. {doc["students"]} students, {nb["total"]} notebooks expected:
{nb["handed_in"]} handed in ({nb["graded"]} graded, {nb["unreadable"]} unreadable, {nb["error"]} grader errors),
{nb["missing"]} not handed in, {nb["refused"]} refused. The numbers are in <code>report.json</code>; each
student's points in <code>gradebook.csv</code>.</p>
<h2>Scores</h2>
{score_figs}
{stats}
<h2>Exercises</h2>
<figure>{pass_rate_svg(doc["exercises"], "pass-rate")}<figcaption><span class="key"></span> pass rate per exercise
(hardest first); the table gives every count.</figcaption></figure>
{exercises}
<h2>Mistakes the class made</h2>
<p>Each failed check is matched against the exercise's known mistakes; the hint is the one the students were
shown. Generic diagnoses name a slip true of the answer (a sign, a factor, a shape); a failure with no diagnosis
matched nothing the course knows.</p>
{"".join(mistakes) or "<p>No exercise was failed.</p>"}
<h2>Students who need attention</h2>
{attention}
<h2>Run time per notebook</h2>
{_table(["", "notebooks run", "median (s)", "slowest (s)"], time_rows,
        "Seconds per notebook (reused results count with the time of their run)")}
</body></html>
"""
