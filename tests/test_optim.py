"""nncourse.optim: one step of every method against arithmetic written out, the classes against the
update functions, schedules, mini-batches, and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nncourse import optim


# --------------------------------------------------------------------------- #
# Update functions: one step, worked by hand
# --------------------------------------------------------------------------- #


def test_gd_update_known_values():
    # theta - lr * grad = [1 - 0.1 * 0.5, -2 - 0.1 * 0.5] = [0.95, -2.05]
    out = optim.gd_update(np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.1)
    assert np.allclose(out, [0.95, -2.05], rtol=0, atol=1e-15)


def test_gd_update_returns_a_new_array_and_keeps_float32():
    theta = np.array([1.0, 2.0], dtype=np.float32)
    out = optim.gd_update(theta, np.ones(2, dtype=np.float32), 0.5)
    assert out.dtype == np.float32 and np.array_equal(theta, [1.0, 2.0])
    assert np.array_equal(out, [0.5, 1.5])


def test_momentum_update_known_values():
    # v = 0.9 * [0.5, 0.5] + [1, -2] = [1.45, -1.55]
    # theta = [1, 1] - 0.2 * v = [1 - 0.29, 1 + 0.31] = [0.71, 1.31]
    theta, v = optim.momentum_update(np.array([1.0, 1.0]), np.array([1.0, -2.0]), np.array([0.5, 0.5]), 0.2, 0.9)
    assert np.allclose(v, [1.45, -1.55])
    assert np.allclose(theta, [0.71, 1.31])


def test_momentum_velocity_tends_to_g_over_one_minus_beta():
    # On a constant gradient 1: v = 1, 1.9, 2.71, 3.439, ... -> 1 / (1 - 0.9) = 10
    theta, v = np.zeros(1), np.zeros(1)
    seen = []
    for _ in range(200):
        theta, v = optim.momentum_update(theta, np.ones(1), v, 0.01, 0.9)
        seen.append(v[0])
    assert np.allclose(seen[:4], [1.0, 1.9, 2.71, 3.439])
    assert np.isclose(seen[-1], 10.0)


def test_rmsprop_update_known_values():
    # s = 0.9 * 0 + 0.1 * 2**2 = 0.4; step = 0.1 * 2 / (sqrt(0.4) + 1e-8) = 0.316227766...
    theta, s = optim.rmsprop_update(np.array([1.0]), np.array([2.0]), np.array([0.0]), 0.1, 0.9, 1e-8)
    assert np.allclose(s, [0.4])
    assert np.allclose(theta, [1.0 - 0.2 / (math.sqrt(0.4) + 1e-8)], rtol=1e-14)


def test_rmsprop_eps_is_outside_the_square_root():
    # g = 1e-6, s0 = 0, rho = 0.9: s = 1e-13, sqrt(s) = 3.162e-7; with eps = 1e-6 outside the root the
    # denominator is 1.3162e-6, inside it would be sqrt(1e-6 + 1e-13) = 1e-3.
    theta, s = optim.rmsprop_update(np.zeros(1), np.array([1e-6]), np.zeros(1), 1.0, 0.9, 1e-6)
    assert np.isclose(-theta[0], 1e-6 / (math.sqrt(1e-13) + 1e-6), rtol=1e-12)


def test_adam_first_step_known_values():
    # t: 0 -> 1; m = 0.1 * 0.5 = 0.05; v = 0.001 * 0.25 = 0.00025
    # m_hat = 0.05 / (1 - 0.9) = 0.5; v_hat = 0.00025 / (1 - 0.999) = 0.25
    # theta = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 1 - 0.09999999800...
    theta, m, v, t = optim.adam_update(np.array([1.0]), np.array([0.5]), np.zeros(1), np.zeros(1), 0, lr=0.1)
    assert t == 1
    assert np.allclose(m, [0.05]) and np.allclose(v, [0.00025])
    assert np.allclose(theta, [1.0 - 0.1 * 0.5 / (0.5 + 1e-8)], rtol=1e-14)


def test_adam_second_step_known_values():
    # From m = 0.05, v = 0.00025, t = 1, with g = -1, lr = 0.01:
    # t = 2; m = 0.9 * 0.05 + 0.1 * (-1) = -0.055; v = 0.999 * 0.00025 + 0.001 * 1 = 0.00124975
    # m_hat = -0.055 / (1 - 0.81) = -0.289473684...; v_hat = 0.00124975 / (1 - 0.998001) = 0.625187...
    theta, m, v, t = optim.adam_update(np.array([0.0]), np.array([-1.0]), np.array([0.05]), np.array([0.00025]), 1,
                                       lr=0.01)
    m_hat, v_hat = -0.055 / 0.19, 0.00124975 / (1 - 0.999**2)
    assert t == 2 and np.allclose(m, [-0.055]) and np.allclose(v, [0.00124975])
    assert np.allclose(theta, [-0.01 * m_hat / (math.sqrt(v_hat) + 1e-8)], rtol=1e-12)


def test_adam_first_step_has_size_lr_whatever_the_gradient_scale():
    grad = np.array([1e-2, 1.0, 1e4])  # |step| = lr * |g| / (|g| + 1e-8), within 1e-6 of lr
    theta, *_ = optim.adam_update(np.zeros(3), grad, np.zeros(3), np.zeros(3), 0, lr=0.05)
    assert np.allclose(theta, -0.05, rtol=1e-5)


@pytest.mark.parametrize("shape", [(3,), (4, 5), (2, 3, 4)])
def test_update_functions_keep_shapes(shape):
    rng = np.random.default_rng(0)
    theta, g, z = rng.standard_normal(shape), rng.standard_normal(shape), np.zeros(shape)
    assert optim.gd_update(theta, g, 0.1).shape == shape
    assert all(a.shape == shape for a in optim.momentum_update(theta, g, z, 0.1))
    assert all(a.shape == shape for a in optim.rmsprop_update(theta, g, z, 0.1))
    assert all(a.shape == shape for a in optim.adam_update(theta, g, z, z, 0)[:3])


def test_update_functions_do_not_modify_their_inputs():
    theta, g, v = np.ones(3), np.full(3, 0.5), np.full(3, 0.2)
    optim.momentum_update(theta, g, v, 0.1)
    optim.rmsprop_update(theta, g, v, 0.1)
    optim.adam_update(theta, g, v, v, 3)
    assert np.array_equal(theta, np.ones(3)) and np.array_equal(v, np.full(3, 0.2))


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #


def test_shape_mismatches_name_the_argument():
    with pytest.raises(ValueError, match=r"grad must have the shape of theta \(3,\), got \(3, 1\)"):
        optim.gd_update(np.zeros(3), np.zeros((3, 1)), 0.1)
    with pytest.raises(ValueError, match="velocity must have the shape of theta"):
        optim.momentum_update(np.zeros(3), np.zeros(3), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="sq_avg must have the shape of theta"):
        optim.rmsprop_update(np.zeros(3), np.zeros(3), np.zeros(4), 0.1)
    with pytest.raises(ValueError, match=r"v must have the shape of theta \(3,\), got \(2,\)"):
        optim.adam_update(np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(2), 0)


@pytest.mark.parametrize("call, message", [
    (lambda: optim.gd_update(np.zeros(2), np.zeros(2), 0.0), "lr must be a finite number > 0, got 0.0"),
    (lambda: optim.gd_update(np.zeros(2), np.zeros(2), -1), "lr must be a finite number > 0"),
    (lambda: optim.momentum_update(np.zeros(2), np.zeros(2), np.zeros(2), 0.1, beta=1.0), r"beta must be in \[0, 1\)"),
    (lambda: optim.rmsprop_update(np.zeros(2), np.zeros(2), np.zeros(2), 0.1, eps=0.0), "eps must be"),
    (lambda: optim.adam_update(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), -1), "t must be >= 0"),
    (lambda: optim.adam_update(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 0, beta2=1.5), "beta2 must be"),
    (lambda: optim.gd_update(np.array([np.nan]), np.zeros(1), 0.1), "theta contains NaN"),
])
def test_bad_hyper_parameters_are_rejected(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match="lr must be a real number, got str"):
        optim.gd_update(np.zeros(2), np.zeros(2), "0.1")
    with pytest.raises(TypeError, match="t must be an integer, got float"):
        optim.adam_update(np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2), 1.0)
    with pytest.raises(TypeError, match="grad must hold real numbers"):
        optim.gd_update(np.zeros(2), np.array(["a", "b"]), 0.1)


# --------------------------------------------------------------------------- #
# Optimiser classes: in place, and the same numbers as the functions
# --------------------------------------------------------------------------- #


def _params(rng):
    return [(rng.standard_normal((3, 4)), rng.standard_normal(4)), (rng.standard_normal((4, 2)), rng.standard_normal(2))]


def _grads_like(params, rng):
    return [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]


@pytest.mark.parametrize("name", ["sgd", "momentum", "rmsprop", "adam"])
def test_classes_agree_with_the_update_functions_over_several_steps(name):
    rng = np.random.default_rng(1)
    params = _params(rng)
    arrays = [a.copy() for pair in params for a in pair]
    state = [dict(v=np.zeros_like(a), s=np.zeros_like(a), m=np.zeros_like(a), t=0) for a in arrays]
    opt = optim.get_optimizer(name, lr=0.05)
    for _ in range(5):
        grads = _grads_like(params, rng)
        flat_grads = [g for pair in grads for g in pair]
        opt.step(params, grads)
        for i, (a, g, st) in enumerate(zip(arrays, flat_grads, state)):
            if name == "sgd":
                arrays[i] = optim.gd_update(a, g, 0.05)
            elif name == "momentum":
                arrays[i], st["v"] = optim.momentum_update(a, g, st["v"], 0.05, 0.9)
            elif name == "rmsprop":
                arrays[i], st["s"] = optim.rmsprop_update(a, g, st["s"], 0.05)
            else:
                arrays[i], st["m"], st["v"], st["t"] = optim.adam_update(a, g, st["m"], st["v"], st["t"], lr=0.05)
    got = [a for pair in params for a in pair]
    for mine, gold in zip(got, arrays):
        assert np.allclose(mine, gold, rtol=1e-12, atol=1e-14)


def test_step_updates_the_same_arrays_in_place():
    W, b = np.ones((2, 2)), np.zeros(2)
    params = [(W, b)]
    optim.SGD(lr=0.5).step(params, [(np.ones((2, 2)), np.ones(2))])
    assert params[0][0] is W and np.array_equal(W, np.full((2, 2), 0.5)) and np.array_equal(b, [-0.5, -0.5])


def test_step_accepts_a_flat_list_and_a_single_array():
    W = np.ones(3)
    optim.SGD(lr=1.0).step(W, np.ones(3))
    assert np.array_equal(W, np.zeros(3))
    a, b = np.ones(2), np.ones(2)
    optim.SGD(lr=0.5).step([a, b], [np.ones(2), np.zeros(2)])
    assert np.array_equal(a, [0.5, 0.5]) and np.array_equal(b, [1.0, 1.0])


def test_nesterov_steps_with_g_plus_beta_v():
    # v = 0.9 * 0 + 2 = 2; Nesterov step: lr * (g + beta * v) = 0.1 * (2 + 1.8) = 0.38
    theta = np.zeros(1)
    opt = optim.Momentum(lr=0.1, beta=0.9, nesterov=True)
    opt.step(theta, np.array([2.0]))
    assert np.allclose(theta, [-0.38])
    # second step, g = 1: v = 0.9 * 2 + 1 = 2.8; step 0.1 * (1 + 0.9 * 2.8) = 0.352
    opt.step(theta, np.array([1.0]))
    assert np.allclose(theta, [-0.38 - 0.352])


def test_adam_class_counts_steps():
    opt = optim.Adam(lr=0.1)
    theta = np.zeros(2)
    for k in range(1, 4):
        opt.step(theta, np.ones(2))
        assert opt.t == k


def test_learning_rate_can_change_between_steps():
    theta = np.zeros(1)
    opt = optim.SGD(lr=1.0)
    opt.step(theta, np.ones(1))
    opt.lr = 0.25
    opt.step(theta, np.ones(1))
    assert np.allclose(theta, [-1.25])


def test_step_errors():
    opt = optim.SGD(lr=0.1)
    with pytest.raises(ValueError, match="params has 2 arrays but grads has 1"):
        opt.step([np.zeros(2), np.zeros(2)], [np.zeros(2)])
    with pytest.raises(TypeError, match=r"params\[0\] must be a float numpy array \(it is updated in place\), got an array of dtype int64"):
        opt.step([np.zeros(2, dtype=int)], [np.zeros(2)])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(3,\) but its parameter params\[0\] has shape \(2,\)"):
        opt.step([np.zeros(2)], [np.zeros(3)])
    opt = optim.Momentum()
    opt.step([np.zeros(2)], [np.zeros(2)])
    with pytest.raises(ValueError, match="created for a different set of parameters"):
        opt.step([np.zeros(2), np.zeros(2)], [np.zeros(2), np.zeros(2)])


def test_get_optimizer():
    assert isinstance(optim.get_optimizer("adam", lr=0.01), optim.Adam)
    assert optim.get_optimizer("momentum", lr=0.01, beta=0.5).beta == 0.5
    with pytest.raises(ValueError, match="unknown optimizer 'adagrad'; expected one of 'sgd'"):
        optim.get_optimizer("adagrad")


def test_optimisers_minimise_a_quadratic():
    # L = 0.5 * theta^T A theta with A = diag(1, 10): every method reaches the minimum at 0.
    A = np.diag([1.0, 10.0])
    for opt in (optim.SGD(lr=0.15), optim.Momentum(lr=0.05), optim.Momentum(lr=0.05, nesterov=True),
                optim.RMSProp(lr=0.01), optim.Adam(lr=0.05)):
        theta = np.array([3.0, -2.0])
        for _ in range(1500):
            opt.step(theta, A @ theta)
        assert np.linalg.norm(theta) < 0.05, type(opt).__name__


def test_gd_diverges_above_the_stability_limit():
    # lambda_max = 10: limit 2 / 10 = 0.2
    A = np.diag([1.0, 10.0])
    below, above = np.array([1.0, 1.0]), np.array([1.0, 1.0])
    for _ in range(100):
        below = optim.gd_update(below, A @ below, 0.19)
        above = optim.gd_update(above, A @ above, 0.21)
    assert np.linalg.norm(below) < 1e-3 and np.linalg.norm(above) > 1e3


# --------------------------------------------------------------------------- #
# Schedules
# --------------------------------------------------------------------------- #


def test_schedules_known_values():
    assert optim.constant(0.3)(17) == 0.3
    step = optim.step_decay(0.1, factor=0.5, every=10)
    # epochs 0-9: 0.1; 10-19: 0.05; 20-29: 0.025
    assert [step(e) for e in (0, 9, 10, 19, 20, 29, 30)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125])
    exp = optim.exponential_decay(2.0, rate=0.5)
    assert [exp(e) for e in range(4)] == pytest.approx([2.0, 1.0, 0.5, 0.25])
    cos = optim.cosine_decay(1.0, total_epochs=4, lr_min=0.2)
    # 0.2 + 0.4 * (1 + cos(pi t / 4)): t = 0 -> 1.0, t = 2 -> 0.6, t = 4 -> 0.2, after T it stays at 0.2
    assert [cos(e) for e in (0, 2, 4, 9)] == pytest.approx([1.0, 0.6, 0.2, 0.2])


def test_schedule_errors():
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\], got 1.5"):
        optim.step_decay(0.1, factor=1.5)
    with pytest.raises(ValueError, match="every must be >= 1"):
        optim.step_decay(0.1, every=0)
    with pytest.raises(ValueError, match="lr must be"):
        optim.exponential_decay(0.0)
    with pytest.raises(ValueError, match="lr_min must be a finite number >= 0"):
        optim.cosine_decay(0.1, 10, lr_min=-1.0)
    with pytest.raises(ValueError, match="lr must be"):
        optim.constant(-0.1)


# --------------------------------------------------------------------------- #
# Mini-batches
# --------------------------------------------------------------------------- #


def test_minibatches_partial_last_batch_and_seeded_order():
    batches = list(optim.minibatches(10, 4, rng=np.random.default_rng(0)))
    assert [b.size for b in batches] == [4, 4, 2]
    order = np.random.default_rng(0).permutation(10)
    assert np.array_equal(np.concatenate(batches), order)


def test_minibatches_cover_every_sample_once():
    for n, size in [(1, 1), (7, 3), (64, 64), (5, 8), (100, 7)]:
        batches = list(optim.minibatches(n, size, rng=np.random.default_rng(n)))
        assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(n))
        assert all(1 <= b.size <= size for b in batches)
        assert len(batches) == math.ceil(n / size)


def test_minibatches_without_shuffle_and_reproducibility():
    assert [b.tolist() for b in optim.minibatches(5, 2, shuffle=False)] == [[0, 1], [2, 3], [4]]
    a = [b.tolist() for b in optim.minibatches(20, 6, rng=np.random.default_rng(3))]
    b = [b.tolist() for b in optim.minibatches(20, 6, rng=np.random.default_rng(3))]
    c = [b.tolist() for b in optim.minibatches(20, 6, rng=np.random.default_rng(4))]
    assert a == b and a != c


def test_minibatches_errors():
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        list(optim.minibatches(5, 2))
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        list(optim.minibatches(5, 0, rng=np.random.default_rng(0)))
    with pytest.raises(TypeError, match="n_samples must be an integer"):
        list(optim.minibatches(5.0, 2, rng=np.random.default_rng(0)))


# --------------------------------------------------------------------------- #
# Mini-batch gradient is unbiased (6.7): the mean over one epoch's batches, weighted by size
# --------------------------------------------------------------------------- #


def test_batch_gradients_average_to_the_full_gradient():
    rng = np.random.default_rng(5)
    X, y, w = rng.standard_normal((30, 3)), rng.standard_normal(30), rng.standard_normal(3)

    def grad(idx):  # gradient of the mean of (x.w - y)^2 over the batch
        r = X[idx] @ w - y[idx]
        return 2 * X[idx].T @ r / idx.size

    full = grad(np.arange(30))
    weighted = sum(grad(b) * b.size for b in optim.minibatches(30, 8, rng=rng)) / 30
    assert np.allclose(weighted, full)
