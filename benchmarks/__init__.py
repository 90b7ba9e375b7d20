"""nncourse's benchmark suite: run ``python -m benchmarks.run`` (see ``benchmarks/README.md``).

Not part of the unit tests: timings are only ever compared as ratios within one run.
"""
