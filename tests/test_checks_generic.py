"""The generic diagnoses added for mistakes no exercise knows by name (``nncourse/checks/_diagnosis.py``).

Each is a fact about the learner's result that must be true whenever it is
given: here each one fires on an answer that has it, and stays silent on a near
miss that does not (the guard that keeps it from misleading).
"""

from __future__ import annotations

import numpy as np
import pytest

from corpus.measure import verdict
from nncourse.checks import EXERCISES
from nncourse.checks import _diagnosis as dx
from nncourse.checks._definitions import Case

RNG = np.random.default_rng(12)
E = RNG.normal(size=(4, 5))
X = RNG.normal(size=(4, 5))
CASE = Case("a case", (X,))


def ids(expected, got, case=CASE):
    return [f.id for f in dx.value_facts(case, expected, got)]


def first_diagnosis(exercise_id, answer, seed=0):
    report = verdict(exercise_id, (answer,), seed)
    assert not report.passed
    return report.failures[0].diagnosis


# ------------------------------------------------------------------ value facts, one case
def test_squared_and_square_root():
    positive = np.abs(E) + 0.5
    assert "generic:squared" in ids(positive, positive ** 2)
    assert "generic:square-root" in ids(positive, np.sqrt(positive))
    # Entries of 0 and 1 only: squaring changes nothing there, so nothing can be said.
    ones = np.ones((2, 2))
    assert "generic:squared" not in ids(ones, 2 * ones)


def test_offset_needs_the_same_number_everywhere():
    assert "generic:offset" in ids(E, E + 0.3)
    shifted = E + 0.3
    shifted[0, 0] += 1.0
    assert "generic:offset" not in ids(E, shifted)


def test_truncated_but_not_an_all_zero_result():
    values = np.abs(E) * 3
    assert "generic:truncated" in ids(values, np.floor(values))
    small = np.abs(E) / (np.abs(E).max() + 1)       # every entry in (0, 1): trunc gives 0 everywhere
    assert "generic:truncated" not in ids(small, np.zeros_like(small))


def test_only_the_last_or_first_slice():
    last = E.copy()
    last[-1] = 0.0
    assert "generic:last-only" in ids(E, last)
    first = E.copy()
    first[:, 0] += 1.0
    assert "generic:first-only" in ids(E, first)
    both = E.copy()
    both[0, 0] += 1.0
    both[-1, -1] += 1.0
    assert not {"generic:first-only", "generic:last-only"} & set(ids(E, both))


def test_row_statistic_broadcast_along_the_columns():
    A = np.abs(RNG.normal(size=(4, 4))) + 0.1
    norms = np.sqrt((A * A).sum(axis=1))
    assert "generic:row-broadcast" in ids(A / norms[:, None], A / norms, Case("c", (A,)))
    means = A.mean(axis=1)
    assert "generic:row-broadcast" in ids(A - means[:, None], A - means, Case("c", (A,)))
    # A transposed answer is a transpose, not a broadcast.
    B = A / norms[:, None]
    assert "generic:row-broadcast" not in ids(B, B.T, Case("c", (A,)))


def test_one_branch_wrong():
    z = RNG.normal(size=20)
    right = np.where(z > 0, z, 0.1 * z)
    case = Case("c", (z,))
    assert "generic:negative-branch" in ids(right, np.where(z > 0, z, 0.2 * z), case)
    assert "generic:positive-branch" in ids(right, np.where(z > 0, 2 * z, 0.1 * z), case)
    assert not {"generic:negative-branch", "generic:positive-branch"} & set(ids(right, right + (z > 1), case))


def test_a_wrong_scalar_needs_the_same_offset_on_every_case():
    one = dx.value_facts(Case("a", ()), np.asarray(2.0), np.asarray(3.0))
    other = dx.value_facts(Case("b", ()), np.asarray(5.0), np.asarray(7.0))
    again = dx.value_facts(Case("c", ()), np.asarray(4.0), np.asarray(5.0))
    assert dx.consistent_fact([one, other, again]) is None or dx.consistent_fact([one, other, again]).id != "generic:offset"
    assert dx.consistent_fact([one, again, one]).id == "generic:offset"


# ------------------------------------------------------------------ parts in another order
def test_parts_in_another_order_at_any_depth():
    exercise = EXERCISES["momentum-step"]
    a, b = np.arange(3.0), np.arange(3.0) + 10
    assert "your" in dx.reordered(exercise, (a, b), (b, a))
    assert dx.reordered(exercise, ((a, b), (b, a)), ((b, a), (a, b))) is not None
    assert dx.reordered(exercise, {"x": a, "y": b}, {"x": b, "y": a}) is not None
    assert dx.reordered(exercise, (a, b), (b, a + 1)) is None          # one part is wrong, not moved
    assert dx.reordered(exercise, (a, b), (a, b)) is None


def test_backward_pass_with_db_dw_pairs_is_told_the_order():
    from nncourse import backprop

    def backward(dZ_out, cache):
        return [(db, dW) for dW, db in backprop.backward(dZ_out, cache)]

    assert first_diagnosis("backward-pass", backward) == "generic:order"


# ------------------------------------------------------------------ the reference on other inputs
def test_another_exercise_computed():
    assert first_diagnosis("relu", lambda z: np.where(z > 0, z, 0.01 * z)) == "generic:other-exercise"


def test_an_argument_ignored():
    def momentum(theta, grad, velocity, lr, beta=0.9):
        v = beta * velocity + grad
        return theta - v, v

    assert first_diagnosis("momentum-step", momentum) == "generic:argument-ignored"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_variants_say_nothing_about_an_unrelated_mistake(seed):
    # x + 1 - mean(x)**2 is neither swapped, transposed, another exercise's nor an argument left out.
    report = verdict("centre", (lambda x: x + 1 - np.mean(x) ** 2,), seed)
    assert report.failures[0].diagnosis not in {"generic:swapped-arguments", "generic:other-axis",
                                                "generic:other-exercise", "generic:argument-ignored"}


# ------------------------------------------------------------------ shapes, and factors that are arguments
def test_one_entry_short_or_too_many():
    e = RNG.normal(size=5)
    assert dx.shape_diagnosis(e, e[:-1]).id == "generic:one-short"
    assert dx.shape_diagnosis(e, e[1:]).id == "generic:one-short"
    assert dx.shape_diagnosis(e, np.append(e, 9.0)).id == "generic:one-short"
    assert dx.shape_diagnosis(e, e[:-1] + 1).id is None
    assert dx.shape_diagnosis(e[:, None] * e, (e[:, None] * e)[:-1]).id == "generic:one-short"   # rows too


def test_reduced_along_the_other_axis_by_its_shape():
    dZ = RNG.normal(size=(6, 3))
    case = Case("c", (dZ,))
    assert dx.shape_diagnosis(dZ.sum(axis=0), dZ.sum(axis=1), case=case).id == "generic:other-axis"
    # A length of 1 says nothing about an axis.
    assert dx.shape_diagnosis(np.zeros(1), np.zeros(2), case=Case("c", (np.zeros((2, 1)),))).id is None


def test_a_factor_that_is_an_argument():
    assert first_diagnosis("l2-grad", lambda W, l2: l2 * l2 * W) == "generic:factor-argument"
    # l2 left out altogether: no ratio on the strength-0 case, but the answer with l2 = 1 explains every case.
    assert first_diagnosis("l2-grad", lambda W, l2: W + 0.0) == "generic:argument-ignored"


def test_an_argument_returned_negated_replaced_or_the_function_applied_twice():
    from nncourse import activations

    assert first_diagnosis("l1-grad", lambda W, l1: W.copy()) == "generic:returned-input"
    assert first_diagnosis("leaky-relu", lambda z, slope=0.01: np.where(-z > 0, -z, -slope * z)) == \
        "generic:input-negated"
    assert first_diagnosis("dot-loop", lambda a, b: float(sum(a[i] * a[i] for i in range(len(a))))) == \
        "generic:wrong-argument"
    assert first_diagnosis("softmax", lambda z: activations.softmax(activations.softmax(z))) == "generic:applied-twice"
