"""The platform's runtime images, locally: each kind's package set installed into the runtime
cache, behind the function's own dependencies; `--bare-runtimes` without them; installed on
demand when a function fails to import one; said offline.

Installing is slow, so each package set is installed once for the module, and only the
packages the functions here import (`runtimes install --package`, the same code path as the
whole set); the session's cache is a folder of its own (tests/conftest.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.invoker.image_packages import ImagePackages
from emulator.invoker.runtime_cache import CACHE_DIR_VARIABLE, Installed, RuntimeCache
from emulator.namespace.images import IMAGES, NIMBELLA_NODEJS, NIMBELLA_PYTHON_39, image_for
from emulator.services import SERVICES
from tests.support.ci import require
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS

PROJECT = FIXTURE_PROJECTS / "images"
INSTALL_TIMEOUT = 600


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`functions-emulator ARGS…` as a user runs it; fails the test when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "emulator", *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def session_cache() -> RuntimeCache:
    return RuntimeCache(Path(os.environ[CACHE_DIR_VARIABLE]))


@pytest.fixture(scope="module")
def python_image(launchers) -> RuntimeCache:
    """python:3.12's image with the two packages these functions import."""
    python = launchers["python"]
    require(python.is_exact("python:3.12"), "python3.12 is not installed (pyenv install 3.12)")
    cli("runtimes", "install", "python:3.12", "--package", "twilio", "--package", "requests")
    return session_cache()


@pytest.fixture(scope="module")
def node_image() -> RuntimeCache:
    """nodejs:18's whole image: six small npm packages."""
    require(shutil.which("npm") is not None, "npm is not installed")
    cli("runtimes", "install", "nodejs:18")
    return session_cache()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "images"
    shutil.copytree(PROJECT, copy)
    return copy


async def invoke(client, path: str, params: dict | None = None) -> tuple[int, dict]:
    """The call's status and its stored record."""
    response = await client.post(f"{ACTIONS}/{path}?blocking=true", json=params or {})
    activation_id = (await response.json())["activationId"]
    record = await (await client.get(f"{ACTIVATIONS}/{activation_id}")).json()
    return response.status, record


def texts(record: dict) -> list[str]:
    """The log lines without their timestamps: `stderr: …`."""
    return [line.split(" ", 1)[1].strip() for line in record["logs"]]


# --- the package sets -----------------------------------------------------------------------


def test_python_39_ships_nimbellas_requirements_with_their_pins():
    image = IMAGES["python:3.9"]
    assert image.source == NIMBELLA_PYTHON_39 and image.inferred == ""
    pins = {p.name: p.version for p in image.packages}
    assert pins["requests"] == "==2.25.1"
    assert pins["twilio"] == "==6.60.0"
    assert {"beautifulsoup4", "scrapy", "twisted", "redis", "pymongo", "cassandra-driver"} <= set(
        pins
    )
    assert image.providing("bs4") == image.package("beautifulsoup4")
    assert image.providing("google.cloud.storage") == image.package("google-cloud-storage")
    assert image.providing("numpy") is None


def test_newer_python_kinds_say_their_list_is_inferred():
    for kind in ("python:3.11", "python:3.12", "python:3.13"):
        image = IMAGES[kind]
        assert image.inferred, kind
        assert image.package("twilio") is not None
        assert image.package("requests") is not None


def test_every_nodejs_kind_ships_the_base_images_packages():
    for kind in ("nodejs:14", "nodejs:18", "nodejs:22", "nodejs:24"):
        image = IMAGES[kind]
        assert image.source == NIMBELLA_NODEJS
        openwhisk = image.package("openwhisk")
        assert openwhisk is not None and image.requirement(openwhisk) == "openwhisk@3.21.3"
        assert {p.name for p in image.packages} == {
            "openwhisk",
            "redis",
            "uuid",
            "express",
            "body-parser",
            "serialize-error",
        }
    assert image_for("go:1.25") is None and image_for("php:8.2") is None


def test_packages_installed_for_another_interpreter_do_not_count(tmp_path):
    cache = RuntimeCache(tmp_path)
    cache.record_image("python:3.13", Installed(("requests",), "/usr/bin/python3.11"))
    now = ImagePackages(cache, interpreter=lambda kind: "/usr/bin/python3.13")
    assert now.installed("python:3.13") == ()
    assert now.init_fields("python:3.13") == {}
    then = ImagePackages(cache, interpreter=lambda kind: "/usr/bin/python3.11")
    assert then.state("python:3.13") == "image packages partly installed (requests)"


# --- installed, behind the function's own ---------------------------------------------------


async def test_the_twilio_sample_runs_unchanged_after_runtimes_install(
    python_image, make_client, project
):
    client = await make_client(project)
    status, record = await invoke(client, "twilio/sms")
    assert status == 200, texts(record)
    assert record["response"]["result"] == {
        "statusCode": 400,
        "body": "no number to send to",
        "account": "AC00000000000000000000000000000000",
    }


async def test_a_python_function_imports_requests_without_a_virtualenv(
    python_image, make_client, project
):
    client = await make_client(project)
    status, record = await invoke(client, "python/fetch")
    assert status == 200, texts(record)
    result = record["response"]["result"]
    assert result["from"].startswith(str(python_image.image_dir("python:3.12")))


async def test_a_functions_own_older_requests_wins_over_the_images(
    python_image, launchers, make_client, project
):
    # The platform's recipe (build-process docs): a virtualenv/ in the function, its
    # site-packages filled by pip.
    function = project / "packages/python/bundled"
    function.mkdir()
    (function / "__main__.py").write_text((project / "packages/python/fetch.py").read_text())
    virtualenv = function / "virtualenv"
    python = launchers["python"].interpreter("python:3.12").path
    subprocess.run(
        [sys.executable, "-m", "virtualenv", "-q", "--without-pip", "-p", python, str(virtualenv)],
        check=True,
        timeout=120,
    )
    site_packages = virtualenv / "lib/python3.12/site-packages"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--target",
            str(site_packages),
            "requests==2.25.1",
        ],
        check=True,
        timeout=INSTALL_TIMEOUT,
    )
    with (project / "project.yml").open("a") as config:
        config.write("      - name: bundled\n        runtime: python:3.12\n")
    client = await make_client(project)
    status, record = await invoke(client, "python/bundled")
    assert status == 200, texts(record)
    assert record["response"]["result"]["requests"] == "2.25.1"
    status, record = await invoke(client, "python/fetch")
    assert record["response"]["result"]["requests"] == "2.31.0"  # the image's pin


async def test_a_node_function_requires_openwhisk_without_bundling_it(
    node_image, make_client, project
):
    client = await make_client(project)
    status, record = await invoke(client, "node/call")
    assert status == 200, texts(record)
    assert record["response"]["result"] == {"invoke": "function", "version": "3.21.3"}


async def test_an_es_module_imports_openwhisk_without_bundling_it(node_image, make_client, project):
    (project / "packages/node/esm.mjs").write_text(
        "import openwhisk from 'openwhisk';\n"
        "export function main() { return { invoke: typeof openwhisk({apihost: 'h', "
        "api_key: 'x:y'}).actions.invoke }; }\n"
    )
    with (project / "project.yml").open() as config:
        text = config.read()
    text = text.replace(
        "      - name: call\n        runtime: nodejs:18\n",
        "      - name: call\n        runtime: nodejs:18\n"
        "      - name: esm\n        runtime: nodejs:18\n",
    )
    (project / "project.yml").write_text(text)
    client = await make_client(project)
    status, record = await invoke(client, "node/esm")
    assert status == 200, texts(record)
    assert record["response"]["result"] == {"invoke": "function"}


# --- --bare-runtimes ------------------------------------------------------------------------


async def test_bare_runtimes_fail_a_python_import_as_the_platform_does_with_the_hint(
    python_image, make_client, project
):
    client = await make_client(project, bare_runtimes=True)
    status, record = await invoke(client, "python/fetch")
    assert status == 502
    assert record["response"]["result"] == {"error": "The function did not initialize properly."}
    assert texts(record)[:2] == [
        "stderr: Invalid function: No module named 'requests'",
        "stderr: Hint: requests comes with DigitalOcean's python:3.12 image (package "
        "requests), which --bare-runtimes leaves out: build a virtualenv/ in the function's "
        "build.sh",
    ]


async def test_bare_runtimes_fail_a_node_require_as_the_platform_does_with_the_hint(
    node_image, make_client, project
):
    client = await make_client(project, bare_runtimes=True)
    status, record = await invoke(client, "node/call")
    assert status == 502
    lines = texts(record)
    assert lines[0].startswith(
        "stderr: Initialization has failed due to: Error: Cannot find module 'openwhisk'"
    )
    assert (
        "stderr: Hint: openwhisk comes with DigitalOcean's nodejs:18 image (package "
        "openwhisk), which --bare-runtimes leaves out: add it to the dependencies of the "
        "function's package.json"
    ) in lines


# --- on demand, and offline -----------------------------------------------------------------

CALLS_OPENWHISK = {
    "project.yml": "packages:\n  - name: node\n    functions:\n"
    "      - name: call\n        runtime: nodejs:14\n",
}


def write_node_project(root: Path) -> Path:
    (root / "packages/node").mkdir(parents=True)
    (root / "project.yml").write_text(CALLS_OPENWHISK["project.yml"])
    shutil.copy(PROJECT / "packages/node/call.js", root / "packages/node/call.js")
    return root


async def test_a_failed_import_of_an_image_package_installs_the_image_and_the_next_call_works(
    make_client, tmp_path
):
    require(shutil.which("npm") is not None, "npm is not installed")
    cache = tmp_path / "cache"
    client = await make_client(write_node_project(tmp_path / "project"), cache_dir=cache)
    status, record = await invoke(client, "node/call")
    assert status == 502
    assert (
        "stderr: Hint: openwhisk comes with DigitalOcean's nodejs:14 image (package "
        f"openwhisk): installing the image's packages into {cache}/runtimes/nodejs-14 now "
        "(progress on the console); the next call has them"
    ) in texts(record)
    await client.app[SERVICES].invoker.images.wait()
    status, record = await invoke(client, "node/call")
    assert status == 200, texts(record)
    assert record["response"]["result"]["version"] == "3.21.3"


async def test_offline_the_failure_names_the_package_and_the_command(
    make_client, tmp_path, monkeypatch
):
    require(shutil.which("npm") is not None, "npm is not installed")
    # A registry nobody listens on, and no retries: npm fails at once, as offline.
    monkeypatch.setenv("npm_config_registry", "http://127.0.0.1:9/")
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    client = await make_client(
        write_node_project(tmp_path / "project"), cache_dir=tmp_path / "cache"
    )
    await invoke(client, "node/call")
    await client.app[SERVICES].invoker.images.wait()
    status, record = await invoke(client, "node/call")
    assert status == 502
    hint = [line for line in texts(record) if line.startswith("stderr: Hint:")]
    assert hint == [
        "stderr: Hint: openwhisk comes with DigitalOcean's nodejs:14 image (package "
        "openwhisk), but installing it failed (npm could not reach the registry): run "
        "'functions-emulator runtimes install nodejs:14' when the package index can be "
        "reached, or bundle it"
    ], texts(record)


# --- the banner ---------------------------------------------------------------------------


def banner_line(output: str, kind: str) -> str:
    return next(line.strip() for line in output.splitlines() if line.strip().startswith(kind))


def test_the_banner_says_per_kind_whether_image_packages_are_present(python_image, serve, project):
    served = serve(project, "--no-reload").stop()
    assert banner_line(served, "python:3.12:").endswith(
        "; image packages partly installed (requests, twilio)"
    )
    assert banner_line(served, "python:3.13:").endswith(
        "; image packages not installed (functions-emulator runtimes install python:3.13)"
    )
    assert "image packages" not in banner_line(served, "go:1.25:")
    bare = serve(project, "--no-reload", "--bare-runtimes").stop()
    assert banner_line(bare, "python:3.12:").endswith("; image packages off (--bare-runtimes)")
