"""The class report (``report.json``, ``report.html``) and the mistake ids in ``gradebook.json``.

A simulated class of ten on lesson 05's part 2, ``05b_backward_pass`` (three students with the sign
error ``y-minus-p`` in softmax-ce-grad, two who skip the activation's derivative in backward-pass)
is judged through the grader's own path — the plain data a check hands over,
read back and judged in this process — and must give exactly those counts;
the slow test grades the same class end to end in the sandbox, and again from
the cache. The page is opened in headless Chromium (skipped without it,
unless ``NNCOURSE_REQUIRE_BROWSER=1``) and a screenshot is kept in
``test-artifacts/screenshots/class-report.png``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from nncourse.checks import EXERCISES, _exchange, exercise_rng, judge
from nncourse.checks._judging import NOT_ATTEMPTED, Failure, Report
from nncourse.checks._running import run_student
from nncourse.grading import classreport as cr
from nncourse.grading import report
from nncourse.grading.grade import _check_result, _judge_one, _missing
from nncourse.grading.runner import CellOutcome
from nncourse.grading.sandbox import Limits

ROOT = Path(__file__).resolve().parents[1]
LESSON = "05b_backward_pass"
SIGN_ERROR = ("softmax-ce-grad", "y-minus-p")
DERIVATIVE_SKIPPED = ("backward-pass", "activation-derivative-skipped")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(not any(e.lesson == LESSON for e in EXERCISES.values()),
                                reason=f"no exercises registered for {LESSON}")


def _objects(exercise, implementation) -> tuple:
    return implementation if isinstance(implementation, tuple) else (implementation,)


def _mistake(exercise_id: str, name: str):
    return next(m.implementation for m in EXERCISES[exercise_id].mistakes if m.name == name)


def class_plan() -> dict:
    """Ten students: s00-s02 make the sign error, s03-s04 skip the activation's derivative, the others are right."""
    plan = {f"s{k:02d}": {} for k in range(10)}
    for k in range(3):
        plan[f"s{k:02d}"][SIGN_ERROR[0]] = SIGN_ERROR[1]
    for k in (3, 4):
        plan[f"s{k:02d}"][DERIVATIVE_SKIPPED[0]] = DERIVATIVE_SKIPPED[1]
    return plan


def judged_class(tmp_path: Path, plan: dict) -> dict:
    """The results the grader would make: each check's plain data dumped, read back and judged by the grader."""
    ids = [e for e, x in EXERCISES.items() if x.lesson == LESSON]
    results = {}
    for n, (student, wrong) in enumerate(sorted(plan.items())):
        seed = 1000 + n
        folder = tmp_path / student
        folder.mkdir()
        checks = []
        for exercise_id in ids:
            exercise = EXERCISES[exercise_id]
            implementation = _mistake(exercise_id, wrong[exercise_id]) if exercise_id in wrong else exercise.reference
            cases = exercise.make_cases(exercise_rng(exercise_id, seed))
            outcomes = [run_student(exercise, _objects(exercise, implementation), c) for c in cases]
            _exchange.dump(folder, exercise_id, seed, outcomes)
            passed = judge(exercise, cases, outcomes).passed
            cell = CellOutcome(ok=passed, message="" if passed else "CheckFailed", seconds=0.01)
            checks.append(_judge_one(exercise_id, cell, folder, seed))
        results[(student, LESSON)] = {"file": f"{LESSON}.ipynb", "status": "graded", "reason": "", "limit": None,
                                      "seed": seed, "notes": [], "other_cells_failed": 0, "checks": checks,
                                      "seconds": 4.0 + n}
    return results


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    (base / "exchange").mkdir()
    results = judged_class(base / "exchange", class_plan())
    out = base / "results"
    out.mkdir()
    report.write_all(out, [LESSON], results, ["log"], Limits())
    return {"out": out, "results": results, "report": json.loads((out / "report.json").read_text()),
            "book": json.loads((out / "gradebook.json").read_text())}


def _exercise(doc: dict, exercise_id: str) -> dict:
    return next(r for r in doc["exercises"] if r["id"] == exercise_id)


# --------------------------------------------------------------------------- #
# Diagnosis ids: recorded, validated
# --------------------------------------------------------------------------- #


def test_generic_ids_are_exactly_those_the_checks_can_give():
    source = "".join(p.read_text() for p in (ROOT / "nncourse" / "checks").glob("*.py"))
    assert set(re.findall(r'"(generic:[^"]+)"', source)) == cr.GENERIC_IDS


def test_diagnosis_of_keeps_only_ids_the_exercise_knows():
    exercise = EXERCISES[DERIVATIVE_SKIPPED[0]]
    hint = next(m.hint for m in exercise.mistakes if m.name == DERIVATIVE_SKIPPED[1])

    def verdict(*failures):
        return Report(exercise.id, 5, tuple(failures))

    forged = verdict(Failure("a", "r", DERIVATIVE_SKIPPED[1], "forged hint"))
    assert cr.diagnosis_of(exercise, forged) == (DERIVATIVE_SKIPPED[1], hint)
    assert cr.diagnosis_of(exercise, verdict(Failure("a", NOT_ATTEMPTED, None), Failure("b", "r", "generic:sign",
                                                                                         "minus"))) == (
        "generic:sign", "minus")
    # Another exercise's mistake, an unknown generic id, markup, a non-string: no diagnosis.
    for forged in ("y-minus-p", "generic:made-up", "<script>alert(1)</script>", 7, None):
        assert cr.diagnosis_of(exercise, verdict(Failure("a", "r", forged, "x"))) == (None, None)
    long = cr.diagnosis_of(exercise, verdict(Failure("a", "r", "generic:dtype", "x" * 5000)))[1]
    assert len(long) <= cr.HINT_CHARS + 3


def test_the_simulated_class_records_each_mistake_id_in_the_gradebook(simulated):
    students = simulated["book"]["students"]
    for student, wrong in class_plan().items():
        checks = students[student]["notebooks"][LESSON]["checks"]
        for exercise_id, check in checks.items():
            assert set(check) >= {"mistake", "hint", "limit"}
            if exercise_id in wrong:
                assert (check["outcome"], check["mistake"]) == ("failed", wrong[exercise_id])
                assert check["hint"] and check["hint"] in check["reason"], "the hint recorded is the one shown"
            else:
                assert (check["outcome"], check["mistake"], check["hint"]) == ("passed", None, None)
    feedback = (simulated["out"] / "feedback" / report.feedback_folder("s00") / f"{LESSON}.md").read_text()
    assert f"Diagnosis: ` {SIGN_ERROR[1]} `" in feedback


# --------------------------------------------------------------------------- #
# report.json: exact counts
# --------------------------------------------------------------------------- #


def test_the_simulated_class_gives_exactly_its_counts(simulated):
    doc = simulated["report"]
    assert (doc["students"], doc["lessons"]) == (10, [LESSON])
    assert doc["notebooks"] == {"total": 10, "handed_in": 10, "graded": 10, "missing": 0, "unreadable": 0,
                                "refused": 0, "error": 0}
    sign, skipped = _exercise(doc, SIGN_ERROR[0]), _exercise(doc, DERIVATIVE_SKIPPED[0])
    expected_hint = {e: next(m.hint for m in EXERCISES[e].mistakes if m.name == m_)
                     for e, m_ in (SIGN_ERROR, DERIVATIVE_SKIPPED)}
    for row, (exercise_id, mistake), failed in ((sign, SIGN_ERROR, 3), (skipped, DERIVATIVE_SKIPPED, 2)):
        assert {k: row[k] for k in ("handed_in", "graded", "attempted", "passed", "failed", "not_attempted",
                                    "not_graded", "unmatched", "undiagnosed")} == {
            "handed_in": 10, "graded": 10, "attempted": 10, "passed": 10 - failed, "failed": failed,
            "not_attempted": 0, "not_graded": 0, "unmatched": 0, "undiagnosed": 0}
        assert row["pass_rate"] == (10 - failed) / 10
        assert row["mistakes"] == [{"id": mistake, "count": failed, "hint": expected_hint[exercise_id]}]
        assert row["generic"] == []
    others = [r for r in doc["exercises"] if r["id"] not in (SIGN_ERROR[0], DERIVATIVE_SKIPPED[0])]
    assert all((r["passed"], r["failed"], r["mistakes"], r["pass_rate"]) == (10, 0, [], 1.0) for r in others)
    assert [r["id"] for r in doc["exercises"][:2]] == [SIGN_ERROR[0], DERIVATIVE_SKIPPED[0]], "hardest first"
    assert doc["attention"] == []
    assert doc["run_time"]["lessons"][LESSON] == {"notebooks": 10, "median_seconds": 8.5, "slowest_seconds": 13.0}


def test_the_score_distribution_is_exact(simulated):
    doc = simulated["report"]
    top = sum(e.points for e in EXERCISES.values() if e.lesson == LESSON)
    scores = sorted([top - EXERCISES[SIGN_ERROR[0]].points] * 3 + [top - EXERCISES[DERIVATIVE_SKIPPED[0]].points] * 2
                    + [top] * 5)
    lesson = doc["scores"]["lessons"][LESSON]
    assert (lesson["n"], lesson["max_points"], lesson["min"], lesson["max"]) == (10, top, scores[0], top)
    assert lesson["mean"] == round(sum(scores) / 10, 3)
    assert lesson["median"] == (scores[4] + scores[5]) / 2
    bands = [min(9, 10 * score // top) for score in scores]  # tenths of the maximum, 100 % in the last
    assert lesson["histogram"] == [bands.count(k) for k in range(10)]
    assert doc["scores"]["course"]["histogram"] == lesson["histogram"]


def test_distribution_known_values():
    # Quartiles by the inclusive method: 0, 5, 10, 10 -> q1 = 3.75, median = 7.5, q3 = 10.
    d = cr.distribution([0, 5, 10, 10], 10)
    assert (d["n"], d["mean"], d["q1"], d["median"], d["q3"]) == (4, 6.25, 3.75, 7.5, 10)
    assert d["histogram"] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]  # 100 % goes in the last band
    assert cr.distribution([], 10)["mean"] is None
    assert cr.distribution([3], 10)["median"] == 3


def test_missing_errors_limits_and_unmatched_failures_are_reported(tmp_path):
    ids = [e for e, x in EXERCISES.items() if x.lesson == LESSON]
    instructor = {"cells": [{"cell_type": "code", "source": "", "metadata": {
        "nbgrader": {"grade_id": e, "solution": True, "grade": False, "locked": False, "schema_version": 3}}}
        for e in ids]}
    graded = {"status": "graded", "reason": "", "seconds": 2.0, "notes": [], "other_cells_failed": 0}
    results = {
        ("<img src=x onerror=alert(1)>", LESSON): _missing(instructor),
        ("erin", LESSON): {**graded, "status": "error", "reason": "the grader could not run this notebook: x",
                           "checks": [_check_result(e, "error", "x") for e in ids]},
        ("finn", LESSON): {**graded, "checks": [_check_result(ids[0], "failed", "slow", limit="time"),
                                                *[_check_result(e, "passed") for e in ids[1:]]]},
        ("gus", LESSON): {**graded, "checks": [_check_result(ids[0], "failed", "odd </table><script>",
                                                             mistake="forged"),
                                               *[_check_result(e, "not attempted") for e in ids[1:]]]},
    }
    doc = cr.class_report([LESSON], results)
    problems = {(a["student"], a["exercise"], a["problem"]) for a in doc["attention"]}
    assert problems == {("<img src=x onerror=alert(1)>", None, "not handed in"), ("erin", None, "grader error"),
                        ("finn", ids[0], "time limit")}
    first = _exercise(doc, ids[0])
    assert {k: first[k] for k in ("students", "handed_in", "graded", "passed", "failed", "not_graded", "unmatched",
                                  "undiagnosed")} == {"students": 4, "handed_in": 3, "graded": 2, "passed": 0,
                                                      "failed": 2, "not_graded": 1, "unmatched": 2, "undiagnosed": 2}
    assert _exercise(doc, ids[1])["not_attempted"] == 1 and _exercise(doc, ids[1])["attempted"] == 1
    assert doc["scores"]["lessons"][LESSON]["n"] == 2, "missing and errored notebooks are listed, not scored"
    page = cr.report_html(doc)
    assert "<img src=x" not in page and "<script" not in page and "forged" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_student_ids_appear_only_in_the_attention_list(simulated, tmp_path):
    results = dict(simulated["results"])
    ids = [e for e, x in EXERCISES.items() if x.lesson == LESSON]
    results[("zed-missing", LESSON)] = {"file": None, "status": "missing", "reason": "not handed in", "seed": None,
                                        "notes": [], "other_cells_failed": 0, "seconds": 0.0,
                                        "checks": [_check_result(e, "missing", "not handed in") for e in ids]}
    doc = cr.class_report([LESSON], results)
    assert [a["student"] for a in doc["attention"]] == ["zed-missing"]
    rest = json.dumps({k: v for k, v in doc.items() if k != "attention"})
    assert not any(student in rest for student, _ in results)


def test_one_lesson_or_many_and_the_same_bytes_twice(simulated, tmp_path):
    results = dict(simulated["results"])
    other = next(e.lesson for e in EXERCISES.values() if e.lesson != LESSON)
    other_ids = [e for e, x in EXERCISES.items() if x.lesson == other]
    for student, _ in list(results):
        results[(student, other)] = {"file": f"{other}.ipynb", "status": "graded", "reason": "", "seed": 1, "notes": [],
                                     "other_cells_failed": 0, "seconds": 1.0,
                                     "checks": [_check_result(e, "passed") for e in other_ids]}
    scope = sorted([LESSON, other])
    doc = cr.class_report(scope, results)
    assert set(doc["scores"]["lessons"]) == set(scope)
    course = doc["scores"]["course"]
    assert course["max_points"] == sum(e.points for e in EXERCISES.values() if e.lesson in scope)
    assert course["n"] == 10
    assert cr.report_json(doc) == cr.report_json(cr.class_report(scope, dict(reversed(list(results.items())))))
    page = cr.report_html(doc)
    assert page == cr.report_html(cr.class_report(scope, results))
    assert page.count("<figure>") == 2 + len(scope), "the course, each lesson, the pass rates"


# --------------------------------------------------------------------------- #
# The page in a browser
# --------------------------------------------------------------------------- #


def _browser_or_skip():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright, reason = None, "the Playwright Python client is not installed"
    else:
        reason = None if Path(CHROMIUM).is_file() else "no system Chromium at /usr/bin/chromium"
    if reason:
        if os.environ.get("NNCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required (NNCOURSE_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    return sync_playwright


def open_in_chromium(page_path: Path, screenshot: Path) -> dict:
    """Open the page offline in headless Chromium; what it logged, what its figures show, a screenshot."""
    sync_playwright = _browser_or_skip()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            messages, requests = [], []
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri())
            figures = page.eval_on_selector_all("figure svg", """svgs => svgs.map(s => {
                const box = s.getBoundingClientRect();
                const ids = (s.getAttribute('aria-labelledby') || '').split(' ');
                return {width: box.width, height: box.height, role: s.getAttribute('role'),
                        alt: ids.map(i => (document.getElementById(i) || {}).textContent || '').join(' '),
                        bars: [...s.querySelectorAll('rect')].filter(r => r.getBBox().height > 0 &&
                                                                          r.getBBox().width > 0).length,
                        labels: [...s.querySelectorAll('text')].map(t => t.textContent)};
            })""")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return {"messages": messages, "requests": requests, "figures": figures}


@pytest.mark.browser
def test_the_report_renders_offline_in_chromium_with_visible_figures(simulated):
    seen = open_in_chromium(simulated["out"] / "report.html", SCREENSHOTS / "class-report.png")
    assert seen["messages"] == [], "the page must log nothing (no errors, no blocked loads)"
    assert seen["requests"] == [(simulated["out"] / "report.html").as_uri()], "nothing but the page is loaded"
    figures = seen["figures"]
    assert len(figures) == 2  # the lesson (which is the course here), the pass rates
    for figure in figures:
        assert figure["role"] == "img" and figure["width"] > 300 and figure["height"] > 150
        assert len(figure["alt"]) > 40, "each figure has a title and a description for screen readers"
        assert figure["bars"] >= 2
    pass_rates = figures[-1]
    assert "pass rate (% of graded notebooks that passed)" in pass_rates["labels"]
    assert {SIGN_ERROR[0], DERIVATIVE_SKIPPED[0], "70\u00a0%", "80\u00a0%"} <= set(pass_rates["labels"])
    assert any(label.startswith("score (% of") for label in figures[0]["labels"]) and "students" in figures[0]["labels"]


def test_the_page_uses_the_course_palette_and_loads_nothing(simulated):
    from nncourse.widgets._base import OKABE_ITO

    page = (simulated["out"] / "report.html").read_text()
    colours = set(re.findall(r"#[0-9A-Fa-f]{6}\b", page)) - {"#000000", "#d0d0d0", "#999999"}
    assert colours and colours <= set(OKABE_ITO)
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "default-src 'none'" in page


# --------------------------------------------------------------------------- #
# End to end: the same class graded in the sandbox, then again from the cache
# --------------------------------------------------------------------------- #


@pytest.mark.slow
def test_grading_the_simulated_class_writes_the_report_and_a_rerun_writes_it_again(tmp_path_factory, grading_sandbox):
    # The grading tests' helpers: submissions made from the real lesson, trimmed to its exercises.
    from test_grading import answer_sources, dump, filled, trimmed

    from nncourse.grading import notebook_format as nf
    from nncourse.grading import release as rel
    from nncourse.grading.grade import grade_submissions

    base = tmp_path_factory.mktemp("graded-class")
    instructor = trimmed(json.loads((ROOT / "notebooks" / f"{LESSON}.ipynb").read_text(encoding="utf-8")))
    (base / "notebooks").mkdir()
    (base / "notebooks" / f"{LESSON}.ipynb").write_bytes(dump(instructor))
    student_copy, right = rel.student_copy(instructor), answer_sources(instructor)
    for student, wrong in class_plan().items():
        sources = dict(right)
        for exercise_id, mistake in wrong.items():
            name = nf.defined_names(right[exercise_id])[0]
            sources[exercise_id] = (f"from nncourse.checks import EXERCISES as _EX\n{name} = next(m.implementation "
                                    f"for m in _EX[{exercise_id!r}].mistakes if m.name == {mistake!r})\n")
        (base / "subs" / student).mkdir(parents=True)
        (base / "subs" / student / f"{LESSON}.ipynb").write_bytes(dump(filled(student_copy, sources)))

    out = base / "results"
    limits = Limits(cell_timeout=300, notebook_timeout=900)
    summary = grade_submissions(base / "subs", out, jobs=2, notebooks=base / "notebooks", limits=limits)
    assert (summary["run"], summary["errors"]) == (10, 0)
    doc = json.loads((out / "report.json").read_text())
    sign, skipped = _exercise(doc, SIGN_ERROR[0]), _exercise(doc, DERIVATIVE_SKIPPED[0])
    assert (sign["failed"], sign["passed"], sign["mistakes"][0]["id"], sign["mistakes"][0]["count"]) == (
        3, 7, SIGN_ERROR[1], 3)
    assert (skipped["failed"], skipped["passed"], skipped["mistakes"][0]["id"], skipped["mistakes"][0]["count"]) == (
        2, 8, DERIVATIVE_SKIPPED[1], 2)
    assert all(len(r["mistakes"]) <= 1 and r["unmatched"] == 0 for r in doc["exercises"])
    assert sum(r["failed"] for r in doc["exercises"]) == 5
    assert doc["scores"]["lessons"][LESSON]["n"] == 10 and doc["attention"] == []
    assert doc["run_time"]["lessons"][LESSON]["notebooks"] == 10
    book = json.loads((out / "gradebook.json").read_text())
    recorded = {(s, e): c["mistake"] for s, row in book["students"].items()
                for e, c in row["notebooks"][LESSON]["checks"].items() if c["mistake"]}
    assert recorded == {(s, e): m for s, wrong in class_plan().items() for e, m in wrong.items()}

    written = {name: (out / name).read_bytes() for name in ("report.json", "report.html")}
    again = grade_submissions(base / "subs", out, jobs=2, notebooks=base / "notebooks", limits=limits)
    assert (again["run"], again["reused"]) == (0, 10)
    for name, data in written.items():
        assert (out / name).read_bytes() == data, f"{name} changed on a re-run from the cache"
    seen = open_in_chromium(out / "report.html", SCREENSHOTS / "class-report-graded.png")
    assert seen["messages"] == [] and len(seen["figures"]) == 2
