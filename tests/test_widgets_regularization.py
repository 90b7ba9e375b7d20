"""Lesson 07's playground: the training session as a plain object, and the demo following its controls."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

from nncourse.training import evaluate  # noqa: E402
from nncourse.widgets import regularization_demo  # noqa: E402
from nncourse.widgets.regularization import (DATASETS, EPOCHS_PER_FRAME, RegularizationDemo, Session,  # noqa: E402
                                             Settings, make_split)


def test_split_is_stratified_60_40_and_deterministic():
    (X_tr, y_tr), (X_va, y_va) = make_split("moons", 0.3, seed=0)
    assert X_tr.shape == (120, 2) and X_va.shape == (80, 2)
    assert np.bincount(y_tr).tolist() == [60, 60] and np.bincount(y_va).tolist() == [40, 40]
    (X_tr2, _), _ = make_split("moons", 0.3, seed=0)
    assert np.array_equal(X_tr, X_tr2)
    with pytest.raises(ValueError, match="unknown dataset 'iris'"):
        make_split("iris", 0.3)


def test_training_in_chunks_equals_training_at_once():
    settings = Settings(drop_prob=0.3, l2=0.001)
    at_once, chunked = Session(settings), Session(settings)
    at_once.advance(20)
    for _ in range(4):
        chunked.advance(5)
    assert at_once.epoch == chunked.epoch == 20
    assert np.array_equal(at_once.val_loss, chunked.val_loss)
    for (W1, b1), (W2, b2) in zip(at_once.params, chunked.params):
        assert np.array_equal(W1, W2) and np.array_equal(b1, b2)


def test_curves_are_data_losses_in_evaluation_mode():
    session = Session(Settings(drop_prob=0.5, l2=0.01))
    session.advance(3)
    # Dropout off and no penalty: recomputing gives exactly the recorded numbers, every time.
    assert session.val_loss[-1] == evaluate(session.params, session.X_val, session.y_val)[0]
    assert session.train_loss[-1] == evaluate(session.params, session.X_train, session.y_train)[0]


def test_unregularized_network_overfits_and_l1_makes_weights_sparse():
    plain, sparse = Session(Settings(noise=0.4)), Session(Settings(noise=0.4, l1=0.005))
    plain.advance(150)
    sparse.advance(150)
    assert plain.train_loss[-1] < 0.2 and plain.val_loss[-1] > 2 * min(plain.val_loss)
    assert np.mean(np.abs(sparse.weights()) < 1e-3) > 10 * max(np.mean(np.abs(plain.weights()) < 1e-3), 0.01)


def test_early_stopping_stops_and_restores_the_best_epoch():
    session = Session(Settings(noise=0.4, early_stopping=True))
    session.advance(400)
    assert session.stopped and session.epoch < 400
    best = int(np.argmin(session.val_loss))
    assert session.best_epoch == best
    assert np.isclose(evaluate(session.params, session.X_val, session.y_val)[0], session.val_loss[best])
    epoch = session.epoch
    session.advance(10)
    assert session.epoch == epoch  # a stopped run stays stopped


def test_spirals_have_three_outputs():
    session = Session(Settings(dataset="spirals"))
    assert session.params[-1][0].shape == (48, DATASETS["spirals"][1])


def test_play_advances_training_and_redraws():
    demo = regularization_demo()
    assert isinstance(demo, RegularizationDemo) and demo.session.epoch == 0
    first = demo.png
    demo.controls["frame"].value = 2
    assert demo.session.epoch == 2 * EPOCHS_PER_FRAME
    assert demo.png != first
    ax_map, ax_curve, ax_hist = demo.figure.axes
    styles = {line.get_label(): line.get_linestyle() for line in ax_curve.get_lines()}
    assert styles["training"] != styles["validation"]  # told apart without colour
    assert "epoch 20" in ax_map.get_title()


def test_changing_a_setting_starts_a_new_run_trained_to_the_same_frame():
    demo = regularization_demo()
    demo.controls["frame"].value = 1
    old = demo.session
    demo.controls["l2"].value = 0.01
    assert demo.session is not old and demo.session.settings.l2 == 0.01
    assert demo.session.epoch == EPOCHS_PER_FRAME


def test_going_back_a_frame_retrains_deterministically():
    demo = regularization_demo()
    demo.controls["frame"].value = 3
    losses = list(demo.session.val_loss)
    demo.controls["frame"].value = 1
    assert demo.session.epoch == EPOCHS_PER_FRAME
    assert demo.session.val_loss == losses[:EPOCHS_PER_FRAME]


def test_early_stopping_is_marked_on_the_curves():
    demo = regularization_demo(noise=0.4)
    demo.controls["early_stopping"].value = True
    demo.controls["frame"].value = 40
    assert demo.session.stopped
    assert demo.figure.axes[1].get_title().startswith("stopped: epoch")
    assert "(restored)" in demo.figure.axes[0].get_title()


def test_every_control_explains_itself():
    demo = regularization_demo()
    for control in demo.controls.values():
        assert control.description.strip() and control.tooltip.strip()
