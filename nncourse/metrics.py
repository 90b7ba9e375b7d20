"""Lesson 08, part 2 (``08b_capstone_your_network.ipynb``): where a classifier goes wrong.

Accuracy (:func:`nncourse.training.accuracy`) is one number; the confusion
matrix says *which* classes are mistaken for which:

.. math:: C_{ij} = \\#\\{\\, s : y_s = i,\\ \\hat y_s = j \\,\\} \\tag{8.4}

rows are the true class, columns the predicted one, so the diagonal holds the
correct predictions, row ``i`` sums to the number of samples of class ``i``,
and accuracy is :math:`\\operatorname{tr} C / \\sum_{ij} C_{ij}`. The accuracy
within each class (its *recall*) is the diagonal divided by the row sums (8.5).

Not here: precision, F-scores, ROC curves and other metrics the course does
not use.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_labels, as_real_array, check_int, power_of_two_scale, reports_overflow

__all__ = ["confusion_matrix", "per_class_accuracy"]


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """Count how often each true class was predicted as each class (8.4).

    Parameters
    ----------
    y_true : int array, shape (n_samples,), labels in ``[0, n_classes)``
    y_pred : int array, shape (n_samples,), predicted labels in ``[0, n_classes)``
    n_classes : int >= 1
        Fixes the matrix's size, so that a class that never occurs (or is
        never predicted) still has its row and column.

    Returns
    -------
    int64 array, shape (n_classes, n_classes)
        ``C[i, j]`` = number of samples of class ``i`` predicted as ``j``.
    """
    n_classes = check_int(n_classes, "n_classes")
    y_true = as_real_array(y_true, "y_true")
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be a 1-D array of labels, got shape {y_true.shape}")
    y_true = as_labels(y_true, "y_true", y_true.shape[0], n_classes)
    y_pred = as_labels(y_pred, "y_pred", y_true.shape[0], n_classes, rows_of="y_true")
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    # np.add.at adds once per sample; C[y_true, y_pred] += 1 would count a
    # repeated (true, predicted) pair only once.
    np.add.at(C, (y_true, y_pred), 1)
    return C


@reports_overflow
def per_class_accuracy(C) -> np.ndarray:
    """Fraction of each class's samples predicted correctly (8.5).

    .. math:: \\text{acc}_i = \\frac{C_{ii}}{\\sum_j C_{ij}} \\tag{8.5}

    Parameters
    ----------
    C : array, shape (n_classes, n_classes), a confusion matrix (rows = true class)

    Returns
    -------
    float64 array, shape (n_classes,)
        NaN for a class without samples (an empty row): its accuracy is undefined.
    """
    C = as_real_array(C, "C", ndim=2)
    if C.shape[0] != C.shape[1]:
        raise ValueError(f"C must be a square confusion matrix (n_classes, n_classes), got shape {C.shape}")
    if C.dtype.kind == "b" or np.any(C < 0) or np.any(C != np.round(C)):
        raise ValueError("C must hold counts: non-negative whole numbers")
    # Each row scaled by a power of two near its largest count (exact): counts near 1e308 would overflow the sum.
    scale = power_of_two_scale(C.astype(np.float64), axis=1)
    correct = np.diag(C) / scale
    totals = (C / scale[:, None]).sum(axis=1)
    out = np.full(C.shape[0], np.nan)
    np.divide(correct, totals, out=out, where=totals > 0)
    return out
