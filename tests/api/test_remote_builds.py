"""The platform's builder functions (`/nimbella/builder`), driven as the deployer drives them:
getUploadUrl, the upload, build_<kind>, each polled through its activation record. The slices
here are nim's (a plain project.yml); doctl's encrypted ones are in test_doctl.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
import yaml
from aiohttp.test_utils import TestClient

from emulator.invoker.launchers import Launcher
from emulator.invoker.launchers.golang import GoLauncher
from emulator.namespace.runtimes import default_kind
from tests.support.ci import require
from tests.support.fixture_types import MakeClient
from tests.support.records import wait_for_record
from tests.support.routes import ACTIONS, ACTIVATIONS, PACKAGES

BUILDER = "/api/v1/namespaces/nimbella/actions/builder"
GO_BUILD = "build_" + default_kind("go").name.replace(":", "_")
CANNED = "#!/bin/bash\nset -e\n/bin/defaultBuild Main\n"
GO_HELLO = """package main

func Main(args map[string]interface{}) map[string]interface{} {
	return map[string]interface{}{"body": "built " + args["name"].(string)}
}
"""
BROKEN_GO = "package main\n\nfunc Main(args map[string]interface{}) int {\n\treturn nope\n}\n"


def slice_zip(function: str, files: dict[str, tuple[str, int]], **spec: Any) -> bytes:
    """A slice as the deployer zips it: the files under packages/demo/<function>/ (text and
    mode), and project.yml for that function alone."""
    config = {
        "flags": {"remoteBuild": False},
        "deployerAnnotation": {"user": "me", "projectPath": "/p", "digest": "ab12cd34"},
        "slice": True,
        "packages": [{"name": "demo", "actions": [{"name": function, **spec}]}],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, (text, mode) in files.items():
            info = zipfile.ZipInfo(f"packages/demo/{function}/{name}")
            info.external_attr = mode << 16
            archive.writestr(info, text)
        archive.writestr("project.yml", yaml.safe_dump(config))
    return buffer.getvalue()


@pytest.fixture
def go(launchers: dict[str, Launcher]) -> None:
    launcher = launchers["go"]
    assert isinstance(launcher, GoLauncher)
    # The kind a slice without a version gets (`go:default` resolved, as the deployer does).
    problem = launcher.problem(default_kind("go").name)
    require(problem is None, str(problem))


@pytest.fixture
async def client(make_client: MakeClient) -> TestClient[Any, Any]:
    client = await make_client()
    # The deployer deploys the package before it asks for remote builds.
    assert (await client.put(f"{PACKAGES}/demo?overwrite=true", json={})).status == 200
    return client


async def record_of(client: TestClient[Any, Any], response: Any) -> Any:
    assert response.status == 202
    return await wait_for_record(client, (await response.json())["activationId"], seconds=120)


async def remote_build(
    client: TestClient[Any, Any], data: bytes, builder: str = GO_BUILD
) -> dict[str, Any]:
    """The deployer's three steps; the build's record."""
    asked = await client.post(f"{BUILDER}/getUploadUrl", json={"action": "demo_fn"})
    upload = (await record_of(client, asked))["response"]["result"]
    # The emulator's own address, as the caller reached it.
    origin = str(client.make_url("/")).rstrip("/")
    assert upload["url"].startswith(origin + "/nimbella/builder/slices/")
    # Presigned, as a bucket's URL is: the deployer sends no credentials with the upload.
    path = upload["url"].removeprefix(origin)
    put = await client.put(path, data=data, headers={"Authorization": ""})
    assert put.status == 200
    built = await client.post(f"{BUILDER}/{builder}", json={"toBuild": upload["sliceName"]})
    record: dict[str, Any] = await record_of(client, built)
    return record


@pytest.mark.slow
async def test_a_go_function_is_compiled_and_lands_in_the_callers_namespace(
    client: TestClient[Any, Any], go: None
) -> None:
    data = slice_zip(
        "greeter",
        {"greeter.go": (GO_HELLO, 0o644), "build.sh": (CANNED, 0o777)},
        runtime="go:default",
        web=False,
    )
    record = await remote_build(client, data)
    assert record["response"]["success"] is True
    result = record["response"]["result"]
    assert result["transcript"] == []
    outcome = result["outcome"]
    assert outcome["successes"] == [{"name": "demo/greeter", "kind": "action", "skipped": False}]
    assert outcome["failures"] == []
    assert outcome["actionVersions"]["demo/greeter"]["version"] == "0.0.1"
    deployed = await (await client.get(f"{ACTIONS}/demo/greeter?code=false")).json()
    annotations = {a["key"]: a["value"] for a in deployed["annotations"]}
    assert deployed["exec"]["kind"] == default_kind("go").name
    assert annotations["web-export"] is False
    assert annotations["deployer"] == {
        "user": "me",
        "projectPath": "/p",
        "digest": "ab12cd34",
        "zipped": False,
    }
    invoked = await client.post(
        f"{ACTIONS}/demo/greeter?blocking=true&result=true", json={"name": "remotely"}
    )
    assert await invoked.json() == {"body": "built remotely"}


@pytest.mark.slow
async def test_a_compiler_error_is_the_outcomes_failure_with_the_output_in_the_transcript(
    client: TestClient[Any, Any], go: None
) -> None:
    data = slice_zip("bad", {"bad.go": (BROKEN_GO, 0o644), "build.sh": (CANNED, 0o777)})
    record = await remote_build(client, data)
    result = record["response"]["result"]
    # As the deployer in the platform's runtime reports a failed build script.
    assert result["outcome"]["failures"] == [
        {"message": "'./build.sh' exited with code 1", "context": "action 'demo/bad'"}
    ]
    transcript = result["transcript"]
    assert transcript[0] == "Output of failed build in %s"
    assert transcript[1].endswith("/packages/demo/bad")
    assert any("undefined: nope" in line for line in transcript)
    assert any("undefined: nope" in line for line in record["logs"])
    assert (await client.get(f"{ACTIONS}/demo/bad")).status == 404


async def test_a_build_script_runs_through_the_emulators_build_pipeline(
    client: TestClient[Any, Any],
) -> None:
    script = "#!/bin/bash\nset -e\necho built-by-the-script > message.txt\n"
    code = "def main(args):\n    return {'body': open('message.txt').read().strip()}\n"
    data = slice_zip(
        "scripted",
        {"__main__.py": (code, 0o644), "build.sh": (script, 0o755)},
        runtime="python:3.11",
        remoteBuild=True,
    )
    record = await remote_build(client, data, builder="build_python_3.11")
    assert record["response"]["result"]["outcome"]["failures"] == []
    invoked = await client.post(f"{ACTIONS}/demo/scripted?blocking=true&result=true", json={})
    assert await invoked.json() == {"body": "built-by-the-script"}


async def test_a_failing_build_script_reports_its_output(client: TestClient[Any, Any]) -> None:
    script = "#!/bin/bash\necho this build cannot work\nexit 3\n"
    data = slice_zip(
        "failing",
        {"__main__.py": ("def main(a):\n    return a\n", 0o644), "build.sh": (script, 0o755)},
        runtime="python:3.11",
    )
    result = (await remote_build(client, data, "build_python_3.11"))["response"]["result"]
    [failure] = result["outcome"]["failures"]
    assert failure["message"] == "'./build.sh' exited with code 3"
    assert result["transcript"][0] == "Output of failed build in %s"
    assert "this build cannot work" in result["transcript"]


async def test_the_builders_activations_are_listed_with_the_others(
    client: TestClient[Any, Any],
) -> None:
    asked = await client.post(f"{BUILDER}/getUploadUrl", json={"action": "demo_x"})
    record = await record_of(client, asked)
    assert record["name"] == "getUploadUrl"
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    assert annotations["path"] == "nimbella/builder/getUploadUrl"
    listed = await (await client.get(ACTIVATIONS)).json()
    assert record["activationId"] in [a["activationId"] for a in listed]


async def test_a_runtime_without_a_builder_is_404_as_the_deployer_expects(
    client: TestClient[Any, Any],
) -> None:
    response = await client.post(f"{BUILDER}/build_swift_5.4", json={"toBuild": "x"})
    assert response.status == 404
    assert (await client.post(f"{BUILDER}/somethingElse", json={})).status == 404


async def test_an_upload_needs_a_url_that_getuploadurl_gave(client: TestClient[Any, Any]) -> None:
    response = await client.put("/nimbella/builder/slices/made-up", data=b"zip")
    assert response.status == 404


async def test_a_build_of_a_slice_never_uploaded_fails_its_activation(
    client: TestClient[Any, Any],
) -> None:
    built = await client.post(f"{BUILDER}/{GO_BUILD}", json={"toBuild": "never-uploaded"})
    record = await record_of(client, built)
    assert record["response"]["success"] is False
    assert "never-uploaded" in record["response"]["result"]["error"]


async def test_the_builder_needs_the_callers_key(make_client: MakeClient) -> None:
    client = await make_client(authorized=False)
    response = await client.post(f"{BUILDER}/getUploadUrl", json={"action": "a"})
    assert response.status == 401


async def test_a_slice_that_is_not_a_zip_is_the_outcomes_failure(
    client: TestClient[Any, Any],
) -> None:
    result = (await remote_build(client, b"not a zip"))["response"]["result"]
    assert result["outcome"]["failures"][0]["message"] == "the upload is not a zip archive"
