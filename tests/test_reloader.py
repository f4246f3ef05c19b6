"""Hot reload: a saved change to a served project is served at the next call, without a
restart, and functions the change leaves alone keep their warm processes.

Each test serves its own copy of a small project from tmp_path and waits (bounded) for the
watcher; a reload lands within a second of the last write.
"""

from __future__ import annotations

import asyncio
import logging
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from watchfiles import Change

from emulator.namespace.entities import Action, Exec
from emulator.project.changes import ProjectFilter
from emulator.project.saved_files import signatures
from emulator.services import SERVICES
from tests.support.fixture_types import MakeClient
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess

ACTIONS = f"/api/v1/namespaces/{NAMESPACE}/actions"
# Longer than the watcher's grouping of a burst of writes, with room for a slow machine.
QUIET = 1.5
# A Go function compiles at its first call after a change.
PATIENCE = 12.0

PROJECT_YML = """\
packages:
  - name: demo
    functions:
      - name: py
        runtime: python:default
      - name: node
        runtime: nodejs:default
      - name: go
        runtime: go:default
      - name: counter
        runtime: python:default
"""
SOURCES = {
    "py.py": 'def main(event):\n    return {"says": "py one"}\n',
    "node.js": 'function main(event) {\n  return { says: "node one" };\n}\n',
    "go.go": textwrap.dedent(
        """\
        package main

        func Main(event map[string]interface{}) map[string]interface{} {
            return map[string]interface{}{"says": "go one"}
        }
        """
    ),
    # State a warm process keeps between calls, and which process it is.
    "counter.py": textwrap.dedent(
        """\
        import os

        calls = 0

        def main(event):
            global calls
            calls += 1
            return {"calls": calls, "pid": os.getpid()}
        """
    ),
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The project, in a folder of its own (the test database sits beside it, unwatched)."""
    root = tmp_path / "project"
    functions = root / "packages" / "demo"
    functions.mkdir(parents=True)
    (root / "project.yml").write_text(PROJECT_YML)
    for name, source in SOURCES.items():
        (functions / name).write_text(source)
    return root


@pytest.fixture
def reload_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="emulator.reloader")
    return caplog


async def result(client: TestClient[Any, Any], function: str) -> Any:
    response = await client.post(f"{ACTIONS}/demo/{function}?blocking=true&result=true", json={})
    return await response.json() if response.status == 200 else response.status


async def eventually(
    call: Callable[[], Awaitable[Any]], expected: Any, *, timeout: float = PATIENCE
) -> None:
    """Call until the answer is `expected`; fail with the last answer after `timeout` s."""
    deadline = time.monotonic() + timeout
    answer = await call()
    while answer != expected:
        assert time.monotonic() < deadline, f"still {answer!r}, expected {expected!r}"
        await asyncio.sleep(0.1)
        answer = await call()


def reloads(log: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in log.records if r.getMessage().startswith("reloaded")]


@pytest.mark.parametrize(
    ("file", "function", "edited"),
    [
        ("py.py", "py", 'def main(event):\n    return {"says": "py two"}\n'),
        ("node.js", "node", 'function main(event) {\n  return { says: "node two" };\n}\n'),
        ("go.go", "go", SOURCES["go.go"].replace("go one", "go two")),
    ],
    ids=["python", "node", "go"],
)
async def test_a_saved_function_answers_with_its_new_code_at_the_next_call(
    make_client: MakeClient, project: Path, file: str, function: str, edited: str
) -> None:
    client = await make_client(project)
    assert await result(client, function) == {"says": f"{function} one"}

    (project / "packages" / "demo" / file).write_text(edited)

    await eventually(lambda: result(client, function), {"says": f"{function} two"})


async def test_a_function_left_alone_keeps_its_warm_process_and_state(
    make_client: MakeClient, project: Path, reload_log: pytest.LogCaptureFixture
) -> None:
    client = await make_client(project)
    assert await result(client, "py") == {"says": "py one"}
    first = await result(client, "counter")
    assert await result(client, "counter") == {"calls": 2, "pid": first["pid"]}

    (project / "packages" / "demo" / "py.py").write_text(SOURCES["py.py"].replace("one", "two"))
    await eventually(lambda: result(client, "py"), {"says": "py two"})

    assert await result(client, "counter") == {"calls": 3, "pid": first["pid"]}
    assert reloads(reload_log) == ["reloaded after packages/demo/py.py: demo/py (changed)"]


async def test_a_broken_project_yml_keeps_the_last_good_version_until_it_is_fixed(
    make_client: MakeClient, project: Path, reload_log: pytest.LogCaptureFixture
) -> None:
    client = await make_client(project)
    assert await result(client, "py") == {"says": "py one"}
    config = project / "project.yml"

    config.write_text(PROJECT_YML.replace("python:default", "cobol:85", 1))
    await eventually(lambda: _errors(reload_log), 1)

    [error] = [r.getMessage() for r in reload_log.records if r.levelno == logging.ERROR]
    assert "still serving the last good version" in error
    assert "project.yml" in error
    assert "'cobol:85' is not a valid runtime value" in error
    assert "key packages[0].functions[0].runtime" in error
    assert await result(client, "py") == {"says": "py one"}

    fixed = PROJECT_YML.replace(
        "      - name: py\n", "      - name: py\n        parameters:\n          extra: 1\n"
    )
    config.write_text(fixed)
    (project / "packages" / "demo" / "py.py").write_text(
        'def main(event):\n    return {"says": "py one", "extra": event.get("extra")}\n'
    )
    await eventually(lambda: result(client, "py"), {"says": "py one", "extra": 1})


async def _errors(log: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in log.records if record.levelno == logging.ERROR)


async def test_functions_added_to_and_removed_from_project_yml_appear_and_disappear(
    make_client: MakeClient, project: Path, reload_log: pytest.LogCaptureFixture
) -> None:
    client = await make_client(project)
    assert (await result(client, "counter"))["calls"] == 1
    (project / "packages" / "demo" / "added.py").write_text(
        'def main(event):\n    return {"says": "added"}\n'
    )

    (project / "packages" / "demo" / "counter.py").unlink()
    (project / "project.yml").write_text(PROJECT_YML.replace("name: counter", "name: added"))

    await eventually(lambda: result(client, "added"), {"says": "added"})
    assert await result(client, "counter") == 404
    [line] = reloads(reload_log)
    assert line.endswith(": demo/added (added), demo/counter (removed)")


async def test_functions_deployed_through_the_api_stay_deployed_across_a_reload(
    make_client: MakeClient, project: Path
) -> None:
    client = await make_client(project)
    code = 'def main(event):\n    return {"says": "from the api"}\n'
    put = await client.put(
        f"{ACTIONS}/demo/py?overwrite=true", json={"exec": {"kind": "python:3.11", "code": code}}
    )
    assert put.status == 200
    assert (await result(client, "counter"))["calls"] == 1

    (project / "packages" / "demo" / "counter.py").write_text(
        'def main(event):\n    return {"calls": "reloaded"}\n'
    )
    await eventually(lambda: result(client, "counter"), {"calls": "reloaded"})

    assert await result(client, "py") == {"says": "from the api"}


async def test_a_project_function_deployed_over_through_the_api_starts_without_waiting(
    make_client: MakeClient, project: Path
) -> None:
    """Its code lies elsewhere than the project's file, which hot reload watches: the file
    it runs from is as deployed, so a cold start of it waits for no reload."""
    client = await make_client(project)
    code = 'def main(event):\n    return {"says": "from the api"}\n'
    put = await client.put(
        f"{ACTIONS}/demo/py?overwrite=true", json={"exec": {"kind": "python:3.11", "code": code}}
    )
    assert put.status == 200
    services = client.app[SERVICES]
    gate = services.invoker.code_gate
    assert gate is not None
    assert gate.unchanged(services.registry.action("demo/py"))
    # The project's own functions are watched as before.
    counter = services.registry.action("demo/counter")
    assert gate.unchanged(counter)
    (project / "packages" / "demo" / "counter.py").write_text("# being saved")
    assert not gate.unchanged(counter)


async def test_changes_to_state_dependencies_and_editor_files_reload_nothing(
    make_client: MakeClient, project: Path, reload_log: pytest.LogCaptureFixture
) -> None:
    client = await make_client(project)
    assert await result(client, "py") == {"says": "py one"}
    functions = project / "packages" / "demo"
    for path in (
        project / ".emulator" / "notes.txt",
        project / "node_modules" / "left-pad" / "index.js",
        functions / "__pycache__" / "py.cpython-311.pyc",
        functions / ".py.py.swp",
        functions / "py.py~",
        functions / "4913",
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("ignored")
    await asyncio.sleep(QUIET)
    assert reloads(reload_log) == []

    (functions / "py.py").write_text(SOURCES["py.py"].replace("one", "two"))
    await eventually(lambda: result(client, "py"), {"says": "py two"})
    assert reloads(reload_log) == ["reloaded after packages/demo/py.py: demo/py (changed)"]


async def test_with_reload_off_the_project_is_served_as_it_was_at_start(
    make_client: MakeClient, project: Path
) -> None:
    client = await make_client(project, no_reload=True)
    assert await result(client, "py") == {"says": "py one"}
    (project / "packages" / "demo" / "py.py").write_text(SOURCES["py.py"].replace("one", "two"))
    await asyncio.sleep(QUIET)

    assert await result(client, "py") == {"says": "py one"}


@pytest.mark.parametrize(
    ("relative", "watched"),
    [
        ("project.yml", True),
        (".env", True),
        ("packages/demo/hello.py", True),
        ("lib/shared.js", True),
        (".emulator/activations.db", False),
        ("packages/demo/fn/node_modules/x/index.js", False),
        ("packages/demo/fn/virtualenv/bin/python", False),
        ("packages/demo/fn/__deployer__.zip", False),
        (".deployed/versions.json", False),
        (".git/index", False),
        ("packages/demo/__pycache__/hello.cpython-311.pyc", False),
        ("packages/demo/.hello.py.swp", False),
        ("packages/demo/hello.py~", False),
        ("packages/demo/.#hello.py", False),
        ("packages/demo/4913", False),
    ],
)
def test_the_watcher_ignores_what_cannot_change_the_served_project(
    relative: str, watched: bool
) -> None:
    root = Path("/srv/project")
    assert ProjectFilter(root)(Change.modified, str(root / relative)) is watched


def test_serve_reloads_saved_changes_and_prints_one_line_for_each(
    serve: Callable[..., ServerProcess], project: Path
) -> None:
    server = serve(project)
    path = f"{ACTIONS}/demo/py?blocking=true&result=true"
    assert server.request("POST", path, {}) == (200, {"says": "py one"})

    (project / "packages" / "demo" / "py.py").write_text(SOURCES["py.py"].replace("one", "two"))
    deadline = time.monotonic() + PATIENCE
    while server.request("POST", path, {}) != (200, {"says": "py two"}):
        assert time.monotonic() < deadline
        time.sleep(0.1)

    assert "reloaded after packages/demo/py.py: demo/py (changed)" in server.stop()


# Long enough that a cold start reading it half-written sees a broken string literal.
PADDED = "def main(event):\n    return {{'says': '{word}', 'pad': '{pad}'}}\n"


def padded(word: str) -> str:
    return PADDED.format(word=word, pad="x" * 20_000)


def save_slowly(path: Path, text: str, *, pieces: int = 10, pause: float = 0.03) -> None:
    """As an editor writing in place: truncated, then written piece by piece."""
    data = text.encode()
    size = -(-len(data) // pieces)
    with open(path, "wb") as file:
        for start in range(0, len(data), size):
            file.write(data[start : start + size])
            file.flush()
            time.sleep(pause)


async def call_while(client: TestClient[Any, Any], saving: asyncio.Task[None]) -> list[Any]:
    """Call `py` until the saves are over, and a few times after."""
    answers = []
    while not saving.done():
        answers.append(await result(client, "py"))
        await asyncio.sleep(0.01)
    for _ in range(3):
        answers.append(await result(client, "py"))
    await saving
    return answers


async def test_a_file_saved_in_pieces_never_starts_a_process_half_written(
    make_client: MakeClient, project: Path
) -> None:
    source = project / "packages" / "demo" / "py.py"
    source.write_text(padded("one"))
    # Every call a cold start: each reads the file from disk.
    client = await make_client(project, cold=True, invocations_per_minute=None)
    assert (await result(client, "py"))["says"] == "one"

    saving = asyncio.create_task(asyncio.to_thread(save_slowly, source, padded("two")))
    answers = await call_while(client, saving)

    assert [a for a in answers if not isinstance(a, dict)] == [], answers
    assert [answer["says"] for answer in answers][-1] == "two"
    await eventually(lambda: result(client, "py"), {"says": "two", "pad": "x" * 20_000})


async def test_saving_the_same_file_again_and_again_keeps_it_warm(
    make_client: MakeClient, project: Path, reload_log: pytest.LogCaptureFixture
) -> None:
    source = project / "packages" / "demo" / "counter.py"
    client = await make_client(project, invocations_per_minute=None)
    first = await result(client, "counter")

    def save_repeatedly() -> None:
        for _ in range(15):
            save_slowly(source, SOURCES["counter.py"], pieces=3, pause=0.02)
            time.sleep(0.05)

    saving = asyncio.create_task(asyncio.to_thread(save_repeatedly))
    answers = []
    while not saving.done():
        answers.append(await result(client, "counter"))
        await asyncio.sleep(0.01)
    await saving
    await asyncio.sleep(QUIET)
    answers.append(await result(client, "counter"))
    assert [a for a in answers if not isinstance(a, dict)] == [], answers
    assert {answer["pid"] for answer in answers} == {first["pid"]}
    assert [r for r in reloads(reload_log) if "(changed)" in r] == []


def test_only_one_file_functions_are_watched_for_half_saved_files(tmp_path: Path) -> None:
    """A directory function's folder changes with what its builds write into it: its
    processes start as the last deploy left it."""
    folder = tmp_path / "fn"
    folder.mkdir()
    (folder / "__main__.py").write_text("def main(e):\n    return {}\n")
    single = tmp_path / "one.py"
    single.write_text("def main(e):\n    return {}\n")
    actions = [
        Action("ns", "p", name, Exec("python:3.11", "main", source))
        for name, source in (("dir", folder), ("one", single))
    ]
    assert set(signatures(actions)) == {single}
