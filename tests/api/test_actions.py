"""GET .../actions: the deployed functions as the platform lists and describes them."""

import base64
import io
import zipfile

from tests.support.paths import SAMPLE_PROJECT
from tests.support.routes import ACTIONS, NAMESPACE


async def test_the_list_has_every_function_with_its_summary(client):
    listed = await (await client.get(f"{ACTIONS}?")).json()
    assert sorted((a["namespace"], a["name"]) for a in listed) == [
        (NAMESPACE, "top"),
        *((f"{NAMESPACE}/demo", n) for n in ["crashes", "echo", "fails", "hello", "nap"]),
    ]
    hello = next(a for a in listed if a["name"] == "hello")
    assert set(hello) == {
        "namespace",
        "name",
        "version",
        "publish",
        "annotations",
        "limits",
        "exec",
        "updated",
    }
    assert hello["exec"] == {"binary": False}
    annotations = {a["key"]: a["value"] for a in hello["annotations"]}
    assert annotations["exec"] == "python:3.11"
    assert annotations["final"] is True
    assert annotations["web-export"] is True


async def test_the_list_takes_limit_skip_and_count(client):
    assert len(await (await client.get(f"{ACTIONS}?limit=2")).json()) == 2
    assert len(await (await client.get(f"{ACTIONS}?skip=5")).json()) == 1
    assert await (await client.get(f"{ACTIONS}?count=true")).json() == {"actions": 6}


async def test_a_trailing_slash_lists_one_package(client):
    listed = await (await client.get(f"{ACTIONS}/demo/")).json()
    assert sorted(a["name"] for a in listed) == ["crashes", "echo", "fails", "hello", "nap"]


async def test_get_returns_the_function_with_its_code_and_bound_parameters(client):
    doc = await (await client.get(f"{ACTIONS}/demo/hello")).json()
    assert doc["namespace"] == f"{NAMESPACE}/demo"
    assert doc["exec"]["kind"] == "python:3.11"
    assert doc["exec"]["binary"] is False
    assert "def main(args):" in doc["exec"]["code"]
    assert doc["parameters"] == [{"key": "greeting", "value": "Hello"}]
    assert doc["limits"] == {"timeout": 3000, "memory": 256, "logs": 16, "concurrency": 1}


async def test_code_false_leaves_the_code_out(client):
    doc = await (await client.get(f"{ACTIONS}/demo/hello?code=false")).json()
    assert "code" not in doc["exec"]


async def test_a_directory_function_comes_back_as_a_base64_zip(make_client):
    client = await make_client(SAMPLE_PROJECT)
    doc = await (await client.get(f"{ACTIONS}/sample/greet")).json()
    assert doc["exec"]["binary"] is True
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(doc["exec"]["code"])))
    assert sorted(archive.namelist()) == ["__main__.py", "salutation.py"]
    assert {"key": "GREETING", "value": "Hello", "init": True} in doc["parameters"]


async def test_an_unknown_function_is_404(client):
    response = await client.get(f"{ACTIONS}/demo/missing")
    assert response.status == 404
    assert (await response.json())["error"] == "The requested resource does not exist."


async def test_a_zip_file_function_runs_from_its_archive(make_client, tmp_path):
    package = tmp_path / "zipped" / "packages" / "pkg"
    package.mkdir(parents=True)
    with zipfile.ZipFile(package / "tool.zip", "w") as archive:
        archive.writestr(
            "__main__.py", "from helper import twice\ndef main(a):\n    return twice(a)\n"
        )
        archive.writestr("helper.py", "def twice(a):\n    return {'n': a['n'] * 2}\n")
    (tmp_path / "zipped" / "project.yml").write_text(
        "packages:\n  - name: pkg\n    functions:\n"
        "      - name: tool\n        runtime: python:3.11\n"
    )
    client = await make_client(tmp_path / "zipped")
    response = await client.post(f"{ACTIONS}/pkg/tool?blocking=true&result=true", json={"n": 21})
    assert (response.status, await response.json()) == (200, {"n": 42})
