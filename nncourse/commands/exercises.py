"""``nncourse exercises``: list every exercise of the course."""

from __future__ import annotations

HELP = "list every exercise of the course (id, lesson, title, points)"


def add_arguments(parser) -> None:
    parser.add_argument("--lesson", help="only this lesson (a notebook name such as 02_activations)")


def run(args) -> int:
    from nncourse.checks import EXERCISES

    rows = [e for e in EXERCISES.values() if args.lesson in (None, e.lesson)]
    width = max((len(e.id) for e in rows), default=2)
    for e in rows:
        print(f"{e.lesson:<22} {e.id:<{width}}  {e.points:>2} pt  {e.title}")
    print(f"{len(rows)} exercises, {sum(e.points for e in rows)} points")
    return 0
