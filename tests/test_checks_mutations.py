"""The mutation suite: every exercise against its reference, its known mistakes, and the tables below.

For each registered exercise (``nncourse.checks.EXERCISES``):

* the reference passes, on fresh random cases and on several seeds, and the
  success output is exactly one line;
* every known wrong version (``Mistake``) fails and is diagnosed as itself
  (its id on the first failure, so its own hint), on several seeds; mistake
  ids are kebab-case and unique within their exercise;
* the students' stub (``raise NotImplementedError``) is "not attempted";
* blank answers (returning ``None``, or zeros of the right shape) fail;
* judging through the grading hand-over (plain data written to disk and read
  back, as ``nncourse grade`` does) gives the same verdict as in the kernel.

Then one table per lesson: wrong answers that used to pass (each kind of
survivor named in issue 12) and wrong answers that used to get a hint about
another mistake (each misfire). A row says what the answer gets wrong, the
answer, the diagnosis id it must get, and (for a misfire) the id it used to get
and must not get again.

Lesson-specific behaviour (hand-worked cases, correct answers written
differently, particular messages) is tested in ``tests/test_checks_<lesson>.py``;
the independent corpus of learners' answers in ``tests/test_checks_corpus.py``.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import nncourse
from nncourse import activations as act
from nncourse import backprop, layers, optim
from nncourse import regularization as reg
from nncourse.checks import EXERCISES, CheckFailed, check, exercise_rng, judge, run_checks, run_student
from nncourse.checks import _exchange

SEEDS = (0, 1, 2)
IDS = list(EXERCISES)
MISTAKES = [(e.id, m) for e in EXERCISES.values() for m in e.mistakes]
FUNCTIONS = [e.id for e in EXERCISES.values() if e.kind == "function" and e.n_objects == 1]


def _objects(implementation) -> tuple:
    return implementation if isinstance(implementation, tuple) else (implementation,)


def verdict(exercise_id: str, objects: tuple, seed=0):
    """The report of a check, judged as the grader judges (without the kernel's smallest-input search)."""
    exercise = EXERCISES[exercise_id]
    cases = exercise.make_cases(exercise_rng(exercise_id, seed))
    return judge(exercise, cases, [run_student(exercise, objects, c) for c in cases])


def _zeros_like(value):
    """A blank answer with the reference's structure: every number replaced by 0."""
    if isinstance(value, np.ndarray):
        return np.zeros_like(value)
    if isinstance(value, tuple):
        return tuple(_zeros_like(v) for v in value)
    if isinstance(value, dict):
        return {k: _zeros_like(v) for k, v in value.items()}
    if isinstance(value, list) or hasattr(value, "__next__"):  # lists, and generators (mini-batches)
        return [_zeros_like(v) for v in value]
    if callable(value):  # a schedule
        return lambda *args, **kwargs: 0.0
    return type(value)(0)


# --------------------------------------------------------------------------- #
# Every exercise
# --------------------------------------------------------------------------- #


def test_every_lesson_has_at_least_five_exercises():
    # A lesson split into parts (05a_..., 05b_..., 05c_...) counts its parts together: it is one lesson.
    per_lesson = {}
    for exercise in EXERCISES.values():
        per_lesson.setdefault(exercise.lesson[:2], []).append(exercise.id)
    short = {lesson: ids for lesson, ids in per_lesson.items()
             if len(ids) < (3 if lesson.startswith("08") else 5) and not lesson.startswith("00")}
    assert not short, f"lessons with too few exercises: {short}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_has_known_mistakes_with_ids_and_distinct_hints(exercise_id):
    mistakes = EXERCISES[exercise_id].mistakes
    hints, names = [m.hint for m in mistakes], [m.name for m in mistakes]
    assert len(hints) >= 3, f"{exercise_id}: needs at least three known mistakes with hints"
    assert len(set(hints)) == len(hints), f"{exercise_id}: two mistakes share a hint"
    assert len(set(names)) == len(names), f"{exercise_id}: two mistakes share an id"
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) and len(n) <= 40 for n in names), names


@pytest.mark.parametrize("exercise_id", IDS)
@pytest.mark.parametrize("seed", [None, *SEEDS])
def test_reference_passes(exercise_id, seed):
    exercise = EXERCISES[exercise_id]
    report = run_checks(exercise_id, *exercise.reference_objects(), seed=seed)
    assert report.passed, report.message()


@pytest.mark.parametrize("exercise_id", IDS)
def test_success_prints_exactly_one_line(exercise_id, capsys):
    exercise = EXERCISES[exercise_id]
    check(exercise_id, *exercise.reference_objects())
    n_cases = len(exercise.make_cases(np.random.default_rng(0)))
    assert capsys.readouterr().out == f"{exercise_id}: passed all {n_cases} test cases.\n"


@pytest.mark.parametrize("exercise_id, mistake", MISTAKES, ids=[f"{i}:{m.name}" for i, m in MISTAKES])
def test_every_mistake_fails_and_is_named(exercise_id, mistake):
    for seed in SEEDS:
        report = verdict(exercise_id, _objects(mistake.implementation), seed)
        assert not report.passed, f"the mistake {mistake.name!r} passed the check (seed {seed})"
        message = report.message()
        assert message.startswith(f"{exercise_id}: case '"), message
        assert report.failures[0].diagnosis == mistake.name, message
        assert mistake.hint in message, message


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_students_stub_is_not_attempted(exercise_id):
    exercise = EXERCISES[exercise_id]

    def stub_function(*args, **kwargs):
        raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    class StubClass:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError(f"{exercise_id}: replace this line with your code")

    stub = stub_function if exercise.kind == "function" else StubClass
    with pytest.raises(CheckFailed) as info:
        check(exercise_id, *([stub] * exercise.n_objects))
    assert info.value.not_attempted and "not attempted yet" in str(info.value)


@pytest.mark.parametrize("exercise_id", FUNCTIONS)
def test_blank_answers_fail(exercise_id):
    reference = EXERCISES[exercise_id].reference

    def returns_none(*args, **kwargs):
        return None

    def returns_zeros(*args, **kwargs):
        return _zeros_like(reference(*args, **kwargs))

    for blank in (returns_none, returns_zeros):
        report = verdict(exercise_id, (blank,))
        assert not report.passed and not report.not_attempted, f"{blank.__name__} passed {exercise_id}"
    if EXERCISES[exercise_id].run is None:  # a custom run hook may use the result before it is judged
        assert "returned None" in verdict(exercise_id, (returns_none,)).message()


@pytest.mark.parametrize("exercise_id", IDS)
def test_grading_hand_over_gives_the_kernels_verdict(exercise_id, tmp_path, monkeypatch):
    """The grader judges what a grading kernel wrote to disk; it must agree with the kernel.

    Only the kernel can add the smallest failing input (it alone has the learner's code);
    every failure, its reason and its diagnosis are the same on both sides.
    """
    exercise = EXERCISES[exercise_id]
    seed = 4242
    monkeypatch.setattr(_exchange, "_sink", _exchange.Sink(tmp_path, seed))
    candidates = [exercise.reference_objects()] + [_objects(m.implementation) for m in exercise.mistakes[:2]]
    for objects in candidates:
        in_kernel = run_checks(exercise_id, *objects, seed=seed)
        cases = exercise.make_cases(exercise_rng(exercise_id, seed))
        outcomes = _exchange.load(tmp_path, exercise_id, seed, len(cases))
        in_grader = judge(exercise, cases, outcomes)
        assert (in_grader.passed, in_grader.failures) == (in_kernel.passed, in_kernel.failures)
        assert in_grader.smallest is None


# --------------------------------------------------------------------------- #
# One table per lesson: survivors that must now fail, misfires that must now name the mistake.
# (exercise, what the answer gets wrong, the answer, the diagnosis it must get, the one it must not get)
# --------------------------------------------------------------------------- #


def _norm_shifted(x, kind="l2"):
    return nncourse.linalg.norm(x, kind) + 0.1


def _affine_unnamed(X, W, b):
    if np.ndim(X) != 2 or np.shape(X)[1] != np.shape(W)[0] or np.shape(b) != (np.shape(W)[1],):
        raise ValueError("the shapes do not fit")
    return X @ W + b


LESSON_01 = [
    ("dot-loop", "a wrong number is not 'a scale factor' (the ratio test on one number always succeeded)",
     lambda a, b: float(a @ b) + 0.5, None, "generic:factor"),
    ("norms", "a wrong number is not 'a scale factor'", _norm_shifted, None, "generic:factor"),
    ("affine", "an error message that does not name the argument", _affine_unnamed, "message-without-argument", None),
    ("grad-quadratic", "(A + A.T) * x is an element-wise product, not an (n,) vs (n, 1) broadcast",
     lambda A, x: (A + A.T) * x, "elementwise-times-x", "generic:outer-broadcast"),
    ("dot-loop", "an array holding the number is 'return one number', not a 0-d input",
     lambda a, b: np.array([float(a @ b)]), "generic:scalar-as-array", "generic:0d-shape"),
]


def _relu_float64(z):
    return np.maximum(z, np.zeros(z.shape))


def _sigmoid_silenced(z):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def _softmax_mean_shift(z):
    e = np.exp(z - z.mean(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


LESSON_02 = [
    ("relu", "float32 in, float64 out, equal values: a dtype, not 'a constant factor (1)'",
     _relu_float64, "generic:dtype", "generic:factor"),
    ("relu-grad", "float32 in, float64 out", lambda z: (z > 0).astype(float), "generic:dtype", None),
    ("leaky-relu", "float32 in, float64 out",
     lambda z, slope=0.01: np.where(z > 0, z, slope * z).astype(np.float64), "generic:dtype", None),
    ("tanh-grad", "float32 in, float64 out", lambda z: 1.0 - np.tanh(z.astype(float)) ** 2, "generic:dtype", None),
    ("sigmoid-grad", "float32 in, float64 out",
     lambda z: act.sigmoid_grad(z.astype(float)), "generic:dtype", None),
    ("relu", "a 0-d input returned as shape (1,)", lambda z: np.maximum(np.atleast_1d(z), 0.0),
     "generic:0d-shape", None),
    ("relu-grad", "heaviside(z, 0.5): wrong only where the answer is 0, not 'a constant factor (1)'",
     lambda z: np.heaviside(z, 0.5), "half-at-zero", "generic:factor"),
    ("relu", "np.max(z, 0) is a reduction, not 'you reduced over every axis'", lambda z: np.max(z, 0),
     "max-not-maximum", "generic:reduced-all"),
    ("relu", "returns z itself when no entry is negative (a new array is asked for)",
     lambda z: z if np.all(z >= 0) else np.maximum(z, 0), "generic:aliasing", None),
    ("sigmoid", "the textbook formula with the overflow silenced by np.errstate", _sigmoid_silenced, "naive", None),
    ("sigmoid", "the input clipped at +-30", lambda z: 1 / (1 + np.exp(-np.clip(z, -30, 30))), "clipped", None),
    ("softmax", "shifted by the row mean (overflows at [-1000, 0, 1000])", _softmax_mean_shift, "mean-shift", None),
    ("softmax", "uniform output rows are not 'a global variable'", _softmax_columns, "normalised-over-columns",
     "generic:global-variable"),
]


def _count_pop(layer_sizes):
    total = 0
    while len(layer_sizes) > 1:
        n_out = layer_sizes.pop()
        total += layer_sizes[-1] * n_out + n_out
    return total


def _forward_naive_softmax(params, X):
    A, cache = X, []
    for i, (W, b) in enumerate(params):
        Z = A @ W + b
        last = i == len(params) - 1
        cache.append(((A, W), (Z, "softmax" if last else "relu"), None))
        A = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True) if last else np.maximum(Z, 0)
    return A, cache


LESSON_03 = [
    ("count-params", "one parameter too many is not 'biases on the input side'",
     lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])) + 1, None, "biases-on-the-input-side"),
    ("count-params", "layer_sizes.pop() empties the caller's list", _count_pop, "generic:input-mutated", None),
    ("forward-pass", "a softmax without the shift (logits of +-1000)", _forward_naive_softmax, "unstable-softmax",
     None),
    ("dense-forward", "a tuple holding a string is described as a tuple, not as the string",
     lambda X, W, b: (X @ W + b, "cache"), None, None),
    ("init-he", "the std of fan-out fails the cases named after the spread",
     lambda n_in, n_out, rng: rng.normal(0.0, np.sqrt(2.0 / n_out), (n_in, n_out)), "fan-out", None),
]


def _bce_eps(eps):
    def bce(p, y):
        q = np.clip(p, eps, 1 - eps)
        return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))
    return bce


def _lse_no_keepdims(Z):
    m = np.max(Z, axis=1)
    return m + np.log(np.sum(np.exp(Z - m), axis=1))


def _one_hot_int(y, n_classes):
    out = np.zeros((len(y), n_classes), dtype=int)
    out[np.arange(len(y)), y] = 1
    return out


LESSON_04 = [
    ("binary-cross-entropy", "another epsilon (1e-7) is not 'a scale factor'", _bce_eps(1e-7),
     "clipped-with-another-epsilon", "generic:factor"),
    ("binary-cross-entropy", "float64's epsilon for float32 probabilities", _bce_eps(np.finfo(np.float64).eps),
     "float64-eps", None),
    ("logsumexp", "the max without keepdims: a named mistake, not a raw broadcast error", _lse_no_keepdims,
     "max-without-keepdims", None),
    ("one-hot", "integer rows: the dtype message says the inputs are integer labels", _one_hot_int,
     "generic:dtype", None),
    ("mse", "a loss off by 0.5 on one number is named by its mistake, not by a ratio",
     lambda p, y: float(0.5 * np.mean((p - y) ** 2)), "with-half", None),
]


def _backward_divided(dZ_out, cache):
    n = dZ_out.shape[0]
    return [(dW / n, db / n) for dW, db in backprop.backward(dZ_out, cache)]


def _backward_in_place(dZ_out, cache):
    grads = backprop.backward(dZ_out, cache)
    dZ_out *= 0.0
    return grads


def _numerical_h_ignored(f, x, h=1e-5):
    return nncourse.gradient_check.numerical_gradient(f, x, 1e-5)


LESSON_05 = [
    ("backward-pass", "dict results get the generic hints: every gradient off by 1/n", _backward_divided,
     "generic:factor-1/n", None),
    ("backward-pass", "dZ_out changed in place", _backward_in_place, "generic:input-mutated", None),
    ("numerical-gradient", "h ignored (a case with h = 0.1)", _numerical_h_ignored, "h-ignored", None),
]


def _schedule_with_state(lr, factor=0.5, every=10):
    state = {"lr": lr, "last": -1}

    def schedule(epoch):
        while state["last"] < epoch:
            state["last"] += 1
            if state["last"] > 0 and state["last"] % every == 0:
                state["lr"] *= factor
        return state["lr"]
    return schedule


def _minibatches_choice(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.choice(n_samples, n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


def _minibatches_global(n_samples, batch_size, *, rng, shuffle=True):
    order = np.random.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, batch_size)]


LESSON_06 = [
    ("lr-schedule", "a schedule that keeps state between calls (called out of order)", _schedule_with_state,
     "state-between-calls", None),
    ("minibatches", "rng.choice draws with replacement", _minibatches_choice, "choice-with-replacement", None),
    ("minibatches", "np.random's global state", _minibatches_global, "global-random", None),
    ("adam-step", "a one-entry step with a wrong value is not 'a scale factor'",
     lambda *a, **k: (lambda r: (r[0] + 0.01,) + r[1:])(optim.adam_update(*a, **k)), None, "generic:factor"),
]


def _l2_squares_in_place(params, l2):
    total = 0.0
    for W, _ in params:
        W **= 2
        total += float(W.sum())
    return 0.5 * l2 * total


class _CopiesEveryEpoch(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        self.best_params = copy.deepcopy(params)
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


class _PreviousEpoch(reg.EarlyStopping):
    def update(self, epoch, val_loss, params):
        previous, self._previous = getattr(self, "_previous", np.inf), val_loss
        if val_loss < previous - self.min_delta:
            if val_loss < self.best_loss:
                self.best_loss, self.best_epoch, self.best_params = val_loss, epoch, copy.deepcopy(params)
            self.bad_epochs = 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience


def _dropout_bool_mask(A, drop_prob, *, rng, training=True):
    if not training:
        return A.copy(), None
    keep = rng.random(A.shape) >= drop_prob
    return A * keep / (1 - drop_prob), keep


def _dropout_returns_A(A, drop_prob, *, rng, training=True):
    return (A, None) if not training else reg.dropout_forward(A, drop_prob, rng=rng, training=True)


def _split(stratify_ignored_when_false=False, rounding=round):
    def train_val_test_split(X, y, *, val_fraction=0.15, test_fraction=0.15, seed=0, stratify=True):
        rng = np.random.default_rng(seed)
        groups = [np.flatnonzero(y == c) for c in np.unique(y)] if (stratify or stratify_ignored_when_false) \
            else [np.arange(len(y))]
        parts = [[], [], []]
        for idx in groups:
            idx = rng.permutation(idx)
            n_test, n_val = int(rounding(test_fraction * idx.size)), int(rounding(val_fraction * idx.size))
            parts[2].append(idx[:n_test])
            parts[1].append(idx[n_test:n_test + n_val])
            parts[0].append(idx[n_test + n_val:])
        return tuple((X[i], y[i]) for i in (rng.permutation(np.concatenate(p)) for p in parts))
    return train_val_test_split


LESSON_07 = [
    ("l2-penalty", "W **= 2 squares the model's weights in place (arrays inside a list)", _l2_squares_in_place,
     "generic:input-mutated", None),
    ("early-stopping", "a deep copy on every epoch keeps the last weights, not 'store a deep copy'",
     _CopiesEveryEpoch, "copies-every-epoch", "no-copy"),
    ("early-stopping", "compared with the previous epoch (a zig-zag curve)", _PreviousEpoch,
     "compared-with-previous-epoch", None),
    ("dropout-forward", "a boolean mask cached: not 'integer arithmetic'", _dropout_bool_mask,
     "unscaled-mask-cached", "generic:dtype"),
    ("dropout-forward", "A itself at evaluation, where a copy is asked for", _dropout_returns_A,
     "generic:aliasing", None),
    ("l1-grad", "where(W > 0, 1, -1): wrong only where the answer is 0",
     lambda W, l1: l1 * np.where(W > 0, 1.0, -1.0), "sign-0-minus-1", "generic:factor"),
    ("train-val-split", "stratify=False ignored", _split(stratify_ignored_when_false=True), "stratify-false-ignored",
     None),
    ("train-val-split", "int() instead of round()", _split(rounding=int), "int-not-round", None),
]


def _predict_plus_one(params, X):
    return np.argmax(nncourse.forward(params, X)[0], axis=1) + 1


def _predict_no_biases(params, X):
    return np.argmax(nncourse.forward([(W, np.zeros_like(b)) for W, b in params], X)[0], axis=1)


def _confusion_skips_last(y_true, y_pred, n_classes):
    C = np.zeros((n_classes, n_classes), dtype=int)
    for i in range(len(y_true) - 1):
        C[y_true[i], y_pred[i]] += 1
    return C


def _shift_minus_dy(images, dy, dx):
    out = np.zeros_like(images)
    h, w = images.shape[1:]
    rows_out, rows_in = (slice(dy, h), slice(0, -dy)) if dy >= 0 else (slice(0, h + dy), slice(-dy, h))
    cols_out, cols_in = (slice(dx, w), slice(0, -dx)) if dx >= 0 else (slice(0, w + dx), slice(-dx, w))
    out[:, rows_out, cols_out] = images[:, rows_in, cols_in]
    return out


LESSON_08 = [
    ("predict-classes", "argmax + 1 is not 'stop using argmin'", _predict_plus_one, "argmax-plus-one", "argmin"),
    ("predict-classes", "the biases left out (the cases have non-zero biases)", _predict_no_biases,
     "biases-ignored", None),
    ("confusion-matrix", "a loop that skips the last sample is not 'fancy indexing'", _confusion_skips_last,
     "last-sample-skipped", "fancy-index"),
    ("shift-images", "[:-dy] with dy = 0 is a named mistake, not 'check the shapes'", _shift_minus_dy,
     "minus-zero-slice", "generic:shape-error"),
    ("per-class-accuracy", "the diagonal counts (integers): the dtype message says the inputs are integers",
     lambda C: np.diag(C), "generic:dtype", None),
]

TABLES = {"01": LESSON_01, "02": LESSON_02, "03": LESSON_03, "04": LESSON_04, "05": LESSON_05, "06": LESSON_06,
          "07": LESSON_07, "08": LESSON_08}
ROWS = [(lesson, *row) for lesson, rows in TABLES.items() for row in rows]


@pytest.mark.parametrize("lesson, exercise_id, what, answer, expected, not_expected", ROWS,
                         ids=[f"{r[0]}:{r[1]}:{r[2][:40]}" for r in ROWS])
def test_lesson_tables(lesson, exercise_id, what, answer, expected, not_expected):
    assert EXERCISES[exercise_id].lesson.startswith(lesson)
    for seed in SEEDS:
        report = verdict(exercise_id, _objects(answer), seed)
        assert not report.passed, f"{exercise_id}: '{what}' passed (seed {seed})"
        diagnosis = report.failures[0].diagnosis
        if expected is not None:
            assert diagnosis == expected, report.message()
        if not_expected is not None:
            assert all(f.diagnosis != not_expected for f in report.failures), report.message()


def test_a_tuple_with_one_non_numeric_item_is_described_as_a_tuple():
    message = verdict("dense-forward", (lambda X, W, b: (X @ W + b, "cache"),)).message()
    assert "returned a tuple of 2 whose item 1 is a str" in message


def test_case_names_state_what_they_test():
    names = {i: [c.name for c in EXERCISES[i].make_cases(np.random.default_rng(0))] for i in EXERCISES}
    assert any("val_fraction 0.2, test_fraction 0.3" in n for n in names["train-val-split"])
    assert any("stratify=False" in n for n in names["train-val-split"])
    assert any("float32" in n for n in names["relu-grad"]) and any("0-d" in n for n in names["relu"])
    assert any("[-1000, 0, 1000]" in n for n in names["softmax"])
    assert any("h = 0.1" in n for n in names["numerical-gradient"])
    assert any("zig-zag" in n for n in names["early-stopping"])
    assert any("non-zero biases" in n for n in names["predict-classes"])
    failing = {f.case for f in verdict("init-he", (lambda n_in, n_out, rng: rng.normal(
        0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in)),)).failures}
    assert failing and all("shape" in name for name in failing)


def test_the_backward_pass_worked_example_is_the_notebooks_network():
    case = EXERCISES["backward-pass"].make_cases(np.random.default_rng(0))[0]
    params, X, y, activation = case.args
    expected = layers.init_params([2, 3, 2], init="xavier", seed=0)
    assert all(np.array_equal(W, W0) and np.array_equal(b, b0) for (W, b), (W0, b0) in zip(params, expected))
    np.testing.assert_array_equal(X, [[1.0, 2.0], [0.5, -1.0]])
    assert list(y) == [1, 0] and activation == "tanh" and "notebook" in case.name


def test_messages_show_the_first_wrong_index_booleans_and_matrices():
    # the first wrong entry, not the largest: relu with |z| is wrong at -2 and -0.5 (index 0 first)
    message = verdict("relu", (np.abs,)).message()
    assert "wrong values at index (0,), the first of 2 wrong entries (of 5): expected 0, got 2" in message
    # booleans as True/False
    split = verdict("train-val-split", (_split(rounding=int),)).message()
    assert "expected True" in split or "got True" in split or "sizes" in split
    ones = verdict("early-stopping", (_CopiesEveryEpoch,)).message()
    assert "best_W" in ones
    # a matrix printed as a matrix
    matrix = verdict("l1-grad", (lambda W, l1: l1 * np.where(W > 0, 1.0, -1.0),)).message()
    assert "[[ 0.1, -0.1],\n     [ 0. ,  0.1]]" in matrix
    raises = verdict("affine", (_affine_unnamed,)).message()
    assert "expected True, got False" in raises
