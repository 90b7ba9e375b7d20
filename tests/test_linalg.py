"""Unit tests of nncourse.linalg (lesson 01).

Known values worked by hand (the arithmetic is in the comments), shapes and
dtypes, bad input (ValueError/TypeError naming the argument), the loop
versions as independent oracles of the vectorised ones, and centred-difference
gradient checks of the expressions the lesson differentiates, with a negative
control.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import linalg

RNG_SEED = 20240601


def numerical_gradient(f, x, h=1e-5):
    """Centred differences, written out here so these tests do not depend on gradient_check."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * h)
    return grad


def relative_error(a, n):
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), np.finfo(float).tiny)))


# --------------------------------------------------------------------------- #
# dot, dot_loop
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("dot", [linalg.dot, linalg.dot_loop])
def test_dot_known_values(dot):
    assert dot([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]) == 32.0          # 4 + 10 + 18
    assert dot(np.array([3.0, -4.0]), np.array([4.0, 3.0])) == 0.0  # 12 - 12: perpendicular
    assert dot(np.array([2.5]), np.array([-2.0])) == -5.0
    assert dot(np.array([1, 2]), np.array([3, 4])) == 11.0          # integers become float64: 3 + 8


@pytest.mark.parametrize("dot", [linalg.dot, linalg.dot_loop])
def test_dot_returns_a_python_float(dot):
    assert type(dot(np.ones(3), np.ones(3))) is float
    assert type(dot(np.ones(3, dtype=np.float32), np.ones(3, dtype=np.float32))) is float


@pytest.mark.parametrize("dot", [linalg.dot, linalg.dot_loop])
def test_dot_bad_input(dot):
    with pytest.raises(ValueError, match=r"a @ b needs a's last size to equal b's first, got a \(3,\) and b \(2,\) \(3 != 2\)$"):
        dot(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match=r"a must be 1-D, got an array of shape \(2, 2\)"):
        dot(np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="b must be 1-D"):
        dot(np.ones(2), np.ones((2, 1)))
    with pytest.raises(TypeError, match="a must hold real numbers"):
        dot(np.array(["x", "y"]), np.ones(2))
    with pytest.raises(ValueError, match="b contains NaN or infinite values"):
        dot(np.ones(2), np.array([1.0, np.nan]))


def test_dot_loop_agrees_with_dot_and_the_cosine_formula():
    rng = np.random.default_rng(RNG_SEED)
    for n in (1, 2, 7, 100):
        a, b = rng.normal(size=n), rng.normal(size=n)
        assert linalg.dot_loop(a, b) == pytest.approx(linalg.dot(a, b), rel=1e-12, abs=1e-12)
    # eq. (1.2): a.b = |a| |b| cos(theta); a at 0 degrees, b at 60 degrees, lengths 2 and 3 -> 6 * 0.5 = 3
    a = 2.0 * np.array([1.0, 0.0])
    b = 3.0 * np.array([np.cos(np.pi / 3), np.sin(np.pi / 3)])
    assert linalg.dot(a, b) == pytest.approx(3.0)


def test_dot_gradient_is_the_other_vector():
    # eq. (1.14): grad_x (a . x) = a
    rng = np.random.default_rng(RNG_SEED + 1)
    a, x = rng.normal(size=5), rng.normal(size=5)
    numeric = numerical_gradient(lambda v: linalg.dot(a, v), x.copy())
    assert relative_error(a, numeric) < 1e-7
    # negative control: x itself is not the gradient
    assert relative_error(x, numeric) > 1e-4


# --------------------------------------------------------------------------- #
# matvec
# --------------------------------------------------------------------------- #

def test_matvec_known_values_and_shape():
    A = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    # rows dotted with x = (1, -1): 1 - 2, 3 - 4, 5 - 6
    out = linalg.matvec(A, np.array([1.0, -1.0]))
    np.testing.assert_array_equal(out, [-1.0, -1.0, -1.0])
    assert out.shape == (3,) and out.dtype == np.float64


def test_matvec_bad_input():
    with pytest.raises(ValueError, match=r"A @ x needs A's last size to equal x's first, got A \(3, 2\) and x \(3,\)"):
        linalg.matvec(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="A must be 2-D"):
        linalg.matvec(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="x must be 1-D"):
        linalg.matvec(np.ones((3, 2)), np.ones((2, 1)))


# --------------------------------------------------------------------------- #
# matmul, matmul_loop
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("matmul", [linalg.matmul, linalg.matmul_loop])
def test_matmul_known_values(matmul):
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    B = np.array([[5.0, 6.0], [7.0, 8.0]])
    # [[1*5 + 2*7, 1*6 + 2*8], [3*5 + 4*7, 3*6 + 4*8]] = [[19, 22], [43, 50]]
    np.testing.assert_array_equal(matmul(A, B), [[19.0, 22.0], [43.0, 50.0]])
    # (1, 3) @ (3, 1): 1*4 + 2*5 + 3*6 = 32
    np.testing.assert_array_equal(matmul(np.array([[1.0, 2.0, 3.0]]), np.array([[4.0], [5.0], [6.0]])), [[32.0]])
    # (2, 1) @ (1, 2): the outer product
    np.testing.assert_array_equal(matmul(np.array([[1.0], [2.0]]), np.array([[3.0, 4.0]])), [[3.0, 4.0], [6.0, 8.0]])


@pytest.mark.parametrize("matmul", [linalg.matmul, linalg.matmul_loop])
def test_matmul_bad_input(matmul):
    with pytest.raises(ValueError, match=r"A @ B needs A's last size to equal B's first, got A \(2, 3\) and B \(2, 3\) \(3 != 2\); with samples in rows"):
        matmul(np.ones((2, 3)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="A must be 2-D"):
        matmul(np.ones(3), np.ones((3, 2)))
    with pytest.raises(ValueError, match="B must be 2-D"):
        matmul(np.ones((2, 3)), np.ones(3))


def test_matmul_loop_is_an_oracle_for_matmul():
    rng = np.random.default_rng(RNG_SEED + 2)
    for m, n, p in [(1, 1, 1), (3, 4, 2), (5, 1, 6), (6, 6, 6)]:
        A, B = rng.normal(size=(m, n)), rng.normal(size=(n, p))
        loop = linalg.matmul_loop(A, B)
        assert loop.shape == (m, p)
        np.testing.assert_allclose(linalg.matmul(A, B), loop, rtol=1e-12, atol=1e-12)


def test_matmul_keeps_float32_and_promotes_integers():
    A32 = np.ones((2, 3), dtype=np.float32)
    assert linalg.matmul(A32, A32.T).dtype == np.float32
    assert linalg.matmul_loop(A32, A32.T).dtype == np.float32
    out = linalg.matmul_loop(np.array([[1, 2]]), np.array([[3], [4]]))
    assert out.dtype == np.float64 and out[0, 0] == 11.0


def test_transpose_of_a_product():
    # eq. (1.8): (AB)^T = B^T A^T
    rng = np.random.default_rng(RNG_SEED + 3)
    A, B = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(linalg.matmul(A, B).T, linalg.matmul(B.T, A.T), rtol=1e-12)


# --------------------------------------------------------------------------- #
# affine
# --------------------------------------------------------------------------- #

def test_affine_worked_example():
    X = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    W = np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]])
    b = np.array([0.1, -0.2])
    # sample 1: (0.5 + 2 + 0 + 0.1, -1 + 0 + 0 - 0.2) = (2.6, -1.2)
    # sample 2: (0 - 1 - 1.5 + 0.1, 0 + 0 + 6 - 0.2) = (-2.4, 5.8)
    Z = linalg.affine(X, W, b)
    np.testing.assert_allclose(Z, [[2.6, -1.2], [-2.4, 5.8]], rtol=1e-12)
    assert Z.shape == (2, 2) and Z.dtype == np.float64


def test_affine_adds_the_bias_to_every_row():
    X = np.zeros((4, 3))
    b = np.array([1.0, -2.0])
    np.testing.assert_array_equal(linalg.affine(X, np.ones((3, 2)), b), np.tile(b, (4, 1)))


def test_affine_matches_one_neuron_per_column():
    rng = np.random.default_rng(RNG_SEED + 4)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    Z = linalg.affine(X, W, b)
    for i in range(5):
        for j in range(4):
            assert Z[i, j] == pytest.approx(linalg.dot_loop(X[i], W[:, j]) + b[j], rel=1e-12, abs=1e-12)


def test_affine_keeps_float32():
    X = np.ones((2, 3), dtype=np.float32)
    W = np.ones((3, 2), dtype=np.float32)
    assert linalg.affine(X, W, np.zeros(2, dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("X_shape, W_shape, b_shape, message", [
    ((3,), (3, 2), (2,), r"X must be 2-D, got an array of shape \(3,\)"),
    ((4, 3), (2, 3), (3,), r"X @ W needs X's last size to equal W's first, got X \(4, 3\) and W \(2, 3\) \(3 != 2\)"),
    ((4, 3), (3, 2), (2, 1), r"b must have shape \(2,\) to match W \(3, 2\), got \(2, 1\)"),
    ((4, 3), (3, 2), (1, 2), r"b must have shape \(2,\) to match W \(3, 2\), got \(1, 2\)"),
    ((4, 3), (3, 2), (1,), r"b must have shape \(2,\) to match W \(3, 2\), got \(1,\)"),
    ((4, 3), (3, 2), (), r"b must have shape \(2,\) to match W \(3, 2\), got \(\)"),
    ((4, 3), (3,), (2,), r"W must be 2-D"),
])
def test_affine_refuses_shapes_numpy_might_broadcast(X_shape, W_shape, b_shape, message):
    with pytest.raises(ValueError, match=message):
        linalg.affine(np.ones(X_shape), np.ones(W_shape), np.ones(b_shape))


def test_affine_refuses_nan():
    with pytest.raises(ValueError, match="W contains NaN"):
        linalg.affine(np.ones((2, 2)), np.array([[1.0, np.inf], [0.0, 1.0]]), np.zeros(2))


def test_affine_gradients_by_centred_differences():
    # For the scalar s = sum(Z * G): ds/dX = G W^T, ds/dW = X^T G, ds/db = sum of G over rows
    # (the layer gradients of lesson 5, here only checked, with G standing for an upstream gradient).
    rng = np.random.default_rng(RNG_SEED + 5)
    X, W, b = rng.normal(size=(6, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    G = rng.normal(size=(6, 2))
    numeric_X = numerical_gradient(lambda v: np.sum(linalg.affine(v, W, b) * G), X.copy())
    numeric_W = numerical_gradient(lambda v: np.sum(linalg.affine(X, v, b) * G), W.copy())
    numeric_b = numerical_gradient(lambda v: np.sum(linalg.affine(X, W, v) * G), b.copy())
    assert relative_error(G @ W.T, numeric_X) < 1e-7
    assert relative_error(X.T @ G, numeric_W) < 1e-7
    assert relative_error(G.sum(axis=0), numeric_b) < 1e-7
    # negative control: the bias gradient without the sum over samples (one row of G) is wrong
    assert relative_error(G[0], numeric_b) > 1e-4


def test_affine_extreme_inputs_stay_finite():
    big = 2.0 ** 500  # a power of two, so every product below is exact
    X = np.array([[big, -big], [big, big]])
    W = np.array([[big], [big]])
    # 2^1000 - 2^1000 = 0 and 2^1000 + 2^1000 = 2^1001, both below the float64 limit of ~2^1024
    np.testing.assert_array_equal(linalg.affine(X, W, np.zeros(1)), [[0.0], [2.0 ** 1001]])


# --------------------------------------------------------------------------- #
# norm
# --------------------------------------------------------------------------- #

def test_norm_known_values():
    x = np.array([3.0, -4.0])
    assert linalg.norm(x, "l1") == 7.0     # |3| + |-4|
    assert linalg.norm(x, "l2") == 5.0     # sqrt(9 + 16)
    assert linalg.norm(x) == 5.0           # L2 by default
    A = np.array([[1.0, -2.0], [2.0, 4.0]])
    assert linalg.norm(A, "fro") == 5.0    # sqrt(1 + 4 + 4 + 16)
    assert linalg.norm(np.zeros(4)) == 0.0
    assert type(linalg.norm(x, "l1")) is float and type(linalg.norm(A, "fro")) is float


def test_norm_agrees_with_numpy():
    rng = np.random.default_rng(RNG_SEED + 6)
    x, A = rng.normal(size=9), rng.normal(size=(4, 5))
    assert linalg.norm(x, "l1") == pytest.approx(np.linalg.norm(x, 1), rel=1e-12)
    assert linalg.norm(x, "l2") == pytest.approx(np.linalg.norm(x, 2), rel=1e-12)
    assert linalg.norm(A, "fro") == pytest.approx(np.linalg.norm(A, "fro"), rel=1e-12)
    # Frobenius is the L2 norm of the flattened matrix; L2 squared is x . x (eq. 1.10)
    assert linalg.norm(A, "fro") == pytest.approx(linalg.norm(A.ravel(), "l2"), rel=1e-12)
    assert linalg.norm(x) ** 2 == pytest.approx(linalg.dot(x, x), rel=1e-12)


def test_norm_bad_input():
    with pytest.raises(ValueError, match=r"unknown kind 'max'; expected one of 'l1', 'l2', 'fro'"):
        linalg.norm(np.ones(3), "max")
    with pytest.raises(ValueError, match=r"x must be 1-D, got an array of shape \(2, 2\)"):
        linalg.norm(np.ones((2, 2)), "l2")
    with pytest.raises(ValueError, match=r"x must be 2-D, got an array of shape \(3,\)"):
        linalg.norm(np.ones(3), "fro")
    with pytest.raises(ValueError, match="x contains NaN"):
        linalg.norm(np.array([np.nan, 1.0]), "l1")


def test_norm_gradients_by_centred_differences():
    rng = np.random.default_rng(RNG_SEED + 7)
    x = rng.normal(size=6)
    # eq. (1.15): grad |x|^2 = 2x; grad |x|_2 = x / |x|_2; grad |x|_1 = sign(x) (no entry is 0 here)
    assert relative_error(2 * x, numerical_gradient(lambda v: linalg.norm(v) ** 2, x.copy())) < 1e-7
    assert relative_error(x / linalg.norm(x), numerical_gradient(lambda v: linalg.norm(v), x.copy())) < 1e-7
    assert relative_error(np.sign(x), numerical_gradient(lambda v: linalg.norm(v, "l1"), x.copy())) < 1e-7
    A = rng.normal(size=(3, 4))
    assert relative_error(2 * A, numerical_gradient(lambda v: linalg.norm(v, "fro") ** 2, A.copy())) < 1e-7
    # negative control: x (without the factor 2) is not the gradient of |x|^2
    assert relative_error(x, numerical_gradient(lambda v: linalg.norm(v) ** 2, x.copy())) > 1e-4


def test_norm_of_large_and_small_values():
    # 1e150^2 = 1e300 is still finite; 1e-150^2 = 1e-300 is still a normal float64
    assert linalg.norm(np.array([3e150, 4e150])) == pytest.approx(5e150, rel=1e-12)
    assert linalg.norm(np.array([3e-150, 4e-150])) == pytest.approx(5e-150, rel=1e-12)
    assert linalg.norm(np.array([1e300, -1e300]), "l1") == 2e300


def test_inputs_are_not_modified():
    rng = np.random.default_rng(RNG_SEED + 8)
    X, W, b = rng.normal(size=(3, 2)), rng.normal(size=(2, 2)), rng.normal(size=2)
    copies = [X.copy(), W.copy(), b.copy()]
    linalg.affine(X, W, b)
    linalg.matmul_loop(X, W)
    linalg.norm(W, "fro")
    for before, after in zip(copies, (X, W, b)):
        np.testing.assert_array_equal(before, after)
