"""nncourse.threads: every lesson's set-up limits BLAS to one thread, even in a kernel started with default threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nncourse import course
from nncourse.threads import limit_threads

ROOT = Path(__file__).resolve().parents[1]

_BLAS_THREADS = ("import json, numpy; from threadpoolctl import threadpool_info; "
                 "before = [p['num_threads'] for p in threadpool_info()]; "
                 "from nncourse.threads import limit_threads; limit_threads(); "
                 "print(json.dumps([before, [p['num_threads'] for p in threadpool_info()]]))")


def test_limit_threads_sets_every_pool_to_one_thread_in_a_process_started_with_default_threads():
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OPENBLAS_NUM_THREADS"] = "2"  # what a 2-core machine gives by default, even on a 1-core test box
    out = subprocess.run([sys.executable, "-c", _BLAS_THREADS], env=env, capture_output=True, text=True, timeout=60)
    before, after = json.loads(out.stdout)
    assert before and max(before) == 2, before  # the negative control: the default really is threaded
    assert after == [1] * len(before)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (1.0, TypeError), (True, TypeError),
                                        ("1", TypeError)])
def test_limit_threads_refuses_what_is_not_a_positive_int(bad, error):
    with pytest.raises(error, match="threads"):
        limit_threads(bad)


def test_every_lesson_limits_threads_in_its_set_up_cell():
    for path in [p for p in course.lessons(ROOT / "notebooks") if not p.name.startswith("00")]:
        cells = json.loads(path.read_text())["cells"]
        setup = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
        assert "from nncourse.threads import limit_threads" in setup and "\nlimit_threads()" in setup, path.name
