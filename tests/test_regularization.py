"""nncourse.regularization: penalties and their gradients, inverted dropout, early stopping, splits."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import regularization as reg
from nncourse.backprop import loss_and_grads
from nncourse.gradient_check import numerical_gradient, relative_error
from nncourse.layers import init_params


def _params(seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((3, 4)), rng.standard_normal(4)), (rng.standard_normal((4, 2)), rng.standard_normal(2))]


# --------------------------------------------------------------------------- #
# Penalties
# --------------------------------------------------------------------------- #


def test_l2_penalty_known_value_ignores_biases():
    # 0.1 / 2 * (1 + 4 + 9 + 0) = 0.7; the bias (5, 5) does not count
    params = [(np.array([[1.0, 2.0], [3.0, 0.0]]), np.array([5.0, 5.0]))]
    assert reg.l2_penalty(params, 0.1) == pytest.approx(0.7, abs=1e-15)
    assert isinstance(reg.l2_penalty(params, 0.1), float)


def test_l1_penalty_known_value_sums_layers():
    # 0.5 * (|1| + |-2| + |3| + |0|) + 0.5 * (|-1| + |1|) = 0.5 * 6 + 0.5 * 2 = 4
    params = [(np.array([[1.0, -2.0], [3.0, 0.0]]), np.ones(2)), (np.array([[-1.0], [1.0]]), np.ones(1))]
    assert reg.l1_penalty(params, 0.5) == pytest.approx(4.0, abs=1e-15)


def test_penalties_with_zero_strength_are_zero():
    assert reg.l2_penalty(_params(), 0.0) == 0.0 and reg.l1_penalty(_params(), 0) == 0.0


def test_penalty_grads_known_values():
    W = np.array([[0.5, -2.0], [0.0, 3.0]])
    assert np.allclose(reg.l2_grad(W, 0.1), [[0.05, -0.2], [0.0, 0.3]])
    # sign(0) = 0: the weight that is exactly zero gets no push
    assert np.array_equal(reg.l1_grad(W, 0.1), [[0.1, -0.1], [0.0, 0.1]])


@pytest.mark.parametrize("which", ["l2", "l1"])
def test_penalty_gradients_match_centred_differences(which):
    W = np.random.default_rng(3).standard_normal((4, 3))  # no entry within h of the L1 kink at 0
    b = np.zeros(3)
    penalty, grad = (reg.l2_penalty, reg.l2_grad) if which == "l2" else (reg.l1_penalty, reg.l1_grad)
    numeric = numerical_gradient(lambda _: penalty([(W, b)], 0.3), W)
    assert relative_error(grad(W, 0.3), numeric) < 1e-7


def test_a_wrong_penalty_gradient_fails_the_check():
    # Negative control: the factor-2 mistake must be caught by the same check.
    W, b = np.random.default_rng(4).standard_normal((3, 3)), np.zeros(3)
    numeric = numerical_gradient(lambda _: reg.l2_penalty([(W, b)], 0.3), W)
    assert relative_error(2 * 0.3 * W, numeric) > 1e-2


def test_loss_and_grads_adds_the_penalty_gradients_to_weights_only():
    params = init_params([3, 5, 2], seed=1)
    X, y = np.random.default_rng(2).standard_normal((6, 3)), np.array([0, 1, 1, 0, 1, 0])
    base_loss, base = loss_and_grads(params, X, y)
    loss, grads = loss_and_grads(params, X, y, l2=0.1, l1=0.01)
    assert loss == pytest.approx(base_loss + reg.l2_penalty(params, 0.1) + reg.l1_penalty(params, 0.01))
    for (W, _), (dW0, db0), (dW, db) in zip(params, base, grads):
        assert np.allclose(dW, dW0 + reg.l2_grad(W, 0.1) + reg.l1_grad(W, 0.01))
        assert np.array_equal(db, db0)


def test_penalty_errors():
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0, got -0.1"):
        reg.l2_penalty(_params(), -0.1)
    with pytest.raises(TypeError, match="params must be a non-empty list of"):
        reg.l2_penalty([], 0.1)
    with pytest.raises(TypeError, match=r"params\[0\] must be a \(W, b\) pair"):
        reg.l1_penalty([np.zeros((2, 2))], 0.1)
    with pytest.raises(ValueError, match="W1 must be 2-D"):
        reg.l2_penalty([(np.zeros(3), np.zeros(3))], 0.1)
    with pytest.raises(ValueError, match="l1 must be"):
        reg.l1_grad(np.zeros((2, 2)), float("inf"))
    with pytest.raises(TypeError, match="W must hold real numbers"):
        reg.l2_grad(np.array([["a"]]), 0.1)


# --------------------------------------------------------------------------- #
# Dropout
# --------------------------------------------------------------------------- #


def test_dropout_forward_keeps_where_u_is_at_least_drop_prob_and_rescales():
    A = np.arange(1.0, 9.0).reshape(2, 4)
    out, mask = reg.dropout_forward(A, 0.25, rng=np.random.default_rng(0))
    u = np.random.default_rng(0).random((2, 4))
    expected_mask = (u >= 0.25) / 0.75
    assert np.array_equal(mask, expected_mask)
    assert np.allclose(out, A * expected_mask)
    assert set(np.unique(mask)) <= {0.0, 1 / 0.75}


def test_dropout_keeps_the_expected_activation():
    out, mask = reg.dropout_forward(np.ones((500, 400)), 0.6, rng=np.random.default_rng(1))
    assert abs(out.mean() - 1.0) < 0.01  # E[M] = 0.4 * (1 / 0.4) = 1
    assert abs(np.mean(mask == 0) - 0.6) < 0.01


def test_dropout_is_the_identity_at_evaluation_and_for_zero_drop_prob():
    A = np.random.default_rng(2).standard_normal((3, 3))
    for kwargs in (dict(drop_prob=0.5, training=False), dict(drop_prob=0.0, rng=np.random.default_rng(0))):
        out, mask = reg.dropout_forward(A, **kwargs)
        assert mask is None and np.array_equal(out, A) and out is not A


def test_dropout_keeps_float32():
    out, mask = reg.dropout_forward(np.ones((4, 4), dtype=np.float32), 0.5, rng=np.random.default_rng(0))
    assert out.dtype == np.float32 and mask.dtype == np.float32


def test_dropout_backward_uses_the_same_mask():
    A = np.random.default_rng(3).standard_normal((5, 6))
    out, mask = reg.dropout_forward(A, 0.3, rng=np.random.default_rng(4))
    dout = np.random.default_rng(5).standard_normal((5, 6))
    dA = reg.dropout_backward(dout, mask)
    assert np.array_equal(dA, dout * mask)
    assert np.all(dA[mask == 0] == 0)
    # Centred differences with the mask fixed (the same seed on every call): the gradient is exact.
    numeric = numerical_gradient(lambda a: reg.dropout_forward(a, 0.3, rng=np.random.default_rng(4))[0], A, dout=dout)
    assert relative_error(dA, numeric) < 1e-7


def test_dropout_gradient_check_fails_with_a_new_mask_each_call():
    # Negative control: why dropout must be off (or its mask fixed) during a gradient check.
    A = np.random.default_rng(6).standard_normal((4, 4))
    _, mask = reg.dropout_forward(A, 0.5, rng=np.random.default_rng(7))
    dout = np.ones((4, 4))
    fresh = np.random.default_rng(8)
    numeric = numerical_gradient(lambda a: reg.dropout_forward(a, 0.5, rng=fresh)[0], A, dout=dout)
    assert relative_error(reg.dropout_backward(dout, mask), numeric) > 1e-2


def test_dropout_backward_without_mask_passes_the_gradient():
    dout = np.ones((2, 2))
    dA = reg.dropout_backward(dout, None)
    assert np.array_equal(dA, dout) and dA is not dout


def test_dropout_errors():
    with pytest.raises(ValueError, match=r"drop_prob must be in \[0, 1\), got 1.0"):
        reg.dropout_forward(np.ones(3), 1.0, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        reg.dropout_forward(np.ones(3), 0.5)
    with pytest.raises(ValueError, match=r"dout has shape \(2, 2\) but the dropout mask \(cache\) has shape \(2, 3\)"):
        reg.dropout_backward(np.ones((2, 2)), np.ones((2, 3)))


# --------------------------------------------------------------------------- #
# Early stopping
# --------------------------------------------------------------------------- #


def test_early_stopping_stops_after_patience_bad_epochs_and_keeps_a_copy():
    stopper = reg.EarlyStopping(patience=3)
    W = np.zeros((1, 2))
    params = [(W, np.zeros(2))]
    decisions = []
    for epoch, loss in enumerate([1.0, 0.8, 0.9, 0.95, 0.99]):
        W[...] = epoch  # training changes the arrays in place
        decisions.append(stopper.update(epoch, loss, params))
    assert decisions == [False, False, False, False, True]
    assert stopper.best_epoch == 1 and stopper.best_loss == 0.8
    assert np.array_equal(stopper.best_params[0][0], [[1.0, 1.0]])  # a copy, not the live array


PARAMS = [(np.zeros((2, 2)), np.zeros(2))]


def test_early_stopping_ties_and_min_delta():
    stopper = reg.EarlyStopping(patience=2, min_delta=0.05)
    assert not stopper.update(0, 1.0, PARAMS)
    assert not stopper.update(1, 0.96, PARAMS)  # improves by 0.04 < min_delta: a bad epoch
    assert stopper.update(2, 0.96, PARAMS)  # equal: not an improvement; second bad epoch
    assert stopper.best_epoch == 0


def test_early_stopping_resets_the_count_on_improvement():
    stopper = reg.EarlyStopping(patience=2)
    results = [stopper.update(e, loss, PARAMS) for e, loss in enumerate([1.0, 1.1, 0.9, 1.0, 1.2])]
    assert results == [False, False, False, False, True]


def test_early_stopping_watches_one_set_of_arrays_until_reset():
    stopper = reg.EarlyStopping(patience=5)
    stopper.update(0, 1.0, PARAMS)
    other = [(np.zeros((2, 2)), np.zeros(2))]  # same shapes, other arrays: another network
    with pytest.raises(ValueError, match="params are not the arrays this EarlyStopping has been watching"):
        stopper.update(1, 0.5, other)
    assert stopper.best_epoch == 0 and stopper.best_loss == 1.0  # the refused call changed nothing
    stopper.reset()
    assert stopper.best_params is None and stopper.best_epoch == -1 and stopper.best_loss == np.inf
    stopper.update(0, 2.0, other)
    assert stopper.best_loss == 2.0


def test_early_stopping_errors():
    with pytest.raises(ValueError, match="patience must be >= 1"):
        reg.EarlyStopping(patience=0)
    with pytest.raises(ValueError, match="val_loss must be finite, got nan"):
        reg.EarlyStopping().update(0, float("nan"), PARAMS)
    with pytest.raises(TypeError, match="val_loss must be a real number, got NoneType"):
        reg.EarlyStopping().update(0, None, PARAMS)
    with pytest.raises(TypeError, match="epoch must be an integer, got str"):
        reg.EarlyStopping().update("0", 1.0, PARAMS)
    with pytest.raises(ValueError, match="epoch must be >= 0"):
        reg.EarlyStopping().update(-1, 1.0, PARAMS)
    with pytest.raises(TypeError, match="params must be a non-empty list"):
        reg.EarlyStopping().update(0, 1.0, [])


# --------------------------------------------------------------------------- #
# Splits
# --------------------------------------------------------------------------- #


def test_split_sizes_stratification_and_pairing():
    X = np.arange(100, dtype=float).reshape(50, 2)
    y = np.repeat([0, 1], [20, 30])
    (Xtr, ytr), (Xva, yva), (Xte, yte) = reg.train_val_test_split(X, y, val_fraction=0.2, test_fraction=0.2, seed=0)
    # per class: test round(0.2 * 20) = 4 and round(0.2 * 30) = 6, the same for validation
    assert (len(ytr), len(yva), len(yte)) == (30, 10, 10)
    assert np.bincount(yte).tolist() == [4, 6] and np.bincount(yva).tolist() == [4, 6]
    rows = np.concatenate([Xtr[:, 0], Xva[:, 0], Xte[:, 0]]) / 2
    assert np.array_equal(np.sort(rows), np.arange(50))  # disjoint and complete
    for Xp, yp in [(Xtr, ytr), (Xva, yva), (Xte, yte)]:
        assert np.array_equal(yp, y[(Xp[:, 0] / 2).astype(int)])  # every row keeps its label


def test_split_is_seeded():
    X, y = np.arange(40.0).reshape(20, 2), np.repeat([0, 1], 10)
    a = reg.train_val_test_split(X, y, seed=1)
    b = reg.train_val_test_split(X, y, seed=np.random.default_rng(1))
    c = reg.train_val_test_split(X, y, seed=2)
    assert np.array_equal(a[0][0], b[0][0]) and not np.array_equal(a[0][0], c[0][0])


def test_split_without_stratification_and_with_float_targets():
    X, y = np.arange(20.0).reshape(10, 2), np.linspace(0, 1, 10)
    (Xtr, _), (Xva, _), (Xte, _) = reg.train_val_test_split(X, y, val_fraction=0.2, test_fraction=0.3, seed=0)
    assert (len(Xtr), len(Xva), len(Xte)) == (5, 2, 3)


def test_split_errors():
    with pytest.raises(ValueError, match="same number of samples"):
        reg.train_val_test_split(np.zeros((5, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="val_fraction \\+ test_fraction must be < 1"):
        reg.train_val_test_split(np.zeros((5, 2)), np.zeros(5), val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match="the training set would be empty"):
        reg.train_val_test_split(np.zeros((2, 2)), np.zeros(2), val_fraction=0.5, test_fraction=0.4)
