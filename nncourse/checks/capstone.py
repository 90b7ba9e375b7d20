"""Exercise checks for lesson 08, the digits capstone, in two parts: ``08a_capstone_training.ipynb``
(the first three exercises) and ``08b_capstone_your_network.ipynb`` (the last four).

Seven exercises, in the order the notebooks use them:

======================== ====== ======================================================
id                       points what the learner writes
======================== ====== ======================================================
``standardise``          2      (8.1) with the training set's statistics only
``shift-images``         2      (8.2) shifted copies of images, zero fill, no wrap-around
``predict-classes``      1      (8.3) the arg-max of the network's probabilities
``confusion-matrix``     2      (8.4) counts of (true, predicted) pairs
``per-class-accuracy``   1      (8.5) the diagonal over the row sums
``loss-and-grads``       4      one batch's loss and gradients, assembled from the learner's parts
``train-loop``           5      mini-batches, Adam and a cosine schedule around ``loss_and_grads``
======================== ====== ======================================================

The references are the package's own functions: :func:`nncourse.datasets.standardise`,
:func:`nncourse.datasets.shift_images`, :func:`nncourse.training.predict_classes`,
:func:`nncourse.metrics.confusion_matrix` and :func:`nncourse.metrics.per_class_accuracy`;
for the last two, :func:`nncourse.loss_and_grads` and :func:`nncourse.train` with the settings the
statements spell out (ReLU, dropout on hidden layers, softmax cross-entropy, L2; Adam with a cosine
schedule), so that a loop written step by step as the statement says matches them to rounding.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .. import backprop, datasets, layers, losses, metrics, optim, training
from .. import regularization as reg
from ._definitions import Case, Exercise, Mistake, register

TRAINING = "08a_capstone_training"
YOUR_NETWORK = "08b_capstone_your_network"


# --------------------------------------------------------------------------- #
# standardise
# --------------------------------------------------------------------------- #


def _standardise_with(mean, std, *arrays):
    return tuple((X - mean) / std for X in arrays)


def _guard(std):
    return np.where(std > 0, std, 1.0)


def _whole_data(X_train, X_other):
    X_all = np.vstack([X_train, X_other])
    return _standardise_with(X_all.mean(axis=0), _guard(X_all.std(axis=0)), X_train, X_other)


def _own_statistics(X_train, X_other):
    return tuple((X - X.mean(axis=0)) / _guard(X.std(axis=0)) for X in (X_train, X_other))


def _no_zero_guard(X_train, X_other):
    return _standardise_with(X_train.mean(axis=0), X_train.std(axis=0), X_train, X_other)


def _per_sample(X_train, X_other):
    return tuple((X - X.mean(axis=1, keepdims=True)) / _guard(X.std(axis=1, keepdims=True))
                 for X in (X_train, X_other))


def _all_entries(X_train, X_other):
    return _standardise_with(X_train.mean(), X_train.std(), X_train, X_other)


def _sample_std(X_train, X_other):
    std = X_train.std(axis=0, ddof=1) if X_train.shape[0] > 1 else X_train.std(axis=0)
    return _standardise_with(X_train.mean(axis=0), _guard(std), X_train, X_other)


def _nan_to_num(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nan_to_num((X_train - mean) / std), np.nan_to_num((X_other - mean) / std)


def _epsilon_guard(X_train, X_other):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    return (X_train - mean) / std, (X_other - mean) / std


def _not_centred(X_train, X_other):
    std = _guard(X_train.std(axis=0))
    return X_train / std, X_other / std


def _standardise_cases(rng):
    X_digits, _ = datasets.load_digits()
    rows = rng.permutation(X_digits.shape[0])
    scale = rng.uniform(0.5, 5.0, size=6)
    shift = rng.uniform(-3.0, 3.0, size=6)
    X_train = shift + scale * rng.standard_normal((30, 6))
    # The other set comes from a different distribution, so that statistics
    # taken from it (or from both sets) give visibly different numbers.
    X_other = shift + 1.0 + 2.0 * scale * rng.standard_normal((12, 6))
    constant = X_train.copy()
    # Integer constants keep the column mean exact, so that std == 0 exactly
    # and a guard written as `std > 0` works as well as the reference's.
    constant[:, [1, 4]] = rng.integers(-3, 4, size=2)
    return [
        # (8.1) by hand: column means 2, 0, 3; standard deviations 1, 0 (constant -> 1), 1
        Case("the worked example: X_train = [[1, 0, 2], [3, 0, 4]], X_other = [[2, 1, 3], [5, 0, 0]] "
             "(the middle feature is constant: divided by 1)",
             (np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 4.0]]), np.array([[2.0, 1.0, 3.0], [5.0, 0.0, 0.0]]))),
        Case("30 training samples, 6 features of different scales; the other set (12) drawn differently",
             (X_train, X_other)),
        Case("two constant training features (columns 1 and 4)", (constant, X_other)),
        Case("80 real 8x8 digits and 30 others (constant corner pixels)", (X_digits[rows[:80]], X_digits[rows[80:110]])),
        Case("10 training samples, an other set of a single sample", (X_train[:10], X_other[:1])),
    ]


register(Exercise(
    id="standardise", lesson=TRAINING, title="Standardise with training statistics", points=2,
    reference=datasets.standardise, make_cases=_standardise_cases, output_names=("X_train_std", "X_other_std"),
    fresh_result=True,
    mistakes=(
        Mistake("whole-data", _whole_data,
                "the mean and standard deviation came from the training AND the other set together: "
                "compute them from X_train alone (axis=0) and apply those same numbers to X_other; the "
                "validation and test data must not influence anything the model is built from"),
        Mistake("own-statistics", _own_statistics,
                "each set was standardised with its own mean and standard deviation: X_other must be "
                "transformed with X_train's statistics, exactly as new data would be after training"),
        Mistake("no-zero-guard", _no_zero_guard,
                "a feature that is constant in the training set has standard deviation 0, and x / 0 is inf "
                "or NaN: replace a zero standard deviation by 1 first, e.g. np.where(std > 0, std, 1.0)"),
        Mistake("per-sample", _per_sample,
                "the statistics were taken per sample (axis=1, along each row); standardisation is per "
                "feature: mean and std over the samples, axis=0, one value per column"),
        Mistake("all-entries", _all_entries,
                "one mean and one standard deviation for the whole array (no axis): take them per "
                "feature with axis=0, so every column gets its own (8.1)"),
        Mistake("sample-std", _sample_std,
                "np.std(..., ddof=1) divides by n - 1; (8.1) divides by n, numpy's default (ddof=0)"),
        Mistake("not-centred", _not_centred,
                "the data was divided by the standard deviation but the mean was not subtracted first"),
        Mistake("not-scaled", lambda X_train, X_other: (X_train - X_train.mean(axis=0), X_other - X_train.mean(axis=0)),
                "after subtracting the mean, divide by the standard deviation (8.1)"),
        Mistake("nan-to-num", _nan_to_num,
                "np.nan_to_num hides the 0 / 0 of a constant feature but turns x / 0 into a huge number in the "
                "other set: replace a zero standard deviation by 1 before dividing, np.where(std > 0, std, 1.0)"),
        Mistake("epsilon-guard", _epsilon_guard,
                "std + 1e-8 leaves a constant feature divided by 1e-8, which blows up any other set's deviation "
                "from the mean: replace a zero standard deviation by 1, np.where(std > 0, std, 1.0)"),
    ),
))


# --------------------------------------------------------------------------- #
# shift-images
# --------------------------------------------------------------------------- #


def _roll(images, dy, dx):
    return np.roll(images, (dy, dx), axis=(1, 2))


def _reversed(images, dy, dx):
    return datasets.shift_images(images, -dy, -dx)


def _shift_by_slices(images, dy, dx):
    """(8.2) without the package's checks of dy and dx, as a learner's slices do it."""
    out = np.zeros_like(images)
    height, width = images.shape[1:]
    out[:, max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        images[:, max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    return out


def _swapped(images, dy, dx):
    return _shift_by_slices(images, dx, dy)


def _edge_fill(images, dy, dx):
    height, width = images.shape[1:]
    padded = np.pad(images, ((0, 0), (abs(dy), abs(dy)), (abs(dx), abs(dx))), mode="edge")
    r0, c0 = abs(dy) - dy, abs(dx) - dx
    return padded[:, r0:r0 + height, c0:c0 + width]


def _minus_zero_slice(images, dy, dx):
    out = np.zeros_like(images)
    height, width = images.shape[1:]
    rows_out = slice(dy, height) if dy >= 0 else slice(0, height + dy)
    rows_in = slice(0, -dy) if dy >= 0 else slice(-dy, height)
    cols_out = slice(dx, width) if dx >= 0 else slice(0, width + dx)
    cols_in = slice(0, -dx) if dx >= 0 else slice(-dx, width)
    out[:, rows_out, cols_out] = images[:, rows_in, cols_in]
    return out


def _shift_cases(rng):
    X_digits, _ = datasets.load_digits()
    digits = X_digits[rng.choice(X_digits.shape[0], size=5, replace=False)].reshape(-1, 8, 8)
    blocks = rng.uniform(0.1, 1.0, size=(3, 4, 5))
    return [
        # 1 down: the first row becomes 0, rows 0 and 1 move to rows 1 and 2
        Case("the worked example: the 3x3 image 1..9 one pixel down (dy=1, dx=0)",
             (np.arange(1.0, 10.0).reshape(1, 3, 3), 1, 0)),
        Case("5 digits, one pixel right (dy=0, dx=1)", (digits, 0, 1)),
        Case("5 digits, one pixel up (dy=-1, dx=0)", (digits, -1, 0)),
        Case("5 digits, one pixel left (dy=0, dx=-1)", (digits, 0, -1)),
        Case("3 images 4x5, 2 down and 3 left (dy=2, dx=-3)", (blocks, 2, -3)),
        Case("3 images 4x5, 3 up and 4 right (dy=-3, dx=4): only one pixel stays", (blocks, -3, 4)),
        Case("no shift (dy=0, dx=0): an equal, new array", (digits, 0, 0)),
    ]


register(Exercise(
    id="shift-images", lesson=TRAINING, title="Shifted copies of images", points=2,
    reference=datasets.shift_images, make_cases=_shift_cases, fresh_result=True,
    mistakes=(
        Mistake("roll", _roll,
                "np.roll wraps the pixels that leave one edge around to the opposite edge; a shifted digit "
                "must have blank (0) pixels there instead: fill a np.zeros_like(images) with the "
                "overlapping window"),
        Mistake("reversed", _reversed,
                "the image moved the opposite way: positive dy moves DOWN (out[r] = images[r - dy]) and "
                "positive dx moves RIGHT"),
        Mistake("swapped", _swapped,
                "dy and dx are swapped: dy moves rows (axis 1), dx moves columns (axis 2)"),
        Mistake("edge-fill", _edge_fill,
                "the uncovered pixels repeat the edge; they must be 0, the background of the digits"),
        Mistake("minus-zero-slice", _minus_zero_slice,
                "images[:, :-dy] is empty when dy = 0 (:-0 means :0), so the window no longer fits: write the end "
                "as height - dy (or handle a shift of 0 separately)"),
        Mistake("dx-ignored", lambda images, dy, dx: datasets.shift_images(images, dy, 0),
                "shift the columns too: dx moves the image right (axis 2)"),
    ),
))


# --------------------------------------------------------------------------- #
# predict-classes
# --------------------------------------------------------------------------- #


def _probabilities(params, X):
    return layers.forward(params, X)[0]


def _argmax_axis0(params, X):
    return np.argmax(layers.forward(params, X)[0], axis=0)


def _max_probability(params, X):
    return np.max(layers.forward(params, X)[0], axis=1)


def _argmin(params, X):
    return np.argmin(layers.forward(params, X)[0], axis=1)


def _tanh_hidden(params, X):
    return np.argmax(layers.forward(params, X, activation="tanh")[0], axis=1)


def _predict_cases(rng):
    # One layer, no hidden units: logits = X @ W = rows of W, so sample 0 has
    # logits (0, 2, -1) -> class 1 and sample 1 has (1, 0, 0) -> class 0
    by_hand = [(np.array([[0.0, 2.0, -1.0], [1.0, 0.0, 0.0]]), np.zeros(3))]
    cases = [Case("one-layer network by hand", (by_hand, np.array([[1.0, 0.0], [0.0, 1.0]])))]
    for sizes, n in (([4, 8, 3], 10), ([64, 16, 10], 25), ([5, 6, 6, 4], 7), ([3, 5, 2], 1)):
        # Non-zero biases, large enough to change some predictions.
        params = [(W, rng.normal(0.0, 1.0, size=b.shape)) for W, b in layers.init_params(sizes, seed=rng)]
        X = rng.standard_normal((n, sizes[0]))
        cases.append(Case(f"network {sizes} with non-zero biases on {n} sample{'s' if n > 1 else ''}", (params, X)))
    return cases


register(Exercise(
    id="predict-classes", lesson=TRAINING, title="Predicted classes", points=1,
    reference=training.predict_classes, make_cases=_predict_cases,
    mistakes=(
        Mistake("probabilities", _probabilities,
                "that is the matrix of probabilities (n_samples, n_classes); return one class index per "
                "sample: np.argmax(probabilities, axis=1)"),
        Mistake("argmax-axis-0", _argmax_axis0,
                "np.argmax(..., axis=0) picks the most confident SAMPLE for each class; the class of each "
                "sample is the arg-max along a row, axis=1"),
        Mistake("max-probability", _max_probability,
                "np.max returns the largest probability itself; the class is its position: np.argmax"),
        Mistake("argmin", _argmin, "np.argmin picks the LEAST likely class; use np.argmax"),
        Mistake("tanh-hidden", _tanh_hidden,
                "the hidden layers use ReLU (nncourse.forward's default activation); call "
                "nncourse.forward(params, X) without changing the activation"),
        Mistake("argmax-plus-one", lambda params, X: np.argmax(layers.forward(params, X)[0], axis=1) + 1,
                "classes count from 0 (digit 0 is column 0): np.argmax already gives the class, no + 1"),
        Mistake("biases-ignored", lambda params, X: np.argmax(layers.forward(
            [(W, np.zeros_like(b)) for W, b in params], X)[0], axis=1),
                "every layer adds its bias: run the network with params as given, nncourse.forward(params, X)"),
        Mistake("argmax-flattened", lambda params, X: np.argmax(layers.forward(params, X)[0]),
                "np.argmax without an axis gives one position in the flattened matrix: use axis=1, one class "
                "per row"),
        Mistake("first-layer-only", lambda params, X: np.argmax(X @ params[0][0] + params[0][1], axis=1),
                "run the whole network (nncourse.forward(params, X)), not only its first layer"),
        Mistake("rounded-probabilities", lambda params, X: np.round(layers.forward(params, X)[0]).astype(int),
                "rounding the probabilities gives 0/1 per class, not a class: np.argmax(P, axis=1)"),
    ),
))


# --------------------------------------------------------------------------- #
# confusion-matrix
# --------------------------------------------------------------------------- #


def _transposed(y_true, y_pred, n_classes):
    return metrics.confusion_matrix(y_pred, y_true, n_classes)


def _fancy_index(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=np.int64)
    C[y_true, y_pred] += 1
    return C


def _size_from_data(y_true, y_pred, n_classes):
    k = int(max(np.max(y_true), np.max(y_pred))) + 1
    return metrics.confusion_matrix(y_true, y_pred, k)


def _row_fractions(y_true, y_pred, n_classes):
    C = metrics.confusion_matrix(y_true, y_pred, n_classes).astype(np.float64)
    totals = C.sum(axis=1, keepdims=True)
    return np.divide(C, totals, out=np.zeros_like(C), where=totals > 0)


def _float_counts(y_true, y_pred, n_classes):
    return metrics.confusion_matrix(y_true, y_pred, n_classes).astype(np.float64)


def _confusion_cases(rng):
    y_true = rng.integers(0, 4, size=40)
    noisy = np.where(rng.random(40) < 0.7, y_true, rng.integers(0, 4, size=40))
    digits_true = rng.integers(0, 10, size=200)
    digits_pred = np.where(rng.random(200) < 0.9, digits_true, rng.integers(0, 10, size=200))
    missing = rng.integers(0, 3, size=15)
    return [
        # row = true class: class 0 -> predicted 0 once and 1 once; class 1 -> 1; class 2 -> 2, 0, 2
        Case("the worked example: six samples, 3 classes", (np.array([0, 0, 1, 2, 2, 2]), np.array([0, 1, 1, 2, 0, 2]), 3)),
        Case("40 samples, 4 classes, about 70 % right", (y_true, noisy, 4)),
        Case("200 samples, 10 classes, about 90 % right", (digits_true, digits_pred, 10)),
        Case("15 samples, 5 classes, of which 3 and 4 never occur", (missing, missing[::-1].copy(), 5)),
        Case("40 samples, every prediction right", (y_true, y_true.copy(), 4)),
        Case("a single sample, 3 classes", (np.array([2]), np.array([1]), 3)),
    ]


register(Exercise(
    id="confusion-matrix", lesson=YOUR_NETWORK, title="Confusion matrix", points=2,
    reference=metrics.confusion_matrix, make_cases=_confusion_cases,
    mistakes=(
        Mistake("transposed", _transposed,
                "rows and columns are swapped: row i is the TRUE class, column j the PREDICTED one, "
                "C[y_true[s], y_pred[s]] += 1"),
        Mistake("fancy-index", _fancy_index,
                "C[y_true, y_pred] += 1 with arrays counts a repeated (true, predicted) pair only once "
                "(numpy buffers the update), and so does C[t, p] = 1 in a loop: add 1 per sample, in a loop "
                "(C[t, p] += 1) or with np.add.at(C, (y_true, y_pred), 1)"),
        Mistake("size-from-data", _size_from_data,
                "the size came from the largest label seen; use n_classes, so a class that never occurs "
                "still gets its row and column"),
        Mistake("row-fractions", _row_fractions,
                "those are fractions of each row; the confusion matrix holds counts (integers)"),
        Mistake("float-counts", _float_counts,
                "the counts are right but stored as floats: create the matrix with "
                "np.zeros((n_classes, n_classes), dtype=int)"),
        Mistake("last-sample-skipped", lambda t, p, k: metrics.confusion_matrix(t[:-1], p[:-1], k),
                "the loop misses the last sample: zip(y_true, y_pred) or range(len(y_true)) visits them all"),
        Mistake("diagonal-only", lambda t, p, k: np.diag(np.diag(metrics.confusion_matrix(t, p, k))),
                "count the wrong predictions too: C[i, j] for j != i holds the samples of class i predicted as j"),
    ),
))


# --------------------------------------------------------------------------- #
# per-class-accuracy
# --------------------------------------------------------------------------- #


def _column_sums(C):
    C = np.asarray(C, dtype=np.float64)
    return np.diag(C) / C.sum(axis=0)


def _over_total(C):
    C = np.asarray(C, dtype=np.float64)
    return np.diag(C) / C.sum()


def _floor_division(C):
    C = np.asarray(C)
    return (np.diag(C) // np.maximum(C.sum(axis=1), 1)).astype(np.float64)


def _empty_as_zero(C):
    return np.nan_to_num(metrics.per_class_accuracy(C), nan=0.0)


def _percent(C):
    return 100.0 * metrics.per_class_accuracy(C)


def _per_class_cases(rng):
    counts = rng.integers(0, 20, size=(10, 10)) + np.diag(rng.integers(50, 100, size=10))
    small = rng.integers(1, 6, size=(4, 4))
    empty = rng.integers(1, 6, size=(3, 3))
    empty[1] = 0
    return [
        # class 0: 1 of 2 right; class 1: 1 of 1; class 2: 2 of 3
        Case("the worked example [[1, 1, 0], [0, 1, 0], [1, 0, 2]] (1/2, 1/1, 2/3)",
             (np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]]),)),
        Case("10 classes, mostly right", (counts,)),
        Case("4 classes, many mistakes", (small,)),
        Case("3 classes, class 1 has no samples (its accuracy is undefined: NaN)", (empty,)),
    ]


register(Exercise(
    id="per-class-accuracy", lesson=YOUR_NETWORK, title="Accuracy per class", points=1,
    reference=metrics.per_class_accuracy, make_cases=_per_class_cases,
    mistakes=(
        Mistake("column-sums", _column_sums,
                "dividing by the column sums gives the fraction of each PREDICTED class that was right "
                "(precision); the accuracy of a class divides by its row sum, C.sum(axis=1)"),
        Mistake("over-total", _over_total,
                "dividing by the total number of samples mixes all classes; divide each diagonal entry by "
                "its own row sum"),
        Mistake("floor-division", _floor_division,
                "// is integer (floor) division, so every fraction below 1 becomes 0; use /"),
        Mistake("empty-as-zero", _empty_as_zero,
                "a class without samples has no accuracy at all (0 / 0): return NaN for it, not 0"),
        Mistake("percent", _percent, "return fractions between 0 and 1, not percentages"),
        Mistake("empty-as-one", lambda C: np.nan_to_num(metrics.per_class_accuracy(C), nan=1.0),
                "a class without samples has no accuracy at all (0 / 0): return NaN for it, not 1"),
        Mistake("overall-accuracy", lambda C: np.full(len(C), np.trace(C) / np.sum(C)),
                "that is the overall accuracy repeated; each class gets its own: C[i, i] / (sum of row i)"),
        Mistake("counts-not-fractions", lambda C: np.diag(C).astype(np.float64),
                "divide the correct counts (the diagonal) by each class's number of samples, its row sum"),
        Mistake("error-rate", lambda C: 1.0 - metrics.per_class_accuracy(C),
                "that is the error rate per class; the accuracy is C[i, i] / (row sum)"),
        Mistake("row-max", lambda C: np.asarray(C).max(axis=1) / np.asarray(C).sum(axis=1),
                "the right predictions of class i are on the diagonal, C[i, i], not the largest entry of row i"),
    ),
))


# --------------------------------------------------------------------------- #
# loss-and-grads: one training step's loss and gradients, assembled from the learner's parts
# --------------------------------------------------------------------------- #


def loss_and_grads(params, X, y, *, drop_prob=0.0, l2=0.0, rng=None):
    """ReLU hidden layers with dropout, softmax cross-entropy from the logits, L2 penalty (the reference)."""
    return backprop.loss_and_grads(params, X, y, activation="relu", l2=l2, drop_prob=drop_prob, rng=rng)


def _named_grads(grads) -> dict:
    named = {}
    for layer, (dW, db) in enumerate(grads, start=1):
        named[f"dW{layer}"], named[f"db{layer}"] = dW, db
    return named


def _run_loss_and_grads(objects, case):
    """Both the learner and the reference draw their dropout masks from a generator seeded alike."""
    params, X, y = case.args
    rng = np.random.default_rng(case.kwargs["seed"])
    result = objects[0](params, X, y, drop_prob=case.kwargs["drop_prob"], l2=case.kwargs["l2"], rng=rng)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], (list, tuple))):
        raise TypeError(f"loss_and_grads must return (loss, grads) with grads a list of (dW, db), got "
                        f"{type(result).__name__}")
    loss, grads = result
    if not all(isinstance(g, (list, tuple)) and len(g) == 2 for g in grads):
        raise TypeError("grads must be a list of (dW, db) pairs, one per layer, layer 1 first")
    return {"loss": loss, **_named_grads(grads)}


def _net(rng: np.random.Generator, sizes: list, n: int) -> tuple:
    params = [(W, rng.normal(0.0, 0.3, size=b.shape)) for W, b in layers.init_params(sizes, init="he", seed=rng)]
    return params, rng.normal(size=(n, sizes[0])), rng.integers(0, sizes[-1], size=n)


def _loss_cases(rng: np.random.Generator) -> list:
    def seed():
        return int(rng.integers(0, 2**31))

    width = int(rng.integers(4, 8))
    return [
        Case(f"no dropout, no penalty: 4 -> {width} -> 3, 5 samples", _net(rng, [4, width, 3], 5),
             {"drop_prob": 0.0, "l2": 0.0, "seed": seed()}),
        Case("L2 penalty l2 = 0.1, no dropout: 3 -> 5 -> 4 -> 2, 6 samples", _net(rng, [3, 5, 4, 2], 6),
             {"drop_prob": 0.0, "l2": 0.1, "seed": seed()}),
        Case("dropout drop_prob = 0.3 (masks from the same seeded rng as the reference): 4 -> 8 -> 3, 7 samples",
             _net(rng, [4, 8, 3], 7), {"drop_prob": 0.3, "l2": 0.0, "seed": seed()}),
        Case("dropout 0.5 and l2 = 0.05: 5 -> 6 -> 6 -> 3, 8 samples", _net(rng, [5, 6, 6, 3], 8),
             {"drop_prob": 0.5, "l2": 0.05, "seed": seed()}),
        Case("one layer (no hidden layer, so nothing dropped): 4 -> 3, drop_prob 0.4, l2 0.2",
             _net(rng, [4, 3], 5), {"drop_prob": 0.4, "l2": 0.2, "seed": seed()}),
        Case("a single sample, 3 -> 4 -> 2, dropout 0.2", _net(rng, [3, 4, 2], 1),
             {"drop_prob": 0.2, "l2": 0.0, "seed": seed()}),
    ]


def _assembled(*, penalty_in_loss=True, penalty_in_grads=True, biases_penalised=False, drop_output=False,
               mask_in_backward=True, own_generator=False):
    """A loss_and_grads built from the package's public parts, with one step done wrong."""

    def wrong(params, X, y, *, drop_prob=0.0, l2=0.0, rng=None):
        if own_generator:
            rng = np.random.default_rng(12345)
        A, caches, last = X, [], len(params) - 1
        for layer, (W, b) in enumerate(params):
            Z, dense_cache = layers.dense_forward(A, W, b)
            mask = None
            if layer == last:
                A, activation_cache = Z, None
                if drop_output and drop_prob > 0:
                    A, mask = reg.dropout_forward(A, drop_prob, rng=rng)
            else:
                A, activation_cache = layers.activation_forward(Z, "relu")
                if drop_prob > 0:
                    A, mask = reg.dropout_forward(A, drop_prob, rng=rng)
            caches.append((dense_cache, activation_cache, mask))
        loss = losses.cross_entropy_with_logits(A, y)
        dout = losses.softmax_cross_entropy_grad(A, y)
        grads = [None] * len(params)
        for layer in range(last, -1, -1):
            dense_cache, activation_cache, mask = caches[layer]
            if layer == last:
                dZ = reg.dropout_backward(dout, mask) if mask_in_backward else dout
            else:
                dA = reg.dropout_backward(dout, mask) if mask_in_backward else dout
                dZ = backprop.activation_backward(dA, activation_cache)
            dout, dW, db = backprop.dense_backward(dZ, dense_cache)
            grads[layer] = (dW, db)
        if l2:
            if penalty_in_loss:
                loss += reg.l2_penalty(params, l2)
            for layer, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
                grads[layer] = (dW + reg.l2_grad(W, l2) if penalty_in_grads else dW,
                                db + l2 * b if biases_penalised else db)
        return loss, grads

    return wrong


register(Exercise(
    id="loss-and-grads", lesson=YOUR_NETWORK, title="Loss and gradients of one batch, from your parts", points=4,
    reference=loss_and_grads, make_cases=_loss_cases, run=_run_loss_and_grads,
    mistakes=(
        Mistake("penalty-missing-from-loss", _assembled(penalty_in_loss=False),
                "the gradients include the L2 term but the loss does not: add l2_penalty(params, l2) to the mean "
                "cross-entropy (7.1)."),
        Mistake("penalty-gradient-missing", _assembled(penalty_in_grads=False),
                "the loss includes the L2 penalty, so each dW gets its gradient too: dW + l2_grad(W, l2) (7.2)."),
        Mistake("biases-penalised", _assembled(biases_penalised=True),
                "the penalty is on the weights only: leave db as the backward pass returned it."),
        Mistake("dropout-on-the-logits", _assembled(drop_output=True),
                "dropout applies to hidden layers only: the output layer's logits go to the loss as they are."),
        Mistake("mask-not-used-in-backward", _assembled(mask_in_backward=False),
                "a unit dropped in the forward pass gets no gradient: pass dA through dropout_backward(dA, mask) "
                "with the same mask before the ReLU's backward (7.5)."),
        Mistake("own-generator", _assembled(own_generator=True),
                "draw the dropout masks from the rng you are given (dropout_forward(A, drop_prob, rng=rng)), layer 1 "
                "first: a generator of your own draws different masks from the reference's."),
    ),
))


# --------------------------------------------------------------------------- #
# train-loop: mini-batches, Adam and a cosine schedule around loss_and_grads
# --------------------------------------------------------------------------- #


def train_loop(params, X, y, *, epochs, batch_size, lr, drop_prob=0.0, l2=0.0, seed=0):
    """The reference: :func:`nncourse.train` with Adam and a cosine schedule; the trained parameters."""
    history = training.train(params, X, y, optimizer="adam", lr=lr, epochs=epochs, batch_size=batch_size,
                             seed=seed, drop_prob=drop_prob, l2=l2, schedule=optim.cosine_decay(lr, epochs))
    return history.params


@contextlib.contextmanager
def _global_bound(function, name: str, value):
    """``name`` bound to ``value`` in ``function``'s module globals for the duration, then as it was."""
    namespace = getattr(function, "__globals__", None)
    if not isinstance(namespace, dict):
        yield
        return
    missing = object()
    before = namespace.get(name, missing)
    namespace[name] = value
    try:
        yield
    finally:
        if before is missing:
            namespace.pop(name, None)
        else:
            namespace[name] = before


def _run_train_loop(objects, case):
    params, X, y = case.args
    # The loop calls the learner's `loss_and_grads` (exercise 6) by its global name. Exercise 7 is judged
    # on its own, as every exercise is: during the check that name means the reference, so an unsolved or
    # wrong exercise 6 does not cost exercise 7's points as well (and a right exercise 6 changes nothing).
    with _global_bound(objects[0], "loss_and_grads", loss_and_grads):
        result = objects[0](params, X, y, **case.kwargs)
    if not isinstance(result, (list, tuple)) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in result):
        raise TypeError(f"train_loop must return the trained params, a list of (W, b), got {type(result).__name__}")
    return {name: value for layer, (W, b) in enumerate(result, start=1) for name, value in
            ((f"W{layer}", W), (f"b{layer}", b))}


def _train_cases(rng: np.random.Generator) -> list:
    def seed():
        return int(rng.integers(0, 2**31))

    return [
        Case("2 epochs of 12 samples in batches of 4, 3 -> 5 -> 3, lr 0.01",
             _net(rng, [3, 5, 3], 12), {"epochs": 2, "batch_size": 4, "lr": 0.01, "seed": seed()}),
        Case("3 epochs, a last batch of 2 (10 samples in batches of 4), l2 0.01",
             _net(rng, [4, 6, 3], 10), {"epochs": 3, "batch_size": 4, "lr": 0.005, "l2": 0.01, "seed": seed()}),
        Case("dropout 0.3: shuffles and masks from one generator, 2 -> 6 -> 5 -> 2",
             _net(rng, [2, 6, 5, 2], 9), {"epochs": 2, "batch_size": 3, "lr": 0.01, "drop_prob": 0.3, "seed": seed()}),
        Case("one batch per epoch (batch_size = n), 4 epochs, 3 -> 4 -> 2",
             _net(rng, [3, 4, 2], 6), {"epochs": 4, "batch_size": 6, "lr": 0.02, "seed": seed()}),
        Case("one epoch, dropout 0.5 and l2 0.05, 5 -> 4 -> 3",
             _net(rng, [5, 4, 3], 8), {"epochs": 1, "batch_size": 2, "lr": 0.01, "drop_prob": 0.5, "l2": 0.05,
                                      "seed": seed()}),
    ]


def _loop(*, t_per_array=False, schedule=True, rng_per_epoch=False, reset_moments=False, shuffle=True):
    """A train_loop built from the package's parts, with one thing done differently from the statement."""

    def wrong(params, X, y, *, epochs, batch_size, lr, drop_prob=0.0, l2=0.0, seed=0):
        rng = np.random.default_rng(seed)
        params = [(W.copy(), b.copy()) for W, b in params]
        moments, t = None, 0
        for epoch in range(epochs):
            if rng_per_epoch:
                rng = np.random.default_rng(seed)
            if moments is None or reset_moments:
                moments = [[np.zeros_like(a) for a in pair] for pair in params], \
                          [[np.zeros_like(a) for a in pair] for pair in params]
            lr_epoch = optim.cosine_decay(lr, epochs)(epoch) if schedule else lr
            for idx in optim.minibatches(X.shape[0], batch_size, rng=rng, shuffle=shuffle):
                _, grads = backprop.loss_and_grads(params, X[idx], y[idx], activation="relu", l2=l2,
                                                   drop_prob=drop_prob, rng=rng)
                m, v = moments
                for layer, (pair, grad_pair) in enumerate(zip(params, grads)):
                    new = []
                    for k, (theta, grad) in enumerate(zip(pair, grad_pair)):
                        theta, m[layer][k], v[layer][k], t_next = optim.adam_update(
                            theta, grad, m[layer][k], v[layer][k], t, lr=lr_epoch)
                        if t_per_array:
                            t = t_next
                        new.append(theta)
                    params[layer] = tuple(new)
                if not t_per_array:
                    t += 1
        return params

    return wrong


register(Exercise(
    id="train-loop", lesson=YOUR_NETWORK, title="The training loop: mini-batches, Adam, a cosine schedule", points=5,
    reference=train_loop, make_cases=_train_cases, run=_run_train_loop,
    mistakes=(
        Mistake("step-counter-per-array", _loop(t_per_array=True),
                "t counts optimisation steps, one per mini-batch: every array of a batch uses the same t, and t "
                "grows by 1 after the batch, not after each array."),
        Mistake("no-schedule", _loop(schedule=False),
                "each epoch's learning rate is cosine_decay(lr, epochs)(epoch), not lr itself."),
        Mistake("generator-per-epoch", _loop(rng_per_epoch=True),
                "make the generator once, rng = np.random.default_rng(seed), before the first epoch: a new one "
                "every epoch repeats the same shuffle and the same dropout masks."),
        Mistake("adam-moments-reset-each-epoch", _loop(reset_moments=True),
                "Adam's m and v (and t) start at zeros once, before the first epoch, and carry over between epochs."),
        Mistake("no-shuffle", _loop(shuffle=False),
                "shuffle every epoch: minibatches(n, batch_size, rng=rng) with its default shuffle=True."),
    ),
))
