"""Lesson 01, part 1 (``01a_vectors_and_matrices.ipynb``): the linear algebra a network is made of.

Vectors and matrices are numpy arrays. A batch of samples is a matrix with one
sample per **row**, so a layer is the affine map

.. math:: Z = X W + b \\qquad X\\,(n, n_{in}),\\; W\\,(n_{in}, n_{out}),\\; b\\,(n_{out},) \\tag{1.7}

where ``b`` is added to every row (broadcasting). A textbook's column-vector
form :math:`z = W^\\top x + b` is the same map for one sample.

The ``*_loop`` functions are the definitions written out element by element:
they are the reference the vectorised versions are tested against, and the
lesson times one against the other. They are deliberately slow.

Not here: decompositions, solvers and anything a network does not need.
"""

from __future__ import annotations

import numpy as np

from ._validation import (as_float_array, check_bias, check_choice, check_finite_result, check_product,
                          power_of_two_scale, reports_overflow)

__all__ = ["dot", "dot_loop", "matvec", "matmul", "matmul_loop", "affine", "norm"]

#: The norms :func:`norm` knows.
NORMS = ("l1", "l2", "fro")


def _vectors(a, b):
    a, b = as_float_array(a, "a", ndim=1), as_float_array(b, "b", ndim=1)
    check_product(a, b, "a", "b")
    return a, b


def _matrices(A, B):
    A, B = as_float_array(A, "A", ndim=2), as_float_array(B, "B", ndim=2)
    check_product(A, B, "A", "B")
    return A, B


def _checked(out, what: str, inputs: str):
    check_finite_result(out, what, inputs)
    return out


@reports_overflow
def dot(a, b) -> float:
    """Dot product of two vectors.

    .. math:: a \\cdot b = \\sum_i a_i b_i \\tag{1.1}

    .. math:: a \\cdot b = \\lVert a\\rVert \\lVert b\\rVert \\cos\\theta \\tag{1.2}

    Parameters
    ----------
    a, b : array, shape (n,)

    Returns
    -------
    float
    """
    a, b = _vectors(a, b)
    return float(_checked(a @ b, "the dot product", "a and b"))


@reports_overflow
def dot_loop(a, b) -> float:
    """Dot product with an explicit loop (the definition (1.1); slow on purpose)."""
    a, b = _vectors(a, b)
    total = 0.0
    for i in range(a.shape[0]):
        total += float(a[i]) * float(b[i])
    return float(_checked(total, "the dot product", "a and b"))


@reports_overflow
def matvec(A, x) -> np.ndarray:
    """Matrix-vector product :math:`(Ax)_i = \\sum_j A_{ij} x_j` (1.3).

    Parameters
    ----------
    A : array, shape (m, n)
    x : array, shape (n,)

    Returns
    -------
    array, shape (m,)
    """
    A = as_float_array(A, "A", ndim=2)
    x = as_float_array(x, "x", ndim=1)
    check_product(A, x, "A", "x")
    return _checked(A @ x, "the product A @ x", "A and x")


@reports_overflow
def matmul(A, B) -> np.ndarray:
    """Matrix product :math:`(AB)_{ik} = \\sum_j A_{ij} B_{jk}` (1.4).

    Parameters
    ----------
    A : array, shape (m, n)
    B : array, shape (n, p)

    Returns
    -------
    array, shape (m, p)
    """
    A, B = _matrices(A, B)
    return _checked(A @ B, "the product A @ B", "A and B")


@reports_overflow
def matmul_loop(A, B) -> np.ndarray:
    """Matrix product with three explicit loops (the definition (1.4); slow on purpose)."""
    A, B = _matrices(A, B)
    m, n = A.shape
    p = B.shape[1]
    out = np.zeros((m, p), dtype=np.result_type(A, B))
    for i in range(m):
        for k in range(p):
            total = 0.0
            for j in range(n):
                total += A[i, j] * B[j, k]
            out[i, k] = total
    return _checked(out, "the product A @ B", "A and B")


def _affine(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    Z = X @ W
    Z += b  # in place: the product is a fresh array, and b is added to every row (broadcasting)
    return Z


@reports_overflow
def affine(X, W, b) -> np.ndarray:
    """A dense layer's pre-activation for a batch: :math:`Z = XW + b` (1.7).

    Parameters
    ----------
    X : array, shape (n_samples, n_in)
    W : array, shape (n_in, n_out)
    b : array, shape (n_out,)
        Added to every row. A ``(1, n_out)`` or ``(n_out, 1)`` bias is refused:
        the course keeps biases 1-D.

    Returns
    -------
    Z : array, shape (n_samples, n_out)
    """
    X = as_float_array(X, "X", ndim=2)
    W = as_float_array(W, "W", ndim=2)
    b = as_float_array(b, "b")
    check_product(X, W, "X", "W")
    check_bias(b, W, "b", "W")
    return _checked(_affine(X, W, b), "X @ W + b", "X, W and b")


def _norm(x: np.ndarray, kind: str) -> float:
    # Computed on x scaled by a power of two near its largest |x_i| (exact): no square overflows at
    # 1e200 or underflows at 1e-200, and the bits are the unscaled formula's wherever that one is finite.
    scale = float(power_of_two_scale(x))
    x = x / scale
    if kind == "l1":
        return float(np.abs(x).sum()) * scale
    return float(np.sqrt(np.sum(x * x))) * scale


@reports_overflow
def norm(x, kind: str = "l2") -> float:
    """A vector or matrix norm.

    .. math::
        \\lVert x\\rVert_1 = \\sum_i |x_i|, \\qquad
        \\lVert x\\rVert_2 = \\sqrt{\\textstyle\\sum_i x_i^2}, \\qquad
        \\lVert A\\rVert_F = \\sqrt{\\textstyle\\sum_{ij} A_{ij}^2} \\tag{1.9}

    The L2 and Frobenius norms are the same formula, for a vector and for a
    matrix; both are computed with ``x`` scaled by a power of two near its
    largest entry, so that ``norm([3e200, 4e200])`` is ``5e200``, not ``inf``.

    Parameters
    ----------
    x : array, shape (n,) for ``"l1"``/``"l2"``; shape (m, n) for ``"fro"``
    kind : {"l1", "l2", "fro"}

    Returns
    -------
    float
    """
    check_choice(kind, "kind", NORMS)
    x = as_float_array(x, "x", ndim=2 if kind == "fro" else 1)
    return float(_checked(_norm(x, kind), f"the {kind} norm", "x"))
