"""Lesson-specific tests of lesson 06's exercise checks (``nncourse/checks/gradient_descent.py``).

Failure messages name the case and show expected versus got; particular
mistakes (in-place updates, ...) get their diagnosis.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import optim
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

#: Lesson 06's two parts and the exercises each one holds.
PARTS = {"06a_optimisers": {"gd-step", "quadratic-rates", "momentum-step", "rmsprop-step", "adam-step"},
         "06b_training_loop": {"lr-schedule", "minibatches"}}
IDS = [e.id for e in EXERCISES.values() if e.lesson in PARTS]


def test_lesson_has_at_least_five_exercises_each_in_its_part():
    assert len(IDS) >= 5
    assert {part: {e.id for e in EXERCISES.values() if e.lesson == part} for part in PARTS} == PARTS


def test_failure_names_the_case_and_shows_expected_and_got():
    with pytest.raises(CheckFailed) as info:
        check("gd-step", lambda theta, grad, lr: theta + lr * grad)
    message = str(info.value)
    assert "case 'hand-worked: theta=[1, -2], grad=[0.5, 0.5], lr=0.1 (theta_new = [0.95, -2.05])' failed" in message
    assert "expected" in message and "got" in message
    assert "0.95" in message and "1.05" in message  # expected 1 - 0.05, got 1 + 0.05


def test_in_place_update_is_diagnosed():
    def in_place(theta, grad, lr):
        theta -= lr * grad
        return theta

    report = run_checks("gd-step", in_place, seed=0)
    assert "modified its argument" in report.message()


def test_minibatches_accepts_a_generator_or_a_list():
    def as_list(n_samples, batch_size, *, rng, shuffle=True):
        return list(optim.minibatches(n_samples, batch_size, rng=rng, shuffle=shuffle))

    assert run_checks("minibatches", as_list, seed=3).passed


def test_adam_counter_after_use_reports_the_nan_of_the_first_step():
    mistake = next(m for m in EXERCISES["adam-step"].mistakes if m.name == "counter-incremented-after-use")
    message = run_checks("adam-step", mistake.implementation, seed=0).message()
    assert "inf or NaN" in message and mistake.hint in message


def test_cases_differ_between_runs():
    exercise = EXERCISES["momentum-step"]
    a = exercise.make_cases(np.random.default_rng(1))
    b = exercise.make_cases(np.random.default_rng(2))
    assert not np.array_equal(a[2].args[0], b[2].args[0])


# --- quadratic-rates (issue 13: derive the fastest constant learning rate, then implement it) ---

def _rates_by_search(A):
    """The three numbers found numerically: a fine grid of learning rates, the worst factor of each."""
    lam = np.linalg.eigvalsh(A)
    limit = 2.0 / lam.max()
    grid = np.linspace(0.0, limit, 200_001)[1:]
    worst = np.max(np.abs(1.0 - np.outer(grid, lam)), axis=1)
    return limit, float(grid[np.argmin(worst)]), float(worst.min())


def test_quadratic_rates_reference_agrees_with_a_grid_search_and_with_gradient_descent():
    from nncourse.checks.gradient_descent import quadratic_rates

    rng = np.random.default_rng(5)
    for eigenvalues in ([1.0, 20.0], [1.0, 3.0], [0.5, 2.0, 7.0], [3.0, 3.0]):
        Q, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
        A = Q @ np.diag(eigenvalues) @ Q.T
        limit, best, factor = quadratic_rates(A)
        s_limit, s_best, s_factor = _rates_by_search(A)
        assert limit == pytest.approx(s_limit) and factor == pytest.approx(s_factor, abs=1e-4)
        assert best == pytest.approx(s_best, rel=1e-3)
        # Gradient descent with the best rate shrinks the worst direction by exactly the factor per step.
        theta = Q @ np.ones(len(eigenvalues))
        for _ in range(5):
            new = optim.gd_update(theta, A @ theta, best)
            assert np.linalg.norm(new) <= factor * np.linalg.norm(theta) + 1e-12
            theta = new
    # Section 3's valley: 2 / 21 and 19 / 21, the eta = 0.095 and factors 0.905 / 0.900 the lesson prints.
    assert quadratic_rates(np.diag([1.0, 20.0])) == pytest.approx((0.1, 2 / 21, 19 / 21))


@pytest.mark.parametrize("correct", [
    lambda A: (lambda lam: (2 / lam.max(), 2 / (lam.min() + lam.max()), (lam.max() - lam.min()) / (lam.max() + lam.min())))(
        np.real(np.linalg.eigvals(A))),
    lambda A: (lambda k, hi: (2 / hi, 2 / (hi / k + hi), (k - 1) / (k + 1)))(np.linalg.cond(A), np.linalg.norm(A, 2)),
    lambda A: (lambda lo, hi: (2 / hi, 2 / (lo + hi), max(abs(1 - 2 * lo / (lo + hi)), abs(1 - 2 * hi / (lo + hi)))))(
        *np.linalg.eigvalsh(A)[[0, -1]]),
], ids=["eigvals-min-max", "condition-number", "max-of-both-factors"])
def test_quadratic_rates_correct_answers_written_differently_pass(correct):
    for seed in range(3):
        report = run_checks("quadratic-rates", correct, seed=seed)
        assert report.passed, report.message()


def test_quadratic_rates_a_diagonal_only_answer_fails_on_the_turned_valley_with_its_hint():
    message = run_checks("quadratic-rates", lambda A: (
        2 / np.diag(A).max(), 2 / (np.diag(A).min() + np.diag(A).max()),
        (np.diag(A).max() - np.diag(A).min()) / (np.diag(A).max() + np.diag(A).min())), seed=0).message()
    assert message.startswith("quadratic-rates: case 'the valley turned by 30 degrees")
    assert "np.linalg.eigvalsh(A)" in message
