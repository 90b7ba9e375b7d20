"""Lesson 07's demo (part 2, ``07b_l1_dropout_early_stopping``): a regularization playground
trained live, a few epochs per frame.

:func:`regularization_demo` trains a 2-48-48-K ReLU network (K classes) on a small, noisy
2-D dataset with the L1/L2 strengths, dropout rate and early stopping chosen
by the controls. A Play control advances training by :data:`EPOCHS_PER_FRAME`
epochs per frame, so the page stays responsive and training can be paused.
Each frame shows the decision boundary, the training (solid) and validation
(dashed) losses, and a histogram of every weight.

The training itself is :class:`Session`, a plain object tested without a
browser: it is deterministic (seeded), so the picture for given settings and
frame is always the same, whichever way the learner got there. Losses on the
curves are data losses in evaluation mode (no penalty, no dropout), so runs
with different penalties can be compared.

Not here: a choice of network size or activation (lesson 03's demo), test-set
evaluation (the lesson does that once, at the end).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from .. import datasets, optim
from ..backprop import loss_and_grads
from ..layers import init_params
from ..regularization import EarlyStopping, train_val_test_split
from ..training import evaluate, predict
from ._base import (DIVERGING_CMAP, LINE_STYLES, OKABE_ITO, Demo, centred_norm, dropdown, float_slider,
                    new_figure, play, toggle)

__all__ = ["DATASETS", "EPOCHS_PER_FRAME", "MAX_FRAMES", "Settings", "Session", "make_split",
           "RegularizationDemo", "regularization_demo"]

#: Dataset generators by name, with their number of classes.
DATASETS = {"moons": (datasets.make_moons, 2), "circles": (datasets.make_circles, 2),
            "xor": (datasets.make_xor, 2), "spirals": (datasets.make_spirals, 3)}
EPOCHS_PER_FRAME = 10
MAX_FRAMES = 60
N_SAMPLES = 200
HIDDEN = (48, 48)
PATIENCE = 30
LR = 0.01
BATCH_SIZE = 16
# One colour per class, used for both the points and (spirals) the regions; distinct from each other
# and from the orange/purple background of the two-class map.
CLASS_COLOURS = (OKABE_ITO[0], OKABE_ITO[3], OKABE_ITO[2])


@dataclass(frozen=True)
class Settings:
    """Everything that defines a training run (changing any of it starts a new run)."""

    dataset: str = "moons"
    noise: float = 0.3
    l2: float = 0.0
    l1: float = 0.0
    drop_prob: float = 0.0
    early_stopping: bool = False
    seed: int = 0


def make_split(dataset: str, noise: float, seed: int = 0):
    """200 points of ``dataset``, split 60 % training / 40 % validation (stratified)."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; expected one of {', '.join(map(repr, DATASETS))}")
    make, _ = DATASETS[dataset]
    X, y = make(N_SAMPLES, noise=noise, seed=seed)
    train, val, _ = train_val_test_split(X, y, val_fraction=0.4, test_fraction=0.0, seed=seed)
    return train, val


@dataclass
class Session:
    """One training run, advanced epoch by epoch (Adam, lr 0.01, batch 16).

    Attributes
    ----------
    epoch : int, epochs trained so far
    train_loss, val_loss : lists of float, data losses after each epoch (evaluation mode)
    params : the current parameters, or the best epoch's once early stopping has stopped
    stopped : bool, early stopping has ended the run
    best_epoch : int or None, the epoch restored by early stopping
    """

    settings: Settings
    epoch: int = 0
    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    stopped: bool = False
    best_epoch: int | None = None

    def __post_init__(self):
        s = self.settings
        (self.X_train, self.y_train), (self.X_val, self.y_val) = make_split(s.dataset, s.noise, s.seed)
        n_classes = DATASETS[s.dataset][1]
        self.params = init_params([2, *HIDDEN, n_classes], seed=s.seed)
        self._opt = optim.Adam(lr=LR)
        self._rng = np.random.default_rng(s.seed)
        self._stopper = EarlyStopping(patience=PATIENCE) if s.early_stopping else None

    def advance(self, epochs: int) -> None:
        """Train up to ``epochs`` more epochs (fewer if early stopping ends the run)."""
        s = self.settings
        n = self.X_train.shape[0]
        for _ in range(epochs):
            if self.stopped:
                return
            for idx in optim.minibatches(n, BATCH_SIZE, rng=self._rng):
                _, grads = loss_and_grads(self.params, self.X_train[idx], self.y_train[idx], l2=s.l2, l1=s.l1,
                                          drop_prob=s.drop_prob, rng=self._rng)
                self._opt.step(self.params, grads)
            self.train_loss.append(evaluate(self.params, self.X_train, self.y_train)[0])
            self.val_loss.append(evaluate(self.params, self.X_val, self.y_val)[0])
            if self._stopper is not None and self._stopper.update(self.epoch, self.val_loss[-1], self.params):
                self.stopped = True
                self.best_epoch = self._stopper.best_epoch
                self.params = copy.deepcopy(self._stopper.best_params)
            self.epoch += 1

    def weights(self) -> np.ndarray:
        """Every weight (not bias) of the network, flattened."""
        return np.concatenate([W.ravel() for W, _ in self.params])


class RegularizationDemo(Demo):
    """The playground: dataset, noise, L2, L1, dropout, early stopping, and Play."""

    def __init__(self, dataset: str = "moons", noise: float = 0.3):
        self.session: Session | None = None
        super().__init__(
            controls={
                "dataset": dropdown("dataset", "The 2-D dataset: 200 points, 60 % for training, 40 % for validation",
                                    list(DATASETS), value=dataset),
                "noise": float_slider("noise", "Standard deviation of the noise added to every point",
                                      value=noise, min=0.0, max=0.6, step=0.05),
                "l2": float_slider("L2 λ₂", "Strength of the L2 penalty (λ₂/2)·Σ‖W‖² on the weights",
                                   value=0.0, min=0.0, max=0.05, step=0.001, readout_format=".3f"),
                "l1": float_slider("L1 λ₁", "Strength of the L1 penalty λ₁·Σ|W| on the weights",
                                   value=0.0, min=0.0, max=0.01, step=0.0005, readout_format=".4f"),
                "drop_prob": float_slider("dropout", "Probability of dropping each hidden unit in training",
                                          value=0.0, min=0.0, max=0.7, step=0.05),
                "early_stopping": toggle("early stopping", f"Stop {PATIENCE} epochs after the best validation "
                                         "loss and restore that epoch's weights"),
                "frame": play("Play", f"Train: {EPOCHS_PER_FRAME} more epochs per frame; pause any time",
                              value=0, min=0, max=MAX_FRAMES, interval=400),
            },
            figsize=(13.0, 4.2),
            extra=[widgets.HTML(f"▶ trains {EPOCHS_PER_FRAME} epochs per frame (up to "
                                f"{MAX_FRAMES * EPOCHS_PER_FRAME}); ❚❚ pauses; ■ rewinds to epoch 0. Changing a "
                                "setting starts a new run, trained up to the current epoch.")],
        )

    def session_for(self, settings: Settings, frame: int) -> Session:
        """The run for ``settings`` trained to ``frame`` frames (reusing the current run when possible)."""
        target = frame * EPOCHS_PER_FRAME
        if self.session is None or self.session.settings != settings or self.session.epoch > target:
            self.session = Session(settings)
        if not self.session.stopped:
            self.session.advance(target - self.session.epoch)
        return self.session

    def render(self, dataset, noise, l2, l1, drop_prob, early_stopping, frame):
        settings = Settings(dataset=dataset, noise=float(noise), l2=float(l2), l1=float(l1),
                            drop_prob=float(drop_prob), early_stopping=bool(early_stopping))
        session = self.session_for(settings, int(frame))
        fig = new_figure(self.figsize)
        ax_map, ax_curve, ax_hist = fig.subplots(1, 3, width_ratios=(1.2, 1.0, 1.0))
        _draw_boundary(ax_map, session)
        _draw_curves(ax_curve, session)
        _draw_weights(ax_hist, session)
        return fig


def _draw_boundary(ax, session: Session) -> None:
    X_all = np.vstack([session.X_train, session.X_val])
    lo, hi = X_all.min(axis=0) - 0.3, X_all.max(axis=0) + 0.3
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 90), np.linspace(lo[1], hi[1], 75))
    probs = predict(session.params, np.column_stack([gx.ravel(), gy.ravel()]))
    n_classes = probs.shape[1]
    if n_classes == 2:
        # Signed confidence: 0 on the boundary, the diverging map's neutral middle.
        margin = (probs[:, 1] - 0.5).reshape(gx.shape)
        ax.contourf(gx, gy, margin, levels=20, cmap=DIVERGING_CMAP, norm=centred_norm([0.5]), alpha=0.6)
        ax.contour(gx, gy, margin, levels=[0.0], colors="black", linewidths=1.2)
    else:
        region = probs.argmax(axis=1).reshape(gx.shape)
        ax.contourf(gx, gy, region, levels=np.arange(n_classes + 1) - 0.5, colors=CLASS_COLOURS[:n_classes],
                    alpha=0.3)
        ax.contour(gx, gy, region, levels=np.arange(n_classes) + 0.5, colors="black", linewidths=1.0)
    markers = ("o", "^", "s")
    for label in range(n_classes):
        colour = CLASS_COLOURS[label]
        ax.scatter(*session.X_train[session.y_train == label].T, marker=markers[label], color=colour,
                   edgecolor="black", s=22)
        ax.scatter(*session.X_val[session.y_val == label].T, marker=markers[label], facecolor="none",
                   edgecolor=colour, s=22)
    shown = f"epoch {session.epoch}" if session.best_epoch is None else f"epoch {session.best_epoch + 1} (restored)"
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel="x₁", ylabel="x₂",
           title=f"decision boundary, {shown}\n(filled: training, hollow: validation)")


def _draw_curves(ax, session: Session) -> None:
    epochs = np.arange(1, session.epoch + 1)
    if session.epoch:
        ax.plot(epochs, session.train_loss, color=OKABE_ITO[3], ls=LINE_STYLES[0], lw=2, label="training")
        ax.plot(epochs, session.val_loss, color=OKABE_ITO[4], ls=LINE_STYLES[1], lw=2, label="validation")
        ax.legend(loc="upper right")
        top = max(1.2, min(4.0, 1.1 * max(session.val_loss)))
    else:
        ax.text(0.5, 0.5, "press Play to train", ha="center", va="center", transform=ax.transAxes)
        top = 1.2
    if session.best_epoch is not None:
        ax.axvline(session.best_epoch + 1, color="black", ls=LINE_STYLES[2], lw=1)
        title = f"stopped: epoch {session.best_epoch + 1} restored"
    else:
        last = f": {session.train_loss[-1]:.3f} / {session.val_loss[-1]:.3f}" if session.epoch else ""
        title = f"data loss (training / validation){last}"
    ax.set(xlim=(0, MAX_FRAMES * EPOCHS_PER_FRAME), ylim=(0, top), xlabel="epoch", ylabel="cross-entropy",
           title=title)


def _draw_weights(ax, session: Session) -> None:
    w = session.weights()
    ax.hist(np.clip(w, -2.0, 2.0), bins=np.linspace(-2.0, 2.0, 61), color=OKABE_ITO[1], edgecolor="black",
            linewidth=0.3)
    ax.set(yscale="log", xlabel="weight value (clipped to ±2)", ylabel="count",
           title=f"all {w.size:,} weights: {np.mean(np.abs(w) < 1e-3):.0%} below 0.001")


def regularization_demo(dataset: str = "moons", noise: float = 0.3) -> RegularizationDemo:
    """Lesson 07's demo: train live with L1/L2, dropout and early stopping; press Play.

    Parameters
    ----------
    dataset : {"moons", "circles", "xor", "spirals"}
    noise : float in [0, 0.6]
    """
    return RegularizationDemo(dataset=dataset, noise=noise)
