"""Lessons 06 and 08: the training loop, predictions and accuracy.

:func:`train` is the loop the lessons build by hand, packaged, in three steps
(scikit-learn's MLP splits its ``fit`` the same way):

1. :func:`_prepare` validates every argument once and gathers the settings of
   the run (copies of the parameters, the optimiser and early stopping reset
   for this run, the random generator);
2. :func:`_run_epoch` shuffles, splits into mini-batches and, per batch, takes
   the loss and gradients from :func:`nncourse.backprop._loss_and_grads` (the
   forward pass to the logits, the loss kernel with its fused gradient, the
   backward pass, the penalties) and lets the optimiser step;
3. :func:`_end_epoch` records the validation loss and accuracy, prints
   progress and asks early stopping whether to stop.

It works in the parameters' dtype end to end (float32 when given float32
parameters) and validates its inputs once, not per batch, so a numpy network
trains at the speed of its matrix products. A run that diverges (the loss or
the parameters become inf/NaN) stops with a ``ValueError`` that says so.

Not here: callbacks, checkpoints to disk, distributed anything.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from . import backprop as _backprop
from . import layers as _layers
from . import losses as _losses
from . import optim as _optim
from . import regularization as _reg
from ._validation import (as_float_array, as_labels, as_params, as_real_array, check_bool, check_choice,
                          check_finite_result, check_int, check_positive, check_probability, check_product,
                          reports_overflow, rng_from_seed)

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


@reports_overflow
def predict(params, X, *, activation: str = "relu", loss: str = "softmax_cross_entropy") -> np.ndarray:
    """The network's output for ``X``: probabilities (classification) or values (``"mse"``)."""
    check_choice(loss, "loss", tuple(_losses.LOSSES))
    out, _ = _layers.forward(params, X, activation=activation, output=_losses.LOSSES[loss].output)
    return out


@reports_overflow
def predict_classes(params, X, *, activation: str = "relu", loss: str = "softmax_cross_entropy") -> np.ndarray:
    """Predicted class labels ``(n_samples,)``: arg-max of softmax, or ``p >= 0.5`` for a sigmoid output.

    With ``loss="binary_cross_entropy"`` the network must have a single
    output: several sigmoid outputs are several independent yes/no answers,
    not one class per sample (threshold ``predict(...) >= 0.5`` for those).
    """
    check_choice(loss, "loss", tuple(_losses.LOSSES))
    if loss == "mse":
        raise ValueError("loss='mse' is regression: there are no classes to predict")
    n_out = as_params(params)[-1][0].shape[1]
    if loss == "binary_cross_entropy" and n_out != 1:
        raise ValueError(f"predict_classes with loss='binary_cross_entropy' needs a network with one output, "
                         f"this one has {n_out}; for several independent labels use predict(...) >= 0.5")
    return _classes(predict(params, X, activation=activation, loss=loss), loss)


def _classes(out: np.ndarray, loss: str) -> np.ndarray:
    """Classes from a network's output: ``p >= 0.5`` per sigmoid output, else the arg-max of each row."""
    if loss == "binary_cross_entropy":
        classes = (out >= 0.5).astype(np.int64)
        return classes[:, 0] if classes.shape[1] == 1 else classes
    return np.argmax(out, axis=1)


def _true_classes(y: np.ndarray, loss: str) -> np.ndarray:
    """Classes from validated targets, comparable with :func:`_classes` of the output."""
    if loss == "binary_cross_entropy":
        return _classes(y, loss)
    return np.argmax(y, axis=1) if y.ndim == 2 else y


def accuracy(y_true, y_pred) -> float:
    """Fraction of correct predictions.

    Parameters
    ----------
    y_true : int array (n,) of labels
    y_pred : int array (n,) of predicted labels, or an (n, k) array of class
        scores/probabilities with k >= 2 (its arg-max is taken). One column of
        sigmoid probabilities (n, 1) is refused: turn it into labels first with
        ``(p[:, 0] >= 0.5).astype(int)`` (or use ``predict_classes``).
    """
    y_true = as_real_array(y_true, "y_true")
    if y_true.ndim != 1:
        raise ValueError(f"y_true must be a 1-D array of labels, shape (n,), got shape {y_true.shape}")
    n = y_true.shape[0]
    if n == 0:
        raise ValueError("y_true is empty: the accuracy of zero samples is undefined")
    y_pred = as_real_array(y_pred, "y_pred")
    if y_pred.ndim == 2:
        if y_pred.shape[0] != n:
            raise ValueError(f"y_pred must have one row per label of y_true ({n}), got shape {y_pred.shape}")
        if y_pred.shape[1] < 2:
            raise ValueError(f"y_pred of shape {y_pred.shape} has one column: for one sigmoid output use "
                             "(p[:, 0] >= 0.5).astype(int) as y_pred, or predict_classes(...); (n,) and (n, 1) "
                             "are different shapes")
        k = y_pred.shape[1]
        y_true = as_labels(y_true, "y_true", n, k, classes_of=f"y_pred with {k} columns")
        predicted = np.argmax(as_float_array(y_pred, "y_pred"), axis=1)
    else:
        y_true = as_labels(y_true, "y_true", n)
        predicted = as_labels(y_pred, "y_pred", n, rows_of="y_true")
    return _accuracy(y_true, predicted)


def _accuracy(true_classes: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(true_classes == predicted))


@reports_overflow
def evaluate(params, X, y, *, activation: str = "relu", loss: str = "softmax_cross_entropy",
             l2: float = 0.0, l1: float = 0.0) -> tuple[float, float | None]:
    """Loss (penalties included) and accuracy (None for ``"mse"``) in evaluation mode."""
    params, X, y, l2, l1 = _backprop._network_inputs(params, X, y, activation, loss, l2, l1)
    value, acc, cache = _evaluate(params, X, y, activation, loss, l2, l1)
    _layers._check_pre_activations(cache)
    check_finite_result(value, "the loss", "X, y and params")
    return value, acc


def _evaluate(params, X, y, activation, loss, l2, l1):
    """:func:`evaluate` without validation; also returns the forward pass's cache."""
    logits, cache = _layers._forward(params, X, activation, "linear", 0.0, None)
    value, out, _ = _losses._KERNELS[loss](logits, y)
    value += _reg._penalty(params, l2, l1)  # 0.0 without penalties
    acc = None if loss == "mse" else _accuracy(_true_classes(y, loss), _classes(out, loss))
    return float(value), acc, cache


@dataclass
class _Run:
    """The settings of one training run, validated once by :func:`_prepare`."""

    params: list  # copies of the caller's parameters, trained in place
    arrays: list  # the same arrays, flat: what the optimiser steps
    X: np.ndarray
    y: np.ndarray
    classes: np.ndarray | None  # the true class of every training sample (None for "mse")
    X_val: np.ndarray | None
    y_val: np.ndarray | None
    loss: str
    activation: str
    optimizer: _optim.Optimizer
    epochs: int
    batch_size: int
    l2: float
    l1: float
    drop_prob: float
    schedule: object
    early_stopping: _reg.EarlyStopping | None
    every: int  # print progress every this many epochs (0: never)
    out: object
    rng: np.random.Generator


@reports_overflow
def train(params, X, y, *, loss: str = "softmax_cross_entropy", activation: str = "relu", optimizer="sgd",
          lr: float = 0.1, epochs: int = 10, batch_size: int = 32, seed=0, X_val=None, y_val=None,
          l2: float = 0.0, l1: float = 0.0, drop_prob: float = 0.0, schedule=None, early_stopping=None,
          progress=False, out=None) -> History:
    """Train a fully connected network with mini-batch gradient descent.

    Parameters
    ----------
    params : list of (W, b), from :func:`nncourse.init_params`; not modified
        (training works on a copy, returned as ``history.params``)
    X : array, shape (n_samples, n_0), at least one sample
    y : targets, as for :func:`nncourse.loss_and_grads`
    loss : {"mse", "binary_cross_entropy", "softmax_cross_entropy"}
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, hidden layers
    optimizer : {"sgd", "momentum", "rmsprop", "adam"} or an :class:`nncourse.optim.Optimizer`
        A name is created with ``lr`` and its defaults. An instance is reset
        at the start (its state belongs to this run's copy of the parameters),
        so one instance can serve several runs.
    lr : float > 0, the learning rate (ignored when ``optimizer`` is an instance)
    epochs : int >= 1
    batch_size : int >= 1 (capped at n_samples)
    seed : int >= 0 or np.random.Generator, for the shuffles and dropout masks
    X_val, y_val : validation data (optional; needed for early stopping)
    l2, l1 : penalty strengths on the weights
    drop_prob : inverted dropout on hidden layers during training
    schedule : callable epoch -> lr (see :mod:`nncourse.optim`), optional
    early_stopping : int (patience) or :class:`nncourse.regularization.EarlyStopping`, optional;
        the best epoch's parameters are restored at the end. An instance is
        reset at the start of the run.
    progress : bool or int
        Print a line of metrics every epoch (True) or every ``progress`` epochs.
    out : file-like for the progress lines (default ``sys.stdout``)

    Returns
    -------
    History
    """
    run = _prepare(params, X, y, loss=loss, activation=activation, optimizer=optimizer, lr=lr, epochs=epochs,
                   batch_size=batch_size, seed=seed, X_val=X_val, y_val=y_val, l2=l2, l1=l1, drop_prob=drop_prob,
                   schedule=schedule, early_stopping=early_stopping, progress=progress, out=out)
    history = History()
    for epoch in range(run.epochs):
        _run_epoch(run, epoch, history)
        if _end_epoch(run, epoch, history):
            break
    history.params = run.params
    if run.early_stopping is not None and run.early_stopping.best_params is not None:
        history.params = run.early_stopping.best_params
        history.best_epoch = run.early_stopping.best_epoch
    return history


def _prepare(params, X, y, *, loss, activation, optimizer, lr, epochs, batch_size, seed, X_val, y_val, l2, l1,
             drop_prob, schedule, early_stopping, progress, out) -> _Run:
    """Validate every argument of :func:`train` once; copy the parameters; reset the stateful helpers."""
    params, X, y, l2, l1 = _backprop._network_inputs(params, X, y, activation, loss, l2, l1)
    params = [(np.array(W), np.array(b)) for W, b in params]
    dtype = params[0][0].dtype
    X = X.astype(dtype, copy=False)
    n_out = params[-1][0].shape[1]
    if (X_val is None) != (y_val is None):
        raise ValueError("give both X_val and y_val, or neither")
    if X_val is not None:
        X_val = as_float_array(X_val, "X_val", ndim=2).astype(dtype, copy=False)
        check_product(X_val, params[0][0], "X_val", "W1")
        if X_val.shape[0] == 0:
            raise ValueError(f"X_val has no samples (shape {X_val.shape}); pass None for no validation")
        y_val = _losses._targets(y_val, loss, X_val.shape[0], n_out, "y_val", inputs="X_val")
    epochs = check_int(epochs, "epochs")
    batch_size = min(check_int(batch_size, "batch_size"), X.shape[0])
    drop_prob = check_probability(drop_prob, "drop_prob")
    if isinstance(optimizer, str):
        check_choice(optimizer, "optimizer", tuple(_optim.OPTIMIZERS))
        optimizer = _optim.get_optimizer(optimizer, lr=check_positive(lr, "lr"))
    elif not isinstance(optimizer, _optim.Optimizer):
        raise TypeError(f"optimizer must be a name or an nncourse.optim.Optimizer, got {type(optimizer).__name__}")
    if schedule is not None and not callable(schedule):
        raise TypeError("schedule must be a function epoch -> learning rate")
    if early_stopping is not None:
        if X_val is None:
            raise ValueError("early_stopping needs validation data: pass X_val and y_val")
        if not isinstance(early_stopping, _reg.EarlyStopping):
            early_stopping = _reg.EarlyStopping(patience=check_int(early_stopping, "early_stopping"))
    if isinstance(progress, (bool, np.bool_)):
        every = int(check_bool(progress, "progress"))
    else:
        every = check_int(progress, "progress")
    rng = rng_from_seed(seed)
    # Everything is valid: only now are the caller's optimiser and early stopping reset for this run.
    optimizer.reset()
    if early_stopping is not None:
        early_stopping.reset()
    return _Run(params=params, arrays=[a for pair in params for a in pair], X=X, y=y,
                classes=None if loss == "mse" else _true_classes(y, loss), X_val=X_val, y_val=y_val, loss=loss,
                activation=activation, optimizer=optimizer, epochs=epochs, batch_size=batch_size, l2=l2, l1=l1,
                drop_prob=drop_prob, schedule=schedule, early_stopping=early_stopping, every=every,
                out=sys.stdout if out is None else out, rng=rng)


def _run_epoch(run: _Run, epoch: int, history: History) -> None:
    """One pass over the training data in a fresh order: forward, loss, backward, step per mini-batch."""
    optimizer = run.optimizer
    if run.schedule is not None:
        optimizer.lr = check_positive(run.schedule(epoch), "schedule(epoch)")
    history.lr.append(optimizer.lr)
    n = run.X.shape[0]
    batch_losses, sizes, total_correct = [], [], 0
    for batch, idx in enumerate(_optim._batches(run.rng.permutation(n), run.batch_size)):
        batch_loss, grads, output, _ = _backprop._loss_and_grads(run.params, run.X[idx], run.y[idx], run.activation,
                                                                 run.loss, run.l2, run.l1, run.drop_prob, run.rng)
        # A non-finite loss is the one sign of divergence checked per batch: inf or NaN logits
        # always make it non-finite, and checking a float costs nothing.
        if not math.isfinite(batch_loss):
            _diverged(run, epoch, batch, batch_loss)
        optimizer._step(run.arrays, [g for pair in grads for g in pair])
        batch_losses.append(batch_loss)
        sizes.append(idx.size)
        if run.classes is not None:
            total_correct += int(np.count_nonzero(_classes(output, run.loss) == run.classes[idx]))
    history.train_loss.append(_epoch_mean(batch_losses, sizes, n))
    if run.classes is not None:
        history.train_acc.append(total_correct / run.classes.size)


def _epoch_mean(batch_losses: list, sizes: list, n: int) -> float:
    """The mean loss over the epoch's samples (each batch weighted by its size)."""
    total = sum(loss * size for loss, size in zip(batch_losses, sizes))
    if math.isfinite(total):
        return total / n
    # Losses near 1e308 whose weighted sum overflows although their mean does not.
    return sum(loss * (size / n) for loss, size in zip(batch_losses, sizes))


def _end_epoch(run: _Run, epoch: int, history: History) -> bool:
    """Validation metrics, progress, early stopping; True when training should stop."""
    if not all(np.isfinite(a).all() for a in run.arrays):
        raise ValueError(f"training diverged in epoch {epoch}: the params became inf/NaN; lower lr "
                         f"(now {run.optimizer.lr:g}), or check the scale of X and of the initial params")
    if run.X_val is not None:
        v_loss, v_acc, _ = _evaluate(run.params, run.X_val, run.y_val, run.activation, run.loss, run.l2, run.l1)
        history.val_loss.append(v_loss)
        if v_acc is not None:
            history.val_acc.append(v_acc)
    history.stopped_epoch = epoch
    if run.every and (epoch % run.every == 0 or epoch == run.epochs - 1):
        run.out.write(_progress_line(history, epoch, run.epochs) + "\n")
    stopper = run.early_stopping
    if stopper is not None and stopper.update(epoch, history.val_loss[-1], run.params):
        if run.every:
            run.out.write(f"early stopping after epoch {epoch + 1}: best epoch {stopper.best_epoch + 1}\n")
        return True
    return False


def _diverged(run: _Run, epoch: int, batch: int, loss: float):
    if epoch == 0 and batch == 0:
        raise ValueError(f"the loss of the first batch, before any update, is {loss}: X or params hold values so "
                         "large that the network's output overflows; scale them down")
    raise ValueError(f"training diverged in epoch {epoch}: the loss became {loss}; lower lr "
                     f"(now {run.optimizer.lr:g}), or check the scale of X and of the initial params")


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
