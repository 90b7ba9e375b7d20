"""Fixtures shared by the grader's test files."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session")
def grading_sandbox():
    """The grader's sandbox (bubblewrap and a cgroup), checked once.

    Where it cannot be had the test is skipped with the reason, unless
    ``NNCOURSE_REQUIRE_SANDBOX=1`` (set by ``.ci/run``, which installs
    bubblewrap) makes that a failure.
    """
    from nncourse.grading import sandbox

    try:
        return sandbox.isolation()
    except sandbox.IsolationUnavailable as exc:
        if os.environ.get("NNCOURSE_REQUIRE_SANDBOX") == "1":
            pytest.fail(f"the grading sandbox is required here (NNCOURSE_REQUIRE_SANDBOX=1): {exc}")
        pytest.skip(f"the grading sandbox is not available here: {exc}")
