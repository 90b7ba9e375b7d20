"""Small datasets for the lessons: 2-D pictures, a 1-D curve, and real digits.

The generators make the toy problems the lessons draw and train on. Every one
takes a ``seed`` and draws from its own ``np.random.default_rng(seed)`` (or from
the ``np.random.Generator`` passed as ``seed``), so the same call gives the
same data on every machine and no global random state is touched. Classification generators return

* ``X`` float64, shape ``(n_samples, 2)``: one point per row;
* ``y`` int64, shape ``(n_samples,)``: labels ``0 .. n_classes - 1``, as
  balanced as ``n_samples`` allows (class sizes differ by at most one), in
  shuffled order so that mini-batches are not sorted by class.

``noise`` is always the standard deviation of Gaussian noise added to each
coordinate (for :func:`make_regression_curve`: to each target).

=========================  ======================================================
:func:`make_blobs`         Gaussian blobs, linearly separable (lessons 02-04)
:func:`make_xor`           four quadrants, XOR labels: needs a hidden layer
:func:`make_moons`         two interleaved half circles
:func:`make_circles`       a disc inside a ring
:func:`make_spirals`       ``n_classes`` interleaved spiral arms
:func:`make_regression_curve`  a smooth 1-D curve plus noise (MSE, lesson 04)
:func:`load_digits`        1,797 real 8x8 handwritten digits (lesson 08)
=========================  ======================================================

Two data-preparation steps of the capstone (lesson 08, part 1) live here too:
:func:`standardise` (statistics from the training set only) and
:func:`shift_images` (shifted copies of images, a cheap way to get more data).

The digits are shipped inside the package (``nncourse/data/digits.npz``, see
``nncourse/data/README.md`` for source, licence and attribution); nothing is
downloaded.

Not here: train/test splitting (:func:`nncourse.regularization.train_val_test_split`),
metrics (:mod:`nncourse.metrics`) and any data-loader machinery.
"""

from __future__ import annotations

import hashlib
import importlib.resources

import numpy as np

from ._validation import (as_float_array, as_real_array, check_bool, check_finite_result, check_int, check_positive,
                          check_probability, power_of_two_scale, reports_overflow, rng_from_seed)

__all__ = ["make_xor", "make_moons", "make_circles", "make_spirals", "make_blobs",
           "make_regression_curve", "regression_curve", "load_digits", "DIGITS_SHA256", "standardise",
           "shift_images"]

#: SHA-256 of the shipped digits: the uint8 pixel bytes (row-major, 1797 x 64)
#: followed by the labels as little-endian int64. :func:`load_digits` verifies it.
DIGITS_SHA256 = "65e5b4619795efb40c1082f4c350c049e4ad552200d369b6ae99e21eef5e72c5"


def _check_n_samples(n_samples, minimum: int, why: str) -> int:
    return check_int(n_samples, "n_samples", minimum=minimum, why=why)


def _class_sizes(n_samples: int, n_parts: int) -> list[int]:
    """Split ``n_samples`` into ``n_parts`` sizes that differ by at most one."""
    base, extra = divmod(n_samples, n_parts)
    return [base + (k < extra) for k in range(n_parts)]


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    check_finite_result(X, "the points", "noise")
    order = rng.permutation(len(y))
    return X[order].astype(np.float64), y[order].astype(np.int64)


def _noisy_and_shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray, noise: float):
    """Gaussian noise of standard deviation ``noise`` on every coordinate, then a shuffle."""
    return _shuffled(rng, X + noise * rng.standard_normal(X.shape), y)


@reports_overflow
def make_xor(n_samples: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points in the four quadrants, labelled 1 where the coordinates' signs differ.

    Each quadrant gets a quarter of the points, drawn uniformly with
    ``0.1 <= |x_j| <= 1`` (a gap along the axes), then Gaussian noise is added.
    The label is the XOR of ``x_1 > 0`` and ``x_2 > 0`` *before* the noise, so
    large noise mixes the classes near the axes. No straight line separates
    the classes: a network needs a hidden layer.

    Parameters
    ----------
    n_samples : int >= 4, default 200 (a quarter in each quadrant)
    noise : float >= 0, default 0.1
    seed : int >= 0 or np.random.Generator, default 0

    Returns
    -------
    X : float64 array, shape (n_samples, 2)
    y : int64 array, shape (n_samples,), labels 0 and 1
    """
    n_samples = _check_n_samples(n_samples, 4, "one point per quadrant")
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = rng_from_seed(seed)
    # Quadrants in turn around the origin: even ones are class 0, odd ones
    # class 1, so the leftover points of an uneven split alternate classes.
    signs = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    quadrant = np.repeat(np.arange(4), _class_sizes(n_samples, 4))
    X = signs[quadrant] * rng.uniform(0.1, 1.0, size=(n_samples, 2))
    return _noisy_and_shuffled(rng, X, quadrant % 2, noise)


@reports_overflow
def make_moons(n_samples: int = 200, *, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles.

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted to the right, ``(1 - cos t, 1/2 - sin t)``, each with the
    angle ``t`` uniform in ``[0, pi]``; then Gaussian noise is added.

    Parameters
    ----------
    n_samples : int >= 2, default 200
    noise : float >= 0, default 0.1
    seed : int >= 0 or np.random.Generator, default 0

    Returns
    -------
    X : float64 array, shape (n_samples, 2)
    y : int64 array, shape (n_samples,), labels 0 (upper moon) and 1 (lower moon)
    """
    n_samples = _check_n_samples(n_samples, 2, "one point per class")
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = rng_from_seed(seed)
    y = np.repeat(np.arange(2), _class_sizes(n_samples, 2))
    t = rng.uniform(0.0, np.pi, size=n_samples)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where((y == 0)[:, None], upper, lower)
    return _noisy_and_shuffled(rng, X, y, noise)


@reports_overflow
def make_circles(n_samples: int = 200, *, noise: float = 0.05, factor: float = 0.5,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0).

    Class 0 lies on the unit circle, class 1 on the circle of radius
    ``factor``, both at uniform angles; then Gaussian noise is added. The
    boundary a network must learn is a closed curve.

    Parameters
    ----------
    n_samples : int >= 2, default 200
    noise : float >= 0, default 0.05
    factor : float in (0, 1), default 0.5
        Radius of the inner circle relative to the outer one.
    seed : int >= 0 or np.random.Generator, default 0

    Returns
    -------
    X : float64 array, shape (n_samples, 2)
    y : int64 array, shape (n_samples,), labels 0 (outer) and 1 (inner)
    """
    n_samples = _check_n_samples(n_samples, 2, "one point per class")
    noise = check_positive(noise, "noise", allow_zero=True)
    factor = check_probability(factor, "factor", allow_zero=False)
    rng = rng_from_seed(seed)
    y = np.repeat(np.arange(2), _class_sizes(n_samples, 2))
    radius = np.where(y == 0, 1.0, float(factor))
    t = rng.uniform(0.0, 2.0 * np.pi, size=n_samples)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    return _noisy_and_shuffled(rng, X, y, noise)


@reports_overflow
def make_spirals(n_samples: int = 300, *, n_classes: int = 3, noise: float = 0.05,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` spiral arms winding out of the origin (the CS231n picture).

    Arm ``k`` is the curve ``r (cos theta, sin theta)`` with radius ``r``
    uniform in ``[0, 1]`` and angle ``theta = 2 pi k / n_classes + 1.5 pi r``
    (three quarters of a turn from centre to rim); then Gaussian noise is added.
    Near the origin the arms meet, so no classifier is perfect there.

    Parameters
    ----------
    n_samples : int >= n_classes, default 300
    n_classes : int >= 2, default 3
    noise : float >= 0, default 0.05
    seed : int >= 0 or np.random.Generator, default 0

    Returns
    -------
    X : float64 array, shape (n_samples, 2), inside the unit disc up to noise
    y : int64 array, shape (n_samples,), labels 0 .. n_classes - 1
    """
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    n_samples = _check_n_samples(n_samples, n_classes, "one point per class")
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = rng_from_seed(seed)
    y = np.repeat(np.arange(n_classes), _class_sizes(n_samples, n_classes))
    r = rng.uniform(0.0, 1.0, size=n_samples)
    theta = 2.0 * np.pi * y / n_classes + 1.5 * np.pi * r
    X = r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)])
    return _noisy_and_shuffled(rng, X, y, noise)


@reports_overflow
def make_blobs(n_samples: int = 200, *, n_classes: int = 3, noise: float = 0.3,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around centres on a circle, always linearly separable.

    Class ``k`` is centred at ``c_k = 2 (cos(2 pi k / K), sin(2 pi k / K))``
    with ``K = n_classes``; each point is ``c_k`` plus Gaussian noise of
    standard deviation ``noise``. A noise draw that would carry the point
    ``d / 2`` or further from its centre (``d`` = distance between
    neighbouring centres) is drawn again, so every point is strictly nearer
    its own centre than any other: the linear scores
    ``s_k(x) = c_k . x - |c_k|^2 / 2`` classify every point correctly (a
    softmax regression can reach 100 % training accuracy).

    Parameters
    ----------
    n_samples : int >= n_classes, default 200
    n_classes : int >= 2, default 3
    noise : float in [0, d / 2), default 0.3
        ``d / 2 = 2 sin(pi / K)``: 2 for two classes, 1.73 for three,
        0.62 for ten. Larger noise could not keep the classes separable.
    seed : int >= 0 or np.random.Generator, default 0

    Returns
    -------
    X : float64 array, shape (n_samples, 2)
    y : int64 array, shape (n_samples,), labels 0 .. n_classes - 1
    """
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    n_samples = _check_n_samples(n_samples, n_classes, "one point per class")
    noise = check_positive(noise, "noise", allow_zero=True)
    half_gap = 2.0 * np.sin(np.pi / n_classes)
    if noise >= half_gap:
        raise ValueError(f"noise must be < {half_gap:.3f} for {n_classes} classes (half the distance "
                         f"between neighbouring centres, or the blobs could not stay separable), got {noise}")
    rng = rng_from_seed(seed)
    y = np.repeat(np.arange(n_classes), _class_sizes(n_samples, n_classes))
    angles = 2.0 * np.pi * np.arange(n_classes) / n_classes
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    offsets = noise * rng.standard_normal((n_samples, 2))
    # Rejection keeps the draw Gaussian inside the disc; since noise < d/2 at
    # least 39 % of draws are accepted each round, so the loop ends quickly.
    too_far = np.linalg.norm(offsets, axis=1) >= half_gap
    while np.any(too_far):
        offsets[too_far] = noise * rng.standard_normal((int(too_far.sum()), 2))
        too_far = np.linalg.norm(offsets, axis=1) >= half_gap
    return _shuffled(rng, centres[y] + offsets, y)


@reports_overflow
def regression_curve(x) -> np.ndarray:
    """The noise-free curve behind :func:`make_regression_curve`.

    .. math:: f(x) = \\sin(3x) + 0.3\\,x

    Parameters
    ----------
    x : array of any shape

    Returns
    -------
    float64 array, the same shape as ``x``
    """
    x = as_float_array(x, "x").astype(np.float64, copy=False)
    out = np.sin(3.0 * x) + 0.3 * x
    check_finite_result(out, "sin(3x) + 0.3x", "x")
    return out


@reports_overflow
def make_regression_curve(n_samples: int = 100, *, noise: float = 0.1,
                          seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 1-D regression problem: ``y = f(x) + noise`` with ``f`` = :func:`regression_curve`.

    ``x`` is uniform in ``[-2, 2]`` (unsorted; sort it to draw a line), and
    ``f(x) = sin(3x) + 0.3x`` wiggles enough that a straight line fits badly
    and a small network fits well.

    Parameters
    ----------
    n_samples : int >= 1, default 100
    noise : float >= 0, default 0.1
        Standard deviation of the Gaussian noise on ``y``.
    seed : int >= 0 or np.random.Generator, default 0

    Returns
    -------
    X : float64 array, shape (n_samples, 1)
    y : float64 array, shape (n_samples, 1): a column, like a network's output
    """
    n_samples = _check_n_samples(n_samples, 1, "at least one point")
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = rng_from_seed(seed)
    X = rng.uniform(-2.0, 2.0, size=(n_samples, 1))
    y = regression_curve(X) + noise * rng.standard_normal((n_samples, 1))
    check_finite_result(y, "the targets", "noise")
    return X, y


def load_digits(*, scale: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits shipped with the package (lesson 08).

    Each image is 8x8 pixels with integer intensities 0..16 (the count of
    "on" pixels in a 4x4 block of the original 32x32 bitmap), flattened row
    by row into 64 features: ``X[i].reshape(8, 8)`` is the picture. Ten
    classes, 174 to 183 images each. Source: the test set of the UCI
    "Optical Recognition of Handwritten Digits" data (E. Alpaydin and
    C. Kaynak, 1998, CC BY 4.0), as bundled with scikit-learn; see
    ``nncourse/data/README.md`` for the attribution. The data's checksum is
    verified on every load.

    Parameters
    ----------
    scale : bool, default True
        Divide the pixels by 16 so that they lie in ``[0, 1]``; with
        ``False`` they are the raw counts 0..16 (still float64).

    Returns
    -------
    X : float64 array, shape (1797, 64)
    y : int64 array, shape (1797,), the digit 0..9 in each image
    """
    check_bool(scale, "scale")
    resource = importlib.resources.files("nncourse") / "data" / "digits.npz"
    with resource.open("rb") as f, np.load(f) as archive:
        pixels = archive["pixels"]
        labels = archive["labels"]
    digest = hashlib.sha256(pixels.astype(np.uint8).tobytes() + labels.astype("<i8").tobytes()).hexdigest()
    if digest != DIGITS_SHA256 or pixels.shape != (1797, 64):
        raise ValueError(f"the shipped digits file {resource} is damaged (SHA-256 {digest}, expected "
                         f"{DIGITS_SHA256}); reinstall nncourse")
    X = pixels.astype(np.float64)
    if scale:
        X /= 16.0
    return X, labels.astype(np.int64)


@reports_overflow
def standardise(X_train, *others) -> tuple[np.ndarray, ...]:
    """Standardise features with the training set's mean and standard deviation (8.1).

    .. math:: \\tilde x_{ij} = \\frac{x_{ij} - \\mu_j}{s_j}, \\qquad
        \\mu_j = \\frac1n \\sum_{i \\in \\text{train}} x_{ij}, \\qquad
        s_j = \\sqrt{\\tfrac1n \\textstyle\\sum_{i \\in \\text{train}} (x_{ij} - \\mu_j)^2} \\tag{8.1}

    The statistics come from ``X_train`` alone and are applied unchanged to
    every other set: validation and test data stand for data the model has
    not seen, so they must not influence the preprocessing either. A feature
    that is constant in the training set (``s_j = 0``; the digits' corner
    pixels are always 0) is only centred: its ``s_j`` is taken as 1, which
    avoids dividing by zero.

    Parameters
    ----------
    X_train : array, shape (n_train, n_features)
    *others : arrays, shape (n_k, n_features), e.g. validation and test sets

    Returns
    -------
    tuple of float arrays
        ``X_train`` standardised, then each of ``others``, in order; new arrays
        (the inputs are not modified). Every column of the standardised
        training set has mean 0 and standard deviation 1 (0 if constant).
    """
    X_train = as_float_array(X_train, "X_train", ndim=2)
    arrays = [as_float_array(X, f"others[{k}]", ndim=2) for k, X in enumerate(others)]
    for k, X in enumerate(arrays):
        if X.shape[1] != X_train.shape[1]:
            raise ValueError(f"others[{k}] has {X.shape[1]} features but X_train has {X_train.shape[1]}; "
                             "every set must have the same columns")
    if X_train.shape[0] == 0:
        raise ValueError("X_train must hold at least one sample to take statistics from")
    # Each column is first divided by a power of two near its largest entry (exact, and without
    # effect on the result): the mean and the squares of a column holding 1e308 would overflow.
    scale = power_of_two_scale(X_train, axis=0)
    X_scaled = X_train / scale
    mean = X_scaled.mean(axis=0)
    # Constant columns are found by comparison, not by std == 0: in floating
    # point the std of a constant column can come out as 1e-17, and dividing
    # by that would turn rounding noise into values of order 1. They are only
    # centred: their std is taken as 1, which is 1 / scale for the scaled values.
    constant = np.all(X_train == X_train[:1], axis=0)
    std = np.where(constant, 1.0 / scale, X_scaled.std(axis=0))
    out = tuple((X / scale - mean) / std for X in [X_train, *arrays])
    for k, X in enumerate(out[1:]):
        check_finite_result(X, "the standardised values", f"others[{k}]")
    return out


def shift_images(images, dy: int, dx: int) -> np.ndarray:
    """Move every image ``dy`` pixels down and ``dx`` pixels right, filling with 0.

    .. math:: \\text{out}[i, r, c] = \\begin{cases} \\text{images}[i, r - dy, c - dx] &
        \\text{if that pixel exists} \\\\ 0 & \\text{otherwise} \\end{cases} \\tag{8.2}

    Negative ``dy`` moves up, negative ``dx`` left. Pixels pushed over the
    edge are lost, never wrapped around to the other side (that is what
    ``np.roll`` would do). A shifted digit is still the same digit, so shifted
    copies of the training images are extra training data for free.

    Parameters
    ----------
    images : array, shape (n_images, height, width)
        With digits from :func:`load_digits`: ``X.reshape(-1, 8, 8)``.
        Background must be 0 (shift before standardising).
    dy, dx : int, with ``|dy| < height`` and ``|dx| < width``

    Returns
    -------
    array of the same shape and dtype as ``images`` (a new array)
    """
    images = as_real_array(images, "images", ndim=3)
    n, height, width = images.shape
    for name, value, size in (("dy", dy, height), ("dx", dx, width)):
        check_int(value, name, minimum=-(size - 1), why=f"|{name}| must be smaller than the image, {size} pixels")
        if value >= size:
            raise ValueError(f"|{name}| must be smaller than the image ({size} pixels), got {value}")
    out = np.zeros_like(images)
    # Destination and source windows of the overlap: rows r >= dy take row r - dy.
    out[:, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        images[:, max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    return out
