"""The checks against an independent corpus of learners' answers (``tests/corpus/``).

The corpus was written from the exercise statements, not from the checks'
``Mistake`` lists (see ``tests/corpus/__init__.py``). Measured here, as issue 12
asks: at least 98 % of the wrong answers fail; no correct answer fails, on 200
fresh sets of cases each; and on the failure messages at least 75 % of the hints
name the mistake made and at most 3 % name another one. "Names the mistake" is
mechanical: the first failure's diagnosis id is one of the ids the corpus entry
lists (``tests/corpus/measure.py`` defines the counts).

To see the whole table: ``.venv/bin/python -m tests.corpus.measure``.
"""

from __future__ import annotations

import pytest

from corpus.measure import HELD_OUT, LESSONS, corpus, measure, summary, verdict
from nncourse.checks import EXERCISES

WRONG, CORRECT = corpus(LESSONS + HELD_OUT)
FRESH_RUNS = 200


def test_the_corpus_covers_every_exercise():
    per_exercise = {}
    for entry in WRONG:
        per_exercise[entry.exercise] = per_exercise.get(entry.exercise, 0) + 1
        # An answer whose mistake no diagnosis can name lists no ids (some held-out answers): it can only
        # count as generic or misleading.
        assert entry.exercise in EXERCISES, entry
    thin = {e: per_exercise.get(e, 0) for e in EXERCISES if per_exercise.get(e, 0) < 8}
    assert not thin, f"exercises with fewer than 8 wrong answers in the corpus: {thin}"
    assert len(WRONG) >= 400 and len(CORRECT) >= 140
    assert {c.exercise for c in CORRECT} == set(EXERCISES)


def test_wrong_answers_fail_and_their_hints_name_the_mistake():
    rows = measure(WRONG)
    s = summary(rows)
    survivors = [f"{r.entry.exercise}: {r.entry.label}" for r in rows if not r.killed]
    misleading = [f"{r.entry.exercise}: {r.entry.label} -> {r.diagnosis}" for r in rows if r.misleading]
    assert s["kill_rate"] >= 0.98, survivors
    assert s["named"] >= 0.75, s
    assert s["misleading"] <= 0.03, misleading


@pytest.mark.parametrize("held_out", HELD_OUT)
def test_held_out_answers_fail_and_no_hint_names_another_mistake(held_out):
    """Each blind set on its own (its named share is recorded in its docstring, not asserted: that is the
    estimate we report, and asserting it would invite fitting the test set)."""
    rows = measure(corpus((held_out,))[0])
    s = summary(rows)
    assert s["kill_rate"] >= 0.98, [f"{r.entry.exercise}: {r.entry.label}" for r in rows if not r.killed]
    assert s["misleading"] <= 0.03, [f"{r.entry.exercise}: {r.entry.label} -> {r.diagnosis}" for r in rows if r.misleading]


@pytest.mark.parametrize("seed", [1, 2])
def test_wrong_answers_fail_on_other_seeds(seed):
    rows = measure(WRONG, seed=seed)
    assert summary(rows)["kill_rate"] >= 0.98, [f"{r.entry.exercise}: {r.entry.label}" for r in rows if not r.killed]


@pytest.mark.slow
@pytest.mark.parametrize("entry", CORRECT, ids=[f"{c.exercise}:{c.label}" for c in CORRECT])
def test_correct_answers_pass_fresh_cases_every_time(entry):
    for seed in range(1000, 1000 + FRESH_RUNS):
        report = verdict(entry.exercise, entry.objects, seed)
        assert report.passed, f"seed {seed}: {report.message()}"
