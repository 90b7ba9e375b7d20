"""The check machinery itself, on a small exercise defined here (not one of the course's).

Each lesson's exercises have their own mutation suites (tests/test_checks_<lesson>.py);
this file tests what they all rely on: plain-data conversion of hostile results,
the generic diagnoses, the not-attempted state, and the grading hand-over.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import checks
from nncourse.checks import _exchange, _running
from nncourse.checks._definitions import Case, CheckFailed, Exercise, Mistake
from nncourse.checks._running import Outcome, Raised, Unsupported

# --- a tiny exercise: scale each row of X by 1/n (mean-like), so factor hints can fire ---


def reference_scale(X):
    return X / X.shape[0]


def cases(rng):
    return [
        Case("a 3x2 matrix by hand", (np.array([[1.0, 2.0], [3.0, 4.0], [6.0, 9.0]]),)),
        Case("random 5x3", (rng.standard_normal((5, 3)),)),
        Case("random 7x3", (rng.standard_normal((7, 3)),)),
        Case("large inputs", (rng.standard_normal((4, 3)) * 1e3,), extreme=True),
    ]


def forgot_divide(X):
    return X.copy()


@pytest.fixture
def exercise():
    ex = Exercise(id="test-scale", lesson="99_test", title="Scale by 1/n", points=2,
                  reference=reference_scale, make_cases=cases,
                  mistakes=(Mistake("forgot-to-divide", forgot_divide, "divide by the number of rows"),))
    checks.register(ex)
    yield ex
    del checks.EXERCISES[ex.id]


def failure(exercise_id, fn) -> str:
    with pytest.raises(CheckFailed) as info:
        checks.check(exercise_id, fn)
    return str(info.value)


def test_reference_passes_with_one_line(exercise, capsys):
    checks.check("test-scale", reference_scale)
    assert capsys.readouterr().out == "test-scale: passed all 4 test cases.\n"


def test_known_mistake_gets_its_hint(exercise):
    message = failure("test-scale", forgot_divide)
    assert "case 'a 3x2 matrix by hand' failed" in message
    assert "hint: divide by the number of rows" in message
    assert "expected" in message and "got" in message
    assert checks.run_checks("test-scale", forgot_divide, seed=0).diagnoses == ("forgot-to-divide",) * 4


def test_not_attempted(exercise):
    def stub(X):
        raise NotImplementedError("test-scale: replace this line with your code")

    with pytest.raises(CheckFailed) as info:
        checks.check("test-scale", stub)
    assert info.value.not_attempted and "not attempted" in str(info.value)


def _plain(lines):
    import re
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]


def test_a_failure_shows_a_panel_not_a_traceback(exercise):
    with pytest.raises(CheckFailed) as info:
        checks.check("test-scale", forgot_divide)
    panel = _plain(info.value._render_traceback_())
    assert panel[0] == "test-scale: failed"
    body = "\n".join(panel)
    for words in ("case 'a 3x2 matrix by hand' failed", "expected", "got", "hint: divide by the number of rows"):
        assert words in body
    assert "Traceback" not in body and "nncourse/checks" not in body
    assert panel[-1].startswith("Change your answer cell")
    assert info.value._render_traceback_()[0].startswith("\x1b[1;31m")


def test_not_attempted_shows_a_panel_that_says_the_lesson_goes_on(exercise):
    def stub(X):
        raise NotImplementedError("test-scale: replace this line with your code")

    with pytest.raises(CheckFailed) as info:
        checks.check("test-scale", stub)
    panel = _plain(info.value._render_traceback_())
    assert panel[0] == "test-scale: not attempted yet"
    assert panel[1].startswith("  Replace the `raise NotImplementedError` line")
    assert "later cells that need this part use the course's version" in panel[-1]


def test_a_panel_without_an_exercise_id():
    panel = _plain(CheckFailed("x: y")._render_traceback_())
    assert panel[:2] == ["check: failed", "  x: y"]


def test_the_panel_replaces_the_traceback_in_ipython(exercise):
    # IPython (and so ipykernel, JupyterLab, nbclient) asks the exception for its lines.
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shown = []
    shell._showtraceback = lambda etype, value, stb: shown.append(stb)
    try:
        shell.user_ns.update(check=checks.check, f=forgot_divide)
        shell.run_cell('check("test-scale", f)')
    finally:
        InteractiveShell.clear_instance()
    assert _plain(shown[0])[0] == "test-scale: failed"


def test_blank_answers_fail(exercise):
    assert "forget the `return`" in failure("test-scale", lambda X: None)
    assert "wrong values" in failure("test-scale", lambda X: np.zeros_like(X))


def test_generic_hints(exercise):
    assert "sign is flipped" in failure("test-scale", lambda X: -X / X.shape[0])
    assert "factor of 2" in failure("test-scale", lambda X: 2 * X / X.shape[0])
    assert "transposed" in failure("test-scale", lambda X: (X / X.shape[0]).T)
    assert "axis of length 1" in failure("test-scale", lambda X: (X / X.shape[0])[..., None])
    assert "dtype float32" in failure("test-scale", lambda X: (X / X.shape[0]).astype(np.float32))


def test_input_mutation_is_reported(exercise):
    def in_place(X):
        X /= X.shape[0]
        return X

    assert "modified its argument" in failure("test-scale", in_place)


def test_global_instead_of_argument(exercise):
    frozen = np.ones((5, 3)) / 5

    assert "global variable" in failure("test-scale", lambda X: frozen)


def test_printing_inside_the_answer_does_not_change_the_output(exercise, capsys):
    def chatty(X):
        print("debugging", X.shape)
        return X / X.shape[0]

    checks.check("test-scale", chatty)
    assert capsys.readouterr().out == "test-scale: passed all 4 test cases.\n"


@pytest.mark.parametrize("value, expected", [
    ((x for x in range(3)), Unsupported),
    ("a string", Unsupported),
    (np.array(["a"]), Unsupported),
    (np.zeros(_running.MAX_RESULT_ELEMENTS + 1, dtype=np.uint8), Unsupported),
])
def test_to_plain_rejects_non_numeric(value, expected):
    assert isinstance(_running.to_plain(value), expected)


def test_to_plain_defeats_an_always_equal_object(exercise):
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return True

    def liar(X):
        return np.zeros(X.shape).view(AlwaysEqual)

    plain = _running.to_plain(np.zeros(3).view(AlwaysEqual))
    assert type(plain) is np.ndarray
    assert "wrong values" in failure("test-scale", liar)


def test_nan_results_fail(exercise):
    assert "inf or NaN" in failure("test-scale", lambda X: np.full(X.shape, np.nan))


def test_errors_in_the_answer_are_reported_not_raised(exercise):
    message = failure("test-scale", lambda X: X @ np.ones((7, 7)))
    assert "raised ValueError" in message


def test_passing_the_result_instead_of_the_function(exercise):
    with pytest.raises(CheckFailed, match="without calling it"):
        checks.check("test-scale", np.zeros(3))


def test_unknown_exercise_suggests_a_close_id(exercise):
    with pytest.raises(ValueError, match="Did you mean 'test-scale'"):
        checks.check("test-scal", reference_scale)


def test_wrong_number_of_objects(exercise):
    with pytest.raises(TypeError, match="takes 1 object"):
        checks.check("test-scale", reference_scale, reference_scale)


def test_duplicate_ids_are_refused(exercise):
    with pytest.raises(ValueError, match="already registered"):
        checks.register(exercise)


def test_grading_hand_over_round_trip(exercise, tmp_path, monkeypatch):
    """In a grading kernel the outcomes go to disk; the grader judges them in its own process."""
    monkeypatch.setattr(_exchange, "_sink", _exchange.Sink(tmp_path, 1234))
    with pytest.raises(CheckFailed):
        checks.check("test-scale", forgot_divide)
    n_cases = len(cases(np.random.default_rng(0)))
    outcomes = _exchange.load(tmp_path, "test-scale", 1234, n_cases)
    regenerated = exercise.make_cases(checks.exercise_rng("test-scale", 1234))
    report = checks.judge(exercise, regenerated, outcomes)
    assert not report.passed and "divide by the number of rows" in report.message()

    checks.check("test-scale", reference_scale)
    report = checks.judge(exercise, regenerated, _exchange.load(tmp_path, "test-scale", 1234, n_cases))
    assert report.passed


def test_exchange_rejects_forged_or_foreign_results(exercise, tmp_path, monkeypatch):
    monkeypatch.setattr(_exchange, "_sink", _exchange.Sink(tmp_path, 7))
    checks.check("test-scale", reference_scale)
    with pytest.raises(_exchange.ExchangeError, match="not produced by this grading run"):
        _exchange.load(tmp_path, "test-scale", 8, 4)
    (tmp_path / "test-scale.json").write_text("{not json")
    with pytest.raises(_exchange.ExchangeError, match="unreadable"):
        _exchange.load(tmp_path, "test-scale", 7, 4)
    (tmp_path / "test-scale.json").write_text('{"exercise": "test-scale", "seed": 7, "cases": [{"result": '
                                                '{"array": "a0"}, "inputs_after": [], "warnings": []}]}')
    with pytest.raises(_exchange.ExchangeError, match="expected results for 4 cases"):
        _exchange.load(tmp_path, "test-scale", 7, 4)
    with pytest.raises(_exchange.ExchangeError, match="no results"):
        _exchange.load(tmp_path, "other", 7, 4)


def test_exchange_never_unpickles(exercise, tmp_path, monkeypatch):
    monkeypatch.setattr(_exchange, "_sink", _exchange.Sink(tmp_path, 7))
    checks.check("test-scale", reference_scale)
    with open(tmp_path / "test-scale.npz", "wb") as fh:
        np.savez(fh, a0=np.array([object()], dtype=object))
    with pytest.raises(_exchange.ExchangeError):
        _exchange.load(tmp_path, "test-scale", 7, 4)


def test_raised_and_unsupported_survive_the_exchange(tmp_path):
    outcomes = [Outcome(Raised("KeyError", "'x'"), (np.ones(2),), ("RuntimeWarning: overflow",)),
                Outcome(Unsupported("a generator"), (), ()),
                Outcome((np.ones(2), {"a": np.zeros(1)}, None), (), ())]
    _exchange.dump(tmp_path, "x", 3, outcomes)
    assert _exchange.load(tmp_path, "x", 3, 3)[0].result == Raised("KeyError", "'x'")
    loaded = _exchange.load(tmp_path, "x", 3, 3)
    assert loaded[1].result == Unsupported("a generator")
    assert loaded[2].result[2] is None and loaded[2].result[1]["a"].shape == (1,)


def test_every_course_exercise_is_well_formed():
    assert checks.EXERCISES, "no exercises registered"
    for ex in checks.EXERCISES.values():
        assert ex.id and ex.points > 0 and ex.title
        assert ex.lesson[:2].isdigit(), f"{ex.id}: lesson must be a notebook stem, got {ex.lesson!r}"
        first = ex.make_cases(np.random.default_rng(1))
        second = ex.make_cases(np.random.default_rng(2))
        assert len(first) == len(second) >= 3, f"{ex.id}: needs several cases, the same number every run"


# --- the diagnosis machinery (issue 12): a generic hint only when it is true ---


def scalar_cases(rng):
    return [Case(f"case {i}", (rng.standard_normal(4) + i,)) for i in range(4)]


@pytest.fixture
def scalar_exercise():
    ex = Exercise(id="test-sum", lesson="99_test", title="Sum", points=1, reference=lambda x: float(np.sum(x)),
                  make_cases=scalar_cases,
                  mistakes=(Mistake("first-only", lambda x: float(x[0]), "add every entry"),))
    checks.register(ex)
    yield ex
    del checks.EXERCISES[ex.id]


def test_a_wrong_number_is_not_a_scale_factor(scalar_exercise):
    # One number always has *some* ratio to the answer: that is no evidence of a missing factor.
    report = checks.run_checks("test-sum", lambda x: float(np.sum(x)) + 0.5, seed=0)
    assert not report.passed and not any(d and d.startswith("generic:factor") for d in report.diagnoses)
    # What is true of it, the same number added on every case, is said instead.
    assert report.diagnoses == ("generic:offset",) * 4
    # A different wrong number on each case supports neither.
    report = checks.run_checks("test-sum", lambda x: float(np.sum(x)) + float(np.max(x)) ** 2, seed=0)
    assert not report.passed and report.diagnoses == (None,) * 4
    # The same factor on every case is evidence, and says so.
    assert checks.run_checks("test-sum", lambda x: 2 * float(np.sum(x)), seed=0).diagnoses[0] == "generic:factor-2"


def test_the_ratio_test_includes_the_zeros(exercise):
    # Twice the answer where the answer is not 0, and 1 where it is: not "a factor of 2".
    def wrong(X):
        out = 2 * X / X.shape[0]
        out.flat[0] = 1.0
        return out

    def with_zero(rng):
        X = rng.standard_normal((5, 3))
        X[0, 0] = 0.0
        return [Case(f"case {i}", (X * (i + 1),)) for i in range(3)]

    ex = Exercise(id="test-zero", lesson="99_test", title="Scale", points=1, reference=reference_scale,
                  make_cases=with_zero)
    checks.register(ex)
    try:
        assert checks.run_checks("test-zero", wrong, seed=0).diagnoses[0] is None
    finally:
        del checks.EXERCISES["test-zero"]


def test_a_dtype_mismatch_with_equal_values_is_only_a_dtype(exercise):
    report = checks.run_checks("test-scale", lambda X: (X / X.shape[0]).astype(np.float32), seed=0)
    assert set(report.diagnoses) == {"generic:dtype"} and "factor" not in report.message()


def test_dtype_messages_describe_the_actual_inputs():
    one_hot = checks.run_checks("one-hot", lambda y, k: np.eye(k, dtype=int)[y], seed=0).message()
    assert "returned integers of dtype int64, expected float64" in one_hot
    assert "the inputs are integers, but the result must be float64" in one_hot
    relu = checks.run_checks("relu", lambda z: np.maximum(z, np.zeros(z.shape)), seed=0).message()
    assert "(the input is float32)" in relu and "keep the input's dtype, float32" in relu


def test_a_mistake_must_reproduce_every_failing_case():
    # One parameter too many agrees with "biases on the input side" on [3, 4, 2]... and nowhere else.
    report = checks.run_checks("count-params", lambda s: sum(a * b + b for a, b in zip(s[:-1], s[1:])) + 1, seed=0)
    assert "biases-on-the-input-side" not in report.diagnoses


def test_constant_outputs_are_not_a_global_variable_unless_every_case_gets_one():
    # Normalised over columns, every single-row case gives [[1, 1, 1]]: constant, but not a global.
    def columns(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    assert "generic:global-variable" not in checks.run_checks("softmax", columns, seed=0).diagnoses


def test_the_outer_broadcast_and_reduction_hints_only_when_true():
    quadratic = checks.run_checks("grad-quadratic", lambda A, x: (A + A.T) * x, seed=0)
    assert "generic:outer-broadcast" not in quadratic.diagnoses
    relu = checks.run_checks("relu", lambda z: np.max(z, 0), seed=0)
    assert "generic:reduced-all" not in relu.diagnoses

    def outer(p, y):  # an (n,) against an (n, 1): the diagonal holds the answer
        return 2 * (p - y[:, None]) / p.size if p.ndim == 1 else 2 * (p - y) / p.size

    assert "generic:outer-broadcast" in checks.run_checks("mse-grad", outer, seed=0).diagnoses


def test_plain_data_describes_a_tuple_with_one_non_numeric_item():
    assert _running.to_plain((np.ones(2), "cache")) == Unsupported("a tuple of 2 whose item 1 is a str")
    assert _running.to_plain({"a": np.ones(1), "b": object()}).description.startswith("a dict whose item 'b' is")


def test_numbers_are_printed_with_the_digits_that_tell_them_apart():
    from nncourse.checks._comparing import _digits_to_tell_apart, array_text, scalar_text

    a, b = 0.8661780, 0.8661784
    digits = _digits_to_tell_apart(a, b)
    assert scalar_text(a, digits) != scalar_text(b, digits) and digits == 7
    assert scalar_text(np.array(True)) == "True" and scalar_text(np.array(3)) == "3"
    assert array_text(np.eye(2)).splitlines()[1:] == ["    [[1., 0.],", "     [0., 1.]]"]
    assert "..." in array_text(np.arange(200.0).reshape(20, 10))


def test_overflow_hidden_by_np_errstate_is_still_seen():
    def silenced(z):
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

    report = checks.run_checks("sigmoid", silenced, seed=0)
    assert not report.passed and "overflow" in report.message()
    assert np.errstate.__module__.startswith("numpy")  # restored after the check


def test_an_argument_changed_inside_a_list_is_reported_by_name():
    def squares_in_place(params, l2):
        for W, _ in params:
            W **= 2
        return 0.5 * l2 * sum(float(W.sum()) for W, _ in params)

    message = checks.run_checks("l2-penalty", squares_in_place, seed=0).message()
    assert "modified its argument `params` in place" in message


def test_the_smallest_failing_input_is_shown_next_to_the_reference():
    def relu(z):
        return np.abs(z)

    message = checks.run_checks("relu", relu, seed=0).message()
    assert "smallest failing input found: relu(array([-1.])) returned array([1.]); expected array([0.])" in message
    # The grader has no learner code to run: its verdict has no such line.
    exercise = checks.EXERCISES["relu"]
    cases = exercise.make_cases(checks.exercise_rng("relu", 0))
    assert checks.judge(exercise, cases, [checks.run_student(exercise, (relu,), c) for c in cases]).smallest is None


def test_the_smallest_failing_input_does_not_depend_on_the_machines_speed(monkeypatch):
    # Notebooks show this line under nbval and the grader's canary compares it: a busy machine (here a
    # clock that jumps 5 s at every reading) must print exactly what an idle one prints.
    from nncourse.checks import _shrinking

    def relu(z):
        return np.abs(z)

    idle = checks.run_checks("relu", relu, seed=0).message()
    clock = iter(range(0, 10**6, 5))
    monkeypatch.setattr(_shrinking.time, "monotonic", lambda: float(next(clock)))
    assert checks.run_checks("relu", relu, seed=0).message() == idle
    assert "smallest failing input found" in idle


def test_the_smallest_failing_input_search_is_bounded_by_a_count_of_calls(monkeypatch):
    from nncourse.checks import _shrinking

    calls = []

    def relu(z):
        calls.append(1)
        return np.abs(z)

    monkeypatch.setattr(_shrinking, "MAX_CALLS", 0)
    report = checks.run_checks("relu", relu, seed=0)
    assert not report.passed and report.smallest is None
    ran_for_the_cases = len(calls)
    monkeypatch.setattr(_shrinking, "MAX_CALLS", 3)
    calls.clear()
    checks.run_checks("relu", relu, seed=0)
    assert len(calls) <= ran_for_the_cases + 3


def test_import_nncourse_does_not_import_hypothesis():
    import subprocess
    import sys

    code = "import sys, nncourse, nncourse.checks; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_float32_answers_are_compared_at_float32_precision():
    # 0.5 * (1 + tanh(z / 2)) in float32 differs from the sign-split form by a few float32 ulps.
    for seed in range(50):
        assert checks.run_checks("sigmoid", lambda z: 0.5 * (1 + np.tanh(z / 2)), seed=seed).passed


def test_a_failing_check_leaves_no_hypothesis_folder_behind(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = checks.run_checks("relu", np.abs, seed=0)
    assert report.smallest and list(tmp_path.iterdir()) == []
