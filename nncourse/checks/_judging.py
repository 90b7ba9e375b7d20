"""The verdict: every case compared with the reference, every failure given a reason and a diagnosis.

:func:`judge` is what the kernel runs after :func:`~._running.run_student`,
and what the grader runs again in its own process on the plain data a
grading kernel handed over. It never touches the learner's objects, with one
exception that only the kernel can afford: given ``objects``, a failing answer
is also run on smaller inputs cut from its failing case (:mod:`._shrinking`),
and the smallest one on which it still fails is shown next to the reference's
answer.

Each :class:`Failure` in a :class:`Report` carries the case's name, the
reason shown to the learner, and the id of its diagnosis (the known
``Mistake``'s name, a ``generic:...`` id from :mod:`._diagnosis`, or None)
with the hint that goes with it, for the class report and the grader.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import _diagnosis as dx
from ._comparing import compare, input_float_dtypes
from ._definitions import Case, Exercise
from ._running import ArgumentModified, Outcome, Raised, reference_result

NOT_ATTEMPTED = "NOT_ATTEMPTED"


@dataclass(frozen=True)
class Failure:
    """One failing case: its name, the reason shown, and the diagnosis (id and hint)."""

    case: str
    reason: str
    diagnosis: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Report:
    """The verdict of one exercise check, as plain data.

    ``smallest`` is only ever set in the learner's kernel: the smallest input
    found on which the answer still fails, with both answers.
    """

    exercise_id: str
    n_cases: int
    failures: tuple  # (Failure, ...)
    smallest: str | None = None

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def not_attempted(self) -> bool:
        return bool(self.failures) and all(f.reason == NOT_ATTEMPTED for f in self.failures)

    @property
    def diagnoses(self) -> tuple:
        """The diagnosis id of every failure, in order."""
        return tuple(f.diagnosis for f in self.failures)

    def message(self) -> str:
        if self.passed:
            return f"{self.exercise_id}: passed all {self.n_cases} test cases."
        if self.not_attempted:
            return (f"{self.exercise_id}: not attempted yet. Replace the `raise NotImplementedError` "
                    "line in the answer cell with your code, run that cell, then this one.")
        first = next(f for f in self.failures if f.reason != NOT_ATTEMPTED)
        text = f"{self.exercise_id}: case '{first.case}' failed: {first.reason}"
        if first.hint:
            text += f"\n  hint: {first.hint}"
        if self.smallest:
            text += f"\n  smallest failing input found: {self.smallest}"
        others = [f.case for f in self.failures if f is not first]
        if others:
            shown = ", ".join(f"'{name}'" for name in others[:3]) + (", ..." if len(others) > 3 else ".")
            text += f"\n({len(others)} other case{'s' if len(others) != 1 else ''} also failed: {shown})"
        return text


@dataclass(frozen=True)
class _Verdict:
    """How one case went, before the diagnosis that looks at every case."""

    reason: str
    diagnosis: dx.Diagnosis
    mismatch: object = None  # a Mismatch of kind "values", for the cross-case value facts


def evaluate(exercise: Exercise, case: Case, expected, outcome: Outcome) -> _Verdict | None:
    """Why ``outcome`` fails ``case`` (with the diagnosis this case alone supports), or None when it passes."""
    result = outcome.result
    if isinstance(result, Raised):
        if result.type_name == "NotImplementedError":
            return _Verdict(NOT_ATTEMPTED, dx.Diagnosis("generic:not-attempted"))
        if result.type_name == ArgumentModified.__name__:
            reason, diagnosis = dx.mutation_diagnosis(result.message)
            return _Verdict(reason, diagnosis)
        return _Verdict(result.text(), dx.raised_diagnosis(result))
    if exercise.forbid_overflow and case.extreme:
        overflow = dx.overflow_warnings(outcome)
        if overflow:
            return _Verdict(f"emitted '{overflow[0]}' on extreme inputs: the result may look right, but the "
                            "computation overflowed on the way", dx.nonfinite_diagnosis(exercise, case))
    changed = dx.modified_argument(exercise, case, outcome)
    if changed:
        reason, diagnosis = dx.mutation_diagnosis(changed)
        return _Verdict(reason, diagnosis)
    if exercise.fresh_result and dx.alias_notes(outcome):
        return _Verdict(f"returned {dx.alias_notes(outcome)[0]}; a new array is asked for",
                        dx.Diagnosis("generic:aliasing", "return a new array (e.g. `A.copy()`, or an expression "
                                     "such as `A * 1.0`): the caller may change the argument later"))
    found = compare(exercise, case, expected, result)
    if found is not None:
        if found.kind == "values":
            return _Verdict(found.text, dx.NONE, found)
        return _Verdict(found.text, dx.mismatch_diagnosis(exercise, case, found, input_float_dtypes(case)))
    if exercise.extra is not None:
        reason = exercise.extra(case, result)
        if reason:
            return _Verdict(reason, dx.NONE)
    return None


def judge(exercise: Exercise, cases: list, outcomes: list, *, objects: tuple | None = None) -> Report:
    """Compare every outcome with the reference and diagnose the failures; return a :class:`Report`.

    ``objects`` (the learner's own objects, in the kernel only) adds the
    smallest failing input to a failing report; the verdict never depends on it.
    """
    expecteds = [reference_result(exercise, c) for c in cases]
    verdicts = [evaluate(exercise, c, e, o) for c, e, o in zip(cases, expecteds, outcomes)]
    failing = [i for i, v in enumerate(verdicts) if v is not None]
    constant = dx.constant_output(outcomes, expecteds)
    if not failing:
        if constant:
            return Report(exercise.id, len(cases), (Failure("different inputs", "returned the same result for "
                                                            "different inputs", dx.GLOBAL_VARIABLE.id,
                                                            dx.GLOBAL_VARIABLE.hint),))
        return Report(exercise.id, len(cases), ())
    diagnoses = {i: verdicts[i].diagnosis for i in failing}
    if any(verdicts[i].reason != NOT_ATTEMPTED for i in failing):
        mistake = dx.match_mistake(exercise, cases, outcomes, failing,
                                   lambda i, outcome: evaluate(exercise, cases[i], expecteds[i], outcome) is not None)
        if mistake is not None:
            diagnoses = {i: dx.Diagnosis(mistake.name, mistake.hint) for i in failing}
        elif orders := _reorderings(exercise, failing, expecteds, outcomes, verdicts):
            diagnoses = {i: dx.Diagnosis("generic:order", f"{orders[0]}: {dx.ORDER_HINT}") for i in failing}
        else:
            valued = [i for i in failing if verdicts[i].mismatch is not None] if exercise.value_hints else []
            names = dx.argument_names(exercise)
            fact = dx.consistent_fact([dx.value_facts(cases[i], verdicts[i].mismatch.expected,
                                                      verdicts[i].mismatch.got, names) for i in valued])
            for i in valued:
                diagnoses[i] = dx.Diagnosis(fact.id, fact.hint) if fact else dx.NONE
            first = failing[0]
            if diagnoses[first].id is None and exercise.value_hints:
                variant = dx.variant_diagnosis(exercise, cases, outcomes, failing)
                if variant.id is not None:
                    diagnoses = {i: variant if diagnoses[i].id is None else diagnoses[i] for i in failing}
            if constant and diagnoses[first].id is None:
                diagnoses[first] = dx.GLOBAL_VARIABLE
    failures = tuple(Failure(cases[i].name, verdicts[i].reason, diagnoses[i].id, diagnoses[i].hint) for i in failing)
    report = Report(exercise.id, len(cases), failures)
    if objects is not None and exercise.shrink and not report.not_attempted:
        from ._shrinking import smallest_failing_input

        first = next(i for i in failing if verdicts[i].reason != NOT_ATTEMPTED)
        smallest = smallest_failing_input(exercise, objects, cases[first])
        if smallest:
            report = Report(report.exercise_id, report.n_cases, report.failures, smallest)
    return report


def _reorderings(exercise: Exercise, failing: list, expecteds: list, outcomes: list, verdicts: list) -> list:
    """How every failing case holds the right parts in another order, or [] unless all of them do."""
    if any(verdicts[i].reason == NOT_ATTEMPTED for i in failing):
        return []
    found = [dx.reordered(exercise, expecteds[i], outcomes[i].result) for i in failing]
    return found if all(found) else []


def failed_on(exercise: Exercise, case: Case, outcome: Outcome) -> bool:
    """Does ``outcome`` fail ``case``? (The judgement of one case, for the shrinker.)"""
    return evaluate(exercise, case, reference_result(exercise, case), outcome) is not None

