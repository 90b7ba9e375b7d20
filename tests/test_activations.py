"""nncourse.activations (lesson 02): known values, shapes and dtypes, extreme inputs, gradients, bad input."""

import math

import numpy as np
import pytest

from nncourse import activations as act

ELEMENTWISE = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]


def relative_error(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), np.finfo(float).tiny))


def centred_difference(f, z, h=1e-5):
    """Element-wise derivative of an element-wise f by centred differences (float64)."""
    return (f(z + h) - f(z - h)) / (2 * h)


# --- known values, worked by hand ---

def test_sigmoid_known_values():
    # sigma(0) = 1/2; sigma(ln 3) = 1 / (1 + 1/3) = 3/4; sigma(-ln 3) = 1/4
    np.testing.assert_allclose(act.sigmoid(np.array([0.0, np.log(3.0), -np.log(3.0)])), [0.5, 0.75, 0.25],
                               rtol=1e-15)


def test_sigmoid_grad_known_values():
    # sigma'(z) = s (1 - s): at 0, 1/2 * 1/2 = 1/4; at ln 3, 3/4 * 1/4 = 3/16
    np.testing.assert_allclose(act.sigmoid_grad(np.array([0.0, np.log(3.0), -np.log(3.0)])),
                               [0.25, 3 / 16, 3 / 16], rtol=1e-14)


def test_tanh_and_grad_known_values():
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 3/5; tanh' = 1 - 9/25 = 16/25
    np.testing.assert_allclose(act.tanh(np.log(2.0)), 0.6, rtol=1e-15)
    np.testing.assert_allclose(act.tanh_grad(np.array([0.0, np.log(2.0)])), [1.0, 16 / 25], rtol=1e-15)


def test_relu_and_its_derivative_at_zero():
    z = np.array([-2.0, -0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(act.relu(z), [0.0, 0.0, 0.0, 0.5, 3.0])
    # The course's convention: ReLU'(0) = 0.
    np.testing.assert_array_equal(act.relu_grad(z), [0.0, 0.0, 0.0, 1.0, 1.0])


def test_leaky_relu_known_values_and_slope():
    z = np.array([-3.0, 0.0, 2.0])
    np.testing.assert_allclose(act.leaky_relu(z), [-0.03, 0.0, 2.0])
    np.testing.assert_allclose(act.leaky_relu(z, slope=0.2), [-0.6, 0.0, 2.0])
    # Leaky ReLU'(0) = slope (z > 0 is false at 0).
    np.testing.assert_allclose(act.leaky_relu_grad(z, slope=0.2), [0.2, 0.2, 1.0])


def test_linear_is_a_copy_with_derivative_one():
    z = np.array([[1.0, -2.0]])
    out = act.linear(z)
    np.testing.assert_array_equal(out, z)
    assert out is not z and not np.shares_memory(out, z)
    np.testing.assert_array_equal(act.linear_grad(z), np.ones((1, 2)))


def test_softmax_worked_example():
    # e^(1,2,3) = (2.71828, 7.38906, 20.08554), sum 30.19287 -> (0.09003, 0.24473, 0.66524)
    p = act.softmax(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(p, [[0.09003057, 0.24472847, 0.66524096]], rtol=1e-7)


def test_softmax_of_two_logits_is_the_sigmoid_of_their_difference():
    z = np.random.default_rng(0).normal(size=(20, 2)) * 5
    np.testing.assert_allclose(act.softmax(z)[:, 0], act.sigmoid(z[:, 0] - z[:, 1]), rtol=1e-12)


# --- shapes, dtypes, new arrays ---

@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)])
def test_elementwise_shapes(name, shape):
    z = np.random.default_rng(1).normal(size=shape)
    fn, grad = act.ACTIVATIONS[name].fn, act.ACTIVATIONS[name].grad
    assert fn(z).shape == shape and grad(z).shape == shape


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float32_stays_float32_and_integers_become_float64(name):
    fn, grad = act.ACTIVATIONS[name].fn, act.ACTIVATIONS[name].grad
    z32 = np.array([-1.5, 0.0, 2.0], dtype=np.float32)
    assert fn(z32).dtype == np.float32 and grad(z32).dtype == np.float32
    assert fn([-1, 0, 2]).dtype == np.float64 and grad([-1, 0, 2]).dtype == np.float64


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_inputs_are_not_modified(name):
    z = np.array([-2.0, 0.0, 3.0])
    before = z.copy()
    act.ACTIVATIONS[name].fn(z)
    act.ACTIVATIONS[name].grad(z)
    np.testing.assert_array_equal(z, before)


def test_softmax_dtype_axis_and_sums():
    z = np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32)
    p = act.softmax(z)
    assert p.dtype == np.float32
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)
    columns = act.softmax(z, axis=0)
    np.testing.assert_allclose(columns.sum(axis=0), 1.0, rtol=1e-6)
    np.testing.assert_allclose(columns, act.softmax(z.T).T, rtol=1e-6)
    np.testing.assert_allclose(act.softmax(np.array([1.0, 2.0, 3.0])), act.softmax(np.array([[1.0, 2.0, 3.0]]))[0])


def test_softmax_against_a_naive_loop():
    # Oracle: plain Python floats with math.exp, one row at a time (small logits, no overflow).
    z = np.random.default_rng(3).normal(size=(6, 5))
    expected = []
    for row in z.tolist():
        e = [math.exp(v) for v in row]
        expected.append([v / sum(e) for v in e])
    np.testing.assert_allclose(act.softmax(z), expected, rtol=1e-13)


def test_softmax_shift_invariance():
    z = np.random.default_rng(4).normal(size=(3, 4))
    np.testing.assert_allclose(act.softmax(z + 123.0), act.softmax(z), rtol=1e-12)


# --- extreme inputs: no overflow warnings, exact limits ---

def test_sigmoid_at_plus_minus_1000_without_warnings():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        s = act.sigmoid(np.array([-1000.0, -750.0, 750.0, 1000.0]))
        g = act.sigmoid_grad(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(s, [0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_sigmoid_float32_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        s = act.sigmoid(np.array([-200.0, 200.0], dtype=np.float32))  # e^-200 underflows float32
    assert s.dtype == np.float32
    np.testing.assert_array_equal(s, [0.0, 1.0])


def test_sigmoid_keeps_tiny_values_for_large_negative_inputs():
    # The 1/(1 + e^{-z}) form would return 1/(1 + e^{30}) exactly too, but e^z/(1+e^z) keeps relative accuracy
    # at z = -700: sigma(-700) = e^{-700} to within rounding.
    np.testing.assert_allclose(act.sigmoid(np.array([-700.0])), [np.exp(-700.0)], rtol=1e-12)


def test_softmax_at_extreme_logits_without_warnings():
    z = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -999.0], [1000.0, -1000.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        p = act.softmax(z)
    np.testing.assert_allclose(p[0], act.softmax(np.array([1.0, 2.0, 3.0])), rtol=1e-12)
    np.testing.assert_allclose(p[1], act.softmax(np.array([0.0, 0.0, 1.0])), rtol=1e-12)
    np.testing.assert_array_equal(p[2], [1.0, 0.0, 0.0])


def test_tanh_and_relu_at_extremes():
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        np.testing.assert_array_equal(act.tanh(np.array([-1000.0, 1000.0])), [-1.0, 1.0])
        np.testing.assert_array_equal(act.tanh_grad(np.array([-1000.0, 1000.0])), [0.0, 0.0])
        np.testing.assert_array_equal(act.relu(np.array([-1e300, 1e300])), [0.0, 1e300])


# --- gradients: centred differences in float64 ---

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivatives_match_centred_differences(name):
    z = np.random.default_rng(5).normal(0.0, 3.0, size=200)
    z = z[np.abs(z) > 1e-3]  # away from the kink of ReLU and leaky ReLU
    fn, grad = act.ACTIVATIONS[name].fn, act.ACTIVATIONS[name].grad
    numeric = centred_difference(fn, z)
    analytic = grad(z)
    # Where the slope is tiny (saturated sigmoid and tanh) the difference quotient loses digits to rounding
    # (about eps / h = 1e-11 absolute), so compare absolutely there; elsewhere relatively.
    big = np.abs(analytic) > 1e-3
    assert relative_error(analytic[big], numeric[big]) < 1e-7
    np.testing.assert_allclose(analytic[~big], numeric[~big], atol=1e-9)


def test_leaky_relu_grad_with_another_slope_matches_centred_differences():
    z = np.array([-2.0, -0.3, 0.4, 5.0])
    numeric = centred_difference(lambda v: act.leaky_relu(v, slope=0.3), z)
    assert relative_error(act.leaky_relu_grad(z, slope=0.3), numeric) < 1e-7


def test_negative_control_derivative_from_the_output_fails_the_check():
    # The classic mistake, sigma'(z) computed as z (1 - z), must not pass the same check.
    z = np.linspace(-4, 4, 41)
    z = z[np.abs(z) > 1e-3]
    assert relative_error(z * (1 - z), centred_difference(act.sigmoid, z)) > 1e-1


def test_softmax_jacobian_matches_centred_differences():
    z = np.array([0.5, -1.0, 2.0, 0.0])
    h = 1e-5
    numeric = np.empty((4, 4))
    for j in range(4):
        e = np.zeros(4)
        e[j] = h
        numeric[:, j] = (act.softmax(z + e) - act.softmax(z - e)) / (2 * h)
    J = act.softmax_jacobian(z)
    assert J.shape == (4, 4)
    assert relative_error(J, numeric) < 1e-7
    np.testing.assert_allclose(J, J.T, rtol=1e-14)  # diag(p) - p p^T is symmetric
    np.testing.assert_allclose(J.sum(axis=1), 0.0, atol=1e-15)


def test_softmax_backward_is_the_jacobian_applied_row_by_row():
    rng = np.random.default_rng(6)
    Z, dA = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    A = act.softmax(Z)
    dZ = act.softmax_backward(dA, A)
    expected = np.stack([act.softmax_jacobian(z).T @ d for z, d in zip(Z, dA)])
    np.testing.assert_allclose(dZ, expected, rtol=1e-12, atol=1e-15)
    # Along another axis: the same as transposing.
    np.testing.assert_allclose(act.softmax_backward(dA.T, A.T, axis=0), dZ.T, rtol=1e-12, atol=1e-15)


# --- the name table ---

def test_activation_table_and_lookup():
    assert set(act.ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "linear"}
    entry = act.get_activation("tanh")
    assert entry.name == "tanh" and entry.fn is act.tanh and entry.grad is act.tanh_grad
    with pytest.raises(ValueError, match="unknown activation 'softmax'; expected one of 'sigmoid'"):
        act.get_activation("softmax")


# --- bad input: clear errors naming the argument ---

@pytest.mark.parametrize("name", ELEMENTWISE)
def test_non_numeric_and_non_finite_input_is_rejected(name):
    fn = act.ACTIVATIONS[name].fn
    with pytest.raises(TypeError, match="z must hold real numbers"):
        fn(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="z must"):
        fn(object())
    with pytest.raises(ValueError, match="z contains NaN or infinite values"):
        fn(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match="z contains NaN or infinite values"):
        act.ACTIVATIONS[name].grad(np.array([np.inf]))


@pytest.mark.parametrize("slope, error", [(0.0, ValueError), (-0.1, ValueError), ("0.1", TypeError),
                                          (True, TypeError), (np.inf, ValueError)])
def test_leaky_relu_rejects_bad_slopes(slope, error):
    with pytest.raises(error, match="slope"):
        act.leaky_relu(np.array([1.0]), slope=slope)
    with pytest.raises(error, match="slope"):
        act.leaky_relu_grad(np.array([1.0]), slope=slope)


def test_softmax_rejects_scalars_and_bad_axes():
    with pytest.raises(ValueError, match="z must have at least one axis"):
        act.softmax(3.0)
    with pytest.raises(ValueError, match=r"axis 2 is out of range for z of shape \(2, 3\)"):
        act.softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"axis -3 is out of range"):
        act.softmax(np.zeros((2, 3)), axis=-3)


def test_softmax_jacobian_needs_one_vector():
    with pytest.raises(ValueError, match=r"z must be 1-D, got an array of shape \(2, 3\)"):
        act.softmax_jacobian(np.zeros((2, 3)))


def test_softmax_backward_needs_equal_shapes():
    with pytest.raises(ValueError, match=r"dA and A must have the same shape, got \(2, 3\) and \(3, 2\)"):
        act.softmax_backward(np.zeros((2, 3)), np.full((3, 2), 0.5))
