"""Lesson 01 (``01_linear_algebra.ipynb``): the linear algebra a network is made of.

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

from ._validation import as_float_array

__all__ = ["dot", "dot_loop", "matvec", "matmul", "matmul_loop", "affine", "norm"]


def _vector(x, name):
    return as_float_array(x, name, ndim=1)


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
    a, b = _vector(a, "a"), _vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got shapes {a.shape} and {b.shape}")
    return float(a @ b)


def dot_loop(a, b) -> float:
    """Dot product with an explicit loop (the definition (1.1); slow on purpose)."""
    a, b = _vector(a, "a"), _vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got shapes {a.shape} and {b.shape}")
    total = 0.0
    for i in range(a.shape[0]):
        total += float(a[i]) * float(b[i])
    return total


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
    x = _vector(x, "x")
    if A.shape[1] != x.shape[0]:
        raise ValueError(f"A has {A.shape[1]} columns but x has {x.shape[0]} entries "
                         f"(A {A.shape}, x {x.shape}); they must match")
    return A @ x


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
    A = as_float_array(A, "A", ndim=2)
    B = as_float_array(B, "B", ndim=2)
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"inner dimensions must match: A is {A.shape}, B is {B.shape} "
                         f"({A.shape[1]} != {B.shape[0]})")
    return A @ B


def matmul_loop(A, B) -> np.ndarray:
    """Matrix product with three explicit loops (the definition (1.4); slow on purpose)."""
    A = as_float_array(A, "A", ndim=2)
    B = as_float_array(B, "B", ndim=2)
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"inner dimensions must match: A is {A.shape}, B is {B.shape} "
                         f"({A.shape[1]} != {B.shape[0]})")
    m, n = A.shape
    p = B.shape[1]
    out = np.zeros((m, p), dtype=np.result_type(A, B))
    for i in range(m):
        for k in range(p):
            total = 0.0
            for j in range(n):
                total += A[i, j] * B[j, k]
            out[i, k] = total
    return out


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
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X has {X.shape[1]} features per sample but W expects {W.shape[0]} "
                         f"(X {X.shape}, W {W.shape}): W must be (n_in, n_out)")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W {W.shape}, got {b.shape}")
    return X @ W + b


def norm(x, kind: str = "l2") -> float:
    """A vector or matrix norm.

    .. math::
        \\lVert x\\rVert_1 = \\sum_i |x_i|, \\qquad
        \\lVert x\\rVert_2 = \\sqrt{\\textstyle\\sum_i x_i^2}, \\qquad
        \\lVert A\\rVert_F = \\sqrt{\\textstyle\\sum_{ij} A_{ij}^2} \\tag{1.9}

    Parameters
    ----------
    x : array, shape (n,) for ``"l1"``/``"l2"``; shape (m, n) for ``"fro"``
    kind : {"l1", "l2", "fro"}

    Returns
    -------
    float
    """
    if kind in ("l1", "l2"):
        x = as_float_array(x, "x", ndim=1)
        return float(np.abs(x).sum()) if kind == "l1" else float(np.sqrt(x @ x))
    if kind == "fro":
        x = as_float_array(x, "x", ndim=2)
        return float(np.sqrt(np.sum(x * x)))
    raise ValueError(f"unknown kind {kind!r}; expected 'l1', 'l2' or 'fro'")
