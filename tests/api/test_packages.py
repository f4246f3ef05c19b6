"""/api/v1/namespaces/{ns}/packages: what `nim project deploy`, `doctl serverless undeploy`
and the openwhisk client do with packages."""

import pytest

from tests.support.routes import ACTIONS, NAMESPACE, PACKAGES
from tests.support.snippets import NODE_HELLO


async def put_package(client, name, body, *, overwrite=False):
    query = "?overwrite=true" if overwrite else ""
    response = await client.put(f"{PACKAGES}/{name}{query}", json=body)
    return response.status, await response.json()


async def put_action(client, path, code=NODE_HELLO, kind="nodejs:18"):
    response = await client.put(f"{ACTIONS}/{path}", json={"exec": {"kind": kind, "code": code}})
    assert response.status == 200, await response.text()


async def test_a_new_package_has_no_annotations_and_the_first_version(deploy_client):
    status, doc = await put_package(deploy_client, "tools", {})
    assert status == 200
    assert doc["namespace"] == NAMESPACE
    assert doc["name"] == "tools"
    assert doc["annotations"] == []
    assert doc["parameters"] == []
    assert doc["version"] == "0.0.1"
    assert doc["publish"] is False
    assert doc["binding"] == {}


async def test_an_update_bumps_the_version_and_replaces_parameters_and_annotations(deploy_client):
    await put_package(
        deploy_client,
        "tools",
        {"parameters": [{"key": "a", "value": 1}], "annotations": [{"key": "x", "value": 1}]},
    )
    status, doc = await put_package(
        deploy_client, "tools", {"parameters": [{"key": "b", "value": 2}]}, overwrite=True
    )
    assert status == 200
    assert doc["version"] == "0.0.2"
    assert doc["parameters"] == [{"key": "b", "value": 2}]
    assert doc["annotations"] == [{"key": "x", "value": 1}]
    _, doc = await put_package(deploy_client, "tools", {"annotations": []}, overwrite=True)
    assert (doc["version"], doc["annotations"]) == ("0.0.3", [])


async def test_creating_twice_without_overwrite_is_409(deploy_client):
    await put_package(deploy_client, "tools", {})
    status, doc = await put_package(deploy_client, "tools", {})
    assert (status, doc["error"]) == (409, "resource already exists")


async def test_the_default_package_is_reserved(deploy_client):
    status, doc = await put_package(deploy_client, "default", {})
    assert (status, doc["error"]) == (400, "Package name 'default' is reserved.")


async def test_a_package_named_as_a_function_is_409(deploy_client):
    await put_action(deploy_client, "solo")
    status, doc = await put_package(deploy_client, "solo", {})
    assert (status, doc["error"]) == (
        409,
        "Resource by this name exists but is not in this collection.",
    )


async def test_get_lists_the_package_functions_and_feeds(deploy_client):
    await put_package(deploy_client, "tools", {})
    await put_action(deploy_client, "tools/inner")
    response = await deploy_client.get(f"{PACKAGES}/tools")
    doc = await response.json()
    assert response.status == 200
    assert doc["feeds"] == []
    assert doc["actions"] == [
        {
            "name": "inner",
            "version": "0.0.1",
            "annotations": [
                {"key": "exec", "value": "nodejs:18"},
                {"key": "provide-api-key", "value": False},
            ],
        }
    ]


async def test_a_project_package_is_got_and_listed(deploy_client):
    doc = await (await deploy_client.get(f"{PACKAGES}/demo")).json()
    assert [a["name"] for a in doc["actions"]] == ["hello"]
    listed = await (await deploy_client.get(f"{PACKAGES}?")).json()
    assert [(p["name"], p["binding"]) for p in listed] == [("demo", False)]
    assert all("annotations" in p for p in listed)
    assert await (await deploy_client.get(f"{PACKAGES}?count=true")).json() == {"packages": 1}


async def test_an_unknown_package_is_404(deploy_client):
    response = await deploy_client.get(f"{PACKAGES}/nothing")
    assert response.status == 404
    assert (await deploy_client.delete(f"{PACKAGES}/nothing")).status == 404


@pytest.mark.parametrize(
    ("functions", "message"),
    [
        (
            ["a"],
            "Package not empty (contains 1 entity). Set force param or delete package contents.",
        ),
        (
            ["a", "b"],
            "Package not empty (contains 2 entities). Set force param or delete package contents.",
        ),
    ],
)
async def test_deleting_a_package_with_functions_is_409(deploy_client, functions, message):
    await put_package(deploy_client, "tools", {})
    for name in functions:
        await put_action(deploy_client, f"tools/{name}")
    response = await deploy_client.delete(f"{PACKAGES}/tools")
    assert (response.status, (await response.json())["error"]) == (409, message)


async def test_an_emptied_package_is_deleted_and_force_deletes_its_contents(deploy_client):
    await put_package(deploy_client, "tools", {})
    await put_action(deploy_client, "tools/a")
    assert (await deploy_client.delete(f"{ACTIONS}/tools/a")).status == 200
    response = await deploy_client.delete(f"{PACKAGES}/tools")
    assert (response.status, (await response.json())["name"]) == (200, "tools")
    await put_package(deploy_client, "tools", {})
    await put_action(deploy_client, "tools/b")
    assert (await deploy_client.delete(f"{PACKAGES}/tools?force=true")).status == 200
    assert (await deploy_client.get(f"{ACTIONS}/tools/b")).status == 404


async def test_package_parameters_and_environment_reach_its_functions(deploy_client):
    await put_package(
        deploy_client,
        "tools",
        {
            "parameters": [
                {"key": "greeting", "value": "Hi"},
                {"key": "GREETING_ENV", "value": "from-env", "init": True},
            ]
        },
    )
    code = (
        "function main(args) {\n"
        "  return { greeting: args.greeting, env: process.env.GREETING_ENV,"
        " leaked: 'GREETING_ENV' in args }\n"
        "}\n"
    )
    await put_action(deploy_client, "tools/show", code)
    response = await deploy_client.post(f"{ACTIONS}/tools/show?blocking=true&result=true")
    assert await response.json() == {"greeting": "Hi", "env": "from-env", "leaked": False}
    doc = await (await deploy_client.get(f"{ACTIONS}/tools/show")).json()
    assert {"key": "GREETING_ENV", "value": "from-env", "init": True} in doc["parameters"]


async def test_packages_survive_a_restart(make_client, small_project):
    first = await make_client(small_project)
    await put_package(first, "tools", {"parameters": [{"key": "greeting", "value": "Hi"}]})
    await put_action(first, "tools/inner")
    await first.close()
    second = await make_client(small_project)
    doc = await (await second.get(f"{PACKAGES}/tools")).json()
    assert doc["parameters"] == [{"key": "greeting", "value": "Hi"}]
    assert [a["name"] for a in doc["actions"]] == ["inner"]
