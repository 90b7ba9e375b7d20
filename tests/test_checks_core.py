"""The check machinery itself, on a small exercise defined here (not one of the course's).

Each lesson's exercises have their own mutation suites (tests/test_checks_<lesson>.py);
this file tests what they all rely on: plain-data conversion of hostile results,
the generic diagnoses, the not-attempted state, and the grading hand-over.
"""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import checks
from nncourse.checks import _core, _exchange
from nncourse.checks._core import Case, CheckFailed, Exercise, Mistake, Raised, Unsupported

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
                  mistakes=(Mistake("forgot to divide", forgot_divide, "divide by the number of rows"),))
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


def test_not_attempted(exercise):
    def stub(X):
        raise NotImplementedError("test-scale: replace this line with your code")

    with pytest.raises(CheckFailed) as info:
        checks.check("test-scale", stub)
    assert info.value.not_attempted and "not attempted" in str(info.value)


def test_blank_answers_fail(exercise):
    assert "forget the `return`" in failure("test-scale", lambda X: None)
    assert "wrong values" in failure("test-scale", lambda X: np.zeros_like(X))


def test_generic_hints(exercise):
    assert "sign is flipped" in failure("test-scale", lambda X: -X / X.shape[0])
    assert "factor of 2" in failure("test-scale", lambda X: 2 * X / X.shape[0])
    assert "transposed" in failure("test-scale", lambda X: (X / X.shape[0]).T)
    assert "(n,)" in failure("test-scale", lambda X: (X / X.shape[0])[..., None])
    assert "dtype float32" in failure("test-scale", lambda X: (X / X.shape[0]).astype(np.float32))


def test_input_mutation_is_reported(exercise):
    def in_place(X):
        X /= X.shape[0]
        return X

    assert "modified its input" in failure("test-scale", in_place)


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
    (np.zeros(_core.MAX_RESULT_ELEMENTS + 1, dtype=np.uint8), Unsupported),
])
def test_to_plain_rejects_non_numeric(value, expected):
    assert isinstance(_core.to_plain(value), expected)


def test_to_plain_defeats_an_always_equal_object(exercise):
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return True

    def liar(X):
        return np.zeros(X.shape).view(AlwaysEqual)

    plain = _core.to_plain(np.zeros(3).view(AlwaysEqual))
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
    regenerated = exercise.make_cases(_core.exercise_rng("test-scale", 1234))
    report = _core.judge(exercise, regenerated, outcomes)
    assert not report.passed and "divide by the number of rows" in report.message()

    checks.check("test-scale", reference_scale)
    report = _core.judge(exercise, regenerated, _exchange.load(tmp_path, "test-scale", 1234, n_cases))
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
    outcomes = [_core.Outcome(Raised("KeyError", "'x'"), (np.ones(2),), ("RuntimeWarning: overflow",)),
                _core.Outcome(Unsupported("a generator"), (), ()),
                _core.Outcome((np.ones(2), {"a": np.zeros(1)}, None), (), ())]
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
