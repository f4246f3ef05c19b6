"""What a test does when a tool it needs is missing: skips on a developer's machine, fails in
CI, where every toolchain, debugger and client must be present."""

from __future__ import annotations

import os

import pytest

# The one reading of the CI variable: GitHub, GitLab and our .ci/run all set CI=true.
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")


def require(available: bool, missing: str) -> None:
    """Go on if `available`; else skip naming what is `missing`, or fail under CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{missing} (required in CI)")
    pytest.skip(missing)
