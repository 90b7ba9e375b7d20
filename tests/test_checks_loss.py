"""Lesson-specific tests of the lesson 04 exercise checks (nncourse/checks/loss.py).

The stable exercises are checked both ways: a correct answer written
differently passes, and a naive one is caught on the extreme cases.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import losses
from nncourse.checks import EXERCISES, run_checks

# Lesson 04 comes in two parts, one notebook each; every exercise belongs to the part that asks it.
PARTS = {"04a_mse_and_cross_entropy": ["mse", "mse-grad", "one-hot", "binary-cross-entropy"],
         "04b_logits_and_likelihood": ["logsumexp", "cross-entropy-logits", "gaussian-nll"]}
IDS = [e.id for e in EXERCISES.values() if e.lesson in PARTS]
SEEDS = range(5)


def test_lesson_has_its_exercises():
    assert IDS == ["mse", "mse-grad", "one-hot", "binary-cross-entropy", "logsumexp", "cross-entropy-logits",
                   "gaussian-nll"]
    assert {part: [e.id for e in EXERCISES.values() if e.lesson == part] for part in PARTS} == PARTS
    assert all(len(EXERCISES[i].mistakes) >= 4 for i in IDS)
    assert EXERCISES["logsumexp"].forbid_overflow and EXERCISES["cross-entropy-logits"].forbid_overflow


def test_failure_names_the_case_and_shows_expected_and_got():
    message = run_checks("mse", lambda p, y: float(np.mean(np.abs(p - y))), seed=0).message()
    # Worked example: |0.5| + |2| + |1| over 6 entries = 3.5 / 6 = 0.583333; squares: 0.25 + 4 + 1 = 5.25 / 6 = 0.875
    assert message.startswith("mse: case 'the worked example: 3 samples, 2 outputs (MSE 5.25 / 6 = 0.875)' failed: "
                              "wrong value")
    assert "expected 0.875, got 0.583333" in message


# --- correct answers written differently pass; naive ones are caught ---

def _lse_via_max_and_keepdims(Z):
    m = Z.max(axis=1, keepdims=True)
    return (m + np.log(np.exp(Z - m).sum(axis=1, keepdims=True))).ravel()


def _ce_via_one_hot(Z, y):
    Y = np.eye(Z.shape[1])[y]
    m = Z.max(axis=1)
    lse = m + np.log(np.exp(Z - m[:, None]).sum(axis=1))
    return float(np.mean(lse - np.sum(Y * Z, axis=1)))


def _bce_with_where(p, y):
    eps = np.finfo(p.dtype).eps
    q = np.clip(p, eps, 1 - eps)
    return float(np.mean(np.where(y == 1, -np.log(q), 0.0) + np.where(y == 0, -np.log(1 - q), 0.0)
                         + np.where((y > 0) & (y < 1), -(y * np.log(q) + (1 - y) * np.log(1 - q)), 0.0)))


@pytest.mark.parametrize("exercise_id, correct", [
    ("logsumexp", _lse_via_max_and_keepdims),
    ("cross-entropy-logits", _ce_via_one_hot),
    ("binary-cross-entropy", _bce_with_where),
    ("one-hot", lambda y, n_classes: np.eye(n_classes)[y]),
    ("one-hot", lambda y, n_classes: (np.arange(n_classes) == y[:, None]).astype(float)),
    ("mse", lambda p, y: np.mean(np.square(p - y))),
    ("mse-grad", lambda p, y: (p - y) * (2.0 / p.size)),
])
def test_correct_answers_written_differently_pass(exercise_id, correct):
    for seed in SEEDS:
        report = run_checks(exercise_id, correct, seed=seed)
        assert report.passed, report.message()


def test_right_values_with_an_overflow_on_the_way_are_rejected():
    def exponentiates_raw_logits_too(Z):
        largest = np.max(np.exp(Z))  # overflows to inf at z = 1000, unused
        m = np.max(Z, axis=1, keepdims=True)
        return (m + np.log(np.sum(np.exp(Z - m), axis=1, keepdims=True)))[:, 0] + 0.0 * np.isfinite(largest)

    report = run_checks("logsumexp", exponentiates_raw_logits_too, seed=0)
    assert not report.passed
    assert "overflow" in report.message()


def test_extreme_cases_are_marked_and_have_finite_answers():
    for exercise_id in ("logsumexp", "cross-entropy-logits"):
        cases = EXERCISES[exercise_id].make_cases(np.random.default_rng(1))
        extreme = [c for c in cases if c.extreme]
        assert len(extreme) >= 4
        assert any(np.max(np.abs(c.args[0])) >= 1000 for c in extreme)
        for case in extreme:
            assert np.all(np.isfinite(EXERCISES[exercise_id].reference(*case.args)))


def test_worked_examples_by_hand():
    # ln(e^2 + e^1 + e^0.1) = ln(7.389056 + 2.718282 + 1.105171) = ln(11.212509) = 2.417030
    assert EXERCISES["logsumexp"].reference(np.array([[2.0, 1.0, 0.1]]))[0] == pytest.approx(2.4170300, abs=1e-6)
    # -ln p_0 = 2.417030 - 2 = 0.417030
    assert losses.cross_entropy_with_logits(np.array([[2.0, 1.0, 0.1]]), np.array([0])) == pytest.approx(0.4170300,
                                                                                                           abs=1e-6)
    # -(ln 0.9 + ln 0.8 + ln 0.6) / 3 = (0.105361 + 0.223144 + 0.510826) / 3 = 0.279777
    assert losses.binary_cross_entropy(np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0])) == pytest.approx(
        0.2797769, abs=1e-6)


# --- gaussian-nll (issue 13: derive, then implement) ---

def _gaussian_nll_from_the_density(y_pred, y, s):
    density = np.exp(-((y - y_pred) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2)
    return float(-np.mean(np.log(density)))


@pytest.mark.parametrize("correct", [
    _gaussian_nll_from_the_density,
    lambda y_pred, y, s: losses.mse(y_pred, y) / (2 * s * s) + np.log(2 * np.pi * s * s) / 2,
    lambda y_pred, y, s: float(np.mean((y_pred - y) ** 2 / (2 * s**2) + np.log(s) + 0.5 * np.log(2 * np.pi))),
])
def test_gaussian_nll_correct_answers_written_differently_pass(correct):
    for seed in SEEDS:
        report = run_checks("gaussian-nll", correct, seed=seed)
        assert report.passed, report.message()


def test_gaussian_nll_reference_matches_the_worked_example_and_the_density():
    from nncourse.checks.loss import gaussian_nll

    y_hat = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])
    y = np.array([[1.5, 2.0], [0.0, 3.0], [1.0, -1.0]])
    # MSE 0.875 (section 2); with s = 1: 0.875 / 2 + log(2 pi) / 2 = 0.4375 + 0.918939 = 1.356439
    assert gaussian_nll(y_hat, y, 1.0) == pytest.approx(1.356439, abs=1e-6)
    rng = np.random.default_rng(5)
    y_hat, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert gaussian_nll(y_hat, y, 0.7) == pytest.approx(_gaussian_nll_from_the_density(y_hat, y, 0.7), rel=1e-12)


def test_gaussian_nll_dropped_constant_gets_its_hint():
    message = run_checks("gaussian-nll", lambda p, y, s: float(np.mean((p - y) ** 2) / (2 * s**2)), seed=0).message()
    assert message.startswith("gaussian-nll: case 'the worked example of section 2 with s = 1' failed: "
                              "wrong value: expected 1.35644, got 0.4375")
    assert "1/2 log(2 pi s^2) to -log" in message
