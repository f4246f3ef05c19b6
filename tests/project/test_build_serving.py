"""The emulator builds its project when it starts, and serves what the builds made
(tests/fixtures/projects/builds, copied so that builds do not write into the repository)."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from emulator.services import SERVICES
from tests.support.ci import require
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS


@pytest.fixture
def project(tmp_path):
    copy = tmp_path / "builds"
    shutil.copytree(FIXTURE_PROJECTS / "builds", copy)
    for script in copy.rglob("build.sh"):
        script.chmod(0o755)  # as checked out, whatever the checkout did with modes
    return copy


async def test_a_function_serves_the_file_its_build_made(make_client, project):
    client = await make_client(project)
    response = await client.post(f"{ACTIONS}/demo/made?blocking=true&result=true")
    assert (response.status, await response.json()) == (200, {"body": "made by build.sh"})


async def test_a_failed_build_is_listed_and_invoking_it_answers_the_failure(make_client, project):
    client = await make_client(project)
    listed = await (await client.get(f"{ACTIONS}?limit=0")).json()
    assert "broken" in {a["name"] for a in listed}

    response = await client.post(f"{ACTIONS}/demo/broken?blocking=true")
    assert response.status == 502
    record = await response.json()
    assert record["response"]["status"] == "action developer error"
    assert record["response"]["result"] == {
        "error": "'./build.sh' exited with code 2\n"
        f"Output of failed build in {project / 'packages/demo/broken'}:\n"
        "compiling the broken function\n"
        "error: the compiler is missing"
    }

    response = await client.post(f"{ACTIONS}/demo/works?blocking=true&result=true")
    assert (response.status, await response.json()) == (200, {"works": True})


async def test_a_missing_requirement_says_how_to_install_it(make_client, project):
    client = await make_client(project)
    response = await client.post(f"{ACTIONS}/demo/needs?blocking=true")
    assert response.status == 502
    activation_id = (await response.json())["activationId"]
    record = await (await client.get(f"{ACTIVATIONS}/{activation_id}")).json()
    logs = [line.split(" ", 2)[2] for line in record["logs"]]
    assert logs[:2] == [
        "Invalid function: No module named 'emulator_test_dependency_not_installed'",
        "Hint: requirements.txt is not installed: DigitalOcean installs nothing from it and "
        "this function has no virtualenv/ folder; add a build.sh that runs "
        "'virtualenv virtualenv && virtualenv/bin/pip install -r requirements.txt' "
        "(see https://docs.digitalocean.com/products/functions/reference/build-process/)",
    ]


async def test_a_restart_with_unchanged_sources_does_not_build_again(make_client, project):
    script = project / "packages/demo/made/build.sh"
    script.write_text(script.read_text() + "echo run >> ../../../runs.txt\n")
    for _ in range(2):
        client = await make_client(project)
        response = await client.post(f"{ACTIONS}/demo/made?blocking=true&result=true")
        assert response.status == 200
        await client.close()
    assert (project / "runs.txt").read_text() == "run\n"


async def test_a_node_function_runs_with_the_dependency_npm_installed(
    make_client, launchers, tmp_path
):
    require(shutil.which("npm") is not None, "npm is not installed")
    project = tmp_path / "npm-build"
    shutil.copytree(FIXTURE_PROJECTS / "npm-build", project)
    client = await make_client(project)
    assert (project / "packages/demo/isnum/node_modules/is-number").is_dir()
    response = await client.post(
        f"{ACTIONS}/demo/isnum?blocking=true&result=true", json={"value": "5"}
    )
    assert (response.status, await response.json()) == (200, {"number": True})


async def test_a_php_function_whose_build_fails_answers_the_failure(make_client, project):
    client = await make_client(project)
    response = await client.post(f"{ACTIONS}/demo/composer?blocking=true")
    assert response.status == 502
    error = (await response.json())["response"]["result"]["error"]
    assert error.startswith("'./build.sh' exited with code 127\n")
    assert "installing the PHP dependencies" in error
    assert "composer-not-installed-here: not found" in error


@pytest.fixture
def held_build(project):
    """The made function's build waits until the test creates `release` (a file)."""
    script = project / "packages/demo/made/build.sh"
    release = project / "release"
    script.write_text(
        script.read_text().replace(
            "set -e\n", f"set -e\nwhile [ ! -e {release} ]; do sleep 0.02; done\n"
        )
    )
    return release


async def test_serve_answers_while_a_build_runs_and_the_built_function_waits_for_it(
    make_client, project, held_build
):
    client = await make_client(project, serve_while_building=True)
    services = client.server.app[SERVICES]
    assert services.building == {"demo/made", "demo/broken", "demo/composer"}

    # The function without a build serves at once; a non-blocking call of one being built
    # is accepted at once too.
    response = await client.post(f"{ACTIONS}/demo/works?blocking=true&result=true")
    assert (response.status, await response.json()) == (200, {"works": True})
    accepted = await client.post(f"{ACTIONS}/demo/made")
    assert accepted.status == 202

    blocking = asyncio.ensure_future(client.post(f"{ACTIONS}/demo/made?blocking=true"))
    await asyncio.sleep(0.3)
    assert not blocking.done()
    held_build.touch()
    response = await asyncio.wait_for(blocking, 60)
    assert response.status == 200
    record = await response.json()
    assert record["response"]["result"] == {"body": "made by build.sh"}
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    # The wait for the build is its initialisation, outside its timeout.
    assert annotations["timeout"] is False
    assert annotations["initTime"] >= 300
    assert services.building == frozenset()

    # The call accepted during the build ran the built version as well.
    queued_id = (await accepted.json())["activationId"]
    queued = await _record_of(client, queued_id)
    assert queued["response"]["result"] == {"body": "made by build.sh"}

    # The failed build answers its failure, as when the start waited for it.
    response = await client.post(f"{ACTIONS}/demo/broken?blocking=true")
    assert response.status == 502
    assert (
        "'./build.sh' exited with code 2" in (await response.json())["response"]["result"]["error"]
    )


async def test_without_serve_while_building_the_start_waits_for_every_build(make_client, project):
    client = await make_client(project)
    services = client.server.app[SERVICES]
    assert services.building == frozenset()
    assert services.registry.build_hint("demo/broken") is not None


async def _record_of(client, activation_id):
    for _ in range(600):
        response = await client.get(f"{ACTIVATIONS}/{activation_id}")
        if response.status == 200:
            return await response.json()
        await asyncio.sleep(0.05)
    raise AssertionError(f"no record of {activation_id}")
