"""nncourse.training: the training loop reaches stated accuracies from fixed seeds; its history,
progress output, options and errors; predictions and accuracy."""

from __future__ import annotations

import io

import numpy as np
import pytest

from nncourse import optim
from nncourse.backprop import loss_and_grads
from nncourse.datasets import make_moons, make_regression_curve, make_spirals, make_xor
from nncourse.layers import init_params
from nncourse.regularization import EarlyStopping
from nncourse.training import History, accuracy, evaluate, predict, predict_classes, train


@pytest.fixture(scope="module")
def spirals():
    return make_spirals(300, noise=0.05, seed=0), make_spirals(300, noise=0.05, seed=1)


# --------------------------------------------------------------------------- #
# Stated accuracies from fixed seeds
# --------------------------------------------------------------------------- #


def test_xor_is_learned_by_one_hidden_layer():
    X, y = make_xor(200, noise=0.1, seed=0)
    h = train(init_params([2, 8, 2], seed=0), X, y, optimizer="adam", lr=0.05, epochs=50, batch_size=32, seed=0)
    assert h.train_acc[-1] >= 0.97
    assert accuracy(y, predict_classes(h.params, X)) >= 0.97


def test_spirals_reach_94_percent_on_fresh_points(spirals):
    (X, y), (X_val, y_val) = spirals
    h = train(init_params([2, 32, 32, 3], seed=1), X, y, optimizer="adam", lr=0.01, epochs=150, batch_size=32,
              seed=0, X_val=X_val, y_val=y_val)
    assert h.train_acc[-1] >= 0.95
    assert h.val_acc[-1] >= 0.94
    assert accuracy(y_val, predict_classes(h.params, X_val)) == pytest.approx(h.val_acc[-1])


def test_binary_cross_entropy_with_one_output():
    X, y = make_moons(100, noise=0.1, seed=0)
    h = train(init_params([2, 16, 1], seed=0), X, y.reshape(-1, 1).astype(float), loss="binary_cross_entropy",
              optimizer="adam", lr=0.05, epochs=100, batch_size=20)
    assert h.train_acc[-1] >= 0.97
    assert np.array_equal(predict_classes(h.params, X, loss="binary_cross_entropy"),
                          (predict(h.params, X, loss="binary_cross_entropy")[:, 0] >= 0.5).astype(int))


def test_regression_with_mse_has_no_accuracy():
    X, y = make_regression_curve(80, noise=0.05, seed=0)
    X, y = X.reshape(-1, 1) if X.ndim == 1 else X, y.reshape(-1, 1) if y.ndim == 1 else y
    h = train(init_params([1, 32, 1], seed=0), X, y, loss="mse", activation="tanh", optimizer="adam", lr=0.01,
              epochs=200, batch_size=16, X_val=X, y_val=y)
    assert h.train_acc == [] and h.val_acc == []
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert evaluate(h.params, X, y, loss="mse", activation="tanh")[1] is None
    with pytest.raises(ValueError, match="regression"):
        predict_classes(h.params, X, loss="mse")


# --------------------------------------------------------------------------- #
# The loop itself
# --------------------------------------------------------------------------- #


def test_one_epoch_of_full_batch_sgd_is_one_gradient_step():
    X, y = make_xor(20, seed=3)
    params = init_params([2, 4, 2], seed=2)
    _, grads = loss_and_grads(params, X, y)
    h = train(params, X, y, optimizer="sgd", lr=0.3, epochs=1, batch_size=20)
    for (W, b), (dW, db), (W1, b1) in zip(params, grads, h.params):
        assert np.allclose(W1, W - 0.3 * dW) and np.allclose(b1, b - 0.3 * db)


def test_train_does_not_modify_the_initial_parameters_and_is_deterministic():
    X, y = make_xor(40, seed=1)
    params = init_params([2, 6, 2], seed=0)
    before = [(W.copy(), b.copy()) for W, b in params]
    a = train(params, X, y, epochs=5, batch_size=8, seed=3, drop_prob=0.2)
    b = train(params, X, y, epochs=5, batch_size=8, seed=3, drop_prob=0.2)
    for (W, bb), (W0, b0) in zip(params, before):
        assert np.array_equal(W, W0) and np.array_equal(bb, b0)
    assert a.train_loss == b.train_loss
    c = train(params, X, y, epochs=5, batch_size=8, seed=4, drop_prob=0.2)
    assert a.train_loss != c.train_loss


def test_history_contents(spirals):
    (X, y), (X_val, y_val) = spirals
    h = train(init_params([2, 8, 3], seed=0), X, y, epochs=4, batch_size=64, X_val=X_val, y_val=y_val,
              schedule=optim.step_decay(0.2, factor=0.5, every=2))
    assert isinstance(h, History)
    assert len(h.train_loss) == len(h.train_acc) == len(h.val_loss) == len(h.val_acc) == 4
    assert h.lr == pytest.approx([0.2, 0.2, 0.1, 0.1])
    assert h.stopped_epoch == 3 and h.best_epoch is None
    assert h["val_loss"] is h.val_loss
    assert list(h.keys()) == ["train_loss", "train_acc", "val_loss", "val_acc", "lr", "best_epoch", "stopped_epoch"]
    assert set(h.as_dict()) == set(h.keys())
    with pytest.raises(KeyError, match="history keys are"):
        h["params_"]
    # The validation numbers are evaluate() on the final parameters.
    assert evaluate(h.params, X_val, y_val) == pytest.approx((h.val_loss[-1], h.val_acc[-1]))


def test_progress_output_every_k_epochs():
    X, y = make_xor(40, seed=0)
    out = io.StringIO()
    train(init_params([2, 4, 2], seed=0), X, y, epochs=10, batch_size=40, progress=4, out=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["1/10", "5/10", "9/10", "10/10"]
    assert lines[0].startswith("epoch  1/10  loss ") and "  acc " in lines[0]


def test_progress_true_prints_every_epoch_with_validation(capsys):
    X, y = make_xor(40, seed=0)
    train(init_params([2, 4, 2], seed=0), X, y, epochs=3, batch_size=40, progress=True, X_val=X, y_val=y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all("val_loss" in line and "val_acc" in line for line in lines)


def test_no_progress_prints_nothing(capsys):
    X, y = make_xor(40, seed=0)
    train(init_params([2, 4, 2], seed=0), X, y, epochs=3)
    assert capsys.readouterr().out == ""


def test_early_stopping_restores_the_best_epoch(spirals):
    (X, y), (X_val, y_val) = spirals
    # A tiny training set and a big network: the validation loss turns upwards early.
    out = io.StringIO()
    h = train(init_params([2, 64, 64, 3], seed=0), X[:30], y[:30], optimizer="adam", lr=0.02, epochs=500,
              batch_size=10, X_val=X_val, y_val=y_val, early_stopping=10, progress=50, out=out)
    best = int(np.argmin(h.val_loss))
    assert h.best_epoch == best and h.stopped_epoch == best + 10 < 499
    assert evaluate(h.params, X_val, y_val)[0] == pytest.approx(h.val_loss[best])
    assert f"early stopping after epoch {h.stopped_epoch + 1}: best epoch {best + 1}" in out.getvalue()


def test_penalties_shrink_the_weights():
    X, y = make_moons(60, noise=0.3, seed=0)
    params = init_params([2, 16, 2], seed=0)
    norms = {}
    for name, kwargs in [("none", {}), ("l2", {"l2": 0.05}), ("l1", {"l1": 0.01})]:
        h = train(params, X, y, optimizer="sgd", lr=0.2, epochs=100, batch_size=20, **kwargs)
        norms[name] = sum(float(np.sum(W**2)) for W, _ in h.params)
    assert norms["l2"] < 0.5 * norms["none"] and norms["l1"] < 0.5 * norms["none"]


def test_optimizer_instance_float32_and_early_stopping_instance():
    X, y = make_xor(40, seed=0)
    opt = optim.Momentum(lr=0.1)
    stopper = EarlyStopping(patience=100)
    h = train(init_params([2, 4, 2], seed=0, dtype=np.float32), X, y, optimizer=opt, epochs=3, X_val=X, y_val=y,
              early_stopping=stopper)
    assert h.params[0][0].dtype == np.float32
    assert opt.state is not None and stopper.best_epoch >= 0


def test_one_hot_targets_give_the_same_run_as_labels():
    X, y = make_xor(30, seed=2)
    params = init_params([2, 4, 2], seed=0)
    a = train(params, X, y, epochs=3, batch_size=10)
    b = train(params, X, np.eye(2)[y], epochs=3, batch_size=10)
    assert np.allclose(a.train_loss, b.train_loss) and a.train_acc == b.train_acc


def test_an_infinite_first_loss_blames_the_inputs_not_the_learning_rate():
    # Outputs of 1e200 are finite, their mean square is not representable: the first batch's loss is inf.
    X, y = np.ones((4, 1)), np.zeros((4, 1))
    params = [(np.full((1, 1), 1e200), np.zeros(1))]
    with pytest.raises(ValueError, match="the loss of the first batch, before any update, is inf: X or params"):
        train(params, X, y, loss="mse", epochs=1, batch_size=4)


def test_overflowing_outputs_raise_a_clear_error():
    # 1e200 * 1e200 overflows to inf in the forward pass: inf - inf makes the loss NaN.
    X, y = np.full((4, 1), 1e200), np.zeros((4, 1))
    params = [(np.full((1, 1), 1e200), np.zeros(1))]
    with pytest.raises(ValueError, match="the loss of the first batch, before any update, is (nan|inf)"):
        train(params, X, y, loss="mse", epochs=1, batch_size=4)


def test_a_learning_rate_that_is_too_large_is_named():
    # Plain SGD on MSE with lr = 1e150: the first step is finite, the weights then explode.
    X, y = make_regression_curve(16, seed=0)
    with pytest.raises(ValueError, match=r"training diverged in epoch \d+: the (loss|params) became .*lower lr \(now 1e\+150\)"):
        train(init_params([1, 4, 1], seed=0), X, y, loss="mse", optimizer="sgd", lr=1e150, epochs=5, batch_size=4)


def test_parameters_that_overflow_in_the_last_step_are_not_returned_silently():
    # One full-batch SGD step with lr = 1e308 on a gradient of order 1 sends the weights to inf;
    # no later batch would notice, the end of the epoch does.
    X, y = np.ones((4, 1)), np.full((4, 1), 3.0)
    params = [(np.full((1, 1), 1e308), np.zeros(1))]
    with pytest.raises(ValueError, match="training diverged in epoch 0: the params became inf/NaN"):
        with np.errstate(over="ignore", invalid="ignore"):
            train(params, X / 1e308, y, loss="mse", lr=1e308, epochs=1, batch_size=4)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(X_val=np.zeros((2, 2))), ValueError, "give both X_val and y_val"),
    (dict(X_val=np.zeros((2, 3)), y_val=np.zeros(2, dtype=int)), ValueError,
     r"X_val @ W1 needs X_val's last size to equal W1's first, got X_val \(2, 3\) and W1 \(2, 3\)"),
    (dict(early_stopping=0, X_val=np.zeros((2, 2)), y_val=np.zeros(2, dtype=int)), ValueError,
     "early_stopping must be >= 1, got 0"),
    (dict(early_stopping="5", X_val=np.zeros((2, 2)), y_val=np.zeros(2, dtype=int)), TypeError,
     "early_stopping must be an integer"),
    (dict(progress="yes"), TypeError, "progress must be an integer"),
    (dict(seed=-1), ValueError, "seed must be >= 0"),
    (dict(optimizer=["adam"]), TypeError, "optimizer must be a name or an nncourse.optim.Optimizer, got list"),
    (dict(loss=["mse"]), TypeError, "loss must be a name"),
    (dict(optimizer=3), TypeError, "optimizer must be a name or an nncourse.optim.Optimizer"),
    (dict(optimizer="adagrad"), ValueError, "unknown optimizer"),
    (dict(schedule=0.1), TypeError, "schedule must be a function"),
    (dict(early_stopping=5), ValueError, "early_stopping needs validation data"),
    (dict(epochs=0), ValueError, "epochs must be >= 1"),
    (dict(drop_prob=1.0), ValueError, "drop_prob must be in"),
    (dict(activation="softmax"), ValueError, "unknown activation"),
    (dict(progress=0), ValueError, "progress must be >= 1"),
])
def test_bad_arguments(kwargs, error, message):
    X, y = make_xor(20, seed=0)
    with pytest.raises(error, match=message):
        train(init_params([2, 3, 2], seed=0), X, y, **kwargs)


def test_bad_data_shapes():
    params = init_params([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match=r"X @ W1 needs X's last size to equal W1's first, got X \(4, 3\) and W1 \(2, 3\)"):
        train(params, np.zeros((4, 3)), np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        train(params, np.zeros((4, 2)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"y must be integer labels of shape \(4,\) or one-hot of shape \(4, 2\) to match the network's output for X, got shape \(4, 3\)"):
        train(params, np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"reshape with y.reshape\(-1, 1\)"):
        train(init_params([2, 3, 1], seed=0), np.zeros((4, 2)), np.zeros(4), loss="mse")


# --------------------------------------------------------------------------- #
# accuracy and predictions
# --------------------------------------------------------------------------- #


def test_accuracy_known_values():
    assert accuracy(np.array([0, 1, 2, 1]), np.array([0, 1, 1, 1])) == 0.75
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    assert accuracy(np.array([0, 1, 1]), scores) == pytest.approx(2 / 3)


def test_accuracy_errors():
    with pytest.raises(ValueError, match=r"y_pred must have shape \(2,\)"):
        accuracy(np.array([0, 1]), np.array([0, 1, 1]))
    with pytest.raises(ValueError, match="zero samples"):
        accuracy(np.array([], dtype=int), np.array([], dtype=int))


def test_predict_returns_probabilities():
    params = init_params([2, 5, 3], seed=0)
    P = predict(params, np.random.default_rng(0).standard_normal((7, 2)))
    assert P.shape == (7, 3) and np.allclose(P.sum(axis=1), 1.0)


def test_evaluate_multi_output_sigmoid_and_penalties():
    params = init_params([2, 4, 2], seed=0)
    X = np.random.default_rng(1).standard_normal((6, 2))
    Y = (np.random.default_rng(2).random((6, 2)) > 0.5).astype(float)
    loss, acc = evaluate(params, X, Y, loss="binary_cross_entropy")
    loss_pen, _ = evaluate(params, X, Y, loss="binary_cross_entropy", l2=0.1, l1=0.1)
    penalty = sum(0.05 * np.sum(W**2) + 0.1 * np.sum(np.abs(W)) for W, _ in params)
    assert loss_pen == pytest.approx(loss + penalty)
    assert 0.0 <= acc <= 1.0


def test_train_with_labels_or_one_hot_is_loss_and_grads_and_one_update():
    """train's first epoch of full-batch SGD is loss_and_grads and one update (the rows in shuffled
    order, so sums may differ in the last bit)."""
    X, y = make_spirals(60, seed=4)
    params = init_params([2, 5, 3], seed=1)
    for targets in (y, np.eye(3)[y]):
        loss, grads = loss_and_grads(params, X, targets)
        h = train(params, X, targets, optimizer="sgd", lr=0.5, epochs=1, batch_size=60)
        assert h.train_loss == pytest.approx([loss], rel=1e-14)
        for (W, b), (dW, db), (W1, b1) in zip(params, grads, h.params):
            np.testing.assert_allclose(W1, W - 0.5 * dW, rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(b1, b - 0.5 * db, rtol=1e-13, atol=1e-15)
