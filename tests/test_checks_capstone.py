"""Lesson-specific tests of the capstone's exercise checks (nncourse/checks/capstone.py).

Correct answers written differently pass; the reference functions agree with
loop oracles; failure messages name the case and show expected versus got.

What every exercise shares (reference passes, each Mistake fails with its own
hint, stubs are "not attempted", blank answers fail, grading hand-over) is
tested once for all lessons in tests/test_checks_mutations.py.
"""

import numpy as np
import pytest

import nncourse
from nncourse import datasets, metrics
from nncourse.checks import EXERCISES, CheckFailed, check, run_checks

IDS = ["standardise", "shift-images", "predict-classes", "confusion-matrix", "per-class-accuracy"]


PARTS = {"08a_capstone_training": {"standardise": 2, "shift-images": 2, "predict-classes": 1},
         "08b_capstone_your_network": {"confusion-matrix": 2, "per-class-accuracy": 1, "loss-and-grads": 4,
                                       "train-loop": 5}}


def test_the_lesson_registers_its_exercises_with_points_in_their_parts():
    assert {part: {eid: ex.points for eid, ex in EXERCISES.items() if ex.lesson == part} for part in PARTS} == PARTS
    assert not [eid for eid, ex in EXERCISES.items() if ex.lesson.startswith("08") and ex.lesson not in PARTS]


def test_failure_names_the_case_and_shows_expected_and_got():
    def shift_without_fill(images, dy, dx):
        return np.roll(images, (dy, dx), axis=(1, 2))

    message = run_checks("shift-images", shift_without_fill, seed=0).message()
    assert "case 'the worked example: the 3x3 image 1..9 one pixel down (dy=1, dx=0)' failed" in message
    # the by-hand case: rows (1 2 3), (4 5 6), (7 8 9) moved down; row 0 must be 0, not (7 8 9)
    assert "expected (shape (1, 3, 3), float64):" in message and "got      (shape (1, 3, 3), float64):" in message
    assert "expected 0, got 9" in message or "expected 0, got 7" in message


def test_standardise_that_mutates_its_input_fails():
    def in_place(X_train, X_other):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1
        X_train -= mean
        X_train /= std
        return X_train, (X_other - mean) / std

    with pytest.raises(CheckFailed, match="modified its argument"):
        check("standardise", in_place)


def test_standardise_accepts_a_tiny_epsilon_instead_of_the_zero_guard():
    # (x - mean) / (std + 1e-12) differs from the reference by ~1e-12 relative:
    # an equally good answer must pass.
    def with_epsilon(X_train, X_other):
        mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-12
        std = np.where(std > 1e-9, std, 1.0)
        return (X_train - mean) / std, (X_other - mean) / std

    check("standardise", with_epsilon)


def test_confusion_matrix_with_a_loop_passes():
    def with_loop(y_true, y_pred, n_classes):
        C = np.zeros((n_classes, n_classes), dtype=int)
        for t, p in zip(y_true, y_pred):
            C[t, p] += 1
        return C

    check("confusion-matrix", with_loop)


def test_per_class_accuracy_with_plain_division_passes(recwarn):
    # 0 / 0 = NaN with a RuntimeWarning is the right answer for an empty class
    check("per-class-accuracy", lambda C: np.diag(C) / C.sum(axis=1))


def test_predict_classes_through_forward_passes():
    import nncourse

    check("predict-classes", lambda params, X: np.argmax(nncourse.forward(params, X)[0], axis=1))


def test_hard_coded_answer_fails():
    # the by-hand case's answer, returned for every input
    with pytest.raises(CheckFailed):
        check("per-class-accuracy", lambda C: np.array([0.5, 1.0, 2 / 3]))


# ----------------------------------------------------------------- the package's references

def test_metrics_known_values_and_errors():
    # six samples: (0,0) (0,1) (1,1) (2,2) (2,0) (2,2)
    C = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert C.dtype == np.int64
    # 1/2, 1/1, 2/3
    np.testing.assert_allclose(metrics.per_class_accuracy(C), [0.5, 1.0, 2 / 3])
    assert np.isnan(metrics.per_class_accuracy(np.array([[1, 0], [0, 0]]))[1])
    with pytest.raises(ValueError, match="y_pred holds label 3"):
        metrics.confusion_matrix([0, 1], [0, 3], 3)
    with pytest.raises(ValueError, match="y_true must be a 1-D array"):
        metrics.confusion_matrix([[0, 1]], [[0, 1]], 2)
    with pytest.raises(ValueError, match=r"y_pred must have shape \(2,\)"):
        metrics.confusion_matrix([0, 1], [0, 1, 1], 2)
    with pytest.raises(ValueError, match="n_classes"):
        metrics.confusion_matrix([0], [0], 0)
    with pytest.raises(ValueError, match="square"):
        metrics.per_class_accuracy(np.ones((2, 3)))
    with pytest.raises(ValueError, match="non-negative"):
        metrics.per_class_accuracy(np.array([[1, -1], [0, 1]]))


def test_confusion_matrix_matches_a_loop_oracle():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 7, size=500), rng.integers(0, 7, size=500)
    oracle = np.zeros((7, 7), dtype=np.int64)
    for t, p in zip(y_true, y_pred):
        oracle[t, p] += 1
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred, 7), oracle)
    # accuracy = trace / total
    assert np.trace(oracle) / 500 == np.mean(y_true == y_pred)


def test_standardise_reference_properties_and_errors():
    rng = np.random.default_rng(1)
    X_train = 3.0 + 2.0 * rng.standard_normal((50, 4))
    X_train[:, 2] = 7.0
    X_val, X_test = rng.standard_normal((5, 4)), rng.standard_normal((6, 4))
    before = X_train.copy()
    T, V, S = datasets.standardise(X_train, X_val, X_test)
    np.testing.assert_array_equal(X_train, before)
    np.testing.assert_allclose(T.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(T.std(axis=0), [1.0, 1.0, 0.0, 1.0])
    mean, std = before.mean(axis=0), np.where(before.std(axis=0) > 0, before.std(axis=0), 1.0)
    np.testing.assert_allclose(S, (X_test - mean) / std)
    assert len(datasets.standardise(X_train)) == 1
    with pytest.raises(ValueError, match="others\\[1\\] has 3 features"):
        datasets.standardise(X_train, X_val, X_test[:, :3])
    with pytest.raises(ValueError, match="X_train must be 2-D"):
        datasets.standardise(X_train[0])
    with pytest.raises(ValueError, match="at least one sample"):
        datasets.standardise(np.zeros((0, 3)))


def test_standardise_treats_a_column_constant_in_floating_point_as_constant():
    # 0.1 * 3 in a column of 0.1s: the mean is not exactly 0.1, so the
    # computed std is a few 1e-17 instead of 0; the column must still map to 0.
    X = np.full((3, 2), 0.1)
    X[:, 1] = [1.0, 2.0, 3.0]
    assert 0 < X[:, 0].std() < 1e-15
    (T,) = datasets.standardise(X)
    np.testing.assert_allclose(T[:, 0], 0.0, atol=1e-12)


def test_shift_images_matches_a_loop_oracle_and_validates():
    rng = np.random.default_rng(2)
    images = rng.random((3, 5, 4))
    for dy in range(-4, 5):
        for dx in range(-3, 4):
            oracle = np.zeros_like(images)
            for r in range(5):
                for c in range(4):
                    if 0 <= r - dy < 5 and 0 <= c - dx < 4:
                        oracle[:, r, c] = images[:, r - dy, c - dx]
            np.testing.assert_array_equal(datasets.shift_images(images, dy, dx), oracle)
    with pytest.raises(ValueError, match=r"\|dy\| must be smaller than the image \(5 pixels\)"):
        datasets.shift_images(images, 5, 0)
    with pytest.raises(TypeError, match="dx must be an integer"):
        datasets.shift_images(images, 0, 1.0)
    with pytest.raises(ValueError, match="images must be 3-D"):
        datasets.shift_images(images[0], 0, 0)


def test_train_loop_is_judged_on_its_own_even_when_loss_and_grads_is_unsolved():
    # A right exercise 7 next to an unsolved exercise 6 (the stub raises): exercise 7 keeps its points,
    # and the learner's own loss_and_grads is back in place afterwards.
    namespace = {"np": np, "mine": nncourse, "cosine_decay": nncourse.optim.cosine_decay}
    exec(
        "def loss_and_grads(params, X, y, *, drop_prob=0.0, l2=0.0, rng=None):\n"
        "    raise NotImplementedError('loss-and-grads: replace this line with your code')\n"
        "\n"
        "def train_loop(params, X, y, *, epochs, batch_size, lr, drop_prob=0.0, l2=0.0, seed=0):\n"
        "    rng = np.random.default_rng(seed)\n"
        "    params = [(W.copy(), b.copy()) for W, b in params]\n"
        "    m = [[np.zeros_like(W), np.zeros_like(b)] for W, b in params]\n"
        "    v = [[np.zeros_like(W), np.zeros_like(b)] for W, b in params]\n"
        "    t = 0\n"
        "    for epoch in range(epochs):\n"
        "        lr_epoch = cosine_decay(lr, epochs)(epoch)\n"
        "        for idx in mine.optim.minibatches(len(X), batch_size, rng=rng):\n"
        "            _, grads = loss_and_grads(params, X[idx], y[idx], drop_prob=drop_prob, l2=l2, rng=rng)\n"
        "            for l, ((W, b), (dW, db)) in enumerate(zip(params, grads)):\n"
        "                W, m[l][0], v[l][0], _ = mine.optim.adam_update(W, dW, m[l][0], v[l][0], t, lr=lr_epoch)\n"
        "                b, m[l][1], v[l][1], _ = mine.optim.adam_update(b, db, m[l][1], v[l][1], t, lr=lr_epoch)\n"
        "                params[l] = (W, b)\n"
        "            t += 1\n"
        "    return params\n",
        namespace)
    stub = namespace["loss_and_grads"]
    assert run_checks("train-loop", namespace["train_loop"], seed=0).passed
    assert namespace["loss_and_grads"] is stub
    assert not run_checks("loss-and-grads", stub, seed=0).passed
