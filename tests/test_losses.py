"""nncourse.losses: known values worked by hand, shapes and dtypes, bad input, extreme logits, gradients.

Gradients are compared with centred differences written here (independent of
nncourse.gradient_check) in float64, relative error < 1e-7; a deliberately
wrong gradient must fail the same comparison (the negative control).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from nncourse import activations, losses

EPS = np.finfo(np.float64).eps


def centred(f, x, h=1e-5):
    """Centred differences of a scalar function, on a copy of x."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


def rel_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-300)))


@pytest.fixture
def no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


# --- MSE ---

Y_HAT = np.array([[1.0, 2.0], [0.0, 1.0], [2.0, -1.0]])
Y = np.array([[1.5, 2.0], [0.0, 3.0], [1.0, -1.0]])


def test_mse_worked_example():
    # errors -0.5, 0, 0, -2, 1, 0; squares sum to 0.25 + 4 + 1 = 5.25 over N = 6 entries -> 0.875 (no 1/2)
    assert losses.mse(Y_HAT, Y) == pytest.approx(0.875)
    assert isinstance(losses.mse(Y_HAT, Y), float)


def test_mse_grad_worked_example_and_shape():
    # 2 (y_hat - y) / 6: -1/6, -2/3 and 1/3 where the errors are
    expected = np.array([[-1 / 6, 0.0], [0.0, -2 / 3], [1 / 3, 0.0]])
    np.testing.assert_allclose(losses.mse_grad(Y_HAT, Y), expected)


def test_mse_grad_keeps_float32():
    g = losses.mse_grad(Y_HAT.astype(np.float32), Y.astype(np.float32))
    assert g.dtype == np.float32 and g.shape == (3, 2)


@pytest.mark.parametrize("shape", [(7,), (5, 1), (4, 3)])
def test_mse_grad_matches_centred_differences(shape):
    rng = np.random.default_rng(0)
    y_pred, y = rng.normal(size=shape), rng.normal(size=shape)
    assert rel_error(losses.mse_grad(y_pred, y), centred(lambda p: losses.mse(p, y), y_pred)) < 1e-7


def test_negative_control_a_gradient_without_the_2_fails_the_check():
    rng = np.random.default_rng(1)
    y_pred, y = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    wrong = (y_pred - y) / y_pred.size
    assert rel_error(wrong, centred(lambda p: losses.mse(p, y), y_pred)) > 1e-4


def test_mse_refuses_n_against_n_by_1():
    with pytest.raises(ValueError, match=r"y_pred and y must have the same shape.*\(n,\) and \(n, 1\)"):
        losses.mse(np.zeros((3, 1)), np.zeros(3))


@pytest.mark.parametrize("bad, error", [(np.zeros((0, 2)), ValueError), (np.array([np.nan]), ValueError),
                                        (np.array(["a"]), TypeError)])
def test_mse_bad_input(bad, error):
    with pytest.raises(error, match="y_pred"):
        losses.mse(bad, np.zeros(bad.shape) if bad.dtype.kind == "f" else np.zeros(1))


# --- binary cross-entropy ---

def test_bce_worked_example():
    # -(ln 0.9 + ln 0.8 + ln 0.6) / 3 = (0.105361 + 0.223144 + 0.510826) / 3 = 0.279777
    assert losses.binary_cross_entropy(np.array([0.9, 0.2, 0.6]), np.array([1.0, 0.0, 1.0])) == pytest.approx(
        0.2797769, abs=1e-6)


def test_bce_clips_confident_answers(no_warnings):
    # confidently wrong: p = 0 for y = 1 costs -ln(eps) = 36.04, not inf
    assert losses.binary_cross_entropy(np.array([0.0]), np.array([1.0])) == pytest.approx(-np.log(EPS))
    # confidently right: p in {0, 1} equal to y costs about eps, not nan
    assert 0 <= losses.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0])) < 1e-15


def test_bce_grad_matches_centred_differences():
    rng = np.random.default_rng(2)
    p, y = rng.uniform(0.05, 0.95, size=(5, 2)), rng.uniform(0.0, 1.0, size=(5, 2))
    grad = losses.binary_cross_entropy_grad(p, y)
    assert rel_error(grad, centred(lambda q: losses.binary_cross_entropy(q, y), p)) < 1e-7


@pytest.mark.parametrize("function", [losses.binary_cross_entropy, losses.binary_cross_entropy_grad])
def test_bce_bad_probabilities_and_targets(function):
    with pytest.raises(ValueError, match="p must hold probabilities"):
        function(np.array([1.5]), np.array([1.0]))
    with pytest.raises(ValueError, match="y must hold targets in"):
        function(np.array([0.5]), np.array([2.0]))


def test_bce_with_logits_equals_bce_of_sigmoid():
    rng = np.random.default_rng(3)
    z, y = rng.normal(0, 3, size=(6, 1)), rng.integers(0, 2, size=(6, 1)).astype(float)
    assert losses.binary_cross_entropy_with_logits(z, y) == pytest.approx(
        losses.binary_cross_entropy(activations.sigmoid(z), y), rel=1e-12)


def test_bce_with_logits_is_exact_at_extreme_logits(no_warnings):
    # z = 1000 with y = 0 and z = -1000 with y = 1 each cost 1000; right answers cost about 0
    z, y = np.array([1000.0, -1000.0, 1000.0, -1000.0]), np.array([0.0, 1.0, 1.0, 0.0])
    assert losses.binary_cross_entropy_with_logits(z, y) == pytest.approx((1000 + 1000 + 0 + 0) / 4)
    np.testing.assert_allclose(losses.binary_cross_entropy_with_logits_grad(z, y), [0.25, -0.25, 0.0, 0.0])


def test_bce_with_logits_grad_is_the_fused_gradient():
    rng = np.random.default_rng(4)
    z, y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 3)).astype(float)
    grad = losses.binary_cross_entropy_with_logits_grad(z, y)
    np.testing.assert_allclose(grad, (activations.sigmoid(z) - y) / z.size)
    assert rel_error(grad, centred(lambda v: losses.binary_cross_entropy_with_logits(v, y), z)) < 1e-7


# --- one-hot and categorical cross-entropy ---

def test_one_hot_values_and_dtype():
    out = losses.one_hot(np.array([2, 0, 2, 1]), 3)
    np.testing.assert_array_equal(out, [[0, 0, 1], [1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(losses.one_hot(np.array([1.0, 0.0]), 2), [[0, 1], [1, 0]])  # integral floats


@pytest.mark.parametrize("y, n_classes, error, match", [
    (np.array([[0, 1]]), 2, ValueError, "1-D array"),
    (np.array([0, 3]), 3, ValueError, "only 3 classes"),
    (np.array([0, -1]), 3, ValueError, ">= 0"),
    (np.array([0.5]), 2, ValueError, "integer class labels"),
    (np.array(["a"]), 2, TypeError, "y must hold real numbers"),
    (np.array([True, False]), 2, TypeError, "integer class labels, got dtype bool"),
    (np.array([0]), 2.0, TypeError, "n_classes"),
])
def test_one_hot_bad_input(y, n_classes, error, match):
    with pytest.raises(error, match=match):
        losses.one_hot(y, n_classes)


P = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4], [0.2, 0.2, 0.6]])
LABELS = np.array([0, 2, 2])


def test_cross_entropy_worked_example_with_labels_and_one_hot():
    # -(ln 0.7 + ln 0.4 + ln 0.6) / 3 = (0.356675 + 0.916291 + 0.510826) / 3 = 0.594597
    assert losses.cross_entropy(P, LABELS) == pytest.approx(0.594597, abs=1e-6)
    assert losses.cross_entropy(P, np.eye(3)[LABELS]) == pytest.approx(losses.cross_entropy(P, LABELS))


def test_cross_entropy_grad_matches_centred_differences_along_the_simplex():
    # P must stay a table of probabilities, so it moves along directions D whose rows sum to 0:
    # the centred difference of the loss along D is then <grad, D>.
    grad = losses.cross_entropy_grad(P, LABELS)
    np.testing.assert_allclose(grad, -np.eye(3)[LABELS] / P / 3)
    rng = np.random.default_rng(2)
    for _ in range(5):
        D = rng.normal(size=P.shape)
        D -= D.mean(axis=1, keepdims=True)
        h = 1e-6
        numeric = (losses.cross_entropy(P + h * D, LABELS) - losses.cross_entropy(P - h * D, LABELS)) / (2 * h)
        assert rel_error(np.array([np.sum(grad * D)]), np.array([numeric])) < 1e-7
        # negative control: without the 1/n of the mean the same comparison fails
        assert rel_error(np.array([np.sum(3 * grad * D)]), np.array([numeric])) > 1e-4


@pytest.mark.parametrize("function", [losses.cross_entropy, losses.cross_entropy_grad])
def test_cross_entropy_bad_input(function):
    with pytest.raises(ValueError, match="P must hold probabilities"):
        function(P * 2, LABELS)
    with pytest.raises(ValueError, match="P must be 2-D"):
        function(P[0], LABELS)
    with pytest.raises(ValueError, match="P is empty"):
        function(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"y must be integer labels of shape \(3,\) or one-hot of shape \(3, 3\) to match P, got shape \(3, 4\)"):
        function(P, np.eye(4)[:3])
    with pytest.raises(ValueError, match="P must have rows .* that sum to 1, got a row summing to 1.5"):
        function(np.array([[0.5, 0.5, 0.5]]), np.array([0]))
    with pytest.raises(ValueError, match="y must have rows .* that sum to 1, got a row summing to 1.5"):
        function(P, np.full((3, 3), 0.5))
    with pytest.raises(ValueError, match="integer labels of shape"):
        function(P, np.zeros((3, 3, 1)))
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        function(P, np.array([0, 1]))


# --- log-sum-exp and losses from logits ---

def test_logsumexp_known_values(no_warnings):
    # ln(e^2 + e^1 + e^0.1) = ln(7.389056 + 2.718282 + 1.105171) = ln 11.212509 = 2.417030
    assert float(losses.logsumexp(np.array([2.0, 1.0, 0.1]))) == pytest.approx(2.4170300, abs=1e-6)
    # 1000 + ln 2, without overflow; -1000 + ln 2 without log(0)
    np.testing.assert_allclose(losses.logsumexp(np.array([[1000.0, 1000.0], [-1000.0, -1000.0]]), axis=1),
                               [1000 + np.log(2), -1000 + np.log(2)])


def test_logsumexp_shapes():
    Z = np.arange(12.0).reshape(3, 4)
    assert losses.logsumexp(Z).shape == (3,)
    assert losses.logsumexp(Z, axis=0).shape == (4,)
    assert losses.logsumexp(Z, keepdims=True).shape == (3, 1)
    assert losses.logsumexp(np.array([1.0, 2.0])).shape == ()
    np.testing.assert_allclose(losses.logsumexp(Z, axis=0), np.log(np.exp(Z).sum(axis=0)))


def test_logsumexp_bad_input():
    with pytest.raises(ValueError, match="at least one axis"):
        losses.logsumexp(np.array(1.0))
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        losses.logsumexp(np.zeros((2, 2)), axis=2)


def _naive_cross_entropy(Z, y):
    """The loop oracle: -log of the softmax probability of each row's label, averaged."""
    total = 0.0
    for row, label in zip(Z, y):
        e = np.exp(row - row.max())
        total += -np.log(e[label] / e.sum())
    return total / len(y)


def test_cross_entropy_with_logits_against_the_loop_oracle_and_probabilities():
    rng = np.random.default_rng(5)
    Z, y = rng.normal(0, 2, size=(8, 5)), rng.integers(0, 5, size=8)
    assert losses.cross_entropy_with_logits(Z, y) == pytest.approx(_naive_cross_entropy(Z, y), rel=1e-12)
    assert losses.cross_entropy_with_logits(Z, y) == pytest.approx(losses.cross_entropy(activations.softmax(Z), y))
    assert losses.cross_entropy_with_logits(Z, np.eye(5)[y]) == pytest.approx(losses.cross_entropy_with_logits(Z, y))


def test_cross_entropy_with_logits_at_extreme_logits(no_warnings):
    # logsumexp(1000, 0, -1000) = 1000 to float64 precision; the label's logit is -1000: loss 2000
    assert losses.cross_entropy_with_logits(np.array([[1000.0, 0.0, -1000.0]]), np.array([2])) == pytest.approx(2000)
    grad = losses.softmax_cross_entropy_grad(np.array([[1000.0, 0.0, -1000.0]]), np.array([2]))
    np.testing.assert_allclose(grad, [[1.0, 0.0, -1.0]])


@pytest.mark.parametrize("targets", ["labels", "one-hot"])
def test_softmax_cross_entropy_grad_is_fused_and_matches_centred_differences(targets):
    rng = np.random.default_rng(6)
    Z, y = rng.normal(size=(4, 3)), rng.integers(0, 3, size=4)
    y_arg = y if targets == "labels" else np.eye(3)[y]
    grad = losses.softmax_cross_entropy_grad(Z, y_arg)
    np.testing.assert_allclose(grad, (activations.softmax(Z) - np.eye(3)[y]) / 4)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-15)
    assert rel_error(grad, centred(lambda v: losses.cross_entropy_with_logits(v, y_arg), Z)) < 1e-7


def test_loss_table():
    assert list(losses.LOSSES) == ["mse", "binary_cross_entropy", "softmax_cross_entropy"]
    assert [losses.get_loss(name).output for name in losses.LOSSES] == ["linear", "sigmoid", "softmax"]
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        losses.get_loss("hinge")
