"""The shared argument checks: every bad input gets a ValueError/TypeError naming the argument."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import _validation as v


def test_as_float_array_converts_ints_and_keeps_float32():
    assert v.as_float_array([1, 2], "x").dtype == np.float64
    x32 = np.ones(3, dtype=np.float32)
    assert v.as_float_array(x32, "x") is x32


@pytest.mark.parametrize("bad, error, match", [
    (np.array(["a"]), TypeError, "x must hold real numbers"),
    (np.array([1 + 2j]), TypeError, "x must hold real numbers"),
    (np.array([1.0, np.nan]), ValueError, "x contains NaN"),
    (np.array([np.inf]), ValueError, "x contains NaN or infinite"),
    ([[1, 2], [3]], TypeError, "x must be an array of numbers"),
])
def test_as_float_array_rejects(bad, error, match):
    with pytest.raises(error, match=match):
        v.as_float_array(bad, "x")


def test_as_float_array_ndim():
    with pytest.raises(ValueError, match=r"X must be 2-D, got an array of shape \(3,\)"):
        v.as_float_array(np.ones(3), "X", ndim=2)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        v.as_float_array(np.ones((1, 1, 1)), "X", ndim=(1, 2))
    assert v.as_float_array(np.array([np.nan]), "x", finite=False).shape == (1,)


def test_check_same_shape_explains_the_column_vector_trap():
    with pytest.raises(ValueError, match=r"\(n,\) and \(n, 1\) are different shapes"):
        v.check_same_shape(np.ones(3), np.ones((3, 1)), "y_pred", "y")
    with pytest.raises(ValueError, match=r"got \(2, 2\) and \(3,\)$"):
        v.check_same_shape(np.ones((2, 2)), np.ones(3), "a", "b")
    v.check_same_shape(np.ones(3), np.zeros(3), "a", "b")


@pytest.mark.parametrize("value, kwargs, error", [
    (-0.1, {}, ValueError), (0.0, {}, ValueError), (np.inf, {}, ValueError), ("0.1", {}, TypeError),
    (True, {}, TypeError), (-1.0, {"allow_zero": True}, ValueError),
])
def test_check_positive_rejects(value, kwargs, error):
    with pytest.raises(error, match="lr"):
        v.check_positive(value, "lr", **kwargs)


def test_check_positive_accepts():
    assert v.check_positive(0, "l2", allow_zero=True) == 0.0
    assert v.check_positive(np.float32(0.5), "lr") == 0.5


def test_check_probability():
    assert v.check_probability(0.0, "p") == 0.0
    assert v.check_probability(1, "p", allow_one=True) == 1.0
    for bad in (1.0, -0.01, 1.5):
        with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
            v.check_probability(bad, "p")
    with pytest.raises(TypeError, match="p must be a real number"):
        v.check_probability(None, "p")


def test_check_int():
    assert v.check_int(np.int64(3), "epochs") == 3
    with pytest.raises(ValueError, match="epochs must be >= 1, got 0"):
        v.check_int(0, "epochs")
    for bad in (2.0, True, "3"):
        with pytest.raises(TypeError, match="epochs must be an integer"):
            v.check_int(bad, "epochs")


def test_check_choice_lists_the_options():
    assert v.check_choice("relu", "activation", ("relu", "tanh")) == "relu"
    with pytest.raises(ValueError, match="unknown activation 'rleu'; expected one of 'relu', 'tanh'"):
        v.check_choice("rleu", "activation", ("relu", "tanh"))


def test_as_labels():
    np.testing.assert_array_equal(v.as_labels([0, 2, 1], "y", 3, 3), [0, 2, 1])
    assert v.as_labels(np.array([0.0, 1.0]), "y", 2).dtype == np.int64
    with pytest.raises(ValueError, match=r"y must have shape \(3,\)"):
        v.as_labels(np.zeros((3, 1), dtype=int), "y", 3)
    with pytest.raises(ValueError, match="non-integer"):
        v.as_labels([0.5, 1.0], "y", 2)
    with pytest.raises(TypeError, match="y must hold real numbers, got dtype <U1"):
        v.as_labels(np.array(["a", "b"]), "y", 2)
    with pytest.raises(TypeError, match="y must hold integer class labels, got dtype bool"):
        v.as_labels(np.array([True, False]), "y", 2)
    with pytest.raises(ValueError, match="labels >= 0"):
        v.as_labels([-1, 0], "y", 2)
    with pytest.raises(ValueError, match="only 3 classes"):
        v.as_labels([0, 3], "y", 2, 3)


def test_as_generator_requires_a_generator():
    rng = np.random.default_rng(0)
    assert v.as_generator(rng) is rng
    with pytest.raises(TypeError, match="rng must be a numpy Generator"):
        v.as_generator(0)


def test_rng_from_seed_takes_an_integer_or_a_generator():
    rng = np.random.default_rng(0)
    assert v.rng_from_seed(rng) is rng
    assert v.rng_from_seed(np.int64(3)).random() == np.random.default_rng(3).random()
    with pytest.raises(ValueError, match="seed must be >= 0, got -1"):
        v.rng_from_seed(-1)
    for bad in (True, 1.0, None, "1"):
        with pytest.raises(TypeError, match="seed must be an integer >= 0 or a numpy Generator"):
            v.rng_from_seed(bad)
