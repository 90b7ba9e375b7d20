"""An independent corpus of learners' answers to every exercise, kept as test data.

Written from the exercise statements (the notebooks' markdown cells and answer
docstrings), the way learners write them, not from the checks' ``Mistake``
lists: each module ``tests/corpus/<lesson>.py`` holds

* ``WRONG``: answers that are wrong, each with a label saying what is wrong and
  the diagnosis ids that *name* that mistake (a ``Mistake`` id of the
  exercise, or a ``generic:...`` id); a failure whose diagnosis is one of them
  names the mistake, a failure with another id names a different one, a
  failure with no id is generic;
* ``CORRECT``: right answers written differently from the reference (loops,
  einsum, logaddexp, tanh forms, ...), which must pass every time.

``tests/test_checks_corpus.py`` measures the kill rate, the rejections of
correct answers and how often the hint names the mistake made.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wrong:
    exercise: str
    label: str
    names: frozenset
    answer: object

    @property
    def objects(self) -> tuple:
        return self.answer if isinstance(self.answer, tuple) else (self.answer,)


@dataclass(frozen=True)
class Correct:
    exercise: str
    label: str
    answer: object

    @property
    def objects(self) -> tuple:
        return self.answer if isinstance(self.answer, tuple) else (self.answer,)


def wrong(exercise: str, label: str, names, answer) -> Wrong:
    names = set() if names is None else {names} if isinstance(names, str) else set(names)
    return Wrong(exercise, label, frozenset(names), answer)


def correct(exercise: str, label: str, answer) -> Correct:
    return Correct(exercise, label, answer)
