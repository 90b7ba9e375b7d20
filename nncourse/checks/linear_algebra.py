"""Exercise checks for lesson 01, in two parts (``01a_vectors_and_matrices.ipynb`` and
``01b_broadcasting_and_gradients.ipynb``), and the warm-up of ``00_start_here``.

Exercises, warm-up first: ``centre`` (lesson 00: subtract the mean). Part 1:
``dot-loop``, ``matmul-loop`` (the definitions written as loops), ``affine``
(a layer's ``Z = X @ W + b`` for a batch, refusing shapes that numpy would
broadcast silently), ``norms`` (L1, L2 and Frobenius). Part 2: ``row-normalise``
(broadcasting with ``keepdims``), and three derivations: ``grad-quadratic``
(the gradient of ``x^T A x`` for a matrix that need not be symmetric),
``grad-least-squares`` (the gradient of the mean squared error of a linear model)
and ``grad-norm`` (the gradient of the length ``||x||_2``, by the chain rule).

Every case draws fresh numbers from the ``rng`` it is given, so a hard-coded
answer cannot pass; every ``Mistake`` is a wrong version learners really write,
with the hint it deserves (``tests/test_checks_linear_algebra.py`` requires each
of them to fail with its own hint). Where a mistake only shows on a square
matrix (a transposed product, a missing ``keepdims``), the first case is square.
"""

from __future__ import annotations

import re

import numpy as np

from .. import linalg
from ._definitions import Case, Exercise, Mistake, register


# --------------------------------------------------------------------------- #
# centre (lesson 00's warm-up)
# --------------------------------------------------------------------------- #

def centre(x):
    """``x`` minus its mean: the reference of ``centre`` (lesson 00)."""
    return x - np.mean(x)


def _centre_cases(rng: np.random.Generator) -> list:
    n = int(rng.integers(5, 12))
    return [
        Case("the worked example x = [1, 2, 6] (mean 3)", (np.array([1.0, 2.0, 6.0]),)),
        Case(f"random vector of length {n}, mean about 3 (not a whole number)", (rng.normal(3.0, 2.0, size=n),)),
        Case("all 4 entries equal (the result is 0)", (np.full(4, float(rng.uniform(-5.0, 5.0))),)),
        Case("one entry", (np.array([float(rng.normal())]),)),
        Case("6 entries near 1000 (a large offset)", (rng.normal(0.0, 1.0, size=6) + 1000.0,)),
    ]


register(Exercise(
    id="centre",
    lesson="00_start_here",
    title="Centre a vector: subtract its mean",
    points=1,
    reference=centre,
    make_cases=_centre_cases,
    fresh_result=True,
    mistakes=(
        Mistake("returned-the-mean", lambda x: np.mean(x),
                "return the whole vector with the mean subtracted from every entry (x - mean), not the mean itself."),
        Mistake("subtracted-the-sum", lambda x: x - np.sum(x),
                "the mean is the sum divided by the number of entries: np.sum(x) / len(x), or np.mean(x)."),
        Mistake("mean-minus-x", lambda x: np.mean(x) - x,
                "subtract the mean from x (x - mean), not x from the mean: values above the mean stay positive."),
        Mistake("divided-by-std", lambda x: (x - np.mean(x)) / np.std(x) if np.std(x) > 0 else x - np.mean(x),
                "centring only subtracts the mean; dividing by the standard deviation as well is standardising."),
        Mistake("median-not-mean", lambda x: x - np.median(x),
                "subtract the mean, (1/n) sum x_i (np.mean), not the median."),
        Mistake("mean-over-n-1", lambda x: x - np.sum(x) / (len(x) - 1) if len(x) > 1 else x - x,
                "the mean divides the sum by n, the number of entries, not by n - 1."),
        Mistake("divided-by-mean", lambda x: x / np.mean(x),
                "centring subtracts the mean (x - mean); dividing by it scales instead."),
        Mistake("mean-truncated", lambda x: x - int(np.mean(x)),
                "int(...) cuts the mean down to a whole number: subtract np.mean(x) itself."),
        Mistake("rounded", lambda x: np.round(x - np.mean(x), 2),
                "do not round the result: the check compares full-precision numbers."),
    ),
))


# --------------------------------------------------------------------------- #
# dot-loop
# --------------------------------------------------------------------------- #

# The lesson is split into two notebooks; each exercise belongs to the part that asks it.
VECTORS = "01a_vectors_and_matrices"
BROADCASTING = "01b_broadcasting_and_gradients"


def _dot_cases(rng: np.random.Generator) -> list:
    n = int(rng.integers(5, 15))
    u = rng.normal(size=2)
    return [
        Case("the worked example [1, 2, 3] . [4, 5, 6]", (np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]))),
        Case(f"random vectors of length {n}", (rng.normal(size=n), rng.normal(size=n))),
        Case("perpendicular vectors (dot product 0)", (u.copy(), np.array([-u[1], u[0]]) * 3.0)),
        Case("vectors of length 1", (np.array([float(rng.normal())]), np.array([float(rng.normal())]))),
        Case("negative entries", (-np.abs(rng.normal(size=6)), np.abs(rng.normal(size=6)))),
        Case("a long vector (1000 entries)", (rng.normal(size=1000), rng.normal(size=1000))),
    ]


def _dot_last_only(a, b):
    return float(a[-1] * b[-1])


def _dot_product_of_products(a, b):
    total = 1.0
    for x, y in zip(a, b):
        total *= x * y
    return total


def _dot_sum_of_sums(a, b):
    return float(np.sum(a + b))


register(Exercise(
    id="dot-loop",
    lesson=VECTORS,
    title="Dot product with a loop",
    points=1,
    reference=linalg.dot_loop,
    make_cases=_dot_cases,
    mistakes=(
        Mistake("products-not-summed", lambda a, b: a * b,
                "a * b multiplies entry by entry; the dot product is the *sum* of those products, one number."),
        Mistake("product-of-sums", lambda a, b: float(np.sum(a) * np.sum(b)),
                "the dot product pairs the entries: a[0]*b[0] + a[1]*b[1] + ..., not (sum of a) * (sum of b)."),
        Mistake("total-started-at-1", lambda a, b: 1.0 + float(a @ b),
                "start the running total at 0 (the empty sum), not 1."),
        Mistake("assignment-instead-of", _dot_last_only,
                "`total = a[i] * b[i]` overwrites the total on every step, leaving only the last product; "
                "accumulate with `total += a[i] * b[i]`."),
        Mistake("last-entry-skipped", lambda a, b: float(a[:-1] @ b[:-1]),
                "range(len(a)) already visits every index 0 .. n-1; range(len(a) - 1) misses the last entry."),
        Mistake("first-entry-skipped", lambda a, b: float(a[1:] @ b[1:]),
                "indices start at 0: range(len(a)), not range(1, len(a)), which misses the first entry."),
        Mistake("return-inside-loop", lambda a, b: float(a[0] * b[0]),
                "the `return` is inside the loop, so the function stops after the first product: dedent it "
                "so that it runs after the loop."),
        Mistake("multiplied-not-added", _dot_product_of_products,
                "the products are *added*: total += a[i] * b[i] (starting from 0), not multiplied together."),
        Mistake("added-not-multiplied", _dot_sum_of_sums,
                "each pair is multiplied, a[i] * b[i], and the products are added; a[i] + b[i] adds the entries."),
    ),
))


# --------------------------------------------------------------------------- #
# matmul-loop
# --------------------------------------------------------------------------- #

def _matmul_cases(rng: np.random.Generator) -> list:
    m, n, p = (int(v) for v in rng.integers(2, 6, size=3))
    k = int(rng.integers(3, 7))
    return [
        Case("square matrices (3, 3) @ (3, 3)", (rng.normal(size=(3, 3)), rng.normal(size=(3, 3)))),
        Case("the worked example (2, 2) @ (2, 2)", (np.array([[1.0, 2.0], [3.0, 4.0]]),
                                                    np.array([[5.0, 6.0], [7.0, 8.0]]))),
        Case(f"rectangular ({m}, {n}) @ ({n}, {p})", (rng.normal(size=(m, n)), rng.normal(size=(n, p)))),
        Case(f"a row times a column: (1, {k}) @ ({k}, 1)", (rng.normal(size=(1, k)), rng.normal(size=(k, 1)))),
        Case(f"a column times a row (outer product): ({k}, 1) @ (1, 3)",
             (rng.normal(size=(k, 1)), rng.normal(size=(1, 3)))),
        Case("a batch through a layer: X (8, 4) @ W (4, 2)", (rng.normal(size=(8, 4)), rng.normal(size=(4, 2)))),
    ]


def _matmul_with(*, a_index="ij", b_index="jk", last_only=False, inner="n", start=0.0, reset="entry"):
    """A three-loop product with one thing done wrong (indices as a learner writes them)."""

    def matmul(A, B):
        m, n = A.shape
        p = B.shape[1]
        out = np.zeros((m, p))
        total = start
        for i in range(m):
            if reset == "row":
                total = start
            for k in range(p):
                if reset == "entry":
                    total = start
                for j in range(n if inner == "n" else p):
                    term = (A[i, j] if a_index == "ij" else A[j, i]) * (B[j, k] if b_index == "jk" else B[k, j])
                    total = term if last_only else total + term
                out[i, k] = total
        return out

    return matmul


register(Exercise(
    id="matmul-loop",
    lesson=VECTORS,
    title="Matrix product with three loops",
    points=2,
    reference=linalg.matmul_loop,
    make_cases=_matmul_cases,
    mistakes=(
        Mistake("element-wise-product", lambda A, B: A * B,
                "A * B multiplies entry by entry; entry (i, k) of the matrix product is the dot product of "
                "row i of A with column k of B: sum over j of A[i, j] * B[j, k]."),
        Mistake("b-indexed-k-j", _matmul_with(b_index="kj"),
                "the summed index j runs along row i of A and *down* column k of B: B[j, k], not B[k, j]."),
        Mistake("total-not-reset", _matmul_with(reset="row"),
                "reset the running total to 0 for every output entry (i, k), inside the loop over k, "
                "before the loop over j."),
        Mistake("total-never-reset", _matmul_with(reset="never"),
                "the running total is set to 0 only once, before all the loops, so every entry adds on to the "
                "previous ones: set total = 0 right before the loop over j."),
        Mistake("returned-ab-t", lambda A, B: (A @ B).T,
                "the result is (AB)^T = B^T A^T: out[i, k] should hold row i of A times column k of B, "
                "with shape (A.shape[0], B.shape[1])."),
        Mistake("product-not-summed", _matmul_with(last_only=True),
                "`total = A[i, j] * B[j, k]` keeps only the last product; add them up with `total += ...`."),
        Mistake("a-indexed-j-i", _matmul_with(a_index="ji"),
                "entry (i, k) runs along row i of A: A[i, j], not A[j, i] (that is A transposed)."),
        Mistake("inner-loop-bound", _matmul_with(inner="p"),
                "the summed index j runs over the shared size n = A.shape[1] = B.shape[0], not over B.shape[1]."),
        Mistake("total-started-at-1", _matmul_with(start=1.0),
                "start each running total at 0 (the empty sum), not 1."),
    ),
))


# --------------------------------------------------------------------------- #
# affine: a layer for a batch, with shape validation
# --------------------------------------------------------------------------- #

def _run_affine(objects, case):
    """Valid shapes: the learner's Z. Invalid shapes: which error, and whether its message names the argument."""
    fn = objects[0]
    X, W, b = case.args
    culprit = case.kwargs.get("culprit")
    if culprit is None:
        return fn(X, W, b)
    raised, message = None, ""
    try:
        fn(X, W, b)
    except NotImplementedError:
        raise  # the students' stub: not attempted yet
    except Exception as exc:  # noqa: BLE001 - which error is the thing judged
        raised, message = exc, str(exc)
    named = re.search(rf"(?<![A-Za-z0-9_])(?:{culprit})(?![A-Za-z0-9_])", message) is not None
    return {"raises ValueError": isinstance(raised, ValueError),
            "raises AssertionError (an assert)": isinstance(raised, AssertionError),
            "raises another error": raised is not None and not isinstance(raised, (ValueError, AssertionError)),
            f"the message names `{culprit.replace('|', '` or `')}`": isinstance(raised, ValueError) and named}


def _affine_cases(rng: np.random.Generator) -> list:
    def layer(n, n_in, n_out):
        return rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)

    n, n_in, n_out = int(rng.integers(4, 9)), int(rng.integers(2, 6)), int(rng.integers(2, 5))
    X3, W3, _ = layer(3, 4, 3)
    return [
        Case("a batch of 3 samples, 3 inputs, 3 units", layer(3, 3, 3)),
        Case("the worked example: 2 samples, 3 inputs, 2 units",
             (np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]]), np.array([[0.5, -1.0], [1.0, 0.0], [-0.5, 2.0]]),
              np.array([0.1, -0.2]))),
        Case(f"random layer: X ({n}, {n_in}), W ({n_in}, {n_out}), b ({n_out},)", layer(n, n_in, n_out)),
        Case("one sample as a (1, 5) row, 3 units", layer(1, 5, 3)),
        Case("6 samples, 4 inputs, one output unit", layer(6, 4, 1)),
        Case("a single sample as a 1-D X of shape (4,) must raise ValueError naming X",
             (rng.normal(size=4), rng.normal(size=(4, 3)), rng.normal(size=3)), {"culprit": "X"}),
        Case("X (3, 4) with W (5, 3) (inner sizes differ) must raise ValueError naming X or W",
             (X3, rng.normal(size=(5, 3)), rng.normal(size=3)), {"culprit": "X|W"}),
        Case("b of shape (3, 1) instead of (3,) must raise ValueError naming b",
             (X3, W3, rng.normal(size=(3, 1))), {"culprit": "b"}),
        Case("b of shape (1,) for 3 units must raise ValueError naming b",
             (X3, W3, rng.normal(size=1)), {"culprit": "b"}),
    ]


def _affine_validated(compute, *, check_b=True, check_b_size=True, error=ValueError, named=True, reshape_x=False):
    """A validating affine with one thing done differently."""

    def affine(X, W, b):
        X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
        if reshape_x:
            X = np.atleast_2d(X)
        if X.ndim != 2:
            raise error(f"X must be 2-D, got shape {X.shape}" if named else "wrong shapes")
        if X.shape[1] != W.shape[0]:
            raise error(f"X {X.shape} does not fit W {W.shape}" if named else "wrong shapes")
        if check_b and (b.ndim != 1 or (check_b_size and b.shape[0] != W.shape[1])):
            raise error(f"b must have shape ({W.shape[1]},), got {b.shape}" if named else "wrong shapes")
        return compute(X, W, b)

    return affine


def _affine_asserts(X, W, b):
    assert X.ndim == 2 and X.shape[1] == W.shape[0] and b.shape == (W.shape[1],)
    return X @ W + b


def _product(X, W, b):
    return X @ W + b


def _affine_b_against_inputs(X, W, b):
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got shape {X.shape}")
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X {X.shape} does not fit W {W.shape}")
    if b.shape != (W.shape[0],):
        raise ValueError(f"b must have shape ({W.shape[0]},), got {b.shape}")
    return X @ W + b


register(Exercise(
    id="affine",
    lesson=VECTORS,
    title="A layer for a batch, Z = XW + b, refusing wrong shapes",
    points=2,
    reference=linalg.affine,
    make_cases=_affine_cases,
    run=_run_affine,
    mistakes=(
        Mistake("bias-forgotten", _affine_validated(lambda X, W, b: X @ W),
                "add the bias: Z = X @ W + b (b has shape (n_out,) and is added to every row)."),
        Mistake("w-transposed", lambda X, W, b: X @ W.T + b,
                "W has shape (n_in, n_out) and samples are rows, so Z = X @ W (no transpose); "
                "W.T is the textbook's column-vector convention."),
        Mistake("bias-added-per-sample", lambda X, W, b: linalg.affine(X, W, b) - b + b[:, None],
                "b[:, None] (or a column) adds b[i] to *sample* i; the bias belongs to the output *unit*: "
                "Z[i, j] = (X @ W)[i, j] + b[j], which plain `X @ W + b` does for a 1-D b."),
        Mistake("b-not-checked", _affine_validated(_product, check_b=False),
                "numpy broadcasts a b of shape (n_out, 1) or (1,) without complaint and returns a wrong Z "
                "(even an (n_out, n_out) matrix): check `b.shape == (W.shape[1],)` and raise ValueError "
                "naming b and its shape."),
        Mistake("b-size-not-checked", _affine_validated(_product, check_b_size=False),
                "a 1-D b of the wrong length (1,) still broadcasts: check its whole shape, "
                "`b.shape == (W.shape[1],)`, not only b.ndim."),
        Mistake("no-validation", _product,
                "check the shapes before computing and raise ValueError: X must be 2-D (a single sample is "
                "a (1, n_in) row, x[None, :]), X.shape[1] == W.shape[0], and b.shape == (W.shape[1],)."),
        Mistake("wrong-exception-type", _affine_validated(_product, error=TypeError),
                "raise ValueError (a value of the right type but the wrong shape), not TypeError."),
        Mistake("assert-not-raise", _affine_asserts,
                "`assert` is for the programmer's own bugs (python -O switches it off); refuse a caller's "
                "wrong shapes with `raise ValueError(...)`."),
        Mistake("message-without-argument", _affine_validated(_product, named=False),
                "the error message must say which argument is wrong (X, W or b) and its shape, e.g. "
                "f\"b must have shape ({W.shape[1]},), got {b.shape}\"."),
        Mistake("x-1d-accepted", _affine_validated(_product, reshape_x=True),
                "a 1-D X must be refused with a ValueError, not reshaped: np.atleast_2d turns (n_in,) into a row "
                "silently, and the statement asks for a (1, n_in) row from the caller."),
        Mistake("valid-shapes-refused", _affine_b_against_inputs,
                "your shape check refused a valid layer (X (n, n_in), W (n_in, n_out), b (n_out,)): compare each "
                "size with the right axis, X.shape[1] with W.shape[0] and b.shape with (W.shape[1],) (n_out, the "
                "columns of W, not the inputs)."),
    ),
))


# --------------------------------------------------------------------------- #
# norms
# --------------------------------------------------------------------------- #

def _norm_cases(rng: np.random.Generator) -> list:
    n = int(rng.integers(4, 12))
    m, k = (int(v) for v in rng.integers(2, 6, size=2))
    return [
        Case("L1 of the worked example [3, -4]", (np.array([3.0, -4.0]),), {"kind": "l1"}),
        Case("L2 of the worked example [3, -4]", (np.array([3.0, -4.0]),), {"kind": "l2"}),
        Case("Frobenius of the worked example [[1, -2], [2, 4]]", (np.array([[1.0, -2.0], [2.0, 4.0]]),),
             {"kind": "fro"}),
        Case(f"L1 of a random vector of length {n}", (rng.normal(size=n),), {"kind": "l1"}),
        Case(f"L2 of a random vector of length {n}", (rng.normal(size=n),), {"kind": "l2"}),
        Case(f"L2 by default: norm(x) of a random vector of length {n}, no kind given", (rng.normal(size=n),)),
        Case(f"Frobenius of a random ({m}, {k}) matrix", (rng.normal(size=(m, k)),), {"kind": "fro"}),
        Case("Frobenius of a random (4, 4) matrix", (rng.normal(size=(4, 4)),), {"kind": "fro"}),
        Case("L2 of the zero vector", (np.zeros(3),), {"kind": "l2"}),
    ]


def _norm_with(l1=None, l2=None, fro=None, default="l2", scalar=True):
    """The reference norm with one kind replaced by a wrong formula (or another default kind)."""
    wrong = {"l1": l1, "l2": l2, "fro": fro}

    def norm(x, kind=default):
        if wrong.get(kind) is not None:
            value = wrong[kind](np.asarray(x, dtype=float))
            return float(value) if scalar else value
        return linalg.norm(x, kind)

    return norm


register(Exercise(
    id="norms",
    lesson=VECTORS,
    title="L1, L2 and Frobenius norms",
    points=2,
    reference=linalg.norm,
    make_cases=_norm_cases,
    mistakes=(
        Mistake("l1-without-abs", _norm_with(l1=np.sum),
                "the L1 norm adds the *absolute* values, sum of |x_i|: without np.abs, negative entries "
                "cancel positive ones."),
        Mistake("l1-as-a-mean", _norm_with(l1=lambda x: np.mean(np.abs(x))),
                "the L1 norm is the sum of |x_i|, not their mean: do not divide by the length."),
        Mistake("l2-without-the-square-root", _norm_with(l2=lambda x: np.sum(x * x)),
                "sum of x_i^2 is the *squared* L2 norm; the norm is its square root (a length: ||[3, 4]|| = 5)."),
        Mistake("l2-as-the-root-of-the-plain-sum", _norm_with(l2=lambda x: np.sqrt(np.abs(np.sum(x)))),
                "square each entry before adding: sqrt(sum of x_i^2), not sqrt of the sum of x_i."),
        Mistake("frobenius-without-the-square-root", _norm_with(fro=lambda x: np.sum(x * x)),
                "the Frobenius norm is sqrt(sum over i, j of A_ij^2): the square root is missing."),
        Mistake("spectral-norm-instead-of-frobenius", _norm_with(fro=lambda x: np.linalg.norm(x, 2)),
                "for a matrix, np.linalg.norm(A, 2) is the *spectral* norm (largest singular value); "
                "the Frobenius norm is np.sqrt(np.sum(A**2)) (or np.linalg.norm(A, 'fro'))."),
        Mistake("l1-as-max", _norm_with(l1=lambda x: np.max(np.abs(x))),
                "the L1 norm adds all the |x_i|; the largest |x_i| alone is the max (L-infinity) norm."),
        Mistake("wrong-default", _norm_with(default="l1"),
                "keep the signature's default, kind=\"l2\": norm(x) without a kind is the L2 norm."),
        Mistake("fro-per-column", _norm_with(fro=lambda x: np.sqrt(np.sum(x * x, axis=0)), scalar=False),
                "the Frobenius norm is one number for the whole matrix: sum over both axes (np.sum without an "
                "axis), not one norm per column."),
        Mistake("l2-root-of-l1", _norm_with(l2=lambda x: np.sqrt(np.sum(np.abs(x)))),
                "square each entry before adding: sqrt(sum of x_i^2); sqrt(sum of |x_i|) is not a norm of x."),
        Mistake("l2-as-rms", _norm_with(l2=lambda x: np.sqrt(np.mean(x * x))),
                "sum the squares (np.sum), do not average them: the L2 norm of [3, 4] is 5, whatever the length."),
    ),
))


# --------------------------------------------------------------------------- #
# row-normalise
# --------------------------------------------------------------------------- #

def normalise_rows(X):
    """Each row of ``X`` divided by its L2 norm (eq. 1.12): the reference of ``row-normalise``."""
    return X / np.sqrt(np.sum(X * X, axis=1, keepdims=True))


def _rows(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    # Rows of very different lengths, so dividing by the wrong norm always shows.
    scale = rng.uniform(0.5, 5.0, size=(shape[0], 1))
    return rng.normal(size=shape) * scale


def _row_cases(rng: np.random.Generator) -> list:
    n, d = int(rng.integers(4, 9)), int(rng.integers(2, 4))
    return [
        Case("a square (3, 3) matrix, rows of lengths 0.5 to 5", (_rows(rng, (3, 3)),)),
        Case("the worked example [[3, 4], [1, 0]] (norms 5 and 1)", (np.array([[3.0, 4.0], [1.0, 0.0]]),)),
        Case(f"a ({n}, {d}) batch", (_rows(rng, (n, d)),)),
        Case("one row of 5", (_rows(rng, (1, 5)),)),
        Case("one column (4, 1): each row is one number", (_rows(rng, (4, 1)),)),
        Case("rows of lengths 3e-3, 500 and 1.7", (np.array([[1e-3, 2e-3, -2e-3], [300.0, 0.0, -400.0],
                                                           [1.0, 1.0, 1.0]]),)),
    ]


register(Exercise(
    id="row-normalise",
    lesson=BROADCASTING,
    title="Scale every row to length 1 (broadcasting with keepdims)",
    points=2,
    reference=normalise_rows,
    make_cases=_row_cases,
    fresh_result=True,
    mistakes=(
        Mistake("columns-normalised", lambda X: X / np.sqrt(np.sum(X * X, axis=0, keepdims=True)),
                "axis=0 sums *down* the columns and so normalises columns; a row's norm sums across it: axis=1."),
        Mistake("keepdims-forgotten", lambda X: X / np.sqrt(np.sum(X * X, axis=1)),
                "the row norms have shape (n,) without keepdims, and broadcasting lines an (n,) array up with "
                "the *columns*: entry [i, j] was divided by the norm of row j. Use keepdims=True (shape (n, 1))."),
        Mistake("divided-by-the-squared-norm", lambda X: X / np.sum(X * X, axis=1, keepdims=True),
                "divide by the norm sqrt(sum of squares), not by the sum of squares itself."),
        Mistake("divided-by-the-l1-norm", lambda X: X / np.sum(np.abs(X), axis=1, keepdims=True),
                "'length 1' means L2 (Euclidean) length: divide by sqrt(sum of x^2), not by sum of |x|."),
        Mistake("one-norm-for-the-whole-matrix", lambda X: X / np.sqrt(np.sum(X * X)),
                "np.sum without an axis adds every entry, so all rows were divided by one number (the "
                "Frobenius norm); each row needs its own norm: np.sum(..., axis=1, keepdims=True)."),
        Mistake("divided-by-max", lambda X: X / np.max(np.abs(X), axis=1, keepdims=True),
                "dividing by the largest entry makes that entry 1, not the row's length: divide by the L2 norm, "
                "sqrt(sum of x^2) along axis=1."),
    ),
))


# --------------------------------------------------------------------------- #
# grad-quadratic
# --------------------------------------------------------------------------- #

def grad_quadratic(A, x):
    """The gradient of :math:`f(x) = x^\\top A x`, :math:`(A + A^\\top)x` (eq. 1.16)."""
    return (A + A.T) @ x


def _quadratic_cases(rng: np.random.Generator) -> list:
    n = int(rng.integers(3, 7))
    S = rng.normal(size=(n, n))
    return [
        Case("the worked example A = [[1, 2], [0, 3]], x = [1, 1]",
             (np.array([[1.0, 2.0], [0.0, 3.0]]), np.array([1.0, 1.0]))),
        Case(f"a random (not symmetric) ({n}, {n}) matrix", (rng.normal(size=(n, n)), rng.normal(size=n))),
        Case("a symmetric matrix", (S + S.T, rng.normal(size=n))),
        Case("A = I (so f = ||x||^2 and the gradient is 2x)", (np.eye(4), rng.normal(size=4))),
        Case("a (1, 1) matrix", (rng.normal(size=(1, 1)), rng.normal(size=1))),
        Case("an upper-triangular (5, 5) matrix", (np.triu(rng.normal(size=(5, 5))), rng.normal(size=5))),
    ]


register(Exercise(
    id="grad-quadratic",
    lesson=BROADCASTING,
    title="Gradient of x^T A x (A not necessarily symmetric)",
    points=3,
    reference=grad_quadratic,
    make_cases=_quadratic_cases,
    mistakes=(
        Mistake("2ax-assumes-a-symmetric", lambda A, x: 2.0 * A @ x,
                "2Ax is right only when A is symmetric. x appears twice in x^T A x; differentiating each "
                "appearance gives Ax and A^T x, so the gradient is (A + A^T) x."),
        Mistake("ax-only", lambda A, x: A @ x,
                "x appears twice in x^T A x = sum_ij x_i A_ij x_j; Ax is the contribution of one appearance. "
                "Add the other one, A^T x."),
        Mistake("a-t-x-only", lambda A, x: A.T @ x,
                "A^T x is the contribution of one of x's two appearances in x^T A x; add the other, Ax."),
        Mistake("returned-f-itself", lambda A, x: float(x @ A @ x),
                "return the gradient, a vector of shape (n,) (one partial derivative per x_i), not the "
                "value x^T A x."),
        Mistake("elementwise-times-x", lambda A, x: (A + A.T) * x,
                "(A + A^T) * x multiplies entry by entry (and broadcasts x along the rows into an (n, n) "
                "matrix); the gradient is the matrix-vector product (A + A^T) @ x."),
        Mistake("2atx-assumes-a-symmetric", lambda A, x: 2.0 * A.T @ x,
                "2 A^T x, like 2Ax, is right only when A is symmetric: x appears twice in x^T A x, giving "
                "Ax + A^T x = (A + A^T) x."),
        Mistake("a-times-a-t", lambda A, x: A @ A.T @ x,
                "the two contributions are added, Ax + A^T x = (A + A^T) x, not multiplied (A A^T x)."),
        Mistake("plus-x", lambda A, x: A @ x + x,
                "the second contribution is A^T x, not x: differentiating x^T A x by the x on the left gives "
                "A x, by the x on the right A^T x."),
    ),
))


# --------------------------------------------------------------------------- #
# grad-least-squares
# --------------------------------------------------------------------------- #

def grad_least_squares(w, X, y):
    """The gradient of :math:`L(w) = \\frac1n\\lVert Xw - y\\rVert^2`, :math:`\\frac2n X^\\top(Xw - y)` (eq. 1.18)."""
    return 2.0 / X.shape[0] * X.T @ (X @ w - y)


def _least_squares_cases(rng: np.random.Generator) -> list:
    def problem(n, d):
        return rng.normal(size=d), rng.normal(size=(n, d)), rng.normal(size=n)

    n, d = int(rng.integers(6, 15)), int(rng.integers(2, 5))
    w_true = rng.normal(size=3)
    X_exact = rng.normal(size=(10, 3))
    return [
        Case("the worked example: w = [1, 0], X = [[1, 2], [3, 4], [5, 6]], y = [1, 2, 3]",
             (np.array([1.0, 0.0]), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), np.array([1.0, 2.0, 3.0]))),
        Case(f"random: {n} samples, {d} features", problem(n, d)),
        Case("w = 0", (np.zeros(4), rng.normal(size=(8, 4)), rng.normal(size=8))),
        Case("a perfect fit (the gradient is 0)", (w_true, X_exact, X_exact @ w_true)),
        Case("one feature", problem(7, 1)),
        Case("more features than samples", problem(3, 6)),
    ]


register(Exercise(
    id="grad-least-squares",
    lesson=BROADCASTING,
    title="Gradient of the mean squared error of a linear model",
    points=3,
    reference=grad_least_squares,
    make_cases=_least_squares_cases,
    mistakes=(
        Mistake("residual-not-multiplied-by-x-t", lambda w, X, y: 2.0 / X.shape[0] * (X @ w - y),
                "the gradient has w's shape (d,), but the residual r = Xw - y has one entry per sample (n,): "
                "the chain rule multiplies it by dr/dw = X, giving (2/n) X^T r."),
        Mistake("factor-2-missing", lambda w, X, y: X.T @ (X @ w - y) / X.shape[0],
                "the derivative of r_i^2 is 2 r_i: the gradient is (2/n) X^T (Xw - y). (Only a loss written "
                "with a 1/2 in front loses the 2.)"),
        Mistake("summed-not-averaged", lambda w, X, y: 2.0 * X.T @ (X @ w - y),
                "L is the *mean* over the n samples, so its gradient carries 1/n: (2/n) X^T (Xw - y)."),
        Mistake("residual-y-xw", lambda w, X, y: 2.0 / X.shape[0] * X.T @ (y - X @ w),
                "the residual is r = Xw - y (prediction minus target); with y - Xw the gradient points uphill "
                "the wrong way round: check the sign from the chain rule, d(r^2)/dw = 2 r dr/dw and dr/dw = X."),
        Mistake("x-not-transposed", lambda w, X, y: 2.0 / X.shape[0] * X @ (X @ w - y),
                "multiply the residual (n,) by X^T (d, n), not by X (n, d): X.T @ r has w's shape (d,)."),
        Mistake("y-forgotten", lambda w, X, y: 2.0 / X.shape[0] * X.T @ (X @ w),
                "the residual is Xw - y: the targets y are missing."),
        Mistake("divided-by-features", lambda w, X, y: 2.0 / X.shape[1] * X.T @ (X @ w - y),
                "the mean runs over the n samples (X.shape[0] = len(y)), not over the d features (X.shape[1])."),
        Mistake("averaged-to-a-number", lambda w, X, y: float(2.0 * np.mean(X.T @ (X @ w - y))),
                "return one partial derivative per weight, a vector of shape (d,); averaging the entries into "
                "one number loses them."),
        Mistake("integer-division", lambda w, X, y: 2 // X.shape[0] * X.T @ (X @ w - y),
                "2 // n is integer division (0 for n > 2): write 2 / n."),
    ),
))


# =========================================================================== #
# Exercises added by issue 13 (derive, then implement). They live in their own
# block at the end of the module, apart from the exercises above.
# =========================================================================== #

# --------------------------------------------------------------------------- #
# grad-norm: the gradient of the length ||x||_2, derived with the chain rule
# --------------------------------------------------------------------------- #

def grad_norm(x):
    """The gradient of the length :math:`\\lVert x\\rVert_2`, :math:`x / \\lVert x\\rVert_2` (eq. 1.19).

    Chain rule: :math:`\\lVert x\\rVert_2 = \\sqrt{s}` with :math:`s = x \\cdot x`, so
    :math:`\\partial \\lVert x\\rVert_2 / \\partial x_k = \\frac{1}{2\\sqrt s} \\cdot 2 x_k`.
    The reference of ``grad-norm``; ``x`` of shape ``(n,)``, not all zeros.
    """
    return x / np.sqrt(x @ x)


def _grad_norm_cases(rng: np.random.Generator) -> list:
    n = int(rng.integers(4, 10))
    direction = rng.normal(size=5)
    return [
        Case("the worked example x = [3, -4]", (np.array([3.0, -4.0]),)),
        Case(f"a random vector of length {n}", (rng.normal(size=n),)),
        Case("one entry (the gradient is its sign)", (np.array([-float(rng.uniform(0.5, 3.0))]),)),
        Case("all entries equal", (np.full(4, float(rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 3.0))),)),
        Case("a short vector (entries about 1e-3)", (direction * 1e-3,)),
        Case("the same direction 10^6 times longer (same gradient)", (direction * 1e3,)),
    ]


register(Exercise(
    id="grad-norm",
    lesson=BROADCASTING,
    title="Gradient of the length ||x||_2, derived with the chain rule",
    points=2,
    reference=grad_norm,
    make_cases=_grad_norm_cases,
    mistakes=(
        Mistake("gradient-of-squared-length", lambda x: 2.0 * x,
                "2x is the gradient of the *squared* length (1.15). The length is its square root, so the chain "
                "rule multiplies 2x by d(sqrt s)/ds = 1 / (2 sqrt(s)), with s = x . x."),
        Mistake("two-not-cancelled", lambda x: x / (2.0 * np.sqrt(x @ x)),
                "d(sqrt s)/ds = 1 / (2 sqrt(s)) and ds/dx_k = 2 x_k (1.15): the two 2s cancel, leaving "
                "x / ||x||_2."),
        Mistake("divided-by-squared-length", lambda x: x / (x @ x),
                "divide by the length sqrt(x . x), not by the squared length x . x: d(sqrt s)/ds = 1 / (2 sqrt(s))."),
        Mistake("returned-the-length", lambda x: float(np.sqrt(x @ x)),
                "return the gradient, a vector with the shape of x (one partial derivative per entry), not the "
                "length ||x||_2 itself."),
        Mistake("l1-sign", np.sign,
                "np.sign(x) is the gradient of the L1 norm, sum of |x_i|; the L2 length sqrt(x . x) has gradient "
                "x / ||x||_2, which depends on every entry."),
        Mistake("divided-by-l1-norm", lambda x: x / np.sum(np.abs(x)),
                "the length is the L2 norm sqrt(x . x), not the L1 norm sum of |x_i|: divide x by sqrt(x . x)."),
    ),
))
