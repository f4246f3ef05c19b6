"""Debian's Chromium under Playwright, as the dashboard's browser tests drive it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support.ci import require

CHROMIUM = Path("/usr/bin/chromium")
# The network is closed: without these, Chromium keeps trying to reach Google's services.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 20_000


@contextlib.contextmanager
def chromium(sync_api: Any, profile: Path) -> Iterator[Any]:
    """A browser context with a fresh profile; in CI a missing Chromium is a failure."""
    require(
        CHROMIUM.exists(),
        f"{CHROMIUM} is missing: run `make browser` as root (apt-get install chromium)",
    )
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 800},
            accept_downloads=True,
        )
        context.set_default_timeout(WAIT_MS)
        try:
            yield context
        finally:
            context.close()
