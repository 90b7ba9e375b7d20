"""Lessons 06 and 08: the training loop, predictions and accuracy.

:func:`train` is the loop the lessons build by hand, packaged: shuffle, split
into mini-batches, forward, loss from the logits, fused gradient, backward,
penalties, optimiser step; after every epoch record the training and
validation loss and accuracy, apply the learning-rate schedule, and let early
stopping decide. It works in the parameters' dtype end to end (float32 when
given float32 parameters and data) and validates its inputs once, not per
batch, so a numpy network trains at the speed of its matrix products.

Not here: callbacks, checkpoints to disk, distributed anything.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np

from . import backprop as _backprop
from . import layers as _layers
from . import losses as _losses
from . import optim as _optim
from . import regularization as _reg
from ._validation import (as_float_array, as_labels, check_choice, check_int, check_positive,
                          check_probability)

__all__ = ["train", "History", "predict", "predict_classes", "accuracy", "evaluate"]


@dataclass
class History:
    """What :func:`train` returns: per-epoch curves and the trained parameters.

    Attributes
    ----------
    train_loss, val_loss : list of float
        ``train_loss`` is the mean of the epoch's mini-batch losses (penalties
        included, dropout active); ``val_loss`` is computed after the epoch in
        evaluation mode (no dropout), penalties included.
    train_acc, val_acc : list of float
        Accuracies (classification losses only; empty for ``"mse"``).
    lr : list of float, the learning rate used in each epoch
    params : list of (W, b), the trained parameters (the best epoch's with early stopping)
    best_epoch : int or None, the epoch whose parameters were kept by early stopping
    stopped_epoch : int, the last epoch run (0-based)

    ``history["val_loss"]`` works as well as ``history.val_loss``.
    """

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    params: list = field(default_factory=list)
    best_epoch: int | None = None
    stopped_epoch: int = -1

    def __getitem__(self, key: str):
        if key not in self.as_dict():
            raise KeyError(f"{key!r}; history keys are {', '.join(self.as_dict())}")
        return getattr(self, key)

    def keys(self):
        return self.as_dict().keys()

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("train_loss", "train_acc", "val_loss", "val_acc", "lr",
                                              "best_epoch", "stopped_epoch")}


def predict(params, X, *, activation: str = "relu", loss: str = "softmax_cross_entropy") -> np.ndarray:
    """The network's output for ``X``: probabilities (classification) or values (``"mse"``)."""
    out, _ = _layers.forward(params, X, activation=activation, output=_losses.get_loss(loss).output)
    return out


def predict_classes(params, X, *, activation: str = "relu", loss: str = "softmax_cross_entropy") -> np.ndarray:
    """Predicted class labels ``(n_samples,)``: arg-max of softmax, or ``p >= 0.5`` for a sigmoid output."""
    if loss == "mse":
        raise ValueError("loss='mse' is regression: there are no classes to predict")
    out = predict(params, X, activation=activation, loss=loss)
    return _classes(out, loss)


def _classes(out: np.ndarray, loss: str) -> np.ndarray:
    if loss == "binary_cross_entropy":
        return (out[:, 0] >= 0.5).astype(np.int64) if out.shape[1] == 1 else (out >= 0.5).astype(np.int64)
    return np.argmax(out, axis=1)


def _true_classes(y, loss: str) -> np.ndarray:
    y = np.asarray(y)
    if loss == "softmax_cross_entropy" and y.ndim == 2:
        return np.argmax(y, axis=1)
    if loss == "binary_cross_entropy":
        return (y[:, 0] >= 0.5).astype(np.int64) if y.ndim == 2 and y.shape[1] == 1 else (y >= 0.5).astype(np.int64)
    return y


def accuracy(y_true, y_pred) -> float:
    """Fraction of correct predictions.

    Parameters
    ----------
    y_true : int array (n,) of labels
    y_pred : int array (n,) of predicted labels, or an (n, k) array of class
        scores/probabilities (its arg-max is taken)
    """
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true)
    if y_pred.ndim == 2:
        y_pred = np.argmax(y_pred, axis=1)
    if y_true.ndim != 1 or y_pred.shape != y_true.shape:
        raise ValueError(f"y_true must have shape (n,) and y_pred (n,) or (n, k); got {y_true.shape} and {y_pred.shape}")
    if y_true.size == 0:
        raise ValueError("accuracy of zero samples is undefined")
    return float(np.mean(y_true == y_pred))


def evaluate(params, X, y, *, activation: str = "relu", loss: str = "softmax_cross_entropy",
             l2: float = 0.0, l1: float = 0.0) -> tuple[float, float | None]:
    """Loss (penalties included) and accuracy (None for ``"mse"``) in evaluation mode."""
    spec = _losses.get_loss(loss)
    out, cache = _layers.forward(params, X, activation=activation, output=spec.output)
    return _evaluate_cached(params, out, cache, y, spec, l2, l1)


def _evaluate_cached(params, out, cache, y, spec, l2, l1):
    value = spec.value(cache[-1].activation[0], y)
    if l2 or l1:
        value += _reg.l2_penalty(params, l2) + _reg.l1_penalty(params, l1)
    acc = None if spec.name == "mse" else float(np.mean(_classes(out, spec.name) == _true_classes(y, spec.name)))
    return float(value), acc


def _check_targets(y, n: int, n_out: int, loss: str, name: str):
    if loss == "softmax_cross_entropy":
        y_arr = np.asarray(y)
        if y_arr.ndim == 1:
            return as_labels(y_arr, name, n, n_out)
        if y_arr.shape != (n, n_out):
            raise ValueError(f"{name} must be labels ({n},) or one-hot ({n}, {n_out}), got {y_arr.shape}")
        return as_float_array(y_arr, name)
    y_arr = as_float_array(y, name)
    if y_arr.shape != (n, n_out):
        raise ValueError(f"{name} must have the network output's shape ({n}, {n_out}) for loss={loss!r}, "
                         f"got {y_arr.shape}" + (" (reshape with y.reshape(-1, 1))" if y_arr.shape == (n,) else ""))
    return y_arr


def train(params, X, y, *, loss: str = "softmax_cross_entropy", activation: str = "relu", optimizer="sgd",
          lr: float = 0.1, epochs: int = 10, batch_size: int = 32, seed=0, X_val=None, y_val=None,
          l2: float = 0.0, l1: float = 0.0, drop_prob: float = 0.0, schedule=None, early_stopping=None,
          progress=False, out=None) -> History:
    """Train a fully connected network with mini-batch gradient descent.

    Parameters
    ----------
    params : list of (W, b), from :func:`nncourse.init_params`; not modified
        (training works on a copy, returned as ``history.params``)
    X : array, shape (n_samples, n_0)
    y : targets, as for :func:`nncourse.loss_and_grads`
    loss : {"mse", "binary_cross_entropy", "softmax_cross_entropy"}
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, hidden layers
    optimizer : {"sgd", "momentum", "rmsprop", "adam"} or an :class:`nncourse.optim.Optimizer`
        A name is created with ``lr`` and its defaults.
    lr : float > 0, the learning rate (ignored when ``optimizer`` is an instance)
    epochs : int >= 1
    batch_size : int >= 1 (capped at n_samples)
    seed : int or np.random.Generator, for the shuffles and dropout masks
    X_val, y_val : validation data (optional; needed for early stopping)
    l2, l1 : penalty strengths on the weights
    drop_prob : inverted dropout on hidden layers during training
    schedule : callable epoch -> lr (see :mod:`nncourse.optim`), optional
    early_stopping : int (patience) or :class:`nncourse.regularization.EarlyStopping`, optional;
        the best epoch's parameters are restored at the end
    progress : bool or int
        Print a line of metrics every epoch (True) or every ``progress`` epochs.
    out : file-like for the progress lines (default ``sys.stdout``)

    Returns
    -------
    History
    """
    params = [(np.array(W), np.array(b)) for W, b in _layers.validate_params(params)]
    spec = _losses.get_loss(loss)
    check_choice(activation, "activation", _layers.HIDDEN)
    dtype = params[0][0].dtype
    X = as_float_array(X, "X", ndim=2)
    if X.shape[1] != params[0][0].shape[0]:
        raise ValueError(f"X has {X.shape[1]} features per sample but the network expects {params[0][0].shape[0]}")
    n, n_out = X.shape[0], params[-1][0].shape[1]
    y = _check_targets(y, n, n_out, loss, "y")
    if X.dtype != dtype:
        X = X.astype(dtype)
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val = as_float_array(X_val, "X_val", ndim=2).astype(dtype, copy=False)
        if X_val.shape[1] != X.shape[1]:
            raise ValueError(f"X_val has {X_val.shape[1]} features, X has {X.shape[1]}")
        y_val = _check_targets(y_val, X_val.shape[0], n_out, loss, "y_val")
    epochs = check_int(epochs, "epochs")
    batch_size = min(check_int(batch_size, "batch_size"), n)
    l2 = check_positive(l2, "l2", allow_zero=True)
    l1 = check_positive(l1, "l1", allow_zero=True)
    drop_prob = check_probability(drop_prob, "drop_prob")
    if isinstance(optimizer, str):
        opt = _optim.get_optimizer(optimizer, lr=check_positive(lr, "lr"))
    elif isinstance(optimizer, _optim.Optimizer):
        opt = optimizer
    else:
        raise TypeError(f"optimizer must be a name or an nncourse.optim.Optimizer, got {type(optimizer).__name__}")
    if schedule is not None and not callable(schedule):
        raise TypeError("schedule must be a function epoch -> learning rate")
    if early_stopping is not None:
        if X_val is None:
            raise ValueError("early_stopping needs validation data: pass X_val and y_val")
        if not isinstance(early_stopping, _reg.EarlyStopping):
            early_stopping = _reg.EarlyStopping(patience=early_stopping)
    every = 0 if progress is False else (1 if progress is True else check_int(progress, "progress"))
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_int(seed, "seed", minimum=0))
    out = sys.stdout if out is None else out

    history = History()
    classify = loss != "mse"
    # Softmax cross-entropy with integer labels (the common case) takes the loss, the probabilities
    # and the fused gradient from one exponential: the forward pass stops at the logits.
    fused_softmax = loss == "softmax_cross_entropy" and y.ndim == 1
    for epoch in range(epochs):
        if schedule is not None:
            opt.lr = check_positive(schedule(epoch), "schedule(epoch)")
        history.lr.append(float(opt.lr))
        total_loss, total_correct = 0.0, 0
        for idx in _optim.minibatches(n, batch_size, rng=rng):
            Xb, yb = X[idx], y[idx]
            A, cache = _layers._forward(params, Xb, activation, "linear" if fused_softmax else spec.output,
                                        drop_prob, rng)
            logits = cache[-1].activation[0]
            if not np.all(np.isfinite(logits)):
                raise FloatingPointError(f"the network's outputs overflowed to inf/NaN in epoch {epoch}: "
                                         "training diverged; lower the learning rate")
            if fused_softmax:
                batch_loss, A, dZ = _softmax_cross_entropy_step(logits, yb)
            else:
                batch_loss, dZ = spec.value(logits, yb), spec.grad(logits, yb)
            grads = _backprop._backward(dZ, cache)
            if l2 or l1:
                batch_loss += _reg.l2_penalty(params, l2) + _reg.l1_penalty(params, l1)
                # The penalties' gradients (7.2), (7.3), added in place to the fresh dW arrays.
                for (W, _), (dW, _) in zip(params, grads):
                    if l2:
                        dW += l2 * W
                    if l1:
                        dW += l1 * np.sign(W)
            if not np.isfinite(batch_loss):
                raise FloatingPointError(f"the loss became {batch_loss} in epoch {epoch}: training diverged; "
                                         "lower the learning rate")
            opt.step(params, grads)
            total_loss += batch_loss * idx.size
            if fused_softmax:
                total_correct += int(np.count_nonzero(A.argmax(axis=1) == yb))
            elif classify:
                total_correct += int(np.sum(_classes(A, loss) == _true_classes(yb, loss)))
        history.train_loss.append(total_loss / n)
        if classify:
            history.train_acc.append(total_correct / n)
        if X_val is not None:
            out_val, cache_val = _layers._forward(params, X_val, activation, spec.output, 0.0, None)
            v_loss, v_acc = _evaluate_cached(params, out_val, cache_val, y_val, spec, l2, l1)
            history.val_loss.append(v_loss)
            if classify:
                history.val_acc.append(v_acc)
        history.stopped_epoch = epoch
        if every and (epoch % every == 0 or epoch == epochs - 1):
            out.write(_progress_line(history, epoch, epochs) + "\n")
        if early_stopping is not None and early_stopping.update(epoch, history.val_loss[-1], params):
            if every:
                out.write(f"early stopping after epoch {epoch + 1}: best epoch {early_stopping.best_epoch + 1}\n")
            break
    if early_stopping is not None and early_stopping.best_params is not None:
        params = early_stopping.best_params
        history.best_epoch = early_stopping.best_epoch
    history.params = params
    return history


def _softmax_cross_entropy_step(Z, labels):
    """Loss (4.9), probabilities and fused gradient (4.10) of one batch, from one exponential.

    The same arithmetic, operation for operation, as
    :func:`~nncourse.losses.cross_entropy_with_logits`, the softmax and
    :func:`~nncourse.losses.softmax_cross_entropy_grad` (so the results are
    identical to the last bit), without computing the exponentials three times,
    building a one-hot matrix or validating the batch again: :func:`train`
    checked the labels once.

    Parameters
    ----------
    Z : array, shape (n, k), the logits
    labels : int array, shape (n,)

    Returns
    -------
    loss : float
    P : array, shape (n, k), the softmax probabilities
    dZ : array, shape (n, k), :math:`(P - Y)/n`
    """
    n = Z.shape[0]
    rows = np.arange(n)
    m = Z.max(axis=1, keepdims=True)
    e = np.exp(Z - m)
    s = e.sum(axis=1, keepdims=True)
    loss = float((m[:, 0] + np.log(s[:, 0]) - Z[rows, labels]).mean())
    P = e / s
    dZ = P.copy()
    dZ[rows, labels] -= 1
    dZ /= n
    return loss, P, dZ


def _progress_line(history: History, epoch: int, epochs: int) -> str:
    width = len(str(epochs))
    parts = [f"epoch {epoch + 1:>{width}}/{epochs}", f"loss {history.train_loss[-1]:.4f}"]
    if history.train_acc:
        parts.append(f"acc {history.train_acc[-1]:.3f}")
    if history.val_loss:
        parts.append(f"val_loss {history.val_loss[-1]:.4f}")
    if history.val_acc:
        parts.append(f"val_acc {history.val_acc[-1]:.3f}")
    return "  ".join(parts)
