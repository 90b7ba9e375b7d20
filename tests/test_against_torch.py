"""nncourse against PyTorch, an independent implementation (``mine`` versus ``gold``), in float64.

Compared: every activation and its derivative, softmax / log-softmax / log-sum-exp at extreme
inputs, every loss and its gradient (including the fused ones), ``dense_backward``,
``loss_and_grads`` of a 3-layer network for every hidden activation, loss and penalty, and the
optimisers (classes and pure update functions) over several steps.

The PyTorch side never uses a formula written here: its values come from ``torch`` and
``torch.nn.functional``, its gradients from autograd, its updates from ``torch.optim``. The two
sides share only the random inputs. Where the two libraries differ by convention, the test
follows nncourse's documented convention and a comment says so.

PyTorch comes with the ``oracle`` extra (``torch==2.13.0``); without it this file is skipped, except
in CI (``NNCOURSE_REQUIRE_ORACLES=1``), where that is a failure.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from _oracles import import_oracle

torch = import_oracle("torch", "PyTorch")
F = torch.nn.functional

from nncourse import activations, backprop, layers, loss_and_grads, losses, optim  # noqa: E402

EPS = np.finfo(np.float64).eps
# float64 on both sides; the two libraries round in different orders (and torch's
# vectorised exp/log may differ from numpy's by an ulp), so not bit-for-bit.
RTOL = 1e-12
ATOL = 1e-14


def tt(a, requires_grad=False):
    """A float64 tensor holding a copy of ``a`` (the numpy array is never shared)."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64, requires_grad=requires_grad)


def npy(t):
    return t.detach().numpy()


def close(mine, gold, rtol=RTOL, atol=ATOL):
    gold = npy(gold) if isinstance(gold, torch.Tensor) else np.asarray(gold)
    mine = np.asarray(mine)
    assert mine.shape == gold.shape, f"shape {mine.shape} != torch's {gold.shape}"
    np.testing.assert_allclose(mine, gold, rtol=rtol, atol=atol)


def autograd(fn, *arrays):
    """Value of the scalar torch function ``fn`` at ``arrays`` and its gradient with respect to each."""
    ts = [tt(a, requires_grad=True) for a in arrays]
    value = fn(*ts)
    value.backward()
    return value.item(), [t.grad for t in ts]


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


# --------------------------------------------------------------------------- #
# Activations and their derivatives
# --------------------------------------------------------------------------- #

# Exact zeros (both signs) test the derivative's value at the kink: the course's
# ReLU'(0) = 0 and leaky ReLU'(0) = slope are what torch's autograd returns too.
SPECIAL = np.array([0.0, -0.0, 1e-300, -1e-300, 1.0, -1.0, 20.0, -20.0, 40.0, -40.0, 700.0, -700.0,
                    1000.0, -1000.0])

TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.01),
    "linear": lambda z: z * 1.0,
}


def activation_inputs(rng):
    return np.concatenate([rng.normal(scale=3.0, size=40), SPECIAL]).reshape(6, 9)


def test_every_activation_has_a_torch_counterpart():
    assert set(activations.ACTIVATIONS) == set(TORCH_ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activation_and_derivative_match_torch(rng, name):
    z = activation_inputs(rng)
    act = activations.get_activation(name)
    zt = tt(z, requires_grad=True)
    out = TORCH_ACTIVATIONS[name](zt)
    out.backward(torch.ones_like(out))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning at ±1000 either
        value, derivative = act.fn(z), act.grad(z)
    assert value.dtype == np.float64 and derivative.dtype == np.float64
    close(value, out)
    close(derivative, zt.grad)


@pytest.mark.parametrize("slope", [0.2, 0.5])
def test_leaky_relu_with_other_slopes_matches_torch(rng, slope):
    z = activation_inputs(rng)
    zt = tt(z, requires_grad=True)
    out = F.leaky_relu(zt, negative_slope=slope)
    out.backward(torch.ones_like(out))
    close(activations.leaky_relu(z, slope=slope), out)
    close(activations.leaky_relu_grad(z, slope=slope), zt.grad)


def test_derivatives_at_zero_follow_the_course_and_torch():
    z = np.array([0.0, -0.0])
    for name, expected in [("relu", 0.0), ("leaky_relu", 0.01)]:
        zt = tt(z, requires_grad=True)
        TORCH_ACTIVATIONS[name](zt).sum().backward()
        assert np.array_equal(activations.get_activation(name).grad(z), [expected, expected])
        assert np.array_equal(npy(zt.grad), [expected, expected])


# --------------------------------------------------------------------------- #
# Softmax, log-softmax, log-sum-exp (extreme inputs)
# --------------------------------------------------------------------------- #

EXTREME_LOGITS = np.array([
    [1000.0, 999.0, -1000.0, 0.0],
    [-1000.0, -1000.0, -1000.0, -1000.0],
    [1e4, -1e4, 0.0, 5e3],
    [745.0, 0.0, -745.0, 1.0],
    [1e300, 0.0, -1e300, 1e299],
    [0.0, 0.0, 0.0, 0.0],
])


def logits_with_extremes(rng):
    return np.vstack([rng.normal(scale=50.0, size=(5, 4)), EXTREME_LOGITS])


def no_float_errors():
    # Overflow or 0 * inf inside softmax/log-sum-exp would be the unstable version.
    return np.errstate(over="raise", invalid="raise", divide="raise", under="ignore")


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_matches_torch_at_extreme_inputs(rng, axis):
    Z = logits_with_extremes(rng)
    with no_float_errors():
        P = activations.softmax(Z, axis=axis)
    gold = torch.softmax(tt(Z), dim=axis)
    close(P, gold, atol=1e-300)
    assert np.all(np.isfinite(P))


def test_log_softmax_from_logsumexp_matches_torch_at_extreme_inputs(rng):
    # nncourse has no log_softmax function: log softmax(z) = z - logsumexp(z) (4.8) is how the
    # course computes it from its parts.
    # z - logsumexp(z) cancels where z is the row's maximum, so the error is a few ulps of the
    # row's largest logit (torch's fused log_softmax subtracts the maximum first and does better
    # on the tiny entries); that absolute accuracy is what a loss from logits needs.
    Z = logits_with_extremes(rng)
    with no_float_errors():
        log_P = Z - losses.logsumexp(Z, axis=-1, keepdims=True)
    gold = torch.log_softmax(tt(Z), dim=-1)
    assert np.all(np.isfinite(log_P))
    for row, gold_row, z in zip(log_P, gold, Z):
        close(row, gold_row, rtol=1e-13, atol=4 * EPS * np.max(np.abs(z)))


@pytest.mark.parametrize("axis,keepdims", [(-1, False), (0, False), (1, True), (0, True)])
def test_logsumexp_matches_torch_at_extreme_inputs(rng, axis, keepdims):
    Z = logits_with_extremes(rng)
    with no_float_errors():
        mine = losses.logsumexp(Z, axis=axis, keepdims=keepdims)
    close(mine, torch.logsumexp(tt(Z), dim=axis, keepdim=keepdims), rtol=1e-14, atol=0)


def test_logsumexp_of_a_vector_matches_torch():
    z = np.array([1000.0, 1000.0, -5.0])
    mine = losses.logsumexp(z)
    assert mine.shape == ()
    close(mine, torch.logsumexp(tt(z), dim=0), rtol=1e-15, atol=0)


def test_softmax_jacobian_matches_torch_autograd(rng):
    z = rng.normal(scale=2.0, size=6)
    gold = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=0), tt(z))
    close(activations.softmax_jacobian(z), gold)


def test_softmax_backward_matches_torch_autograd(rng):
    Z = logits_with_extremes(rng)
    dA = rng.normal(size=Z.shape)
    Zt = tt(Z, requires_grad=True)
    torch.softmax(Zt, dim=-1).backward(tt(dA))
    close(activations.softmax_backward(dA, activations.softmax(Z)), Zt.grad, atol=1e-15)


# --------------------------------------------------------------------------- #
# Losses and their gradients
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("shape", [(8,), (8, 1), (8, 3)])
def test_mse_and_gradient_match_torch(rng, shape):
    # Mean over every entry, no 1/2: torch's MSELoss with reduction="mean" (the README's "Notation" section).
    y_pred, y = rng.normal(size=shape), rng.normal(size=shape)
    value, (grad, _) = autograd(lambda a, b: F.mse_loss(a, b, reduction="mean"), y_pred, y)
    assert losses.mse(y_pred, y) == pytest.approx(value, rel=RTOL, abs=0)
    close(losses.mse_grad(y_pred, y), grad)


def binary_targets(rng, shape, soft):
    return rng.uniform(size=shape) if soft else rng.integers(0, 2, size=shape).astype(np.float64)


@pytest.mark.parametrize("soft", [False, True], ids=["labels", "soft"])
@pytest.mark.parametrize("shape", [(10,), (10, 1), (10, 3)])
def test_binary_cross_entropy_from_probabilities_matches_torch(rng, shape, soft):
    p = rng.uniform(0.001, 0.999, size=shape)
    p.flat[:2] = [1e-10, 1.0 - 1e-10]  # confident, but inside both libraries' clipping
    y = binary_targets(rng, shape, soft)
    value, (grad, _) = autograd(F.binary_cross_entropy, p, y)
    assert losses.binary_cross_entropy(p, y) == pytest.approx(value, rel=1e-12, abs=0)
    close(losses.binary_cross_entropy_grad(p, y), grad, rtol=1e-10)


def test_binary_cross_entropy_at_certain_wrong_answers_follows_the_course_not_torch():
    # A convention, not a bug: nncourse clips p to [eps, 1 - eps] (losses module docstring), so a
    # certain wrong answer costs -log(eps) ~ 36.04; torch clamps each log at -100 and charges 100.
    p, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])
    assert losses.binary_cross_entropy(p, y) == pytest.approx(-np.log(EPS), rel=1e-12)
    assert F.binary_cross_entropy(tt(p), tt(y)).item() == pytest.approx(100.0)


@pytest.mark.parametrize("soft", [False, True], ids=["labels", "soft"])
@pytest.mark.parametrize("shape", [(12,), (12, 1), (12, 3)])
def test_binary_cross_entropy_with_logits_and_fused_gradient_match_torch(rng, shape, soft):
    z = rng.normal(scale=5.0, size=shape)
    z.flat[:6] = [1000.0, -1000.0, 50.0, -50.0, 0.0, 745.0]
    y = binary_targets(rng, shape, soft)
    value, (grad, _) = autograd(F.binary_cross_entropy_with_logits, z, y)
    with no_float_errors():
        mine = losses.binary_cross_entropy_with_logits(z, y)
        mine_grad = losses.binary_cross_entropy_with_logits_grad(z, y)
    assert mine == pytest.approx(value, rel=1e-13, abs=0)
    # (sigma(z) - y)/N against autograd through torch's own loss
    close(mine_grad, grad, rtol=1e-12, atol=1e-17)


def class_problem(rng, n=9, k=4, extreme=True):
    Z = rng.normal(scale=3.0, size=(n, k))
    if extreme:
        Z[0] = [1000.0, -1000.0, 0.0, 500.0]
        Z[1] = [-1000.0, -1000.0, -1000.0, -999.0]
    y = rng.integers(0, k, size=n)
    y[:2] = [1, 0]  # the extreme rows get a wrong label: a large, finite loss
    return Z, y


def soft_targets(rng, n, k):
    return rng.dirichlet(np.ones(k), size=n)


@pytest.mark.parametrize("target", ["labels", "one_hot", "soft"])
def test_cross_entropy_with_logits_and_fused_gradient_match_torch(rng, target):
    Z, y = class_problem(rng)
    n, k = Z.shape
    if target == "labels":
        mine_y, gold_y = y, torch.tensor(y, dtype=torch.long)
    elif target == "one_hot":
        mine_y = losses.one_hot(y, k)
        gold_y = tt(mine_y)  # torch accepts class probabilities as the target of cross_entropy
    else:
        mine_y = soft_targets(rng, n, k)
        gold_y = tt(mine_y)
    Zt = tt(Z, requires_grad=True)
    gold = F.cross_entropy(Zt, gold_y, reduction="mean")
    gold.backward()
    with no_float_errors():
        value = losses.cross_entropy_with_logits(Z, mine_y)
        grad = losses.softmax_cross_entropy_grad(Z, mine_y)
    assert value == pytest.approx(gold.item(), rel=1e-13, abs=0)
    close(grad, Zt.grad, atol=1e-17)  # (P - Y)/n


@pytest.mark.parametrize("target", ["labels", "one_hot"])
def test_cross_entropy_from_probabilities_matches_torch(rng, target):
    Z, y = class_problem(rng, extreme=False)
    P = activations.softmax(Z)
    k = Z.shape[1]
    mine_y = y if target == "labels" else losses.one_hot(y, k)
    labels = torch.tensor(y, dtype=torch.long)
    value, (grad,) = autograd(lambda Pt: F.nll_loss(torch.log(Pt), labels), P)
    assert losses.cross_entropy(P, mine_y) == pytest.approx(value, rel=1e-13, abs=0)
    close(losses.cross_entropy_grad(P, mine_y), grad)


def test_one_hot_matches_torch(rng):
    y = rng.integers(0, 5, size=11)
    gold = F.one_hot(torch.tensor(y), num_classes=7)
    mine = losses.one_hot(y, 7)
    assert mine.dtype == np.float64
    assert np.array_equal(mine, npy(gold))


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_fused_gradient_equals_autograd_through_the_output_function(rng, name):
    # LOSSES[name].grad(Z, y) is dL/dZ for L = data loss of g_out(Z): autograd through torch's
    # output function (softmax, sigmoid, identity) and a loss on the *outputs* must agree.
    Z, labels = class_problem(rng, extreme=False)
    spec = losses.get_loss(name)
    out_fn = {"softmax": lambda t: torch.softmax(t, dim=1), "sigmoid": torch.sigmoid, "linear": lambda t: t}
    if name == "softmax_cross_entropy":
        y = labels
        gold_loss = lambda A: F.nll_loss(torch.log(A), torch.tensor(labels))  # noqa: E731
    elif name == "binary_cross_entropy":
        y = binary_targets(rng, Z.shape, soft=False)
        gold_loss = lambda A: F.binary_cross_entropy(A, tt(y))  # noqa: E731
    else:
        y = rng.normal(size=Z.shape)
        gold_loss = lambda A: F.mse_loss(A, tt(y))  # noqa: E731
    value, (grad,) = autograd(lambda t: gold_loss(out_fn[spec.output](t)), Z)
    assert spec.value(Z, y) == pytest.approx(value, rel=1e-12, abs=0)
    close(spec.grad(Z, y), grad, rtol=1e-11, atol=1e-16)


# --------------------------------------------------------------------------- #
# Backward pass
# --------------------------------------------------------------------------- #

def test_dense_forward_and_backward_match_torch_autograd(rng):
    # Convention: the course's W is (n_in, n_out) with Z = X @ W + b; torch.nn.Linear stores
    # its weight as (n_out, n_in), i.e. our W transposed, so F.linear gets W.T.
    X, W, b = rng.normal(size=(6, 4)), rng.normal(size=(4, 3)), rng.normal(size=3)
    dZ = rng.normal(size=(6, 3))
    Xt, Wt_torch_layout, bt = tt(X, True), tt(W.T, True), tt(b, True)
    Zt = F.linear(Xt, Wt_torch_layout, bt)
    Zt.backward(tt(dZ))
    Z, cache = layers.dense_forward(X, W, b)
    close(Z, Zt)
    dX, dW, db = backprop.dense_backward(dZ, cache)
    close(dX, Xt.grad)
    close(dW, Wt_torch_layout.grad.T)
    close(db, bt.grad)


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS) + ["softmax"])
def test_activation_backward_matches_torch_autograd(rng, name):
    Z = rng.normal(scale=3.0, size=(5, 4))
    dA = rng.normal(size=Z.shape)
    fn = (lambda t: torch.softmax(t, dim=-1)) if name == "softmax" else TORCH_ACTIVATIONS[name]
    Zt = tt(Z, requires_grad=True)
    fn(Zt).backward(tt(dA))
    A, cache = layers.activation_forward(Z, name)
    close(A, fn(tt(Z)))
    close(backprop.activation_backward(dA, cache), Zt.grad, atol=1e-15)


HIDDEN = {name: TORCH_ACTIVATIONS[name] for name in layers.HIDDEN}
SIZES = [5, 7, 6]  # inputs and two hidden layers; the output size depends on the loss


def network_problem(rng, loss, target):
    # One sigmoid output (the usual binary case), two linear outputs, four classes.
    n, n_out = 11, {"binary_cross_entropy": 1, "mse": 2, "softmax_cross_entropy": 4}[loss]
    sizes = SIZES + [n_out]
    # Random biases too (init_params starts them at 0, which would hide a missing db).
    params = [(rng.normal(scale=0.6, size=(a, b)), rng.normal(scale=0.3, size=b)) for a, b in zip(sizes, sizes[1:])]
    X = rng.normal(size=(n, sizes[0]))
    if loss == "mse":
        y = rng.normal(size=(n, n_out))
    elif loss == "binary_cross_entropy":
        y = rng.integers(0, 2, size=(n, n_out)).astype(np.float64)
    else:
        y = rng.integers(0, n_out, size=n)
        if target == "one_hot":
            y = losses.one_hot(y, n_out)
    return params, X, y


def torch_network(params, X, y, activation, loss, l2, l1, masks=None):
    """The same network and regularised loss, written in torch: (loss, output, [(dW, db), ...]).

    ``masks``: one scaled dropout mask per hidden layer, multiplied into its activation.
    """
    tparams = [(tt(W, True), tt(b, True)) for W, b in params]
    A = tt(X)
    for layer, (W, b) in enumerate(tparams):
        Z = A @ W + b
        if layer < len(tparams) - 1:
            A = HIDDEN[activation](Z)
            if masks is not None:
                A = A * tt(masks[layer])
    if loss == "mse":
        data, output = F.mse_loss(Z, tt(y)), Z
    elif loss == "binary_cross_entropy":
        data, output = F.binary_cross_entropy_with_logits(Z, tt(y)), torch.sigmoid(Z)
    else:
        target = torch.tensor(y, dtype=torch.long) if y.ndim == 1 else tt(y)
        data, output = F.cross_entropy(Z, target), torch.softmax(Z, dim=1)
    # The README's "Notation" section: (l2 / 2) * sum ||W||^2 + l1 * sum |W|, weights only (biases are not penalised)
    penalty = sum(l2 / 2 * (W ** 2).sum() + l1 * W.abs().sum() for W, _ in tparams)
    total = data + penalty
    total.backward()
    return total.item(), output, [(W.grad, b.grad) for W, b in tparams]


@pytest.mark.parametrize("l2,l1", [(0.0, 0.0), (0.1, 0.03)], ids=["plain", "l2+l1"])
@pytest.mark.parametrize("loss,target", [("mse", None), ("binary_cross_entropy", None),
                                         ("softmax_cross_entropy", "labels"),
                                         ("softmax_cross_entropy", "one_hot")])
@pytest.mark.parametrize("activation", sorted(HIDDEN))
def test_loss_and_grads_of_a_three_layer_network_match_torch_autograd(rng, activation, loss, target, l2, l1):
    params, X, y = network_problem(rng, loss, target)
    before = [(W.copy(), b.copy()) for W, b in params]
    gold_loss, gold_out, gold_grads = torch_network(params, X, y, activation, loss, l2, l1)
    value, grads = loss_and_grads(params, X, y, activation=activation, loss=loss, l2=l2, l1=l1)
    assert isinstance(value, float)
    assert value == pytest.approx(gold_loss, rel=1e-12, abs=0)
    assert len(grads) == len(params)
    for (dW, db), (gW, gb) in zip(grads, gold_grads):
        close(dW, gW, rtol=1e-10, atol=1e-14)
        close(db, gb, rtol=1e-10, atol=1e-14)
    out, _ = layers.forward(params, X, activation=activation, output=losses.get_loss(loss).output)
    close(out, gold_out)
    for (W, b), (W0, b0) in zip(params, before):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)


# --------------------------------------------------------------------------- #
# Optimisers over several steps
# --------------------------------------------------------------------------- #

N_STEPS = 6
LR_CHANGE_AT = 4  # lr is halved before this step, as a schedule would do


def objective(tensors):
    """A small non-convex loss of parameters [W1, b1, W2, b2]; its gradient changes every step."""
    W1, b1, W2, b2 = tensors
    X = tt(np.linspace(-1.0, 1.0, 15).reshape(5, 3))
    y = tt(np.array([[0.5], [-0.2], [0.1], [0.9], [-0.7]]))
    return F.mse_loss(torch.tanh(X @ W1 + b1) @ W2 + b2, y) + 0.1 * (W1 ** 4).sum()


def grads_at(arrays):
    """Gradient of :func:`objective` at numpy parameters, from torch autograd (new arrays)."""
    ts = [tt(a, requires_grad=True) for a in arrays]
    objective(ts).backward()
    return [npy(t.grad).copy() for t in ts]


def initial_params():
    rng = np.random.default_rng(7)
    return [rng.normal(size=(3, 4)), rng.normal(scale=0.1, size=4), rng.normal(size=(4, 1)),
            rng.normal(scale=0.1, size=1)]


# name: (nncourse class and kwargs, torch.optim class and kwargs). eps = 1e-3 is large on
# purpose, so that eps inside instead of outside the square root would show.
OPTIMISERS = {
    "sgd": ((optim.SGD, dict(lr=0.1)), (torch.optim.SGD, dict(lr=0.1))),
    "momentum": ((optim.Momentum, dict(lr=0.05, beta=0.9)),
                 (torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0))),
    "nesterov": ((optim.Momentum, dict(lr=0.05, beta=0.8, nesterov=True)),
                 (torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0, nesterov=True))),
    # torch calls RMSProp's decay rate alpha (default 0.99); ours is rho.
    "rmsprop": ((optim.RMSProp, dict(lr=0.01, rho=0.9, eps=1e-3)),
                (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-3))),
    "adam": ((optim.Adam, dict(lr=0.02, beta1=0.9, beta2=0.999, eps=1e-8)),
             (torch.optim.Adam, dict(lr=0.02, betas=(0.9, 0.999), eps=1e-8))),
    "adam_other_betas": ((optim.Adam, dict(lr=0.02, beta1=0.7, beta2=0.95, eps=1e-3)),
                         (torch.optim.Adam, dict(lr=0.02, betas=(0.7, 0.95), eps=1e-3))),
}


def torch_trajectory(name):
    cls, kwargs = OPTIMISERS[name][1]
    ts = [tt(a, requires_grad=True) for a in initial_params()]
    opt = cls(ts, **kwargs)
    path = []
    for step in range(N_STEPS):
        if step == LR_CHANGE_AT:
            for group in opt.param_groups:
                group["lr"] /= 2
        opt.zero_grad()
        objective(ts).backward()
        opt.step()
        path.append([npy(t).copy() for t in ts])
    return path


def class_trajectory(name):
    cls, kwargs = OPTIMISERS[name][0]
    W1, b1, W2, b2 = initial_params()
    params = [(W1, b1), (W2, b2)]  # the (W, b) pairs the training loop passes
    opt = cls(**kwargs)
    path = []
    for step in range(N_STEPS):
        if step == LR_CHANGE_AT:
            opt.lr /= 2
        g = grads_at([W1, b1, W2, b2])
        opt.step(params, [(g[0], g[1]), (g[2], g[3])])
        path.append([a.copy() for a in (W1, b1, W2, b2)])
    return path


def pure_trajectory(name):
    """The same steps with the pure update functions, one state per parameter array."""
    kwargs = OPTIMISERS[name][0][1]
    lr = kwargs["lr"]
    arrays = initial_params()
    state = [{"v": np.zeros_like(a), "s": np.zeros_like(a), "m": np.zeros_like(a), "t": 0} for a in arrays]
    path = []
    for step in range(N_STEPS):
        if step == LR_CHANGE_AT:
            lr /= 2
        new = []
        for a, g, st in zip(arrays, grads_at(arrays), state):
            if name == "sgd":
                a = optim.gd_update(a, g, lr)
            elif name == "momentum":
                a, st["v"] = optim.momentum_update(a, g, st["v"], lr, beta=kwargs["beta"])
            elif name == "rmsprop":
                a, st["s"] = optim.rmsprop_update(a, g, st["s"], lr, rho=kwargs["rho"], eps=kwargs["eps"])
            else:
                a, st["m"], st["v"], st["t"] = optim.adam_update(a, g, st["m"], st["v"], st["t"], lr=lr,
                                                                 beta1=kwargs["beta1"], beta2=kwargs["beta2"],
                                                                 eps=kwargs["eps"])
            new.append(a)
        arrays = new
        path.append([a.copy() for a in arrays])
    return path


def assert_same_path(mine, gold, rtol, atol):
    assert len(mine) == len(gold) == N_STEPS
    for step, (m, g) in enumerate(zip(mine, gold), start=1):
        for i, (a, b) in enumerate(zip(m, g)):
            assert a.shape == b.shape
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"step {step}, parameter {i}")


def test_the_objective_moves_the_parameters():
    # Negative control for the comparisons below: a path that stood still would match anything.
    path = torch_trajectory("sgd")
    start = initial_params()
    assert all(np.max(np.abs(a - b)) > 1e-3 for a, b in zip(path[-1], start))
    assert np.max(np.abs(path[-1][0] - path[-2][0])) > 1e-4


@pytest.mark.parametrize("name", sorted(OPTIMISERS))
def test_optimiser_class_matches_torch_optim(name):
    assert_same_path(class_trajectory(name), torch_trajectory(name), rtol=1e-11, atol=1e-13)


PURE = ["sgd", "momentum", "rmsprop", "adam", "adam_other_betas"]


@pytest.mark.parametrize("name", PURE)
def test_pure_update_functions_match_torch_optim(name):
    assert_same_path(pure_trajectory(name), torch_trajectory(name), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("name", PURE)
def test_pure_update_functions_match_the_classes(name):
    # Same arithmetic in another order at most (Adam folds the bias correction into a factor).
    assert_same_path(pure_trajectory(name), class_trajectory(name), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("activation", sorted(HIDDEN))
def test_loss_and_grads_with_dropout_match_torch_with_the_same_masks(rng, activation):
    # The masks are read from nncourse.forward run with an identically seeded generator: the
    # same forward pass loss_and_grads makes. Torch then backpropagates through those masks.
    params, X, y = network_problem(rng, "softmax_cross_entropy", "labels")
    _, cache = layers.forward(params, X, activation=activation, output="softmax", drop_prob=0.4,
                              rng=np.random.default_rng(3), training=True)
    masks = [c.dropout for c in cache[:-1]]
    assert all(m is not None and np.any(m == 0) for m in masks)
    gold_loss, _, gold_grads = torch_network(params, X, y, activation, "softmax_cross_entropy", 0.05, 0.0, masks)
    value, grads = loss_and_grads(params, X, y, activation=activation, loss="softmax_cross_entropy", l2=0.05,
                                  drop_prob=0.4, rng=np.random.default_rng(3))
    assert value == pytest.approx(gold_loss, rel=1e-12, abs=0)
    for (dW, db), (gW, gb) in zip(grads, gold_grads):
        close(dW, gW, rtol=1e-10, atol=1e-14)
        close(db, gb, rtol=1e-10, atol=1e-14)
