"""Regression tests for issue 16: every kind of bad outcome its fuzz found, one test per kind, and
the one-kernel-per-formula structure (a kernel patched wrong is felt by every caller at once).

The broad sweep is ``tests/test_fuzz_api.py``; these tests pin down the cases the issue names.
"""

from __future__ import annotations

import numpy as np
import pytest

import nncourse
from nncourse import (activations, backprop, datasets, gradient_check, layers, linalg, losses, optim, regularization,
                      training)
from nncourse.datasets import make_xor

# --------------------------------------------------------------------------- #
# Hidden state: early stopping and optimisers belong to one run
# --------------------------------------------------------------------------- #


def test_an_early_stopping_object_reused_by_train_returns_the_second_networks_parameters():
    X, y = make_xor(40, seed=0)
    stopper = regularization.EarlyStopping(patience=50)
    first = train_with(stopper, seed=0, X=X, y=y)
    second = train_with(stopper, seed=1, X=X, y=y)
    start = layers.init_params([2, 4, 2], seed=1)
    # The second run's best parameters come from the second network, never the first one's.
    assert not np.array_equal(second.params[0][0], first.params[0][0])
    assert second.best_epoch == stopper.best_epoch and stopper.best_params is second.params
    assert np.abs(second.params[0][0] - start[0][0]).max() < np.abs(first.params[0][0] - start[0][0]).max()


def train_with(stopper, seed, X, y):
    return training.train(layers.init_params([2, 4, 2], seed=seed), X, y, optimizer="sgd", lr=0.05, epochs=3,
                          X_val=X, y_val=y, early_stopping=stopper)


def test_early_stopping_refuses_the_arrays_of_another_network_until_reset():
    params_a, params_b = layers.init_params([2, 2], seed=0), layers.init_params([2, 2], seed=0)
    stopper = regularization.EarlyStopping()
    stopper.update(0, 1.0, params_a)
    with pytest.raises(ValueError, match=r"params are not the arrays this EarlyStopping has been watching.*\.reset\(\)"):
        stopper.update(1, 0.5, params_b)


def test_an_adam_reused_by_train_starts_afresh():
    X, y = make_xor(40, seed=0)
    adam = optim.Adam(lr=0.01)
    fresh = training.train(layers.init_params([2, 4, 2], seed=3), X, y, optimizer=optim.Adam(lr=0.01), epochs=2)
    training.train(layers.init_params([2, 4, 2], seed=4), X, y, optimizer=adam, epochs=2)  # moments and t of run 1
    reused = training.train(layers.init_params([2, 4, 2], seed=3), X, y, optimizer=adam, epochs=2)
    assert reused.train_loss == fresh.train_loss
    for (W1, b1), (W2, b2) in zip(reused.params, fresh.params):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)


def test_a_train_call_that_fails_validation_leaves_the_optimiser_and_early_stopping_alone():
    adam, stopper = optim.Adam(lr=0.1), regularization.EarlyStopping(patience=3)
    params = layers.init_params([2, 2], seed=0)
    adam.step(params, [(np.ones((2, 2)), np.ones(2))])
    stopper.update(0, 1.0, params)
    X, y = np.ones((3, 2)), np.zeros(3, dtype=int)
    with pytest.raises(ValueError, match="progress must be >= 1"):
        training.train(params, X, y, optimizer=adam, X_val=X, y_val=y, early_stopping=stopper, progress=0)
    assert adam.t == 1 and stopper.best_epoch == 0


def test_an_optimiser_refuses_other_arrays_of_the_same_shapes():
    adam = optim.Adam(lr=0.1)
    a = [np.zeros(3)]
    adam.step(a, [np.ones(3)])
    with pytest.raises(ValueError, match="created for a different set of parameters.*opt.reset"):
        adam.step([np.zeros(3)], [np.ones(3)])
    adam.reset()
    assert adam.t == 0 and adam.state is None
    adam.step([np.zeros(3)], [np.ones(3)])
    assert adam.t == 1


# --------------------------------------------------------------------------- #
# Silent wrong results
# --------------------------------------------------------------------------- #


def test_accuracy_refuses_one_column_of_sigmoid_outputs_and_says_what_to_do():
    y = np.array([0, 1, 1, 0])
    p = np.array([[0.1], [0.9], [0.8], [0.3]])
    with pytest.raises(ValueError, match=r"one column: .* \(p\[:, 0\] >= 0.5\).astype\(int\).*\(n,\) and \(n, 1\)"):
        training.accuracy(y, p)
    assert training.accuracy(y, (p[:, 0] >= 0.5).astype(int)) == 1.0


@pytest.mark.parametrize("y_pred, error, message", [
    (np.array([0.1, 0.9, 0.8, 0.3]), ValueError, "y_pred must hold integer class labels, got non-integer values"),
    (np.array(["0", "1", "1", "0"]), TypeError, "y_pred must hold real numbers"),
    (np.array([0.5, 1, 1, 0]), ValueError, "y_pred must hold integer class labels"),
    (np.array([True, False, True, True]), TypeError, "y_pred must hold integer class labels, got dtype bool"),
])
def test_accuracy_refuses_what_is_not_labels(y_pred, error, message):
    with pytest.raises(error, match=message):
        training.accuracy(np.array([0, 1, 1, 0]), y_pred)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_numerical_gradient_refuses_low_precision_instead_of_returning_zeros(dtype):
    with pytest.raises(TypeError, match=f"x must be a float64 numpy array.*dtype {np.dtype(dtype)}.*astype"):
        gradient_check.numerical_gradient(lambda v: float(np.sum(v ** 2)), np.ones(3, dtype=dtype))


@pytest.mark.parametrize("dtype", [np.int64, bool, object, np.float16])
def test_init_weights_refuses_dtypes_that_would_truncate_the_weights(dtype):
    with pytest.raises((ValueError, TypeError), match="dtype must be a float dtype such as np.float64"):
        layers.init_weights(3, 2, rng=np.random.default_rng(0), dtype=dtype)


def test_cross_entropy_refuses_rows_that_are_not_probabilities():
    with pytest.raises(ValueError, match="P must have rows .* sum to 1, got a row summing to 1.5"):
        losses.cross_entropy(np.array([[0.5, 0.5, 0.5]]), np.array([0]))


@pytest.mark.parametrize("call, name", [
    (lambda v: optim.Momentum(nesterov=v), "nesterov"),
    (lambda v: layers.forward(layers.init_params([2, 2]), np.ones((1, 2)), training=v), "training"),
    (lambda v: list(optim.minibatches(4, 2, rng=np.random.default_rng(0), shuffle=v)), "shuffle"),
    (lambda v: losses.logsumexp(np.ones(3), keepdims=v), "keepdims"),
    (lambda v: regularization.train_val_test_split(np.ones((10, 2)), np.zeros(10), stratify=v), "stratify"),
    (lambda v: regularization.dropout_forward(np.ones(3), 0.5, rng=np.random.default_rng(0), training=v), "training"),
    (lambda v: datasets.load_digits(scale=v), "scale"),
])
@pytest.mark.parametrize("truthy", ["no", "yes", 1, None])
def test_flags_take_true_or_false_only(call, name, truthy):
    with pytest.raises(TypeError, match=f"{name} must be True or False"):
        call(truthy)


@pytest.mark.parametrize("schedule", [optim.constant(0.1), optim.step_decay(0.1, 0.5, 2), optim.exponential_decay(0.1),
                                      optim.cosine_decay(0.1, 10)])
def test_schedules_refuse_negative_or_non_integer_epochs(schedule):
    assert schedule(0) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="epoch must be >= 0, got -1"):
        schedule(-1)
    for bad in (None, "3", 2.5):
        with pytest.raises(TypeError, match="epoch must be an integer"):
            schedule(bad)


@pytest.mark.parametrize("call, message", [
    (lambda: optim.step_decay(0.1, factor=0.0), r"factor must be in \(0, 1\], got 0.0"),
    (lambda: optim.exponential_decay(0.1, rate=0.0), r"rate must be in \(0, 1\], got 0.0"),
    (lambda: optim.cosine_decay(0.1, 10, lr_min=0.2), "lr_min must be <= lr"),
])
def test_schedules_refuse_factors_that_stop_or_grow_the_rate(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_standardise_handles_a_column_holding_1e308():
    X = np.array([[1e308, 1.0], [-1e308, 2.0], [5e307, 3.0]])
    out, = datasets.standardise(X)
    column = X[:, 0].astype(np.longdouble)
    expected = (column - column.mean()) / np.sqrt(((column - column.mean()) ** 2).mean())
    np.testing.assert_allclose(out[:, 0], expected.astype(float), rtol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), [1.0, 1.0], rtol=1e-12)


def test_shift_images_keeps_the_dtype_its_docstring_promises():
    images = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    out = datasets.shift_images(images, 1, 0)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[:, 1:], images[:, :-1])
    assert not out[:, 0].any()


def test_predict_classes_refuses_several_sigmoid_outputs():
    params = layers.init_params([2, 3, 4], seed=0)
    with pytest.raises(ValueError, match="needs a network with one output, this one has 4"):
        training.predict_classes(params, np.ones((5, 2)), loss="binary_cross_entropy")


# --------------------------------------------------------------------------- #
# Silent NaN and inf
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_optimisers_refuse_non_finite_gradients_and_change_nothing(name, bad):
    params = layers.init_params([2, 3], seed=0)
    before = [p.copy() for pair in params for p in pair]
    grads = [(np.full((2, 3), bad), np.zeros(3))]
    with pytest.raises(ValueError, match=r"grads\[0\]\[0\] contains NaN or infinite values"):
        optim.get_optimizer(name, lr=0.1).step(params, grads)
    assert all(np.array_equal(p, q) for p, q in zip([p for pair in params for p in pair], before))


def test_a_step_that_would_overflow_changes_nothing():
    theta = np.full(2, 1e308)
    opt = optim.SGD(lr=1e10)
    with pytest.raises(ValueError, match="would overflow the params .* nothing was changed"):
        opt.step(theta, np.full(2, -1e300))
    np.testing.assert_array_equal(theta, [1e308, 1e308])


@pytest.mark.parametrize("call, name", [
    (lambda: optim.rmsprop_update(np.zeros(2), np.ones(2), np.array([-1.0, 0.0]), 0.1), "sq_avg"),
    (lambda: optim.adam_update(np.zeros(2), np.ones(2), np.zeros(2), np.array([0.0, -1.0]), 0), "v"),
])
def test_negative_second_moments_are_refused(call, name):
    with pytest.raises(ValueError, match=f"{name} is a running mean of squared gradients and cannot be negative"):
        call()


@pytest.mark.parametrize("x, expected", [([3e200, 4e200], 5e200), ([3e-200, 4e-200], 5e-200),
                                         ([1e308, 1e308], np.sqrt(2) * 1e308)])
def test_norm_is_scaled_at_both_ends_of_the_float_range(x, expected):
    assert linalg.norm(np.array(x)) == pytest.approx(expected, rel=1e-15)
    assert linalg.norm(np.array([x]), "fro") == pytest.approx(expected, rel=1e-15)


def test_a_norm_beyond_float64_is_an_error_not_inf():
    with pytest.raises(ValueError, match="the l1 norm overflows float64 .* scale x down"):
        linalg.norm(np.array([1e308, 1e308]), "l1")


def test_mse_grad_and_logits_losses_are_exact_at_1e308():
    y_pred, y = np.array([1e308, -1e308, 0.0, 1.0]), np.array([-1e308, 1e308, 0.0, 1.0])
    # 2 (y_pred - y) / 4 = (2e308, -2e308, 0, 0) / 2: representable, although y_pred - y is not
    np.testing.assert_array_equal(losses.mse_grad(y_pred, y), [1e308, -1e308, 0.0, 0.0])
    with pytest.raises(ValueError, match="the mean squared error overflows float64"):
        losses.mse(y_pred, y)
    z = np.array([1e308, 1e308, -1e308])
    # Each term is about 1e308 (wrong, confident answers); their sum overflows, their mean does not.
    assert losses.binary_cross_entropy_with_logits(z, np.array([0.0, 0.0, 1.0])) == pytest.approx(1e308, rel=1e-15)
    Z = np.array([[1e308, -1e308], [0.0, 0.0]])
    # Row 1 costs 2e308 (lse = 1e308, the true class -1e308), row 2 costs log 2: the mean is 1e308 + log(2) / 2.
    assert losses.cross_entropy_with_logits(Z, np.array([1, 0])) == pytest.approx(1e308, rel=1e-15)


def test_public_functions_do_not_warn_when_they_handle_or_report_overflow():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.mse_grad(np.array([1e308, -1e308, 0.0, 0.0]), np.array([-1e308, 1e308, 0.0, 0.0]))
        with pytest.raises(ValueError, match="A @ B overflows"):
            linalg.matmul(np.full((2, 2), 1e308), np.full((2, 2), 1e308))


# --------------------------------------------------------------------------- #
# Obscure errors from deep inside numpy
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("params, grads, error, message", [
    ([np.zeros(2)], ["ab"], TypeError, r"grads\[0\] must hold real numbers"),
    ([np.zeros(2)], [None], TypeError, r"grads\[0\] must hold real numbers"),
    ([np.zeros(2)], [np.ones(3)], ValueError, r"grads\[0\] has shape \(3,\) but its parameter params\[0\]"),
    ([np.zeros(2)], [[1.0, 2.0, 3.0]], ValueError, "params has 1 arrays but grads has 3"),
    ([np.zeros(2)], None, TypeError, "grads must be a non-empty list"),
    ("params", [np.zeros(2)], TypeError, "params must be a non-empty list"),
])
def test_optimiser_step_errors_name_params_or_grads(params, grads, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(lr=0.1).step(params, grads)


def test_optimiser_step_refuses_read_only_parameters():
    theta = np.zeros(2)
    theta.flags.writeable = False
    with pytest.raises(ValueError, match=r"params is read-only, but the optimiser updates parameters in place"):
        optim.SGD(lr=0.1).step(theta, np.ones(2))


@pytest.mark.parametrize("call", [
    lambda axis: activations.softmax(np.ones((2, 3)), axis=axis),
    lambda axis: losses.logsumexp(np.ones((2, 3)), axis=axis),
    lambda axis: activations.softmax_backward(np.ones((2, 3)), np.full((2, 3), 1 / 3), axis=axis),
])
def test_axis_arguments_are_validated(call):
    with pytest.raises(ValueError, match="axis 2 is out of range for .* of shape \\(2, 3\\)"):
        call(2)
    for bad in (1.0, "1", None, True):
        with pytest.raises(TypeError, match="axis must be an integer"):
            call(bad)


@pytest.mark.parametrize("call, name", [
    (lambda v: activations.get_activation(v), "activation"),
    (lambda v: losses.get_loss(v), "loss"),
    (lambda v: optim.get_optimizer(v), "optimizer"),
    (lambda v: linalg.norm(np.ones(2), v), "kind"),
    (lambda v: layers.init_params([2, 2], init=v), "init"),
    (lambda v: layers.forward(layers.init_params([2, 2]), np.ones((1, 2)), activation=v), "activation"),
    (lambda v: training.train(layers.init_params([2, 2]), np.ones((2, 2)), np.zeros(2, dtype=int), loss=v), "loss"),
])
@pytest.mark.parametrize("bad", [["relu"], None, 3])
def test_names_given_as_lists_or_numbers_get_a_clear_type_error(call, name, bad):
    with pytest.raises(TypeError, match=f"{name} must be a name \\(a string\\)"):
        call(bad)


@pytest.mark.parametrize("call, message", [
    (lambda: activations.softmax(np.zeros((2, 0))), r"z has no entries along axis -1 \(shape \(2, 0\)\)"),
    (lambda: losses.logsumexp(np.zeros(0)), r"Z has no entries along axis -1"),
    (lambda: losses.cross_entropy_with_logits(np.zeros((2, 0)), np.zeros(2, dtype=int)), "Z has no entries along axis 1"),
])
def test_empty_class_axes_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_empty_arrays_where_the_answer_is_empty():
    assert activations.softmax(np.zeros((0, 3))).shape == (0, 3)
    assert gradient_check.numerical_gradient(lambda v: 0.0, np.zeros((0, 2))).shape == (0, 2)
    assert losses.logsumexp(np.zeros((0, 3)), axis=1).shape == (0,)


def test_early_stopping_update_and_schedules_refuse_none_and_strings():
    stopper = regularization.EarlyStopping()
    params = layers.init_params([2, 2])
    with pytest.raises(TypeError, match="val_loss must be a real number, got str"):
        stopper.update(0, "0.5", params)
    with pytest.raises(TypeError, match="epoch must be an integer, got NoneType"):
        stopper.update(None, 0.5, params)
    with pytest.raises(TypeError, match="epoch must be an integer, got str"):
        optim.step_decay(0.1)("3")


# --------------------------------------------------------------------------- #
# Messages name the argument the caller passed, not an internal one
# --------------------------------------------------------------------------- #


def test_loss_and_grads_on_no_samples_names_X():
    with pytest.raises(ValueError, match=r"X has no samples \(shape \(0, 2\)\)"):
        backprop.loss_and_grads(layers.init_params([2, 2]), np.zeros((0, 2)), np.zeros(0, dtype=int))


def test_gradient_check_names_grads_when_they_do_not_fit():
    params = layers.init_params([2, 3, 2], seed=0)
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    bad = [(np.zeros((3, 2)), np.zeros(3)), (np.zeros((3, 2)), np.zeros(2))]
    with pytest.raises(ValueError, match=r"grads\[0\]\[0\] \(dW1\) and W1 must have the same shape, got \(3, 2\) and \(2, 3\)"):
        gradient_check.gradient_check(params, X, y, grads=bad)


def test_train_names_early_stopping_and_X():
    params = layers.init_params([2, 2])
    X, y = np.ones((3, 2)), np.zeros(3, dtype=int)
    with pytest.raises(ValueError, match="early_stopping must be >= 1, got 0"):
        training.train(params, X, y, X_val=X, y_val=y, early_stopping=0)
    with pytest.raises(ValueError, match=r"X has no samples \(shape \(0, 2\)\)"):
        training.train(params, np.zeros((0, 2)), np.zeros(0, dtype=int))


def test_a_sample_count_mismatch_names_both_arguments():
    with pytest.raises(ValueError, match=r"y must have shape \(4,\) .*as the network's output for X has 4"):
        backprop.loss_and_grads(layers.init_params([2, 2]), np.ones((4, 2)), np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"y_pred must have shape \(2,\) .*as y_true has 2"):
        training.accuracy(np.array([0, 1]), np.array([0, 1, 1]))


# --------------------------------------------------------------------------- #
# One kernel per formula: patch a kernel wrong, and every caller sees it
# --------------------------------------------------------------------------- #


def _all_callers_of_the_penalty_gradient():
    params = layers.init_params([2, 3, 2], seed=0)
    X, y = np.random.default_rng(0).normal(size=(4, 2)), np.array([0, 1, 1, 0])
    W = params[0][0]
    _, grads = backprop.loss_and_grads(params, X, y, l2=0.5)
    history = training.train(params, X, y, l2=0.5, optimizer="sgd", lr=1.0, epochs=1, batch_size=4)
    return regularization.l2_grad(W, 0.5), grads[0][0], history.params[0][0]


def test_the_penalty_gradient_is_one_kernel(monkeypatch):
    public, composite, trained = _all_callers_of_the_penalty_gradient()
    monkeypatch.setattr(regularization, "_l2_grad", lambda W, l2: 0 * W)  # a wrong (7.3): no weight decay
    public2, composite2, trained2 = _all_callers_of_the_penalty_gradient()
    assert not public2.any()
    assert not np.allclose(composite, composite2) and not np.allclose(trained, trained2)


def test_the_fused_softmax_cross_entropy_is_one_kernel(monkeypatch):
    params = layers.init_params([2, 2], seed=0)
    X, y = np.ones((2, 2)), np.array([0, 1])
    Z = X @ params[0][0]
    original = losses._softmax_cross_entropy

    def doubled(Z, y):
        value, P, dZ = original(Z, y)
        return 2 * value, P, 2 * dZ

    before = (losses.cross_entropy_with_logits(Z, y), backprop.loss_and_grads(params, X, y)[0],
              training.train(params, X, y, epochs=1, batch_size=2).train_loss[0])
    monkeypatch.setitem(losses._KERNELS, "softmax_cross_entropy", doubled)
    monkeypatch.setattr(losses, "_softmax_cross_entropy", doubled)
    after = (losses.cross_entropy_with_logits(Z, y), backprop.loss_and_grads(params, X, y)[0],
             training.train(params, X, y, epochs=1, batch_size=2).train_loss[0])
    assert after == pytest.approx(tuple(2 * v for v in before))


def test_the_dense_layer_and_dropout_mask_are_the_kernels_forward_and_train_use(monkeypatch):
    params = layers.init_params([2, 3, 2], seed=0)
    X, y = np.ones((2, 2)), np.array([0, 1])
    calls = {"affine": 0, "dropout": 0}
    affine, dropout = nncourse.linalg._affine, regularization._dropout_forward

    def counting_affine(*args):
        calls["affine"] += 1
        return affine(*args)

    def counting_dropout(*args):
        calls["dropout"] += 1
        return dropout(*args)

    monkeypatch.setattr(nncourse.linalg, "_affine", counting_affine)
    monkeypatch.setattr(regularization, "_dropout_forward", counting_dropout)
    linalg.affine(X, *params[0])
    layers.dense_forward(X, *params[0])
    layers.forward(params, X, drop_prob=0.5, rng=np.random.default_rng(0), training=True)
    training.train(params, X, y, epochs=1, batch_size=2, drop_prob=0.5)
    regularization.dropout_forward(X, 0.5, rng=np.random.default_rng(0))
    # affine + dense_forward + 2 layers of forward + 2 layers of train's one batch; 1 + 1 + 1 hidden layers
    assert calls == {"affine": 6, "dropout": 3}
