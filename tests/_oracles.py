"""The independent reference libraries of ``tests/test_against_*.py`` (the ``oracle`` extra).

Without them those files are skipped with the reason, unless
``NNCOURSE_REQUIRE_ORACLES=1`` (set by ``.ci/run``) makes a missing library a
failure: in CI the comparisons with PyTorch and scikit-learn must run.
"""

from __future__ import annotations

import importlib
import os

import pytest


def import_oracle(module: str, distribution: str):
    """``import module`` for a test file, or skip that file (fail it when the oracles are required)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        reason = (f"{distribution} is not installed ({exc}); install the oracle extra with "
                  "NNCOURSE_EXTRAS=oracle python3 course.py test")
        if os.environ.get("NNCOURSE_REQUIRE_ORACLES") == "1":
            pytest.fail(f"oracle required (NNCOURSE_REQUIRE_ORACLES=1) but {reason}", pytrace=False)
        pytest.skip(reason, allow_module_level=True)
