"""Measure the checks on the corpus: kill rate, correct answers rejected, hints that name the mistake.

    .venv/bin/python -m tests.corpus.measure [lesson ...]     # a table and the totals (from the repository root)

A wrong answer is *killed* when the check fails it (seed 0). Its first failure
(the one the learner reads) carries a diagnosis id: the hint *names the
mistake* when that id is one of the answer's accepted ids, names *a different
one* (misleading) when it is another id, and is *generic* when there is none.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

from nncourse.checks import EXERCISES, judge, run_student
from nncourse.checks._running import exercise_rng

#: Diagnoses that state a symptom (numpy refused two shapes, an inf appeared) without naming any
#: mistake: they count as generic unless an answer lists them among its names.
SYMPTOMS = frozenset({"generic:shape-error", "generic:index-error", "generic:nonfinite"})

LESSONS = ("linear_algebra", "activations", "forward_pass", "loss", "backprop", "gradient_descent",
           "regularization", "capstone")
#: Sets of wrong answers written blind (not fitted): ``holdout`` and ``holdout_fit`` were each measured once
#: before the checks were changed for them; ``holdout_test`` is never used to change the checks.
HELD_OUT = ("holdout", "holdout_fit", "holdout_test")


def corpus(lessons=LESSONS):
    wrong, correct = [], []
    for lesson in lessons:
        module = importlib.import_module(f"{__package__}.{lesson}")
        wrong += module.WRONG
        correct += module.CORRECT
    return wrong, correct


def verdict(exercise_id: str, objects: tuple, seed):
    """The check's report on ``objects`` (no shrinking: that only adds a line in the kernel)."""
    exercise = EXERCISES[exercise_id]
    cases = exercise.make_cases(exercise_rng(exercise_id, seed))
    return judge(exercise, cases, [run_student(exercise, objects, c) for c in cases])


@dataclass
class Row:
    entry: object
    killed: bool
    diagnosis: str | None
    message: str

    @property
    def named(self) -> bool:
        return self.killed and self.diagnosis in self.entry.names

    @property
    def misleading(self) -> bool:
        return (self.killed and self.diagnosis is not None and self.diagnosis not in self.entry.names
                and self.diagnosis not in SYMPTOMS)

    @property
    def generic(self) -> bool:
        return self.killed and not self.named and not self.misleading


def measure(wrong, seed=0) -> list:
    rows = []
    for entry in wrong:
        report = verdict(entry.exercise, entry.objects, seed)
        first = next((f for f in report.failures if f.reason != "NOT_ATTEMPTED"), None)
        rows.append(Row(entry, not report.passed, first.diagnosis if first else None, report.message()))
    return rows


def summary(rows) -> dict:
    killed = [r for r in rows if r.killed]
    return {"wrong": len(rows), "killed": len(killed), "kill_rate": len(killed) / max(1, len(rows)),
            "named": sum(r.named for r in killed) / max(1, len(killed)),
            "misleading": sum(r.misleading for r in killed) / max(1, len(killed)),
            "generic": sum(r.generic for r in killed) / max(1, len(killed))}


def main(argv) -> int:
    lessons = tuple(argv) or LESSONS + HELD_OUT
    wrong, correct = corpus(lessons)
    rows = measure(wrong)
    for r in rows:
        status = ("SURVIVED" if not r.killed else "named" if r.named else "MISLEADING" if r.misleading
                  else "generic")
        print(f"{status:10s} {r.entry.exercise:22s} {r.entry.label:40s} -> {r.diagnosis}")
    rejected = [c for c in correct if not verdict(c.exercise, c.objects, 0).passed]
    for c in rejected:
        print("REJECTED  ", c.exercise, c.label, verdict(c.exercise, c.objects, 0).message()[:300])
    s = summary(rows)
    print(f"\n{s['wrong']} wrong answers, {s['killed']} killed ({100 * s['kill_rate']:.1f} %); "
          f"hints naming the mistake {100 * s['named']:.1f} %, misleading {100 * s['misleading']:.1f} %, "
          f"generic {100 * s['generic']:.1f} %; {len(correct)} correct answers, {len(rejected)} rejected (seed 0)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
