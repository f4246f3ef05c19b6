"""The dashboard in headless Chromium, against the real CLI: log in, see the functions, invoke
one, watch it arrive in the live list, read its logs, fire a trigger. Each page's screenshot
is taken; with UPDATE_SCREENSHOTS=1 it replaces the one in docs/screenshots/."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emulator.settings import DEFAULT_AUTH
from tests.support.browser import WAIT_MS, chromium
from tests.support.paths import FIXTURE_PROJECTS, REPO
from tests.support.routes import ACTIONS
from tests.support.servers import ServerProcess

DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
# The documentation's pictures change only when asked: a test run leaves the tree clean.
UPDATE_SCREENSHOTS = os.environ.get("UPDATE_SCREENSHOTS") == "1"

pytestmark = pytest.mark.slow

playwright_api = pytest.importorskip("playwright.sync_api")
if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Debian's Chromium with a fresh profile; in CI a missing one is a failure."""
    with chromium(playwright_api, tmp_path / "chromium-profile") as context:
        yield context


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    return DOCS_SCREENSHOTS if UPDATE_SCREENSHOTS else tmp_path / "screenshots"


def shot(page: Page, folder: Path, name: str, *, full_page: bool = True) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)
    assert (folder / f"{name}.png").stat().st_size > 0


def test_log_in_invoke_watch_the_live_list_read_the_logs_and_fire_a_trigger(
    browser: BrowserContext,
    serve: Callable[..., ServerProcess],
    tmp_path: Path,
    screenshots: Path,
) -> None:
    expect = playwright_api.expect
    expect.set_options(timeout=WAIT_MS)
    # The sample project, and a copy of a project with triggers whose file the test breaks.
    triggers_project = tmp_path / "triggers"
    shutil.copytree(FIXTURE_PROJECTS / "triggers", triggers_project)
    sample = serve(wait=False)
    triggers = serve(triggers_project, "--db", str(tmp_path / "triggers.db"), wait=False)
    sample.wait_ready()
    triggers.wait_ready()
    page = browser.new_page()

    # 1. the login form: a wrong key is refused, the right one opens the functions page
    page.goto(sample.url + "/dashboard/")
    expect(page).to_have_url(re.compile(r"/dashboard/login\?next="))
    page.get_by_label("Auth key").fill("not:this")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-error")).to_have_text(re.compile("not this emulator's key"))
    shot(page, screenshots, "login")
    page.get_by_label("Auth key").fill(DEFAULT_AUTH)
    page.get_by_role("button", name="Log in").press("Enter")
    expect(page).to_have_url(sample.url + "/dashboard/")
    for name in ("sample/hello", "sample/hello-node", "sample/hello-go", "sample/hello-php"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()

    # 2. the live list, open in one tab while another invokes from the form
    activations = browser.new_page()
    activations.goto(sample.url + "/dashboard/activations")
    expect(activations.locator("#live")).to_have_text("Live updates: on")
    activations.evaluate("window.notReloaded = true")

    page.get_by_role("link", name="Invoke", exact=True).click()
    page.get_by_label("Function").select_option("sample/hello")
    params = page.get_by_label("Parameters (JSON object)")
    params.fill('{"name": ')
    expect(page.locator("#params-error")).to_contain_text("Not valid JSON")
    params.fill('{"name": "Ada"}')
    expect(page.locator("#params-error")).to_have_text("")
    page.get_by_role("button", name="Invoke").click()
    expect(page.locator("#result pre")).to_contain_text('"body": "Hello Ada!"')
    expect(page.locator("#result")).to_contain_text("✓ success")
    shot(page, screenshots, "invoke")
    activation_id = page.locator("#result a").inner_text().removeprefix("activation ")

    row = activations.locator(f'tr[data-activation="{activation_id}"]')
    expect(row).to_contain_text("sample/hello")
    expect(row).to_contain_text("✓ success")
    expect(row).to_contain_text("cold")
    # Calls through the REST API appear as well.
    for name in ("Grace", "Linus", "Barbara"):
        status, _ = sample.request("POST", f"{ACTIONS}/sample/hello?blocking=true", {"name": name})
        assert status == 200
    expect(activations.locator("#activation-rows tr")).to_have_count(4)
    assert activations.evaluate("window.notReloaded") is True
    shot(activations, screenshots, "activations")

    # 3. the activation: its parameters, result and logs by stream, and the raw record
    row.get_by_role("link").click()
    expect(activations).to_have_url(f"{sample.url}/dashboard/activations/{activation_id}")
    stdout = activations.locator("#logs li.stdout")
    expect(stdout).to_contain_text("greeted Ada")
    expect(stdout.locator(".stream")).to_have_text("stdout:")
    expect(activations.locator("main")).to_contain_text('"name": "Ada"')
    shot(activations, screenshots, "activation")
    activations.get_by_role("link", name="JSON").click()
    expect(activations.locator("body")).to_contain_text(f'"activationId": "{activation_id}"')

    # 4. the functions page charts the calls; on a narrow window nothing runs off the side
    page.goto(sample.url + "/dashboard/")
    hello = page.locator('tr[data-function="sample/hello"]')
    expect(hello).to_contain_text("✓ success")
    expect(hello.locator("svg.chart rect")).to_have_count(4)
    shot(page, screenshots, "functions")
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, screenshots, "functions-narrow", full_page=False)

    # 5. the banner's login link on the other emulator, which leaves no token in the address
    page.set_viewport_size({"width": 1200, "height": 800})
    link = triggers.line_with("/dashboard/login?token=").split()[1]
    page.goto(link)
    expect(page).to_have_url(triggers.url + "/dashboard/")
    page.get_by_role("link", name="Triggers").click()
    trigger_row = page.locator('tr[data-trigger="weekday-mornings"]')
    expect(trigger_row).to_contain_text("0 9 * * 1-5")
    expect(trigger_row).to_contain_text("enabled")
    expect(trigger_row.locator(".last-run")).to_have_text("never")
    trigger_row.get_by_role("button", name="Fire weekday-mornings now").click()
    expect(page.locator("#fire-result")).to_contain_text("Fired weekday-mornings")
    expect(page.locator('tr[data-trigger="weekday-mornings"] .last-run')).not_to_have_text("never")
    shot(page, screenshots, "triggers")
    page.locator("#fire-result a").click()
    expect(page.locator("main")).to_contain_text('"source": "current"')
    expect(page.locator("#activation-status")).to_contain_text("success")

    # 6. a broken project.yml puts the error on the open page, without a reload
    project_file = triggers_project / "project.yml"
    project_file.write_text(project_file.read_text() + "\n  - name: [broken\n")
    banner = page.locator("#reload-banner")
    expect(banner).to_contain_text("The project failed to reload")
    shot(page, screenshots, "reload-failed")
