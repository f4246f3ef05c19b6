"""The activation page in headless Chromium: its recorded request, "Run again", and the
activation downloaded as a pytest test."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.browser import WAIT_MS, chromium
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api")


def test_run_again_replays_the_activation_and_shows_whether_the_result_changed(
    serve: Callable[..., ServerProcess], tmp_path: Path
) -> None:
    expect = playwright_api.expect
    expect.set_options(timeout=WAIT_MS)
    project = tmp_path / "replay"
    shutil.copytree(FIXTURE_PROJECTS / "replay", project)
    server = serve(project)
    status, first = server.request("POST", f"{ACTIONS}/calc/add?blocking=true", {"a": 2, "b": 5})
    assert status == 200
    activation_id = first["activationId"]

    with chromium(playwright_api, tmp_path / "profile") as browser:
        page = browser.new_page()
        # The banner's login link: its token is new at every start.
        page.goto(server.line_with("/dashboard/login?token=").split()[1])
        page.goto(f"{server.url}/dashboard/activations/{activation_id}")
        # 1. the parameters come from the store, with the record
        expect(page.locator("main")).to_contain_text('"a": 2')
        # 2. run again: a new activation, with the same result
        page.get_by_role("button", name="Run again").click()
        outcome = page.locator("#run-again-result")
        expect(outcome).to_contain_text("✓ success")
        expect(outcome).to_contain_text("the same result")
        expect(outcome.locator("pre")).to_contain_text('"sum": 7')
        again = outcome.get_by_role("link").inner_text().removeprefix("activation ")
        assert re.fullmatch(r"[0-9a-f]{32}", again) and again != activation_id
        # 3. after a change to the function, run again tells the result changed
        source = project / "packages" / "calc" / "add.py"
        source.write_text(source.read_text().replace('"sum": total', '"sum": -total'))
        for _ in range(50):
            page.get_by_role("button", name="Run again").click()
            expect(page.get_by_role("button", name="Run again")).to_be_enabled()
            if "a different result" in outcome.inner_text():
                break
            page.wait_for_timeout(200)
        expect(outcome.locator("pre")).to_contain_text('"sum": -7')
        # 4. the activation as a test, downloaded
        with page.expect_download() as download:
            page.get_by_role("link", name="Download as a test").click()
        assert download.value.suggested_filename == "test_add.py"
        source_text = Path(download.value.path()).read_text()
        assert 'functions_emulator.invoke("calc/add", PARAMS)' in source_text
        assert '"sum": 7,' in source_text
