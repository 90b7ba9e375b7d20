"""Mutation tests for the lesson 03 exercise checks (nncourse/checks/forward_pass.py).

For every exercise: the reference passes; every registered Mistake fails and
gets its own hint; a `raise NotImplementedError` stub is "not attempted"; blank
answers fail; failures name the case. The initialisation exercises are judged
by distribution, so they also get the opposite test: correct answers that draw
their numbers differently must pass, for many seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import layers
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

LESSON = "03_forward_pass"
IDS = [e.id for e in EXERCISES.values() if e.lesson == LESSON]
MISTAKES = [(e.id, m) for e in EXERCISES.values() if e.lesson == LESSON for m in e.mistakes]
SEEDS = range(5)


def _zeros_like(value):
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_zeros_like(v) for v in value)
    return type(value)(0)


def test_lesson_has_its_exercises():
    assert IDS == ["dense-forward", "count-params", "forward-pass", "init-xavier", "init-he", "initial-loss"]
    assert all(EXERCISES[i].mistakes for i in IDS)


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", [None, *SEEDS])
def test_reference_passes(exercise_id, seed):
    report = run_checks(exercise_id, *EXERCISES[exercise_id].reference_objects(), seed=seed)
    assert report.passed, report.message()
    assert report.n_cases >= 5


@pytest.mark.parametrize("exercise_id", IDS)
def test_check_prints_one_line_on_success(exercise_id, capsys):
    check(exercise_id, *EXERCISES[exercise_id].reference_objects())
    n = len(EXERCISES[exercise_id].make_cases(np.random.default_rng(0)))
    assert capsys.readouterr().out == f"{exercise_id}: passed all {n} test cases.\n"


@pytest.mark.parametrize("exercise_id, mistake", MISTAKES, ids=[f"{i}:{m.name}" for i, m in MISTAKES])
@pytest.mark.parametrize("seed", SEEDS)
def test_every_mistake_fails_with_its_own_hint(exercise_id, mistake, seed):
    impl = mistake.implementation if isinstance(mistake.implementation, tuple) else (mistake.implementation,)
    report = run_checks(exercise_id, *impl, seed=seed)
    assert not report.passed
    message = report.message()
    assert mistake.hint in message, message
    assert f"{exercise_id}: case '" in message


@pytest.mark.parametrize("exercise_id", IDS)
def test_not_implemented_stub_is_not_attempted(exercise_id):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    with pytest.raises(CheckFailed) as info:
        check(exercise_id, stub)
    assert info.value.not_attempted


@pytest.mark.parametrize("exercise_id", IDS)
def test_blank_answers_fail(exercise_id):
    reference = EXERCISES[exercise_id].reference

    def returns_none(*args, **kwargs):
        return None

    def returns_zeros(*args, **kwargs):
        return _zeros_like(reference(*args, **kwargs))

    for blank in (returns_none, returns_zeros):
        report = run_checks(exercise_id, blank, seed=0)
        assert not report.passed and not report.not_attempted, blank.__name__


def test_failure_names_the_case_and_shows_expected_and_got():
    message = run_checks("dense-forward", lambda X, W, b: (X @ W, (X, W)), seed=0).message()
    assert message.startswith("dense-forward: case 'square weights, shape (3, 3)' failed: Z: wrong values")
    assert "expected: array of shape (4, 3)" in message and "got:      array of shape (4, 3)" in message


# --- initialisation: judged by distribution ---

def _he_transposed_draw(n_in, n_out, rng):
    return rng.normal(0.0, 1.0, size=(n_out, n_in)).T * np.sqrt(2.0 / n_in)


def _he_divided(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in / 2.0)


def _he_uniform(n_in, n_out, rng):
    limit = np.sqrt(6.0 / n_in)  # uniform on [-a, a] has std a / sqrt(3)
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def _xavier_transposed_draw(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in)).T


def _glorot_uniform(n_in, n_out, rng):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


@pytest.mark.parametrize("exercise_id, correct", [
    ("init-he", _he_transposed_draw), ("init-he", _he_divided), ("init-he", _he_uniform),
    ("init-xavier", _xavier_transposed_draw), ("init-xavier", _glorot_uniform),
])
def test_correct_inits_drawn_differently_always_pass(exercise_id, correct):
    for seed in range(40):
        report = run_checks(exercise_id, correct, seed=seed)
        assert report.passed, report.message()


def test_init_statistics_leave_room_for_sampling_noise():
    # The rounded ratios are decided at +-0.05; sampling moves a correct answer's
    # std / target by about 1 / sqrt(2 N) and its mean / target by 1 / sqrt(N).
    from nncourse.checks.forward_pass import _LARGE_SIZES, _MIN_FOR_STATS

    for n_in, n_out in _LARGE_SIZES:
        n = n_in * n_out
        assert n >= _MIN_FOR_STATS
        assert 0.05 * np.sqrt(n) >= 10  # at least ten standard errors


def test_init_returning_a_list_is_told_what_to_return():
    message = run_checks("init-he", lambda n_in, n_out, rng: [[0.0] * n_out] * n_in, seed=0).message()
    assert "expected a float numpy array of shape (3, 2)" in message


def test_init_mistake_message_shows_the_ratio():
    message = run_checks("init-he", lambda n_in, n_out, rng: rng.normal(0.0, np.sqrt(1.0 / n_in), (n_in, n_out)),
                         seed=0).message()
    assert "'std / target std': wrong values: expected 1, got 0.7" in message


# --- forward-pass ---

def test_forward_pass_accepts_a_cache_of_lists():
    def forward_lists(params, X):
        A, cache = X, []
        for i, (W, b) in enumerate(params):
            Z = A @ W + b
            cache.append([A, Z])
            if i < len(params) - 1:
                A = np.maximum(Z, 0.0)
            else:
                e = np.exp(Z - Z.max(axis=1, keepdims=True))
                A = e / e.sum(axis=1, keepdims=True)
        return A, cache

    for seed in SEEDS:
        assert run_checks("forward-pass", forward_lists, seed=seed).passed


def test_forward_pass_reference_agrees_with_the_package():
    rng = np.random.default_rng(0)
    params = layers.init_params([3, 5, 2], seed=rng)
    X = rng.normal(size=(4, 3))
    Y_hat, cache = EXERCISES["forward-pass"].reference(params, X)
    np.testing.assert_allclose(Y_hat.sum(axis=1), 1.0)
    assert [a.shape for a, _ in cache] == [(4, 3), (4, 5)]
    assert [z.shape for _, z in cache] == [(4, 5), (4, 2)]


def test_count_params_worked_example():
    # [3, 4, 2]: 3*4 weights + 4 biases + 4*2 weights + 2 biases = 12 + 4 + 8 + 2 = 26
    assert EXERCISES["count-params"].reference([3, 4, 2]) == 26


def test_initial_loss_is_ln_k():
    assert EXERCISES["initial-loss"].reference(10) == pytest.approx(2.302585092994046)


@pytest.mark.parametrize("exercise_id", IDS)
def test_grading_hand_over_judges_the_same(exercise_id, tmp_path):
    # When grading, the kernel only writes plain data; the grader rebuilds the cases from the seed and judges.
    from nncourse.checks import _exchange, judge, run_student
    from nncourse.checks._core import exercise_rng

    exercise = EXERCISES[exercise_id]
    mistake = exercise.mistakes[0].implementation
    for objects, should_pass in ((exercise.reference_objects(), True),
                                 (mistake if isinstance(mistake, tuple) else (mistake,), False)):
        cases = exercise.make_cases(exercise_rng(exercise_id, 11))
        _exchange.dump(tmp_path, exercise_id, 11, [run_student(exercise, objects, c) for c in cases])
        outcomes = _exchange.load(tmp_path, exercise_id, 11, len(cases))
        report = judge(exercise, exercise.make_cases(exercise_rng(exercise_id, 11)), outcomes)
        assert report.passed == should_pass, report.message()
