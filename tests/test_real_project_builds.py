"""Projects built the way their authors wrote them (tests/projects/<shape>, copied unchanged
so that their builds write into the copy) serve every function as the cloud does, or answer
with a developer error that names the failed command and quotes its output, and the start
banner says in one line what is missing."""

from __future__ import annotations

import base64
import io
import os
import shutil
import socket
import sys
import zipfile
from pathlib import Path

import pytest

from emulator.services import SERVICES
from tests.support.ci import require
from tests.support.paths import REPO
from tests.support.routes import ACTIONS, NAMESPACE

PROJECTS = REPO / "tests" / "projects"
VENV_BIN = Path(sys.executable).parent


def copy_project(name: str, tmp_path: Path) -> Path:
    copy = tmp_path / name
    shutil.copytree(PROJECTS / name, copy)
    for script in copy.rglob("build.sh"):
        script.chmod(0o755)  # as checked out, whatever the checkout did with modes
    return copy


def require_program(program: str, where: str | None = None) -> None:
    """Only a developer without `program` skips; CI must have every toolchain."""
    require(shutil.which(program, path=where) is not None, f"{program} is not installed")


def path_without(program: str) -> str:
    """The emulator's PATH less every folder that holds `program`."""
    folders = os.environ.get("PATH", os.defpath).split(os.pathsep)
    return os.pathsep.join(f for f in folders if shutil.which(program, path=f) is None)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def invoke(client, path, params=None):
    response = await client.post(f"{ACTIONS}/{path}?blocking=true", json=params or {})
    record = await response.json()
    return response.status, record["response"]


async def deployed_files(client, path):
    """The names in the function's code as the platform returns it (a zip, base64)."""
    action = await (await client.get(f"{ACTIONS}/{path}")).json()
    archive = zipfile.ZipFile(io.BytesIO(base64.b64decode(action["exec"]["code"])))
    return sorted(archive.namelist())


def build_hint(client, path):
    return client.server.app[SERVICES].registry.build_hint(path)


# --- Node.js --------------------------------------------------------------------------------


async def test_typescript_is_compiled_by_npm_run_build_and_served_from_dist(make_client, tmp_path):
    require_program("npm")
    project = copy_project("typescript", tmp_path)
    client = await make_client(project)

    status, response = await invoke(
        client, "greetings/hello-ts", {"name": "Ada", "mood": "excited"}
    )
    assert (status, response["result"]) == (
        200,
        {"body": "Hello, Ada!!!", "function": f"/{NAMESPACE}/greetings/hello-ts"},
    )
    status, response = await invoke(client, "greetings/hello-ts")
    assert response["result"]["body"] == "Hello, stranger."
    # `main` in package.json points into dist/, and .include deploys nothing else.
    assert await deployed_files(client, "greetings/hello-ts") == [
        "dist/greeting.js",
        "dist/index.js",
        "package.json",
    ]


async def test_offline_the_typescript_build_names_npm_install_and_the_unreachable_registry(
    make_client, tmp_path, monkeypatch
):
    require_program("npm")
    # A registry nobody listens on, and an empty cache: npm as on a machine with no network.
    monkeypatch.setenv("npm_config_registry", f"http://127.0.0.1:{closed_port()}/")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    project = copy_project("typescript", tmp_path)
    client = await make_client(project)

    status, response = await invoke(client, "greetings/hello-ts")
    assert (status, response["status"]) == (502, "action developer error")
    error = response["result"]["error"].splitlines()
    assert error[0].startswith("'npm install' exited with code ")
    assert error[1].startswith(f"Output of failed build in {project}/packages/greetings/hello-ts")
    assert any("ECONNREFUSED" in line for line in error[2:])
    assert build_hint(client, "greetings/hello-ts") == (
        "npm install needs the network (npm could not reach the registry), which is out of "
        "reach: build once online, and the build is reused until its sources change"
    )


async def test_dev_dependencies_are_not_installed_and_the_ignored_tests_are_not_deployed(
    make_client, tmp_path
):
    require_program("npm")
    project = copy_project("dev-dependencies", tmp_path)
    client = await make_client(project)

    status, response = await invoke(client, "text/wordcount", {"text": "the quick brown fox"})
    assert (status, response["result"]) == (200, {"words": 4, "longest": "quick"})
    function = project / "packages/text/wordcount"
    assert not (function / "node_modules/is-number").exists()
    files = await deployed_files(client, "text/wordcount")
    assert "index.js" in files and "package.json" in files
    assert not [name for name in files if name.startswith("test/") or name.endswith(".md")]


# --- Python ---------------------------------------------------------------------------------


async def test_a_virtualenv_built_for_python_39_imports_under_the_local_python(
    make_client, tmp_path, monkeypatch
):
    require_program("virtualenv", str(VENV_BIN))
    # The build finds virtualenv (and pip) where the test extras install them.
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    project = copy_project("python-virtualenv-39", tmp_path)
    client = await make_client(project)

    status, response = await invoke(client, "words/plural", {"word": "person"})
    assert status == 200
    result = response["result"]
    assert (result["plural"], result["title"]) == ("people", "Person")
    assert result["installed_in"].startswith("virtualenv/lib/python3.9/site-packages/")


async def test_without_virtualenv_the_python_build_says_so(make_client, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", path_without("virtualenv"))
    project = copy_project("python-virtualenv-39", tmp_path)
    client = await make_client(project)

    status, response = await invoke(client, "words/plural", {"word": "person"})
    assert (status, response["status"]) == (502, "action developer error")
    assert response["result"]["error"] == (
        "'./build.sh' exited with code 127\n"
        f"Output of failed build in {project}/packages/words/plural:\n"
        "./build.sh: line 5: virtualenv: command not found"
    )
    assert build_hint(client, "words/plural") == (
        "build.sh needs virtualenv, which is not installed: pip install virtualenv"
    )


# --- PHP ------------------------------------------------------------------------------------


async def test_without_composer_its_build_is_explained_and_the_plain_php_function_serves(
    make_client, tmp_path, monkeypatch
):
    require_program("php")
    monkeypatch.setenv("PATH", path_without("composer"))
    project = copy_project("composer-missing", tmp_path)
    client = await make_client(project)

    status, response = await invoke(client, "shop/hello", {"name": "Ada"})
    assert (status, response["result"]) == (200, {"body": "Welcome to the shop, Ada!"})

    status, response = await invoke(client, "shop/prices", {"cents": 1250})
    assert (status, response["status"]) == (502, "action developer error")
    assert response["result"]["error"] == (
        "'./build.sh' exited with code 127\n"
        f"Output of failed build in {project}/packages/shop/prices:\n"
        "./build.sh: line 5: composer: command not found"
    )
    assert build_hint(client, "shop/prices") == (
        "build.sh needs composer, which is not installed: install Composer "
        "(https://getcomposer.org/)"
    )


# --- Go -------------------------------------------------------------------------------------


async def test_typed_go_handlers_are_decoded_and_encoded_by_their_json_tags(
    make_client, tmp_path, launchers
):
    require(launchers["go"].problem("go:1.25") is None, "Go is not installed")
    project = copy_project("typed-go", tmp_path)
    client = await make_client(project)

    # func Main(ctx context.Context, in Request) (*Response, error)
    status, response = await invoke(
        client, "typed/greet", {"name": "Ada", "lang": "FR", "tags": ["a", "b"]}
    )
    assert (status, response["result"]) == (
        200,
        {"body": "Bonjour, Ada!", "headers": {"X-Function-Version": "0.0.1"}, "tag_count": 2},
    )
    status, response = await invoke(client, "typed/greet", {"lang": "es"})
    assert (status, response["status"]) == (502, "application error")
    assert response["result"] == {"error": "name is required"}

    # func Main(in *Numbers) (*Total, error)
    status, response = await invoke(client, "typed/sum", {"values": [1, 2.5, 3]})
    assert (status, response["result"]) == (200, {"sum": 6.5, "count": 3})
    status, response = await invoke(client, "typed/sum", {"values": [1, -1]})
    assert (status, response["result"]) == (502, {"error": "negative value -1"})
    # A nil *Total is encoded as null, which is no dictionary.
    status, response = await invoke(client, "typed/sum", {"quiet": True})
    assert (status, response["status"]) == (502, "action developer error")
    assert response["result"] == {"error": "The function did not return a dictionary."}

    # func Main(_ context.Context, post Post) Link, with a vendored module
    status, response = await invoke(client, "typed/vendored", {"title": "Hello, Typed World!"})
    assert (status, response["result"]) == (200, {"slug": "hello-typed-world"})

    # func Main(ctx context.Context) (Info, error), a single file
    status, response = await invoke(client, "typed/info")
    assert (status, response["result"]) == (
        200,
        {
            "function": f"/{NAMESPACE}/typed/info",
            "namespace": NAMESPACE,
            "activated": True,
            "requested": True,
            "has_deadline": True,
        },
    )


# --- the start banner -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shape", "tool", "line"),
    [
        (
            "python-virtualenv-39",
            "virtualenv",
            "  words/plural: build.sh needs virtualenv, which is not installed: "
            "pip install virtualenv",
        ),
        (
            "composer-missing",
            "composer",
            "  shop/prices: build.sh needs composer, which is not installed: "
            "install Composer (https://getcomposer.org/)",
        ),
    ],
    ids=["virtualenv", "composer"],
)
def test_the_banner_lists_a_function_whose_build_lacks_a_tool_with_a_one_line_hint(
    serve, tmp_path, shape, tool, line
):
    project = copy_project(shape, tmp_path)
    server = serve(project, env={"PATH": path_without(tool)})
    output = server.stop()
    section = output.split("\nCannot run here\n", 1)[1].split("\n\n", 1)[0]
    assert line in section.splitlines()
