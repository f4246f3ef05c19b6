"""Projects in the shapes real ones have, served unchanged: no project.yml, the legacy
`actions:` with empty and falsy keys, and an early projectConfig.yml. Every function is invoked
over the API and answers as it does in the cloud; the start names what the deployer ignores."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from emulator.project import load_project
from tests.support.routes import ACTIONS, NAMESPACE
from tests.support.servers import free_port

PROJECTS = Path(__file__).resolve().parent / "projects"
IGNORED = "Ignored (not part of a DigitalOcean Functions project)"
DEPRECATED_NAME = (
    "Warning: the name 'projectConfig.yml' is deprecated; please rename to 'project.yml' soon"
)

CopyOf = Callable[[str], Path]


@pytest.fixture
def copy_of(tmp_path: Path) -> CopyOf:
    """A copy of a project under tests/projects, so that serving it writes nothing there."""

    def copy(name: str) -> Path:
        return Path(shutil.copytree(PROJECTS / name, tmp_path / name))

    return copy


async def invoke(client, path, params):
    response = await client.post(f"{ACTIONS}/{path}?blocking=true&result=true", json=params)
    return response.status, await response.json()


async def described(client):
    """Each function as the platform lists it: kind and the web annotations."""
    listed = await (await client.get(f"{ACTIONS}?limit=200")).json()
    shown = {}
    for action in listed:
        package = action["namespace"].partition("/")[2]
        annotations = {a["key"]: a["value"] for a in action["annotations"]}
        shown["/".join(filter(None, [package, action["name"]]))] = (
            annotations["exec"],
            annotations["web-export"],
            annotations["raw-http"],
        )
    return shown


def warnings_of(folder: Path) -> tuple[str, ...]:
    return load_project(folder / "project.yml", namespace=NAMESPACE, environ={}).warnings


# --- a folder with packages/ and no project.yml ---


async def test_without_project_yml_runtimes_come_from_the_files_and_every_function_is_web(
    make_client, copy_of
):
    client = await make_client(copy_of("no-config"))
    assert await described(client) == {
        "tools/checksum": ("python:3.11", True, False),
        "tools/initials": ("php:8.2", True, False),
        "tools/slugify": ("python:3.11", True, False),
        "tools/wordcount": ("nodejs:18", True, False),
    }


@pytest.mark.timeout(180)
async def test_every_function_of_a_project_without_project_yml_answers_as_in_the_cloud(
    make_client, copy_of
):
    client = await make_client(copy_of("no-config"))
    checksums = {
        "sha256": hashlib.sha256(b"hello").hexdigest(),
        "crc32": f"{zlib.crc32(b'hello'):08x}",
        "by": f"/{NAMESPACE}/tools/checksum",
    }
    calls = [
        (
            "tools/slugify",
            {"title": "Hello, Small World!"},
            {"body": {"slug": "hello-small-world"}},
        ),
        ("tools/wordcount", {"text": "the cat and the hat"}, {"body": {"words": 5, "top": "the"}}),
        ("tools/initials", {"name": "ada  king lovelace"}, {"body": {"initials": "AKL"}}),
        ("tools/checksum", {"text": "hello"}, {"body": checksums}),
    ]
    for path, params, expected in calls:
        assert await invoke(client, path, params) == (200, expected), path


def test_the_strays_beside_packages_are_named_in_one_warning(copy_of):
    # .gitignore is the deployer's system file: not a stray, so not named.
    assert warnings_of(copy_of("no-config")) == (f"{IGNORED}: .github/, README.md, web/",)


def test_another_yaml_file_without_project_yml_gets_the_deployers_warning(copy_of):
    folder = copy_of("no-config")
    (folder / "serverless.yml").write_text("service: text-tools\n")
    assert warnings_of(folder) == (
        "Warning: found serverless.yml but no project.yml",
        f"{IGNORED}: .github/, README.md, serverless.yml, web/",
    )


# --- legacy `actions:` and empty, null and false keys ---


async def test_legacy_and_empty_keys_leave_the_defaults_in_place(make_client, copy_of):
    client = await make_client(copy_of("legacy"))
    assert await described(client) == {
        "health": ("python:3.11", True, False),
        "shop/price": ("python:3.11", True, False),
        "shop/stock": ("nodejs:18", True, False),
    }
    price = await (await client.get(f"{ACTIONS}/shop/price?code=false")).json()
    assert price["exec"] == {"kind": "python:3.11", "binary": False, "main": "main"}
    # Its own `parameters: {}` binds nothing: only the package's currency is inherited.
    assert price["parameters"] == [{"key": "currency", "value": "EUR"}]
    assert price["limits"] == {"timeout": 3000, "memory": 256, "logs": 16, "concurrency": 1}


async def test_every_function_of_a_legacy_project_answers_as_in_the_cloud(make_client, copy_of):
    client = await make_client(copy_of("legacy"))
    calls = [
        # The package's bound parameter reaches the function under its own.
        (
            "shop/price",
            {"quantity": 3, "unit_cents": 250},
            {"total_cents": 750, "currency": "EUR"},
        ),
        (
            "shop/stock",
            {"item": "mug"},
            {"item": "mug", "left": 12, "warehouse": "north", "inStock": True},
        ),
        ("health", {}, {"status": "ok"}),
    ]
    for path, params, expected in calls:
        assert await invoke(client, path, params) == (200, expected), path


def test_a_legacy_projects_do_folder_is_named_as_ignored(copy_of):
    assert warnings_of(copy_of("legacy")) == (f"{IGNORED}: .do/",)


# --- projectConfig.yml, the configuration's early name ---


async def test_project_config_yml_is_read_in_place_of_project_yml(make_client, copy_of):
    client = await make_client(copy_of("project-config"))
    assert await described(client) == {
        "greetings/farewell": ("nodejs:18", True, False),
        "greetings/welcome": ("python:3.11", False, False),
    }
    calls = [
        ("greetings/welcome", {"name": "Ada"}, {"body": "Howdy, Ada! Welcome to the ranch."}),
        ("greetings/farewell", {"name": "Ada"}, {"body": "So long, Ada."}),
    ]
    for path, params, expected in calls:
        assert await invoke(client, path, params) == (200, expected), path


def test_project_config_yml_gets_the_deployers_deprecation_warning(copy_of):
    assert warnings_of(copy_of("project-config")) == (DEPRECATED_NAME,)


# --- what `functions-emulator serve` prints ---


def lines_of(output: str, text: str) -> list[str]:
    return [line for line in output.splitlines() if text in line]


def test_serving_a_folder_without_project_yml_names_the_folder_and_the_strays(serve, copy_of):
    folder = copy_of("no-config")
    server = serve(folder)
    status, result = server.request("POST", f"{ACTIONS}/tools/slugify?blocking=true&result=true")
    output = server.stop()
    assert (status, result) == (200, {"body": {"slug": ""}})
    assert f"serving {folder.resolve()}\n" in output
    assert lines_of(output, IGNORED) == [f"  {IGNORED}: .github/, README.md, web/"]
    assert not (folder / "project.yml").exists()


def test_serving_a_project_config_yml_prints_the_deprecation_warning(serve, copy_of):
    folder = copy_of("project-config")
    output = serve(folder).stop()
    assert f"serving {(folder / 'projectConfig.yml').resolve()}\n" in output
    assert lines_of(output, "deprecated") == [f"  {DEPRECATED_NAME}"]


def test_serving_a_folder_with_another_yaml_file_prints_the_deployers_warning(serve, copy_of):
    folder = copy_of("no-config")
    (folder / "app.yaml").write_text("name: text-tools\n")
    output = serve(folder).stop()
    assert lines_of(output, "but no project.yml") == [
        "  Warning: found app.yaml but no project.yml"
    ]


def test_a_folder_that_is_not_a_project_exits_with_one_clear_line(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.md").write_text("# Notes\n")
    (folder / "todo.yml").write_text("- write the functions\n")
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "serve", str(folder), "--port", str(free_port())],
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        f"Error: Not a DigitalOcean Functions project: {folder} has no project.yml, "
        "projectConfig.yml or packages/ folder"
    )
