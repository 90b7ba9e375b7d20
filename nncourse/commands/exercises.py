"""``nncourse exercises``: list every exercise of the course, in the order the lessons ask them."""

from __future__ import annotations

import json

HELP = "list every exercise of the course (id, lesson, title, points)"


def add_arguments(parser) -> None:
    parser.add_argument("--lesson", help="only this lesson (a notebook name such as 02a_activation_functions)")


def notebook_order() -> dict[str, int]:
    """Exercise id -> its position in the course: lessons in order, exercises in the order of their answer cells."""
    from nncourse.grading import notebook_format as nf
    from nncourse.grading.release import instructor_notebooks

    order: dict[str, int] = {}
    for path in instructor_notebooks():
        for exercise_id in nf.exercises_in(json.loads(path.read_text(encoding="utf-8"))):
            order.setdefault(exercise_id, len(order))
    return order


def run(args) -> int:
    from nncourse import course
    from nncourse.checks import EXERCISES

    import sys

    known = sorted({e.lesson for e in EXERCISES.values()}, key=course.lesson_key)
    if args.lesson is not None and args.lesson not in known:
        parts = course.parts_of(args.lesson, known)
        print(f"nncourse exercises: --lesson {args.lesson!r} is not a lesson; "
              + (f"lesson {args.lesson[:2]} comes in parts: {', '.join(parts)}" if parts
                 else f"the lessons are {', '.join(known)}"), file=sys.stderr)
        return 2
    order = notebook_order()
    rows = [e for e in EXERCISES.values() if args.lesson in (None, e.lesson)]
    # Exercises no notebook asks (none today) come last, in the order the checks define them.
    rows.sort(key=lambda e: (course.lesson_key(e.lesson), order.get(e.id, len(order))))
    width = max((len(e.id) for e in rows), default=2)
    lesson_width = max((len(e.lesson) for e in rows), default=6)
    for e in rows:
        print(f"{e.lesson:<{lesson_width}} {e.id:<{width}}  {e.points:>2} pt  {e.title}")
    print(f"{len(rows)} exercises, {sum(e.points for e in rows)} points")
    return 0
