"""Argument checks shared by the public functions: one validator per concept, one message each.

Every public function validates its inputs here and raises ``ValueError`` or
``TypeError`` with the argument's name, what was expected and what came. The
kernels that do the arithmetic (``_name`` functions in each module) never
validate: a public function checks once, then calls them, and so do the
composites and the training loop.

None of these helpers reshapes or broadcasts: a ``(n,)`` array where
``(n, 1)`` is expected is an error, never something to paper over.

=============================  ==================================================
concept                        validator
=============================  ==================================================
an array of real numbers       :func:`as_float_array` (float), :func:`as_real_array` (dtype kept)
two arrays of one shape        :func:`check_same_shape`
a product ``A @ B``            :func:`check_product`
a bias for weights ``W``       :func:`check_bias`
a network's parameters         :func:`as_params`
class labels                   :func:`as_labels`
rows of probabilities          :func:`check_probability_rows`
a result that overflowed       :func:`check_finite_result`, :func:`reports_overflow`
a number / integer / fraction  :func:`check_positive`, :func:`check_int`, :func:`check_probability`
a flag                         :func:`check_bool`
a name from a list             :func:`check_choice`
an axis                        :func:`check_axis`
a float dtype                  :func:`check_float_dtype`
scaling by a power of two      :func:`power_of_two_scale`
randomness                     :func:`as_generator` (a Generator), :func:`rng_from_seed` (seed or Generator)
=============================  ==================================================
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

#: The float dtypes the course computes in (float16 has too few digits for its formulas).
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_real_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a numpy array of real numbers (booleans, integers or floats), dtype unchanged.

    Raises ``TypeError`` for anything else (strings, objects, complex numbers,
    ragged lists) and ``ValueError`` for the wrong number of dimensions or
    (with ``finite``) NaN or infinite entries. Never copies an array.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__} ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got an array of shape {arr.shape}")
    if finite and arr.dtype.kind == "f" and not _all_finite(arr):
        raise ValueError(f"{name} contains NaN or infinite values; check the data or an earlier step")
    return arr


def _all_finite(arr: np.ndarray) -> bool:
    # One pass and no temporary (np.isfinite(X).all() allocates a boolean array as large as X):
    # a NaN or an inf makes the sum NaN or inf; a sum that overflows although every entry is
    # finite is told apart by the element-wise check.
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum()
    return bool(np.isfinite(total)) or bool(np.isfinite(arr).all())


def as_float_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a float32 or float64 array (no copy when it already is one).

    Booleans and integers become float64; float32 and float64 stay as they
    are; float16 is computed in float32 (its 3 significant digits are too few
    for the course's formulas). Errors as for :func:`as_real_array`.
    """
    arr = as_real_array(x, name, ndim=ndim, finite=finite)
    if arr.dtype.kind != "f":
        return arr.astype(np.float64)
    if arr.dtype.itemsize < 4:
        return arr.astype(np.float32)
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Require equal shapes; say what to do about ``(n,)`` versus ``(n, 1)``."""
    if a.shape == b.shape:
        return
    hint = ""
    if a.ndim + b.ndim == 3 and a.size == b.size:
        hint = (" ((n,) and (n, 1) are different shapes: reshape one of them, e.g. y.reshape(-1, 1) or "
                "y.ravel(), so both are the same)")
    raise ValueError(f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}{hint}")


def check_product(A: np.ndarray, B: np.ndarray, name_a: str, name_b: str) -> None:
    """``A @ B`` needs A's last size to equal B's first: one message for every product in the course."""
    if A.shape[-1] != B.shape[0]:
        hint = "; with samples in rows, X is (n_samples, n_in) and W is (n_in, n_out)" if A.ndim == B.ndim == 2 else ""
        raise ValueError(f"{name_a} @ {name_b} needs {name_a}'s last size to equal {name_b}'s first, got "
                         f"{name_a} {A.shape} and {name_b} {B.shape} ({A.shape[-1]} != {B.shape[0]}){hint}")


def check_bias(b: np.ndarray, W: np.ndarray, name_b: str, name_w: str) -> None:
    """A bias is 1-D with one entry per column of its weights."""
    if b.shape != (W.shape[1],):
        raise ValueError(f"{name_b} must have shape ({W.shape[1]},) to match {name_w} {W.shape}, got {b.shape}")


def as_params(params) -> list:
    """A network's parameters: a non-empty list of ``(W, b)`` pairs whose shapes chain.

    ``W{l}`` is ``(n_{l-1}, n_l)``, ``b{l}`` is ``(n_l,)`` and each layer's
    ``n_l`` is the next one's input size. Returns a list of pairs of float
    arrays (the same arrays when they already are float32/float64).
    """
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a non-empty list of (W, b) pairs, got {type(params).__name__}"
                        + (" (empty)" if isinstance(params, (list, tuple)) else ""))
    out = []
    for i, pair in enumerate(params, start=1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"params[{i - 1}] must be a (W, b) pair, got {type(pair).__name__}")
        W = as_float_array(pair[0], f"W{i}", ndim=2)
        b = as_float_array(pair[1], f"b{i}", ndim=1)
        check_bias(b, W, f"b{i}", f"W{i}")
        if W.size == 0:
            raise ValueError(f"W{i} is empty (shape {W.shape}); every layer needs at least one input and one unit")
        if out:
            check_product(out[-1][0], W, f"W{i - 1}", f"W{i}")
        out.append((W, b))
    return out


def as_labels(y, name: str, n_samples: int, n_classes: int | None = None, *, rows_of: str = "",
              classes_of: str = "n_classes") -> np.ndarray:
    """Integer class labels ``(n_samples,)`` in ``[0, n_classes)``, as int64.

    Integer arrays, and float arrays holding whole numbers, are accepted;
    booleans, strings and fractions are not. ``rows_of`` and ``classes_of``
    name the arguments that fixed ``n_samples`` and ``n_classes``, for the message.
    """
    y = as_real_array(y, name)
    if y.ndim != 1 or y.shape[0] != n_samples:
        hint = f" (use {name}.ravel() for a column of labels)" if y.shape == (n_samples, 1) else ""
        source = f", as {rows_of} has {n_samples}" if rows_of else ""
        raise ValueError(f"{name} must have shape ({n_samples},) (one integer label per sample{source}), "
                         f"got {y.shape}{hint}")
    if y.dtype.kind == "b":
        raise TypeError(f"{name} must hold integer class labels, got dtype bool (use {name}.astype(int))")
    if y.dtype.kind == "f":
        if not np.all(y == np.round(y)):
            raise ValueError(f"{name} must hold integer class labels, got non-integer values "
                             "(probabilities? turn them into classes first, e.g. (p >= 0.5).astype(int))")
    if y.size and y.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {y.min()}")
    if n_classes is not None and y.size and y.max() >= n_classes:
        raise ValueError(f"{name} holds label {y.max():g}, but {classes_of} gives only {n_classes} classes "
                         f"(labels 0..{n_classes - 1})")
    return y.astype(np.int64, copy=False)


def check_probability_rows(P: np.ndarray, name: str, axis: int = -1) -> None:
    """Entries in [0, 1] that sum to 1 along ``axis`` (up to rounding in ``P``'s dtype)."""
    if np.any((P < 0) | (P > 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1]; for raw scores use the *_with_logits losses")
    if P.size == 0:
        return
    # sqrt(eps) allows the rounding of any reasonable computation of P (about 1.5e-8 in float64,
    # 3.5e-4 in float32) and nothing near a real mistake such as rows summing to 1.5.
    tolerance = np.sqrt(np.finfo(P.dtype).eps)
    sums = P.sum(axis=axis)
    if np.any(np.abs(sums - 1.0) > tolerance):
        worst = sums.flat[int(np.argmax(np.abs(sums - 1.0)))]
        raise ValueError(f"{name} must have rows (along axis {axis}) that sum to 1, got a row summing to {worst:.6g}")


def check_finite_result(out, what: str, inputs: str) -> None:
    """Refuse a result that overflowed although the inputs were finite (no silent inf or NaN)."""
    if not np.all(np.isfinite(out)):
        dtype = np.result_type(out)
        raise ValueError(f"{what} overflows {dtype} (beyond ±{np.finfo(dtype).max:.3g}) for these {inputs}; "
                         f"scale {inputs} down")


def reports_overflow(function):
    """Decorator for a public function that turns overflow into a clear ``ValueError``
    (:func:`check_finite_result`) or into a correct finite result (a scaled fallback).

    numpy's own "overflow encountered" warnings would only repeat, less clearly,
    what follows, so they are silenced inside the function (and only there).
    """

    @functools.wraps(function)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore"):
            return function(*args, **kwargs)

    return quiet


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """A real number > 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not ok or not np.isfinite(value):
        want = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise ValueError(f"{name} must be {want}, got {value}")
    return value


def check_probability(value, name: str, *, allow_zero: bool = True, allow_one: bool = False) -> float:
    """A number in [0, 1) by default; ``allow_zero``/``allow_one`` choose which ends are included."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    above = 0.0 <= value if allow_zero else 0.0 < value
    below = value <= 1.0 if allow_one else value < 1.0
    if not (above and below):
        want = ("[" if allow_zero else "(") + "0, 1" + ("]" if allow_one else ")")
        raise ValueError(f"{name} must be in {want}, got {value}")
    return value


def check_int(value, name: str, *, minimum: int = 1, why: str = "") -> int:
    """An integer >= ``minimum`` (booleans are not integers here); ``why`` explains the minimum."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}{f' ({why})' if why else ''}, got {value}")
    return int(value)


def check_bool(value, name: str) -> bool:
    """True or False, nothing else: ``nesterov="no"`` must not switch Nesterov on."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_choice(value, name: str, choices) -> str:
    """One of a fixed set of names (strings)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a name (a string), one of {', '.join(map(repr, choices))}; "
                        f"got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(map(repr, choices))}")
    return value


def check_axis(axis, x: np.ndarray, name: str, *, nonempty: bool = True) -> int:
    """An integer axis of ``x`` (negative counts from the end); with ``nonempty``, one of size > 0."""
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"axis must be an integer, got {type(axis).__name__}")
    if x.ndim == 0:
        raise ValueError(f"{name} must have at least one axis, got a scalar")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for {name} of shape {x.shape}")
    if nonempty and x.shape[axis] == 0:
        raise ValueError(f"{name} has no entries along axis {axis} (shape {x.shape}); it needs at least one")
    return int(axis) % x.ndim


def check_float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """float32 or float64 (given as a numpy type, a dtype or its name)."""
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a float dtype such as np.float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{name} must be a float dtype such as np.float64, got {dt} "
                         "(float32 or float64)")
    return dt


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """Require an explicit ``np.random.Generator`` (no global randomness)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy Generator such as np.random.default_rng(0), "
                        f"got {type(rng).__name__}")
    return rng


def rng_from_seed(seed, name: str = "seed") -> np.random.Generator:
    """A ``seed``: an integer >= 0 (a fresh ``np.random.default_rng(seed)``) or a Generator (used as it is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 0 or a numpy Generator, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"{name} must be >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def power_of_two_scale(x: np.ndarray, axis=None):
    """A power of two near ``max |x|`` (per ``axis``; 1 where all is 0), to scale by without rounding.

    Dividing by a power of two is exact, so a formula computed on ``x / scale``
    and scaled back gives the same bits as on ``x`` wherever that neither
    overflows nor underflows, and a finite answer where the squares of 1e200
    or the sum of two 1e308 would have been ``inf``.
    """
    biggest = np.max(np.abs(x), axis=axis) if x.size else np.zeros(())
    # frexp: biggest = m 2^e with 0.5 <= m < 1; the scale 2^(e-1) keeps x / scale below 2 and is
    # itself representable (2^e can overflow for the largest floats).
    exponent = np.frexp(biggest)[1] - 1
    return np.where(biggest > 0, np.ldexp(np.ones_like(biggest), exponent), 1).astype(x.dtype)
