"""Every block a reader can copy from README.md or docs/ is run, or loaded, by a named test; the
documentation's links lead somewhere; no page cites the planning behind it.

A block gets its id from the `<!-- test: ID -->` comment on the line before its fence. RUNNERS
says which test runs each id; that test reads the block through `tests.support.doc_blocks.block`
so that it follows the block wherever it moves. Output examples are ```text fences: they need
no runner, unless a test compares them with what a command printed (then they get an id too).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.support.doc_blocks import ID_COMMENT, LANGUAGES, OUTPUT, PAGES, Block, all_blocks
from tests.support.paths import REPO

DOCS_TESTS = "tests/docs/"
# Block id → (the test module, the test in it that runs the block).
RUNNERS: dict[str, tuple[str, str]] = {
    # README.md
    "readme-make": (
        DOCS_TESTS + "test_readme_page.py",
        "test_make_serve_serves_the_sample_and_make_test_checks_the_tree",
    ),
    "readme-own-project": (
        DOCS_TESTS + "test_readme_page.py",
        "test_the_virtualenv_serves_a_project_of_ones_own",
    ),
    "readme-walkthrough": (
        "tests/test_readme.py",
        "test_the_walkthrough_works_against_the_sample_project",
    ),
    # docs/configuration.md
    "configuration-project-yml": (
        DOCS_TESTS + "test_configuration_page.py",
        "test_the_example_project_loads_as_described",
    ),
    "configuration-refusal": (
        DOCS_TESTS + "test_configuration_page.py",
        "test_a_refused_project_fails_with_the_message_shown",
    ),
    # docs/web-functions.md
    **dict.fromkeys(
        ("web-calls", "web-calls-output"),
        (
            DOCS_TESTS + "test_web_functions_page.py",
            "test_the_web_calls_print_what_the_page_shows",
        ),
    ),
    # docs/rest-api.md
    **dict.fromkeys(
        ("api-credentials", "api-credentials-output"),
        (
            DOCS_TESTS + "test_rest_api_page.py",
            "test_each_form_of_the_key_is_accepted_and_no_key_is_refused",
        ),
    ),
    **dict.fromkeys(
        ("api-deploy", "api-deploy-output"),
        (
            DOCS_TESTS + "test_rest_api_page.py",
            "test_a_function_deployed_through_the_api_runs_then_goes",
        ),
    ),
    # docs/development.md
    "development-trigger-project": (
        DOCS_TESTS + "test_development_page.py",
        "test_the_trigger_project_loads_with_its_schedule",
    ),
    "development-trigger-routes": (
        DOCS_TESTS + "test_development_page.py",
        "test_the_trigger_routes_list_and_fire_the_trigger",
    ),
    # docs/cli.md
    "cli-functions-and-activations": (
        DOCS_TESTS + "test_cli_page.py",
        "test_the_client_commands_print_what_doctl_prints",
    ),
    **dict.fromkeys(
        ("cli-triggers", "cli-triggers-output"),
        (
            DOCS_TESTS + "test_cli_page.py",
            "test_the_trigger_commands_list_and_fire_the_trigger",
        ),
    ),
    # docs/clients.md
    **dict.fromkeys(
        ("clients-setup", "clients-openwhisk-sdk"),
        (
            DOCS_TESTS + "test_clients_page.py",
            "test_the_openwhisk_sdk_invokes_a_function",
        ),
    ),
    "clients-nim-walkthrough": (
        "tests/conformance/test_nim_walkthrough.py",
        "test_the_nim_walkthrough_deploys_and_invokes_the_sample_project",
    ),
    # docs/testing.md
    "testing-example": (
        DOCS_TESTS + "test_testing_page.py",
        "test_the_example_is_one_of_the_sample_projects_tests",
    ),
    **dict.fromkeys(
        ("testing-run", "testing-run-output"),
        (
            DOCS_TESTS + "test_testing_page.py",
            "test_pytest_runs_the_sample_projects_suite",
        ),
    ),
    # docs/dashboard.md
    **dict.fromkeys(
        ("dashboard-root", "dashboard-root-output"),
        (
            DOCS_TESTS + "test_dashboard_page.py",
            "test_browsers_are_sent_to_the_dashboard_and_clients_get_json",
        ),
    ),
    # docs/limits.md
    **dict.fromkeys(
        ("limits-bad-input", "limits-bad-input-output"),
        (
            DOCS_TESTS + "test_limits_page.py",
            "test_bad_input_gets_the_platforms_messages",
        ),
    ),
    **dict.fromkeys(
        ("limits-namespace", "limits-namespace-output"),
        (
            DOCS_TESTS + "test_limits_page.py",
            "test_the_limits_route_shows_the_throttles_in_force",
        ),
    ),
    # docs/security.md
    "security-own-key": (
        DOCS_TESTS + "test_security_page.py",
        "test_a_key_of_ones_own_replaces_the_default",
    ),
    # docs/replay.md, activations-as-tests.md, debugging.md, coverage.md, metrics.md
    **dict.fromkeys(
        ("replay-newest", "replay-recorded"),
        (DOCS_TESTS + "test_feature_docs.py", "test_replay_page"),
    ),
    **dict.fromkeys(
        ("to-test", "to-test-output"),
        (DOCS_TESTS + "test_feature_docs.py", "test_activations_as_tests_page"),
    ),
    **dict.fromkeys(
        ("serve-debug", "serve-debug-some"),
        (
            DOCS_TESTS + "test_feature_docs.py",
            "test_debugging_page_serve_blocks_start_with_the_debugger_on",
        ),
    ),
    "debug-config": (
        DOCS_TESTS + "test_feature_docs.py",
        "test_debugging_page_debug_config_prints_launch_entries",
    ),
    **dict.fromkeys(
        ("coverage-alone", "coverage-with-pytest-cov", "coverage-ini"),
        (DOCS_TESTS + "test_feature_docs.py", "test_coverage_page"),
    ),
    "metrics": (DOCS_TESTS + "test_feature_docs.py", "test_metrics_page"),
    "metrics-scrape-config": (
        DOCS_TESTS + "test_feature_docs.py",
        "test_the_scrape_config_on_the_metrics_page_reads_the_metrics",
    ),
    # docs/doctl.md, run with the real doctl
    "doctl-setup": (
        "tests/conformance/test_doctl_docs.py",
        "test_the_setup_connects_through_the_control_plane",
    ),
    "doctl-access-key": ("tests/conformance/test_doctl_docs.py", "test_an_access_key_connects_too"),
    "doctl-apihost": (
        "tests/conformance/test_doctl_docs.py",
        "test_the_hidden_flags_connect_with_the_key_alone",
    ),
    "doctl-deploy": (
        "tests/conformance/test_doctl_docs.py",
        "test_deploy_builds_the_go_function_remotely",
    ),
    "doctl-functions": ("tests/conformance/test_doctl_docs.py", "test_the_functions_commands"),
    "doctl-activations": ("tests/conformance/test_doctl_docs.py", "test_the_activations_commands"),
    "doctl-control-plane": (
        "tests/conformance/test_doctl_docs.py",
        "test_the_control_plane_commands",
    ),
    "doctl-get-metadata": (
        "tests/conformance/test_doctl_docs.py",
        "test_get_metadata_reads_the_emulators_runtimes",
    ),
    "doctl-undeploy": ("tests/conformance/test_doctl_docs.py", "test_undeploy_answers_at_once"),
    # docs/runtime-images.md
    "install-requests": (
        DOCS_TESTS + "test_runtime_images_page.py",
        "test_the_install_block_installs_requests_for_python_312",
    ),
    "list": (DOCS_TESTS + "test_runtime_images_page.py", "test_the_list_block_prints_every_kind"),
    # docs/security.md and docs/limits.md: the defaults and failure behaviour
    "rebound-host-refused": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_a_rebound_host_name_is_refused_as_the_page_shows",
    ),
    "cross-origin-refused": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_a_cross_origin_call_is_refused_as_the_page_shows",
    ),
    "serve-with-a-front-end": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_a_front_end_let_in_gets_its_cors_grant",
    ),
    "preflight-from-the-front-end": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_a_front_end_let_in_gets_its_cors_grant",
    ),
    "serve-on-the-network": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_serving_on_the_network_answers_the_allowed_name",
    ),
    "deep-json-refused": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_deep_json_is_refused_as_the_page_shows",
    ),
    "move-the-database-aside": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_a_database_moved_aside_lets_the_emulator_start",
    ),
    "serve-with-a-smaller-idle-cap": (
        DOCS_TESTS + "test_security_and_failure_pages.py",
        "test_the_idle_cap_is_set_and_shown_as_the_page_shows",
    ),
}
# The only blocks no test runs yet, on purpose:
# Pages whose links are checked besides those with blocks.
LINKED_PAGES = (*PAGES, REPO / "CONTRIBUTING.md", REPO / "CHANGELOG.md")
# Planning documents are not the reader's: an issue number, the spec folder (not a URL's
# spec/), a section sign.
PLANNING = re.compile(r"\bissues?\s*#?\d+|(?<![\w./])spec/|§", re.IGNORECASE)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)|<img [^>]*src=\"([^\"]+)\"")
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_FENCED = re.compile(r"^ *```.*?^ *```", re.MULTILINE | re.DOTALL)


def blocks_by_id() -> dict[str, Block]:
    return {block.id: block for block in all_blocks() if block.id is not None}


def test_every_fence_names_a_known_language():
    unnamed = [f"{b.where} ```{b.language}" for b in all_blocks() if b.language not in LANGUAGES]
    assert unnamed == [], f"use one of {sorted(LANGUAGES)}; output examples are ```{OUTPUT}"


def test_every_block_a_reader_can_copy_has_an_id():
    anonymous = [b.where for b in all_blocks() if b.language != OUTPUT and b.id is None]
    assert anonymous == [], "put <!-- test: ID --> on the line before the fence"


def test_block_ids_are_unique_and_every_id_comment_names_a_block():
    ids = [b.id for b in all_blocks() if b.id is not None]
    assert len(ids) == len(set(ids))
    written = [found for page in PAGES for found in ID_COMMENT.findall(page.read_text())]
    assert sorted(written) == sorted(ids), "an id comment must be just above its fence"


def test_every_block_has_a_runner():
    unrun = set(blocks_by_id()) - RUNNERS.keys()
    assert unrun == set(), "add each to RUNNERS, with the test that runs it"


def test_every_runner_has_its_block():
    known = set(blocks_by_id())
    assert RUNNERS.keys() - known == set()


@pytest.mark.parametrize("block_id", sorted(RUNNERS))
def test_each_runner_is_a_test_that_reads_its_block(block_id: str):
    path, name = RUNNERS[block_id]
    tests, ids = _module_facts(REPO / path)
    assert name in tests, f"{path} has no test {name}"
    assert block_id in ids, f"{path} never names the block {block_id!r}"


@cache
def _module_facts(path: Path) -> tuple[frozenset[str], frozenset[str]]:
    """The module's test functions, and the strings it holds."""
    tree = ast.parse(path.read_text(), str(path))
    functions = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    return frozenset(functions), frozenset(strings)


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(page: Path):
    broken = []
    for target in _links(page.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        file_part, _, anchor = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.exists() or (linked.suffix == ".md" and _missing(anchor, linked)):
            broken.append(target)
    assert broken == []


def _missing(anchor: str, page: Path) -> bool:
    return bool(anchor) and anchor not in _anchors(page)


def _links(text: str) -> list[str]:
    prose = _CODE_SPAN.sub("", _FENCED.sub("", text))
    return [markdown or html for markdown, html in _LINK.findall(prose)]


def _anchors(page: Path) -> set[str]:
    """The ids GitHub gives a page's headings: lower case, punctuation dropped, spaces as
    hyphens, a repeated heading numbered."""
    seen: dict[str, int] = {}
    anchors = set()
    for line in _FENCED.sub("", page.read_text()).splitlines():
        heading = re.match(r"#{1,6} (.+)", line)
        if heading is None:
            continue
        slug = re.sub(r"[^\w\- ]", "", heading.group(1).replace("`", "").lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


@pytest.mark.parametrize("page", LINKED_PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_no_page_cites_planning_documents(page: Path):
    assert PLANNING.findall(page.read_text()) == []
