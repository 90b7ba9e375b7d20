"""Lesson-specific tests of the lesson 03 exercise checks (nncourse/checks/forward_pass.py).

The initialisation exercises are judged by distribution, so they get the
opposite test too: correct answers that draw their numbers differently must
pass, for many seeds.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import layers
from nncourse.checks import EXERCISES, run_checks

# Lesson 03 comes in two parts, one notebook each; every exercise belongs to the part that asks it.
PARTS = {"03a_forward_pass": ["dense-forward", "count-params", "forward-pass"],
         "03b_initialisation": ["init-xavier", "init-he", "initial-loss", "z-variances"]}
IDS = [e.id for e in EXERCISES.values() if e.lesson in PARTS]
SEEDS = range(5)


def test_lesson_has_its_exercises():
    assert IDS == ["dense-forward", "count-params", "forward-pass", "init-xavier", "init-he", "initial-loss",
                   "z-variances"]
    assert {part: [e.id for e in EXERCISES.values() if e.lesson == part] for part in PARTS} == PARTS
    assert all(EXERCISES[i].mistakes for i in IDS)


def test_failure_names_the_case_and_shows_expected_and_got():
    message = run_checks("dense-forward", lambda X, W, b: (X @ W, (X, W)), seed=0).message()
    assert message.startswith("dense-forward: case 'square weights W (3, 3), 4 samples' failed: Z: wrong values")
    assert "expected (shape (4, 3), float64):" in message and "got      (shape (4, 3), float64):" in message


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
    assert "'std / target std': wrong value: expected 1, got 0.7" in message


# --- forward-pass ---

def test_forward_pass_accepts_a_cache_of_lists():
    def forward_lists(params, X):
        A, cache = X, []
        for i, (W, b) in enumerate(params):
            Z = A @ W + b
            cache.append([[A, W], [Z, "relu" if i < len(params) - 1 else "softmax"], None])
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
    P, cache = EXERCISES["forward-pass"].reference(params, X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert [(A_prev.shape, W.shape) for (A_prev, W), _, _ in cache] == [((4, 3), (3, 5)), ((4, 5), (5, 2))]
    assert [(Z.shape, name) for _, (Z, name), _ in cache] == [((4, 5), "relu"), ((4, 2), "softmax")]
    assert [dropout for _, _, dropout in cache] == [None, None]


@pytest.mark.parametrize("layout, words", [
    (lambda A_prev, W, Z, name: (A_prev, Z), "cache[0] (layer 1) must be the triple ((A_prev, W), (Z, name), None), "
                                           "got a tuple of 2"),
    (lambda A_prev, W, Z, name: ((A_prev,), (Z, name), None), "the dense step's cache, must be the pair (A_prev, W)"),
    (lambda A_prev, W, Z, name: ((A_prev, W), Z, None), "must be the pair (Z, name) with name a string"),
    (lambda A_prev, W, Z, name: ((A_prev, W), (Z, name), 1.0), "the dropout step's cache, must be None"),
    (lambda A_prev, W, Z, name: ((A_prev, W), (Z, "ReLU"), None), "names the activation 'ReLU'; this layer applies 'relu'"),
])
def test_forward_pass_cache_layout_is_named_in_the_message(layout, words):
    def forward_pass(params, X):
        A, cache = X, []
        for i, (W, b) in enumerate(params):
            Z = A @ W + b
            name = "relu" if i < len(params) - 1 else "softmax"
            cache.append(layout(A, W, Z, name))
            A = np.maximum(Z, 0) if name == "relu" else layers.forward([(W, b)], A, output="softmax")[0]
        return A, cache

    report = run_checks("forward-pass", forward_pass, seed=0)
    assert not report.passed and words in report.message(), report.message()


def test_count_params_worked_example():
    # [3, 4, 2]: 3*4 weights + 4 biases + 4*2 weights + 2 biases = 12 + 4 + 8 + 2 = 26
    assert EXERCISES["count-params"].reference([3, 4, 2]) == 26


def test_initial_loss_is_ln_k():
    assert EXERCISES["initial-loss"].reference(10) == pytest.approx(2.302585092994046)




# --- z-variances (added with the exercise, issue 13 part 2) ---

def _z_variances_cumprod(layer_sizes, weight_stds, slope):
    # Var(z^(l)) = prod_{m <= l} n_{m-1} s_m^2, times one factor (1 + slope^2)/2 per activation below layer l
    gains = np.array(layer_sizes[:-1], dtype=float) * np.array(weight_stds) ** 2
    factors = np.concatenate([[1.0], np.full(len(gains) - 1, (1 + slope ** 2) / 2)])
    return np.cumprod(gains * factors)


def _z_variances_recursive(layer_sizes, weight_stds, slope):
    if len(layer_sizes) == 2:
        return [layer_sizes[0] * weight_stds[0] ** 2]
    below = _z_variances_recursive(layer_sizes[:-1], weight_stds[:-1], slope)
    return below + [layer_sizes[-2] * weight_stds[-1] ** 2 * (1 + slope ** 2) / 2 * below[-1]]


@pytest.mark.parametrize("correct", [_z_variances_cumprod, _z_variances_recursive])
def test_z_variances_correct_answers_written_differently_pass(correct):
    for seed in SEEDS:
        report = run_checks("z-variances", correct, seed=seed)
        assert report.passed, report.message()


def test_z_variances_worked_example_by_hand():
    # [100, 50, 50], std 0.1, ReLU: Var(z1) = 100 * 0.01 * 1 = 1; Var(z2) = 50 * 0.01 * (1/2 * 1) = 0.25
    np.testing.assert_allclose(EXERCISES["z-variances"].reference([100, 50, 50], [0.1, 0.1], 0.0), [1.0, 0.25])
    # slope 1 is a linear network: the plain products 30 * 0.09 = 2.7, then 20 * 0.04 * 2.7 = 2.16
    np.testing.assert_allclose(EXERCISES["z-variances"].reference([30, 20, 10], [0.3, 0.2], 1.0), [2.7, 2.16])


def test_z_variances_reference_agrees_with_a_simulation():
    """An independent oracle: the variance of z measured in random leaky-ReLU networks, averaged over draws."""
    from nncourse import activations

    sizes, stds, slope = [200, 300, 150, 100], [0.08, 0.1, 0.12], 0.4
    rng = np.random.default_rng(7)
    measured = np.zeros(3)
    for _ in range(30):
        A = rng.normal(size=(400, sizes[0]))
        for layer, (n_in, n_out, std) in enumerate(zip(sizes[:-1], sizes[1:], stds)):
            Z = A @ rng.normal(0.0, std, size=(n_in, n_out))
            measured[layer] += Z.var() / 30
            A = activations.leaky_relu(Z, slope)
    np.testing.assert_allclose(EXERCISES["z-variances"].reference(sizes, stds, slope), measured, rtol=0.03)


def test_z_variances_he_for_leaky_relu_keeps_the_variance():
    # (3.7d): Var(w) = 2 / ((1 + slope^2) n_in) makes every factor after layer 1 equal to 1
    sizes, slope = [64, 128, 32, 16], 0.3
    stds = [np.sqrt(2 / ((1 + slope ** 2) * n)) for n in sizes[:-1]]
    variances = EXERCISES["z-variances"].reference(sizes, stds, slope)
    np.testing.assert_allclose(variances, variances[0])
