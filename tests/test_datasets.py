"""Tests for nncourse.datasets: shapes, dtypes, determinism, balance, bad input, the shipped digits."""

import hashlib
from importlib.resources import files

import numpy as np
import pytest

from nncourse import datasets
from nncourse.datasets import (DIGITS_SHA256, load_digits, make_blobs, make_circles, make_moons,
                               make_regression_curve, make_spirals, make_xor, regression_curve)

# (generator, number of classes it makes with its default arguments)
CLASSIFIERS = [(make_xor, 2), (make_moons, 2), (make_circles, 2), (make_spirals, 3), (make_blobs, 3)]
ALL_GENERATORS = [f for f, _ in CLASSIFIERS] + [make_regression_curve]


@pytest.mark.parametrize("make, n_classes", CLASSIFIERS)
@pytest.mark.parametrize("n_samples", [4, 7, 101, 300])
def test_classification_shapes_dtypes_and_balance(make, n_classes, n_samples):
    X, y = make(n_samples)
    assert X.shape == (n_samples, 2) and X.dtype == np.float64
    assert y.shape == (n_samples,) and y.dtype == np.int64
    assert np.all(np.isfinite(X))
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes
    # 7 samples in 3 classes -> 3, 2, 2: sizes differ by at most one
    assert counts.max() - counts.min() <= 1
    assert counts.sum() == n_samples


@pytest.mark.parametrize("make", ALL_GENERATORS)
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(50, seed=3)
    X2, y2 = make(50, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make(50, seed=4)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", ALL_GENERATORS)
def test_global_random_state_is_neither_used_nor_touched(make):
    np.random.seed(0)
    before = np.random.get_state()[1].copy()
    X1, _ = make(30)
    np.testing.assert_array_equal(np.random.get_state()[1], before)
    np.random.seed(12345)
    X2, _ = make(30)
    np.testing.assert_array_equal(X1, X2)


@pytest.mark.parametrize("make, n_classes", CLASSIFIERS)
def test_labels_are_shuffled_not_sorted(make, n_classes):
    _, y = make(200)
    assert np.any(np.diff(y) < 0)


@pytest.mark.parametrize("make", [make_xor, make_moons, make_circles, make_spirals])
def test_noise_is_the_standard_deviation_added(make):
    # Same seed, same clean points; the difference is the noise alone.
    clean, y0 = make(4000, noise=0.0, seed=1)
    noisy, y1 = make(4000, noise=0.2, seed=1)
    np.testing.assert_array_equal(y0, y1)
    assert abs((noisy - clean).std() - 0.2) < 0.01


def test_regression_noise_is_the_standard_deviation_added_to_y():
    X0, clean = make_regression_curve(4000, noise=0.0, seed=1)
    X1, noisy = make_regression_curve(4000, noise=0.2, seed=1)
    np.testing.assert_array_equal(X0, X1)
    assert abs((noisy - clean).std() - 0.2) < 0.01


def test_xor_labels_follow_the_quadrants_without_noise():
    X, y = make_xor(400, noise=0.0)
    # label 1 exactly where the signs differ: x1 * x2 < 0
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(np.int64))
    assert np.all(np.abs(X) >= 0.1) and np.all(np.abs(X) <= 1.0)


def test_moons_lie_on_their_half_circles_without_noise():
    X, y = make_moons(300, noise=0.0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.linalg.norm(upper, axis=1), 1.0)
    assert np.all(upper[:, 1] >= 0)
    # the lower moon is the unit circle centred at (1, 0.5)
    np.testing.assert_allclose(np.linalg.norm(lower - [1.0, 0.5], axis=1), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


def test_circles_radii_without_noise():
    X, y = make_circles(300, noise=0.0, factor=0.3)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_spirals_follow_their_arms_without_noise():
    X, y = make_spirals(400, n_classes=4, noise=0.0)
    r = np.linalg.norm(X, axis=1)
    assert np.all(r <= 1.0)
    # theta = 2 pi k / 4 + 1.5 pi r on arm k (compare as unit vectors: angles wrap)
    theta = 2 * np.pi * y / 4 + 1.5 * np.pi * r
    np.testing.assert_allclose(X, r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]), atol=1e-12)
    assert set(np.unique(y)) == {0, 1, 2, 3}


@pytest.mark.parametrize("n_classes, noise", [(2, 1.99), (3, 1.7), (10, 0.6), (5, 0.3)])
def test_blobs_are_linearly_separable(n_classes, noise):
    X, y = make_blobs(500, n_classes=n_classes, noise=noise, seed=7)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 2 * np.column_stack([np.cos(angles), np.sin(angles)])
    # the linear scores c_k . x - |c_k|^2 / 2 pick the nearest centre
    scores = X @ centres.T - 0.5 * np.sum(centres**2, axis=1)
    np.testing.assert_array_equal(scores.argmax(axis=1), y)


def test_blobs_negative_control_separability_check_can_fail():
    # Without the truncation, noise this large would cross the boundaries:
    # the same check applied to raw Gaussian blobs must find mistakes.
    rng = np.random.default_rng(0)
    angles = 2 * np.pi * np.arange(10) / 10
    centres = 2 * np.column_stack([np.cos(angles), np.sin(angles)])
    y = np.repeat(np.arange(10), 50)
    X = centres[y] + 0.6 * rng.standard_normal((500, 2))
    scores = X @ centres.T - 0.5 * np.sum(centres**2, axis=1)
    assert np.any(scores.argmax(axis=1) != y)


def test_blobs_spread_is_the_noise_for_small_noise():
    X, y = make_blobs(6000, n_classes=2, noise=0.1, seed=0)
    centres = np.array([[2.0, 0.0], [-2.0, 0.0]])
    assert abs((X - centres[y]).std() - 0.1) < 0.005


def test_regression_curve_values_and_shapes():
    X, y = make_regression_curve(64, noise=0.0)
    assert X.shape == (64, 1) and y.shape == (64, 1)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert np.all((-2 <= X) & (X <= 2))
    np.testing.assert_allclose(y, np.sin(3 * X) + 0.3 * X)
    # f(0) = 0; f(pi/6) = sin(pi/2) + 0.3 pi/6 = 1 + 0.05 pi
    np.testing.assert_allclose(regression_curve([0.0, np.pi / 6]), [0.0, 1 + 0.05 * np.pi])


BAD_ARGUMENTS = [
    (make_xor, dict(n_samples=3), ValueError, "n_samples must be >= 4"),
    (make_xor, dict(n_samples=2.5), TypeError, "n_samples must be an integer"),
    (make_xor, dict(n_samples=True), TypeError, "n_samples must be an integer"),
    (make_moons, dict(n_samples=1), ValueError, "n_samples"),
    (make_moons, dict(noise=-0.1), ValueError, "noise"),
    (make_moons, dict(noise=float("nan")), ValueError, "noise"),
    (make_moons, dict(noise="0.1"), TypeError, "noise"),
    (make_circles, dict(factor=1.0), ValueError, "factor must be in \\(0, 1\\)"),
    (make_circles, dict(factor=0.0), ValueError, "factor"),
    (make_circles, dict(factor="half"), TypeError, "factor"),
    (make_spirals, dict(n_classes=1), ValueError, "n_classes must be >= 2"),
    (make_spirals, dict(n_classes=2.0), TypeError, "n_classes"),
    (make_spirals, dict(n_samples=2, n_classes=3), ValueError, "n_samples must be >= 3"),
    (make_blobs, dict(n_classes=10, noise=0.7), ValueError, "noise must be < 0.618 for 10 classes"),
    (make_blobs, dict(n_classes=0), ValueError, "n_classes"),
    (make_regression_curve, dict(n_samples=0), ValueError, "n_samples"),
    (make_regression_curve, dict(noise=-1), ValueError, "noise"),
    (make_xor, dict(seed=-1), ValueError, "seed must be >= 0, got -1"),
    (make_xor, dict(seed=1.5), TypeError, "seed must be an integer >= 0 or a numpy Generator, got float"),
    (make_xor, dict(seed="0"), TypeError, "seed must be an integer >= 0 or a numpy Generator, got str"),
]


@pytest.mark.parametrize("make, kwargs, error, message", BAD_ARGUMENTS)
def test_bad_arguments_raise_clear_errors(make, kwargs, error, message):
    with pytest.raises(error, match=message):
        make(**kwargs)


def test_arguments_after_n_samples_are_keyword_only():
    with pytest.raises(TypeError):
        make_moons(100, 0.1)


def test_seed_accepts_a_generator_like_every_other_seed_of_the_package():
    X1, y1 = make_moons(20, seed=np.random.default_rng(5))
    X2, y2 = make_moons(20, seed=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


def test_seed_accepts_numpy_integers():
    X1, _ = make_moons(20, seed=np.int64(5))
    X2, _ = make_moons(20, seed=5)
    np.testing.assert_array_equal(X1, X2)


# ----------------------------------------------------------------------------- digits

def test_digits_shapes_dtypes_range_and_scale():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    raw, y_raw = load_digits(scale=False)
    assert raw.dtype == np.float64 and raw.max() == 16.0
    np.testing.assert_array_equal(raw, np.round(raw))
    np.testing.assert_array_equal(X * 16, raw)
    np.testing.assert_array_equal(y, y_raw)


def test_digits_counts_per_class():
    _, y = load_digits()
    np.testing.assert_array_equal(np.bincount(y), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_digits_checksum_and_first_image():
    with files("nncourse").joinpath("data/digits.npz").open("rb") as f, np.load(f) as archive:
        pixels, labels = archive["pixels"], archive["labels"]
    assert pixels.dtype == np.uint8 and labels.dtype == np.int64
    digest = hashlib.sha256(pixels.tobytes() + labels.astype("<i8").tobytes()).hexdigest()
    assert digest == DIGITS_SHA256
    readme = files("nncourse").joinpath("data/README.md").read_text(encoding="utf-8")
    assert DIGITS_SHA256 in readme and "CC BY 4.0" in readme and "10.24432/C50P49" in readme
    # the first image is a 0 (ring of ink, empty centre column)
    X, y = load_digits(scale=False)
    assert y[0] == 0
    np.testing.assert_array_equal(X[0].reshape(8, 8)[0], [0, 0, 5, 13, 9, 1, 0, 0])


def test_digits_each_call_returns_fresh_arrays():
    X1, y1 = load_digits()
    X1[:] = -1
    y1[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0


def test_digits_damaged_file_is_detected(monkeypatch, tmp_path):
    X, y = load_digits(scale=False)
    pixels = X.astype(np.uint8)
    pixels[0, 0] = 1
    damaged = tmp_path / "nncourse_fake"
    (damaged / "data").mkdir(parents=True)
    np.savez_compressed(damaged / "data" / "digits.npz", pixels=pixels, labels=y)
    monkeypatch.setattr(datasets.importlib.resources, "files", lambda package: damaged)
    with pytest.raises(ValueError, match="damaged"):
        load_digits()


def test_digits_scale_must_be_bool():
    with pytest.raises(TypeError, match="scale must be True or False"):
        load_digits(scale=1)


def test_digits_match_scikit_learn_copy():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    reference = sklearn_datasets.load_digits()
    X, y = load_digits(scale=False)
    np.testing.assert_array_equal(X, reference.data)
    np.testing.assert_array_equal(y, reference.target)
