"""Answers to lesson 00's warm-up and lesson 01's exercises (centre ... grad-least-squares)."""

import numpy as np

from . import correct, wrong

MUTATED = "generic:input-mutated"


def _centre_in_place(x):
    x -= np.mean(x)
    return x


def _dot_return_in_loop(a, b):
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
        return total


def _dot_overwrite(a, b):
    total = 0.0
    for i in range(len(a)):
        total = a[i] * b[i]
    return total


def _dot_from_one(a, b):
    total = 0.0
    for i in range(1, len(a)):
        total += a[i] * b[i]
    return total


def _dot_times(a, b):
    total = 1.0
    for i in range(len(a)):
        total *= a[i] * b[i]
    return total


def _dot_plus(a, b):
    total = 0.0
    for i in range(len(a)):
        total += a[i] + b[i]
    return total


def _dot_array(a, b):
    total = 0.0
    for i in range(len(a)):
        total += a[i] * b[i]
    return np.array([total])


def _dot_start_one(a, b):
    total = 1
    for x, y in zip(a, b):
        total += x * y
    return float(total)


def _matmul(out_dtype=float, reset=True, body="sum", b_index="jk", a_index="ij", transpose_out=False, start=0.0):
    def matmul_loop(A, B):
        m, n = A.shape
        p = B.shape[1]
        out = np.zeros((p, m) if transpose_out else (m, p), dtype=out_dtype)
        total = start
        for i in range(m):
            for k in range(p):
                if reset:
                    total = start
                for j in range(n):
                    a = A[i, j] if a_index == "ij" else A[j, i]
                    b = B[j, k] if b_index == "jk" else B[k, j]
                    total = total + a * b if body == "sum" else a * b
                if transpose_out:
                    out[k, i] = total
                else:
                    out[i, k] = total
        return out
    return matmul_loop


def _matmul_loop_bound(A, B):
    m, n = A.shape
    p = B.shape[1]
    out = np.zeros((m, p))
    for i in range(m):
        for k in range(p):
            for j in range(p):
                out[i, k] += A[i, j] * B[j, k]
    return out


def _affine_checks(x2d=True, inner=True, bias=True, error=ValueError, named=True, reshape_x=False, bias_size=True):
    def affine(X, W, b):
        X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
        if reshape_x:
            X = np.atleast_2d(X)
        if x2d and X.ndim != 2:
            raise error(f"X must be 2-D, got shape {X.shape}" if named else "wrong shapes")
        if inner and X.shape[-1] != W.shape[0]:
            raise error(f"X has {X.shape[-1]} columns but W has {W.shape[0]} rows" if named else "wrong shapes")
        if bias and b.ndim != 1:
            raise error(f"b must be 1-D, got {b.shape}" if named else "wrong shapes")
        if bias and bias_size and b.shape[0] != W.shape[1]:
            raise error(f"b must have {W.shape[1]} entries, got {b.shape}" if named else "wrong shapes")
        return X @ W + b
    return affine


def _affine_asserts(X, W, b):
    assert X.ndim == 2, "X must be 2-D"
    assert X.shape[1] == W.shape[0], "X and W do not fit"
    assert b.shape == (W.shape[1],), "b has the wrong shape"
    return X @ W + b


def _affine_validated(transform):
    def affine(X, W, b):
        X, W, b = np.asarray(X), np.asarray(W), np.asarray(b)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got {X.shape}")
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"X {X.shape} and W {W.shape} do not fit")
        if b.shape != (W.shape[1],):
            raise ValueError(f"b must have shape ({W.shape[1]},), got {b.shape}")
        return transform(X, W, b)
    return affine


def _norm(l1=None, l2=None, fro=None, default="l2", upper=False):
    def norm(x, kind=default):
        if upper:
            kind = kind.upper()
            if kind == "L1":
                return float(np.sum(np.abs(x)))
            if kind == "FRO":
                return float(np.sqrt(np.sum(x * x)))
            return None
        if kind == "l1":
            return l1(x) if l1 else float(np.sum(np.abs(x)))
        if kind == "l2":
            return l2(x) if l2 else float(np.sqrt(np.sum(x * x)))
        return fro(x) if fro else float(np.sqrt(np.sum(x * x)))
    return norm


def _rows_in_place(X):
    X /= np.sqrt(np.sum(X * X, axis=1, keepdims=True))
    return X


def _rows_loop_in_place(X):
    for i in range(X.shape[0]):
        X[i] = X[i] / np.sqrt(np.sum(X[i] ** 2))
    return X


def _rows_loop(X):
    out = np.empty_like(X)
    for i, row in enumerate(X):
        out[i] = row / np.sqrt(row @ row)
    return out



WRONG = [
    # ------------------------------------------------------------ centre
    wrong("centre", "returns the mean", "returned-the-mean", lambda x: np.mean(x)),
    wrong("centre", "subtracts the sum", "subtracted-the-sum", lambda x: x - np.sum(x)),
    wrong("centre", "mean minus x", {"mean-minus-x", "generic:sign"}, lambda x: np.mean(x) - x),
    wrong("centre", "subtracts in place", MUTATED, _centre_in_place),
    wrong("centre", "also divides by the std", "divided-by-std", lambda x: (x - x.mean()) / (x.std() + 1e-12)),
    wrong("centre", "median instead of mean", "median-not-mean", lambda x: x - np.median(x)),
    wrong("centre", "mean with n - 1", "mean-over-n-1", lambda x: x - np.sum(x) / (len(x) - 1) if len(x) > 1 else x - x),
    wrong("centre", "divides by the mean", "divided-by-mean", lambda x: x / np.mean(x)),
    wrong("centre", "mean truncated to int", "mean-truncated", lambda x: x - int(np.mean(x))),
    wrong("centre", "rounds the result", "rounded", lambda x: np.round(x - np.mean(x), 2)),
    # ------------------------------------------------------------ dot-loop
    wrong("dot-loop", "products not summed", "products-not-summed", lambda a, b: a * b),
    wrong("dot-loop", "total overwritten", "assignment-instead-of", _dot_overwrite),
    wrong("dot-loop", "last index skipped", "last-entry-skipped",
          lambda a, b: float(sum(a[i] * b[i] for i in range(len(a) - 1)))),
    wrong("dot-loop", "total starts at 1", "total-started-at-1", _dot_start_one),
    wrong("dot-loop", "product of products", "multiplied-not-added", _dot_times),
    wrong("dot-loop", "sum(a) * sum(b)", "product-of-sums", lambda a, b: float(np.sum(a) * np.sum(b))),
    wrong("dot-loop", "first index skipped", "first-entry-skipped", _dot_from_one),
    wrong("dot-loop", "return inside the loop", "return-inside-loop", _dot_return_in_loop),
    wrong("dot-loop", "adds instead of multiplying", "added-not-multiplied", _dot_plus),
    wrong("dot-loop", "returns an array of one", "generic:scalar-as-array", _dot_array),
    # ------------------------------------------------------------ matmul-loop
    wrong("matmul-loop", "element-wise product", "element-wise-product", lambda A, B: A * B),
    wrong("matmul-loop", "B[k, j]", "b-indexed-k-j", _matmul(b_index="kj")),
    wrong("matmul-loop", "total not reset", {"total-not-reset", "total-never-reset"}, _matmul(reset=False)),
    wrong("matmul-loop", "output transposed", "returned-ab-t", _matmul(transpose_out=True)),
    wrong("matmul-loop", "integer output array", "generic:dtype", _matmul(out_dtype=int)),
    wrong("matmul-loop", "inner loop over p", {"inner-loop-bound", "generic:index-error"}, _matmul_loop_bound),
    wrong("matmul-loop", "product not summed", "product-not-summed", _matmul(body="last")),
    wrong("matmul-loop", "A[j, i]", "a-indexed-j-i", _matmul(a_index="ji")),
    wrong("matmul-loop", "total starts at 1", "total-started-at-1", _matmul(start=1.0)),
    # ------------------------------------------------------------ affine
    wrong("affine", "no validation", "no-validation", lambda X, W, b: X @ W + b),
    wrong("affine", "b not validated", "b-not-checked", _affine_checks(bias=False)),
    wrong("affine", "bias forgotten", "bias-forgotten", _affine_validated(lambda X, W, b: X @ W)),
    wrong("affine", "W transposed", "w-transposed", lambda X, W, b: X @ W.T + b),
    wrong("affine", "raises TypeError", "wrong-exception-type", _affine_checks(error=TypeError)),
    wrong("affine", "asserts instead of raising", "assert-not-raise", _affine_asserts),
    wrong("affine", "only b's ndim checked", {"b-not-checked", "b-size-not-checked"}, _affine_checks(bias_size=False)),
    wrong("affine", "message does not name the argument", "message-without-argument", _affine_checks(named=False)),
    wrong("affine", "1-D X made 2-D", "x-1d-accepted", _affine_checks(reshape_x=True)),
    wrong("affine", "bias per sample", "bias-added-per-sample",
          _affine_validated(lambda X, W, b: X @ W + b.reshape(-1, 1) if X.shape[0] == b.shape[0] else X @ W + b)),
    # ------------------------------------------------------------ norms
    wrong("norms", "L1 without abs", "l1-without-abs", _norm(l1=lambda x: float(np.sum(x)))),
    wrong("norms", "L2 without sqrt", "l2-without-the-square-root", _norm(l2=lambda x: float(np.sum(x ** 2)))),
    wrong("norms", "spectral norm", "spectral-norm-instead-of-frobenius", _norm(fro=lambda x: float(np.linalg.norm(x, 2)))),
    wrong("norms", "L1 as max", "l1-as-max", _norm(l1=lambda x: float(np.max(np.abs(x))))),
    wrong("norms", "default l1", "wrong-default", _norm(default="l1")),
    wrong("norms", "fro along axis 0", "fro-per-column", _norm(fro=lambda x: np.sqrt(np.sum(x ** 2, axis=0)))),
    wrong("norms", "L2 as the root of the L1 norm", "l2-root-of-l1", _norm(l2=lambda x: float(np.sqrt(np.sum(np.abs(x)))))),
    wrong("norms", "kinds compared in upper case", "generic:no-return", _norm(upper=True)),
    wrong("norms", "L2 as root mean square", "l2-as-rms", _norm(l2=lambda x: float(np.sqrt(np.mean(x ** 2))))),
    wrong("norms", "Frobenius without sqrt", "frobenius-without-the-square-root",
          _norm(fro=lambda x: float(np.sum(x * x)))),
    # ------------------------------------------------------------ row-normalise
    wrong("row-normalise", "axis 0", "columns-normalised", lambda X: X / np.linalg.norm(X, axis=0, keepdims=True)),
    wrong("row-normalise", "keepdims forgotten", "keepdims-forgotten", lambda X: X / np.sqrt(np.sum(X ** 2, axis=1))),
    wrong("row-normalise", "squared norm", "divided-by-the-squared-norm", lambda X: X / np.sum(X ** 2, axis=1, keepdims=True)),
    wrong("row-normalise", "L1 norm", "divided-by-the-l1-norm", lambda X: X / np.abs(X).sum(axis=1, keepdims=True)),
    wrong("row-normalise", "one norm for all", "one-norm-for-the-whole-matrix", lambda X: X / np.linalg.norm(X)),
    wrong("row-normalise", "in place", MUTATED, _rows_in_place),
    wrong("row-normalise", "loop in place", MUTATED, _rows_loop_in_place),
    wrong("row-normalise", "divided by the largest entry", "divided-by-max",
          lambda X: X / np.max(np.abs(X), axis=1, keepdims=True)),
    wrong("row-normalise", "norms as a row vector", "keepdims-forgotten",
          lambda X: X / np.linalg.norm(X, axis=1)[None, :]),
    # ------------------------------------------------------------ grad-quadratic
    wrong("grad-quadratic", "2Ax", "2ax-assumes-a-symmetric", lambda A, x: 2 * A @ x),
    wrong("grad-quadratic", "Ax", "ax-only", lambda A, x: A @ x),
    wrong("grad-quadratic", "A^T x", "a-t-x-only", lambda A, x: A.T @ x),
    wrong("grad-quadratic", "the value", "returned-f-itself", lambda A, x: x @ A @ x),
    wrong("grad-quadratic", "element-wise times x", "elementwise-times-x", lambda A, x: (A + A.T) * x),
    wrong("grad-quadratic", "2 A^T x", "2atx-assumes-a-symmetric", lambda A, x: 2 * A.T @ x),
    wrong("grad-quadratic", "halved", {"generic:factor-half", "halved"}, lambda A, x: (A + A.T) @ x / 2),
    wrong("grad-quadratic", "A A^T x", "a-times-a-t", lambda A, x: A @ A.T @ x),
    wrong("grad-quadratic", "A x + x", "plus-x", lambda A, x: A @ x + x),
    # ------------------------------------------------------------ grad-least-squares
    wrong("grad-least-squares", "no 2", {"factor-2-missing", "generic:factor-half"},
          lambda w, X, y: X.T @ (X @ w - y) / len(y)),
    wrong("grad-least-squares", "no 1/n", {"summed-not-averaged", "generic:factor-n"},
          lambda w, X, y: 2 * X.T @ (X @ w - y)),
    wrong("grad-least-squares", "residual only", "residual-not-multiplied-by-x-t",
          lambda w, X, y: 2 / len(y) * (X @ w - y)),
    wrong("grad-least-squares", "y - Xw", {"residual-y-xw", "generic:sign"}, lambda w, X, y: 2 / len(y) * X.T @ (y - X @ w)),
    wrong("grad-least-squares", "X not transposed", "x-not-transposed", lambda w, X, y: 2 / len(y) * X @ (X @ w - y)),
    wrong("grad-least-squares", "y forgotten", "y-forgotten", lambda w, X, y: 2 / len(y) * X.T @ X @ w),
    wrong("grad-least-squares", "divided by d", "divided-by-features", lambda w, X, y: 2 / X.shape[1] * X.T @ (X @ w - y)),
    wrong("grad-least-squares", "mean of the gradient", "averaged-to-a-number",
          lambda w, X, y: 2 * np.mean(X.T @ (X @ w - y))),
    wrong("grad-least-squares", "integer division", "integer-division", lambda w, X, y: 2 // len(y) * X.T @ (X @ w - y)),
    wrong("grad-least-squares", "divided by n squared", {"divided-twice", "generic:factor-1/n"},
          lambda w, X, y: 2 / len(y) ** 2 * X.T @ (X @ w - y)),
]


def _dot_zip(a, b):
    total = 0.0
    for x, y in zip(a, b):
        total += x * y
    return total


def _dot_enumerate(a, b):
    total = 0
    for i, x in enumerate(a):
        total = total + x * b[i]
    return float(total)


def _matmul_comprehension(A, B):
    return np.array([[sum(A[i, j] * B[j, k] for j in range(A.shape[1])) for k in range(B.shape[1])]
                     for i in range(A.shape[0])], dtype=float)


def _matmul_accumulate(A, B):
    out = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            for k in range(B.shape[1]):
                out[i, k] += A[i, j] * B[j, k]
    return out


CORRECT = [
    correct("centre", "sum over size", lambda x: x - x.sum() / x.size),
    correct("centre", "list comprehension", lambda x: np.array([v - np.mean(x) for v in x])),
    correct("centre", "copy then subtract", lambda x: np.subtract(x, x.mean())),
    correct("dot-loop", "zip", _dot_zip),
    correct("dot-loop", "enumerate", _dot_enumerate),
    correct("dot-loop", "sum of products", lambda a, b: float(sum(a[i] * b[i] for i in range(len(a))))),
    correct("matmul-loop", "comprehension", _matmul_comprehension),
    correct("matmul-loop", "i-j-k order", _matmul_accumulate),
    correct("matmul-loop", "row times column", lambda A, B: np.array([[A[i] @ B[:, k] for k in range(B.shape[1])]
                                                                      for i in range(A.shape[0])])),
    correct("affine", "einsum", _affine_validated(lambda X, W, b: np.einsum("ni,io->no", X, W) + b)),
    correct("affine", "matmul", _affine_validated(lambda X, W, b: np.matmul(X, W) + b[None, :])),
    correct("affine", "dot", _affine_validated(lambda X, W, b: X.dot(W) + b)),
    correct("norms", "np.linalg.norm", lambda x, kind="l2": float(np.linalg.norm(x, {"l1": 1, "l2": 2, "fro": "fro"}[kind]))),
    correct("norms", "dict of lambdas", lambda x, kind="l2": {"l1": lambda: np.abs(x).sum(), "l2": lambda: np.sqrt((x ** 2).sum()),
                                                              "fro": lambda: np.sqrt((x ** 2).sum())}[kind]()),
    correct("norms", "power 0.5", lambda x, kind="l2": float(np.sum(np.abs(x))) if kind == "l1" else float(np.sum(x ** 2) ** 0.5)),
    correct("row-normalise", "linalg norm keepdims", lambda X: X / np.linalg.norm(X, axis=1, keepdims=True)),
    correct("row-normalise", "column of norms", lambda X: X / np.sqrt((X ** 2).sum(axis=1))[:, None]),
    correct("row-normalise", "loop", _rows_loop),
    correct("grad-quadratic", "two products", lambda A, x: A @ x + A.T @ x),
    correct("grad-quadratic", "x on the left", lambda A, x: x @ (A + A.T)),
    correct("grad-quadratic", "einsum", lambda A, x: np.einsum("ij,j->i", A, x) + np.einsum("ji,j->i", A, x)),
    correct("grad-least-squares", "mean of rows", lambda w, X, y: 2.0 * np.mean(X * (X @ w - y)[:, None], axis=0)),
    correct("grad-least-squares", "residual first", lambda w, X, y: (2 * (X @ w - y) / X.shape[0]) @ X),
    correct("grad-least-squares", "einsum", lambda w, X, y: 2 / len(y) * np.einsum("ni,n->i", X, X @ w - y)),
]


# ------------------------------------------------------------ grad-norm (added with the exercise)
def _grad_norm_loop(x):
    length = 0.0
    for value in x:
        length += value * value
    length = length ** 0.5
    return np.array([value / length for value in x])


WRONG += [
    wrong("grad-norm", "gradient of the squared length", "gradient-of-squared-length", lambda x: 2 * x),
    wrong("grad-norm", "chain rule half kept", "two-not-cancelled", lambda x: x / (2 * np.linalg.norm(x))),
    wrong("grad-norm", "divided by the squared length", "divided-by-squared-length", lambda x: x / np.dot(x, x)),
    wrong("grad-norm", "returned the length", "returned-the-length", lambda x: np.sqrt(np.sum(x ** 2))),
    wrong("grad-norm", "sign of x", "l1-sign", lambda x: np.sign(x)),
    wrong("grad-norm", "divided by the L1 norm", "divided-by-l1-norm", lambda x: x / np.abs(x).sum()),
    wrong("grad-norm", "minus sign", {"generic:sign"}, lambda x: -x / np.linalg.norm(x)),
    wrong("grad-norm", "square root of x over the length", None, lambda x: np.sqrt(np.abs(x)) / np.linalg.norm(x)),
    wrong("grad-norm", "unit vector of ones", None, lambda x: np.ones_like(x) / np.sqrt(x.size)),
    wrong("grad-norm", "normalised in place", {"generic:input-mutated"}, lambda x: np.divide(x, np.linalg.norm(x), out=x)),
]
CORRECT += [
    correct("grad-norm", "np.linalg.norm", lambda x: x / np.linalg.norm(x)),
    correct("grad-norm", "loop", _grad_norm_loop),
    correct("grad-norm", "hypot of all", lambda x: x / np.sqrt(np.einsum("i,i->", x, x))),
]
