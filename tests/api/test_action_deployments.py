"""PUT and DELETE .../actions: deploying functions through the API, as doctl, nim and the
openwhisk npm client do."""

import base64
import io
import json
import zipfile

import pytest

from tests.support.paths import REPO
from tests.support.routes import ACTIONS, NAMESPACE
from tests.support.servers import free_port, process_alive
from tests.support.snippets import NODE_HELLO


def zipped(files: dict[str, str]) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return base64.b64encode(buffer.getvalue()).decode()


def annotations_of(doc):
    return {a["key"]: a["value"] for a in doc["annotations"]}


async def put(client, path, body, *, overwrite=False):
    query = "?overwrite=true" if overwrite else ""
    # A stream: aiohttp warns about large bodies passed as bytes.
    data = io.BytesIO(json.dumps(body).encode())
    headers = {"Content-Type": "application/json"}
    response = await client.put(f"{ACTIONS}/{path}{query}", data=data, headers=headers)
    return response.status, await response.json()


async def invoke(client, path, params=None):
    response = await client.post(f"{ACTIONS}/{path}?blocking=true&result=true", json=params or {})
    return response.status, await response.json()


async def test_a_created_function_is_stored_as_the_platform_stores_it(deploy_client):
    status, doc = await put(
        deploy_client, "greet", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}}
    )
    assert status == 200
    assert doc["namespace"] == NAMESPACE
    assert doc["name"] == "greet"
    assert doc["version"] == "0.0.1"
    assert doc["publish"] is False
    assert doc["exec"] == {"kind": "nodejs:18", "code": NODE_HELLO, "binary": False, "main": "main"}
    assert doc["parameters"] == []
    assert doc["limits"] == {"timeout": 3000, "memory": 256, "logs": 16, "concurrency": 1}
    assert doc["annotations"] == [
        {"key": "exec", "value": "nodejs:18"},
        {"key": "provide-api-key", "value": False},
    ]
    assert isinstance(doc["updated"], int) and doc["updated"] > 0


async def test_a_deployed_function_runs_and_is_listed_and_got(deploy_client):
    await put(deploy_client, "greet", {"exec": {"kind": "nodejs:default", "code": NODE_HELLO}})
    assert await invoke(deploy_client, "greet", {"name": "Ada"}) == (200, {"body": "Hello Ada"})
    listed = await (await deploy_client.get(f"{ACTIONS}?limit=50")).json()
    assert listed[0]["name"] == "greet"
    got = await (await deploy_client.get(f"{ACTIONS}/greet")).json()
    assert got["exec"]["kind"] == "nodejs:18"
    assert got["exec"]["code"] == NODE_HELLO
    without = await (await deploy_client.get(f"{ACTIONS}/greet?code=false")).json()
    assert "code" not in without["exec"]


async def test_the_code_is_written_under_the_project_state_folder(deploy_client, small_project):
    await put(
        deploy_client,
        "pyfn",
        {"exec": {"kind": "python:3.11", "code": "def main(a):\n  return a\n"}},
    )
    written = list((small_project / ".emulator" / "code").glob("*/*/__main__.py"))
    assert len(written) == 1


async def test_creating_twice_without_overwrite_is_409(deploy_client):
    body = {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}}
    await put(deploy_client, "greet", body)
    status, doc = await put(deploy_client, "greet", body)
    assert (status, doc["error"]) == (409, "resource already exists")


async def test_an_update_bumps_the_version_and_merges_limits_and_annotations(deploy_client):
    await put(
        deploy_client,
        "greet",
        {
            "exec": {"kind": "nodejs:18", "code": NODE_HELLO},
            "limits": {"timeout": 5000, "memory": 512},
            "annotations": [{"key": "a", "value": 1}, {"key": "b", "value": 2}],
        },
    )
    status, doc = await put(
        deploy_client,
        "greet",
        {
            "limits": {"memory": 128},
            "annotations": [{"key": "b", "value": 3}, {"key": "c", "value": 4}],
            "delAnnotations": ["a"],
            "parameters": [{"key": "name", "value": "param-default"}],
        },
        overwrite=True,
    )
    assert status == 200
    assert doc["version"] == "0.0.2"
    assert doc["limits"] == {"timeout": 5000, "memory": 128, "logs": 16, "concurrency": 1}
    assert annotations_of(doc) == {"b": 3, "c": 4, "exec": "nodejs:18", "provide-api-key": False}
    assert doc["exec"]["code"] == NODE_HELLO  # no exec: the code stays
    assert doc["parameters"] == [{"key": "name", "value": "param-default"}]
    assert await invoke(deploy_client, "greet") == (200, {"body": "Hello param-default"})
    _, third = await put(deploy_client, "greet", {}, overwrite=True)
    assert third["version"] == "0.0.3"
    _, given = await put(deploy_client, "greet", {"version": "1.2.3"}, overwrite=True)
    assert given["version"] == "1.2.3"


async def test_an_update_with_new_code_serves_the_new_code(deploy_client):
    await put(deploy_client, "greet", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}})
    assert (await invoke(deploy_client, "greet"))[1] == {"body": "Hello stranger"}
    changed = "function main() { return { body: 'changed' } }"
    await put(
        deploy_client, "greet", {"exec": {"kind": "nodejs:18", "code": changed}}, overwrite=True
    )
    assert (await invoke(deploy_client, "greet"))[1] == {"body": "changed"}


PID_CODE = "import os\ndef main(args):\n    return {'pid': os.getpid(), 'v': %d}\n"


async def test_an_updated_function_stays_warm_on_its_next_calls_and_the_old_process_stops(
    deploy_client,
):
    await put(deploy_client, "pid", {"exec": {"kind": "python:3.11", "code": PID_CODE % 1}})
    old = {(await invoke(deploy_client, "pid"))[1]["pid"] for _ in range(2)}
    assert len(old) == 1
    updated = {"exec": {"kind": "python:3.11", "code": PID_CODE % 2}}
    await put(deploy_client, "pid", updated, overwrite=True)
    answers = [(await invoke(deploy_client, "pid"))[1] for _ in range(4)]
    assert {answer["v"] for answer in answers} == {2}
    new = {answer["pid"] for answer in answers}
    assert len(new) == 1 and new != old
    assert not process_alive(old.pop())


async def test_a_project_function_updated_through_the_api_keeps_its_annotations(deploy_client):
    status, doc = await put(
        deploy_client,
        "demo/hello",
        {"exec": {"kind": "python:3.11", "code": "def main(a):\n    return {'body': 'api'}\n"}},
        overwrite=True,
    )
    assert status == 200
    assert doc["namespace"] == f"{NAMESPACE}/demo"
    assert doc["version"] == "0.0.2"
    assert annotations_of(doc)["final"] is True
    assert await invoke(deploy_client, "demo/hello") == (200, {"body": "api"})


async def test_a_zipped_node_function_runs_from_its_package_json_main(deploy_client):
    code = zipped(
        {
            "package.json": json.dumps({"name": "multi", "main": "lib/entry.js"}),
            "lib/entry.js": (
                "const h = require('./helper')\nexports.handler = (a) => ({ body: h(a) })\n"
            ),
            "lib/helper.js": "module.exports = (a) => 'zipped ' + (a.name || 'node')\n",
        }
    )
    status, doc = await put(
        deploy_client,
        "multi",
        {"exec": {"kind": "nodejs:18", "code": code, "binary": True, "main": "handler"}},
    )
    assert status == 200
    assert doc["exec"]["binary"] is True
    assert doc["exec"]["main"] == "handler"
    assert await invoke(deploy_client, "multi", {"name": "Zed"}) == (200, {"body": "zipped Zed"})


async def test_a_zipped_python_function_runs_from_its_main_module(deploy_client):
    code = zipped(
        {
            "__main__.py": "from helper import twice\ndef main(a):\n    return twice(a)\n",
            "helper.py": "def twice(a):\n    return {'n': a['n'] * 2}\n",
        }
    )
    await put(deploy_client, "tool", {"exec": {"kind": "python:default", "code": code}})
    assert await invoke(deploy_client, "tool", {"n": 21}) == (200, {"n": 42})
    doc = await (await deploy_client.get(f"{ACTIONS}/tool")).json()
    assert doc["exec"]["binary"] is True
    names = zipfile.ZipFile(io.BytesIO(base64.b64decode(doc["exec"]["code"]))).namelist()
    assert sorted(names) == ["__main__.py", "helper.py"]


async def test_delete_answers_the_deleted_function_and_it_is_gone(deploy_client):
    await put(deploy_client, "greet", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}})
    response = await deploy_client.delete(f"{ACTIONS}/greet")
    assert response.status == 200
    assert (await response.json())["name"] == "greet"
    missing = await deploy_client.get(f"{ACTIONS}/greet")
    assert missing.status == 404
    assert (await deploy_client.delete(f"{ACTIONS}/greet")).status == 404


async def test_deployments_survive_a_restart_over_the_project(make_client, small_project):
    first = await make_client(small_project)
    await put(first, "greet", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}})
    await put(
        first,
        "demo/hello",
        {"exec": {"kind": "python:3.11", "code": "def main(a):\n    return {'body': 'api'}\n"}},
        overwrite=True,
    )
    await put(first, "gone", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}})
    await first.delete(f"{ACTIONS}/gone")
    await first.close()

    second = await make_client(small_project)
    assert await invoke(second, "greet", {"name": "again"}) == (200, {"body": "Hello again"})
    assert await invoke(second, "demo/hello") == (200, {"body": "api"})
    doc = await (await second.get(f"{ACTIONS}/demo/hello")).json()
    assert doc["version"] == "0.0.2"
    assert (await second.get(f"{ACTIONS}/gone")).status == 404


async def test_the_banner_says_which_deployment_serves_each_function(make_client, small_project):
    from emulator.cli.banner import banner
    from emulator.dashboard import dashboard_link
    from emulator.services import SERVICES

    first = await make_client(small_project)
    await put(first, "greet", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}})
    await first.close()
    second = await make_client(small_project)
    text = banner(second.server.app[SERVICES], dashboard_link(second.server.app))
    lines = {line.split()[0]: line for line in text.splitlines() if "POST http" in line}
    assert lines["greet"].split()[2] == "api"
    assert lines["demo/hello"].split()[2] == "project"
    assert "nim auth login --apihost http://127.0.0.1:3233 --auth 23bc46b1" in text
    assert "__OW_API_HOST=http://127.0.0.1:3233 __OW_API_KEY=23bc46b1" in text


VALID_KINDS = (
    "'nodejs:14', 'nodejs:18', 'nodejs:22', 'nodejs:24', 'python:3.9', 'python:3.11', "
    "'python:3.12', 'python:3.13', 'go:1.17', 'go:1.20', 'go:1.24', 'go:1.25', 'php:8.0', "
    "'php:8.2', 'php:8.3', 'php:8.4', 'php:8.5'"
)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "exec undefined"),
        (
            {"exec": {"kind": "cobol:1", "code": "x"}},
            400,
            "The request content was malformed:\nThe specified runtime 'cobol:1' is not supported "
            f"by this platform. Valid values are: {VALID_KINDS}.",
        ),
        (
            {"exec": {"kind": "nodejs:18"}},
            400,
            "The request content was malformed:\n'code' must be a string defined in 'exec' for "
            "'nodejs:18' actions",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"timeout": 900001}},
            400,
            "duration 900001 milliseconds exceeds allowed threshold of 900000 milliseconds",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"timeout": 50}},
            400,
            "duration 50 milliseconds below allowed threshold of 100 milliseconds",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"memory": 2048}},
            400,
            "memory size 2048 MB exceeds allowed threshold of 1024 MB",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"memory": 64}},
            400,
            "memory size 64 MB below allowed threshold of 128 MB",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"logs": 20}},
            400,
            "log size 20 MB exceeds allowed threshold of 16 MB",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"concurrency": 2}},
            400,
            "concurrency 2 exceeds allowed threshold of 1",
        ),
        (
            {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "parameters": {"a": 1}},
            400,
            "The request content was malformed:\nparameters malformed!",
        ),
        (
            {
                "exec": {"kind": "nodejs:18", "code": NODE_HELLO},
                "parameters": [{"key": "big", "value": "x" * 1_048_576}],
            },
            413,
            "parameters larger than allowed: 1048602 > 1048576 bytes.",
        ),
        (
            {
                "exec": {"kind": "nodejs:18", "code": NODE_HELLO},
                "annotations": [{"key": "big", "value": "x" * 1_048_576}],
            },
            413,
            "annotations larger than allowed: 1048602 > 1048576 bytes.",
        ),
    ],
)
async def test_an_invalid_function_is_refused_with_the_platform_message(
    deploy_client, body, status, message
):
    response_status, doc = await put(deploy_client, "bad", body)
    assert (response_status, doc["error"]) == (status, message)


async def test_code_over_48_mb_is_413(deploy_client):
    code = "x" * (48 * 1024 * 1024 + 1)
    status, doc = await put(deploy_client, "huge", {"exec": {"kind": "nodejs:18", "code": code}})
    assert (status, doc["error"]) == (413, "exec larger than allowed: 50331649 > 50331648 bytes.")


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("bad%21name", "The name of the entity contains illegal characters."),
        ("-leading", "The name of the entity contains illegal characters."),
        ("a" * 257, "Name segement longer than allowed: 257 > 256."),
    ],
)
async def test_a_bad_name_is_400(deploy_client, path, message):
    status, doc = await put(
        deploy_client, path, {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}}
    )
    assert (status, doc["error"]) == (400, message)


async def test_a_function_in_a_missing_package_is_404(deploy_client):
    status, doc = await put(
        deploy_client, "nopkg/fn", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}}
    )
    assert (status, doc["error"]) == (404, "The requested resource does not exist.")


async def test_a_function_named_as_a_package_is_409(deploy_client):
    status, doc = await put(
        deploy_client, "demo", {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}}
    )
    assert (status, doc["error"]) == (
        409,
        "Resource by this name exists but is not in this collection.",
    )


async def test_a_function_can_invoke_another_with_the_openwhisk_client(make_client, small_project):
    modules = REPO / "tests" / "node_modules"
    if not (modules / "openwhisk").is_dir():
        pytest.skip("the openwhisk npm package is not installed under tests/node_modules")
    # The function calls back to where the emulator listens, as `__OW_API_HOST` says.
    client = await make_client(small_project, port=free_port())
    # Generous limits: under a loaded machine a cold Node start can take seconds.
    callee = {"exec": {"kind": "nodejs:18", "code": NODE_HELLO}, "limits": {"timeout": 20000}}
    await put(client, "callee", callee)
    caller = (
        f"const openwhisk = require({json.dumps(str(modules / 'openwhisk'))})\n"
        "async function main(args) {\n"
        "  const ow = openwhisk()\n"
        "  const result = await ow.actions.invoke({ name: 'callee', params: { name: args.name },"
        " blocking: true, result: true })\n"
        "  return { via: process.env.__OW_API_HOST, inner: result.body }\n"
        "}\n"
    )
    body = {
        "exec": {"kind": "nodejs:18", "code": caller},
        "annotations": [{"key": "provide-api-key", "value": True}],
        "limits": {"timeout": 20000},
    }
    assert (await put(client, "caller", body))[0] == 200
    status, result = await invoke(client, "caller", {"name": "nested"})
    assert (status, result) == (
        200,
        {"via": f"http://127.0.0.1:{client.port}", "inner": "Hello nested"},
    )


async def test_without_provide_api_key_a_function_gets_no_key(deploy_client):
    code = "function main() { return { key: process.env.__OW_API_KEY || null } }"
    await put(deploy_client, "nokey", {"exec": {"kind": "nodejs:18", "code": code}})
    assert await invoke(deploy_client, "nokey") == (200, {"key": None})
