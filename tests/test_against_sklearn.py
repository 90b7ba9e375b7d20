"""nncourse against scikit-learn, an independent implementation (``mine`` versus ``gold``).

Compared: the shipped digits with scikit-learn's own copy, the stratified train/validation/test
split with scikit-learn's stratified ``train_test_split`` (class counts, approximately: the two
round differently), the capstone's standardisation with ``StandardScaler``, and the metrics and
losses scikit-learn also defines. Where the two differ by convention, the test follows
nncourse's documented convention and a comment says so.

scikit-learn comes with the ``oracle`` extra; without it this file is skipped, except in CI
(``NNCOURSE_REQUIRE_ORACLES=1``), where that is a failure. Its digits
are read from the copy bundled inside the scikit-learn package: nothing is downloaded.
"""

from __future__ import annotations

import numpy as np
import pytest

from _oracles import import_oracle

sklearn = import_oracle("sklearn", "scikit-learn")
from sklearn import datasets as sk_datasets  # noqa: E402
from sklearn import metrics as sk_metrics  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import nncourse  # noqa: E402
from nncourse import activations, losses, metrics  # noqa: E402
from nncourse.datasets import standardise  # noqa: E402
from nncourse.regularization import train_val_test_split  # noqa: E402
from nncourse.training import accuracy  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    return nncourse.load_digits()


@pytest.fixture(scope="module")
def sk_digits():
    return sk_datasets.load_digits()


# --------------------------------------------------------------------------- #
# The digits
# --------------------------------------------------------------------------- #

def test_load_digits_equals_scikit_learns_digits_scaled_by_16(digits, sk_digits):
    X, y = digits
    assert X.dtype == np.float64 and y.dtype == np.int64
    # Dividing by 16 (a power of two) is exact, so equality is exact too.
    np.testing.assert_array_equal(X, sk_digits.data / 16.0)
    np.testing.assert_array_equal(y, sk_digits.target)
    # Row-major flattening: X[i].reshape(8, 8) is scikit-learn's image i.
    np.testing.assert_array_equal(X.reshape(-1, 8, 8), sk_digits.images / 16.0)


def test_load_digits_unscaled_equals_scikit_learns_counts(sk_digits):
    X, _ = nncourse.load_digits(scale=False)
    np.testing.assert_array_equal(X, sk_digits.data)


# --------------------------------------------------------------------------- #
# Stratified train / validation / test split
# --------------------------------------------------------------------------- #

VAL, TEST = 0.2, 0.15
SEEDS = range(5)
# Per-class counts may differ from scikit-learn's by rounding: nncourse rounds each class's
# share of the whole set, scikit-learn's two-stage split (test first, then validation out of
# the rest) apportions with its own rounding. A couple of samples either way is "the same
# proportions"; an unstratified split misses by several on a large class.
SLACK = 2


def sklearn_counts(y, seed):
    """Class counts of (train, val, test) from scikit-learn's stratified split in two stages."""
    idx = np.arange(y.size)
    rest, test = train_test_split(idx, test_size=TEST, stratify=y, random_state=seed)
    train, val = train_test_split(rest, test_size=VAL / (1.0 - TEST), stratify=y[rest], random_state=seed)
    k = y.max() + 1
    return [np.bincount(y[part], minlength=k) for part in (train, val, test)]


def nncourse_parts(y, seed, stratify=True):
    idx = np.arange(y.size)
    return train_val_test_split(idx, y, val_fraction=VAL, test_fraction=TEST, seed=seed, stratify=stratify)


def max_count_gap(y, seed, stratify=True):
    k = y.max() + 1
    mine = [np.bincount(labels, minlength=k) for _, labels in nncourse_parts(y, seed, stratify)]
    return max(int(np.max(np.abs(m - g))) for m, g in zip(mine, sklearn_counts(y, seed)))


def imbalanced_labels():
    # Proportions 0.75 / 0.18 / 0.055 / 0.015: stratification matters most for the rare class.
    return np.random.default_rng(5).permutation(np.repeat(np.arange(4), [500, 120, 37, 10]))


@pytest.mark.parametrize("which", ["digits", "imbalanced"])
def test_stratified_split_keeps_class_counts_like_scikit_learn(digits, which):
    y = digits[1] if which == "digits" else imbalanced_labels()
    for seed in SEEDS:
        assert max_count_gap(y, seed) <= SLACK, f"seed {seed}"
        parts = nncourse_parts(y, seed)
        # A partition: every sample in exactly one part, labels carried along with their samples.
        idx = np.concatenate([part_idx for part_idx, _ in parts])
        assert np.array_equal(np.sort(idx), np.arange(y.size))
        for part_idx, part_y in parts:
            assert np.array_equal(y[part_idx], part_y)


def test_unstratified_split_misses_scikit_learns_counts():
    # Negative control: the comparison above can fail. Without stratification the large class's
    # counts wander by several samples (standard deviation about 4 in the test part).
    y = imbalanced_labels()
    assert max(max_count_gap(y, seed, stratify=False) for seed in SEEDS) > SLACK


def test_split_sizes_match_scikit_learn_within_rounding(digits):
    y = digits[1]
    k = y.max() + 1
    for seed in SEEDS:
        mine = [part_y.size for _, part_y in nncourse_parts(y, seed)]
        gold = [int(c.sum()) for c in sklearn_counts(y, seed)]
        # One rounding per class (k classes) at most, against scikit-learn's rounding of the total.
        assert all(abs(m - g) <= k for m, g in zip(mine, gold)), (mine, gold)


# --------------------------------------------------------------------------- #
# Standardisation, metrics, losses
# --------------------------------------------------------------------------- #

def test_standardise_matches_standard_scaler_on_the_digits(digits):
    # Both use the population standard deviation (ddof = 0) of the training set and leave
    # constant columns (the digits' blank corners) unscaled.
    X, y = digits
    (X_train, _), (X_val, _), (X_test, _) = train_val_test_split(X, y, seed=0)
    assert np.any(np.all(X_train == X_train[:1], axis=0)), "the test needs a constant column"
    scaler = StandardScaler().fit(X_train)
    mine = standardise(X_train, X_val, X_test)
    for m, part in zip(mine, (X_train, X_val, X_test)):
        np.testing.assert_allclose(m, scaler.transform(part), rtol=1e-12, atol=1e-12)


def test_confusion_matrix_and_accuracy_match_scikit_learn():
    rng = np.random.default_rng(11)
    y_true = rng.integers(0, 5, size=200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 5, size=200))
    y_true[y_true == 4] = 3  # class 4 never occurs: its row must still be there, all zeros
    C = metrics.confusion_matrix(y_true, y_pred, n_classes=6)
    np.testing.assert_array_equal(C, sk_metrics.confusion_matrix(y_true, y_pred, labels=range(6)))
    assert accuracy(y_true, y_pred) == pytest.approx(sk_metrics.accuracy_score(y_true, y_pred), abs=1e-15)
    # A class without samples has undefined accuracy: NaN in nncourse (per_class_accuracy's
    # docstring); scikit-learn's recall gives the same with zero_division=nan.
    gold = sk_metrics.recall_score(y_true, y_pred, labels=range(6), average=None, zero_division=np.nan)
    np.testing.assert_allclose(metrics.per_class_accuracy(C), gold, rtol=1e-15, equal_nan=True)


def test_mse_matches_mean_squared_error_over_every_entry():
    # scikit-learn averages each output column, then the columns ("uniform_average"): with
    # equal-length columns that is nncourse's mean over every entry. No 1/2 in either.
    rng = np.random.default_rng(12)
    y, y_pred = rng.normal(size=(30, 3)), rng.normal(size=(30, 3))
    assert losses.mse(y_pred, y) == pytest.approx(sk_metrics.mean_squared_error(y, y_pred), rel=1e-13)


def test_cross_entropies_match_log_loss():
    rng = np.random.default_rng(13)
    P = activations.softmax(rng.normal(scale=2.0, size=(40, 4)))
    y = rng.integers(0, 4, size=40)
    gold = sk_metrics.log_loss(y, P, labels=range(4))
    assert losses.cross_entropy(P, y) == pytest.approx(gold, rel=1e-12)
    assert losses.cross_entropy(P, losses.one_hot(y, 4)) == pytest.approx(gold, rel=1e-12)
    p = rng.uniform(0.01, 0.99, size=40)
    t = rng.integers(0, 2, size=40)
    gold_binary = sk_metrics.log_loss(t, p, labels=[0, 1])
    assert losses.binary_cross_entropy(p, t.astype(np.float64)) == pytest.approx(gold_binary, rel=1e-12)
