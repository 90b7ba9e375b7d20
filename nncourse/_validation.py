"""Argument checks shared by the public functions.

Every public function validates its inputs here and raises ``ValueError`` or
``TypeError`` with the argument's name, what was expected and what came. None of
these helpers reshapes or broadcasts: a ``(n,)`` array where ``(n, 1)`` is
expected is an error, never something to paper over.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a floating-point array (no copy when it already is one).

    Integer and boolean inputs become float64; float32 stays float32. Raises
    ``TypeError`` for non-numeric input and ``ValueError`` for the wrong number
    of dimensions or (with ``finite``) NaN or infinite entries.
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
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {want}, got an array of shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinite values; check the data or an earlier step")
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


def check_positive(value, name: str, *, allow_zero: bool = False) -> float:
    """A real number > 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    ok = value >= 0 if allow_zero else value > 0
    if not ok or not np.isfinite(value):
        want = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise ValueError(f"{name} must be {want}, got {value}")
    return value


def check_probability(value, name: str, *, allow_one: bool = False) -> float:
    """A number in [0, 1) (or [0, 1] with ``allow_one``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not (0.0 <= value < 1.0 or (allow_one and value == 1.0)):
        want = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{name} must be in {want}, got {value}")
    return value


def check_int(value, name: str, *, minimum: int = 1) -> int:
    """An integer >= ``minimum`` (booleans are not integers here)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_choice(value, name: str, choices) -> str:
    """One of a fixed set of names."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(map(repr, choices))}")
    return value


def as_labels(y, name: str, n_samples: int, n_classes: int | None = None) -> np.ndarray:
    """Integer class labels ``(n_samples,)`` in ``[0, n_classes)``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(f"{name} must have shape ({n_samples},) (one integer label per sample), got {y.shape}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
            raise ValueError(f"{name} must hold integer class labels, got non-integer values")
        y = y.astype(np.int64)
    elif y.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {y.dtype}")
    if y.size and y.min() < 0:
        raise ValueError(f"{name} must hold labels >= 0, got {y.min()}")
    if n_classes is not None and y.size and y.max() >= n_classes:
        raise ValueError(f"{name} holds label {y.max()}, but there are only {n_classes} classes "
                         f"(labels 0..{n_classes - 1})")
    return y


def as_rng(rng, name: str = "rng") -> np.random.Generator:
    """Require an explicit ``np.random.Generator`` (no global randomness)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy Generator such as np.random.default_rng(0), "
                        f"got {type(rng).__name__}")
    return rng
