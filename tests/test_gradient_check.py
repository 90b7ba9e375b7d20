"""nncourse.gradient_check: the centred-difference checker, the relative error and the per-parameter report."""

from __future__ import annotations

import numpy as np
import pytest

import nncourse
from nncourse import layers
from nncourse.gradient_check import GradientCheckReport, gradient_check, numerical_gradient, relative_error


def test_numerical_gradient_known_values():
    # d/dx sum(x^3) = 3 x^2 = [3, 12, 0.75]; the centred error is h^2 |f'''| / 6 = 1e-10 per entry
    x = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(lambda v: float(np.sum(v ** 3)), x), [3.0, 12.0, 0.75],
                               atol=1e-9)


def test_numerical_gradient_of_a_matrix_function():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(3, 3))
    M = rng.normal(size=(3, 3))
    # f(M) = sum(A * M^2) has gradient 2 A * M
    np.testing.assert_allclose(numerical_gradient(lambda m: float(np.sum(A * m * m)), M.copy()), 2 * A * M,
                               rtol=1e-7, atol=1e-9)


def test_centred_error_is_second_order_forward_error_first_order():
    # Halving h divides the centred error by about 4 and the forward error by about 2.
    def centred_error(h):
        return abs(numerical_gradient(lambda v: float(np.exp(v[0])), np.array([0.5]), h)[0] - np.exp(0.5))

    def forward_error(h):
        return abs((np.exp(0.5 + h) - np.exp(0.5)) / h - np.exp(0.5))

    assert centred_error(1e-2) / centred_error(5e-3) == pytest.approx(4.0, rel=0.01)
    assert forward_error(1e-2) / forward_error(5e-3) == pytest.approx(2.0, rel=0.01)


def test_x_is_restored_even_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    numerical_gradient(lambda v: float(np.sum(v ** 2)), x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])

    def fails_on_the_second_call(v):
        fails_on_the_second_call.calls += 1
        if fails_on_the_second_call.calls == 2:
            raise RuntimeError("boom")
        return 0.0

    fails_on_the_second_call.calls = 0
    with pytest.raises(RuntimeError):
        numerical_gradient(fails_on_the_second_call, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_dout_gives_the_vector_jacobian_product():
    # f(x) = x @ A maps (2, 3) to (2, 4); the gradient of sum(f(x) * dout) is dout @ A.T
    rng = np.random.default_rng(1)
    A, x, dout = rng.normal(size=(3, 4)), rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    np.testing.assert_allclose(numerical_gradient(lambda v: v @ A, x, dout=dout), dout @ A.T, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("f, x, kwargs, error, match", [
    ("not callable", np.zeros(2), {}, TypeError, "f must be a function"),
    (np.sum, [1.0, 2.0], {}, TypeError, "x must be a float64 numpy array .* got list"),
    (np.sum, np.array([1, 2]), {}, TypeError, "got an array of dtype int64"),
    (np.sum, np.array([1.0, 2.0], dtype=np.float32), {}, TypeError, "got an array of dtype float32"),
    (np.sum, np.array([1.0, 2.0], dtype=np.float16), {}, TypeError, "got an array of dtype float16"),
    (lambda v: "one", np.zeros(2), {}, TypeError, "f must return a number, got str"),
    (lambda v: np.inf, np.zeros(2), {}, ValueError, r"f returned a non-finite value \(inf\) at x:"),
    (np.sum, np.zeros(2), {"h": 0.0}, ValueError, "h must be a finite number > 0"),
    (lambda v: v, np.zeros(2), {}, ValueError, "f must return a scalar"),
    (lambda v: v, np.zeros(2), {"dout": np.zeros(3)}, ValueError, r"dout has shape \(3,\)"),
])
def test_numerical_gradient_bad_input(f, x, kwargs, error, match):
    with pytest.raises(error, match=match):
        numerical_gradient(f, x, **kwargs)


def test_numerical_gradient_refuses_a_read_only_x():
    x = np.zeros(2)
    x.flags.writeable = False
    with pytest.raises(ValueError, match="x must be writeable"):
        numerical_gradient(np.sum, x)


def test_relative_error_values():
    # |1 - 1.1| / (1 + 1.1) = 0.047619; the other entry |2 - 2| = 0; the max is reported
    assert relative_error(np.array([1.0, 2.0]), np.array([1.1, 2.0])) == pytest.approx(0.1 / 2.1)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0  # two exact zeros: 0, not nan
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0  # opposite signs: the largest possible
    with pytest.raises(ValueError, match="a and b must have the same shape"):
        relative_error(np.zeros(2), np.zeros(3))


def _network(seed=0):
    rng = np.random.default_rng(seed)
    params = layers.init_params([3, 4, 2], init="xavier", seed=rng)
    return params, rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)


def test_gradient_check_passes_the_package_and_leaves_params_alone():
    params, X, y = _network()
    before = [(W.copy(), b.copy()) for W, b in params]
    report = gradient_check(params, X, y, activation="tanh", l2=0.1)
    assert set(report.errors) == {"W1", "b1", "W2", "b2"}
    assert report.passed() and report.max_error < 1e-7
    assert "ok" in str(report) and "WRONG" not in str(report)
    for (W, b), (W0, b0) in zip(params, before):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


def test_gradient_check_catches_a_wrong_gradient():
    params, X, y = _network(1)
    _, grads = nncourse.loss_and_grads(params, X, y, activation="tanh")
    wrong = [(dW, db) for dW, db in grads]
    wrong[0] = (2.0 * grads[0][0], grads[0][1])  # a stray factor 2 in dW1
    report = gradient_check(params, X, y, activation="tanh", grads=wrong)
    assert not report.passed()
    assert report.errors["W1"] == pytest.approx(1 / 3, rel=1e-4)  # |2a - a| / (2a + a)
    assert report.errors["W2"] < 1e-7
    assert "WRONG" in str(report) and repr(report) == str(report)


def test_gradient_check_float32_parameters_are_checked_in_float64():
    params, X, y = _network(2)
    params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in params]
    assert gradient_check(params32, X.astype(np.float32), y, activation="sigmoid").passed()


def test_gradient_check_grads_of_the_wrong_length():
    params, X, y = _network()
    with pytest.raises(ValueError, match=r"grads must be a list of \(dW, db\) pairs, one per layer of params \(2\), got 1 layers"):
        gradient_check(params, X, y, grads=[(np.zeros((3, 4)), np.zeros(4))])


def test_report_verdicts():
    text = str(GradientCheckReport({"W1": 1e-9, "b1": 1e-6, "W2": 1e-2}))
    assert [line.split()[-1] for line in text.splitlines()[1:]] == ["ok", "suspicious", "WRONG"]
    assert GradientCheckReport({"W1": 1e-6}).passed(threshold=1e-5)
