"""Zipped code deployed through the API is unpacked within bounds and off the event loop, is
refused with a 400 when its members cannot be files here, and leaves no folder behind once
no version uses it."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from emulator.namespace import code_bundles
from emulator.namespace.code_bundles import MAX_ARCHIVE_FILES, MAX_UNPACKED_BYTES
from emulator.services import SERVICES
from tests.support.fixture_types import MakeClient
from tests.support.routes import ACTIONS

MAIN = "def main(args):\n    return {'body': 'zipped'}\n"
REFUSED = "The zip archive in 'code' cannot be deployed: "


def zipped(members: dict[str, bytes | str], *, level: int = 6) -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return base64.b64encode(buffer.getvalue()).decode()


def bomb(unpacked: int) -> str:
    """One member of `unpacked` zero bytes, written in pieces: a zip of a few hundred KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("__main__.py", MAIN)
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            piece = bytes(1024 * 1024)
            for _ in range(unpacked // len(piece)):
                member.write(piece)
    return base64.b64encode(buffer.getvalue()).decode()


async def deploy(client: Any, name: str, code: str, **options: Any) -> tuple[int, Any]:
    body = {"exec": {"kind": "python:3.11", "code": code, "binary": True}}
    query = "?overwrite=true" if options.get("overwrite") else ""
    # A stream: aiohttp warns about large bodies passed as bytes.
    data = io.BytesIO(json.dumps(body).encode())
    headers = {"Content-Type": "application/json"}
    response = await client.put(f"{ACTIONS}/{name}{query}", data=data, headers=headers)
    return response.status, await response.json()


def code_folders(client: Any) -> set[str]:
    code_dir: Path = client.app[SERVICES].settings.code_dir
    return set(os.listdir(code_dir)) if code_dir.exists() else set()


@pytest.mark.slow
async def test_a_zip_bomb_is_refused_and_writes_nothing(make_client: MakeClient) -> None:
    client = await make_client()
    code = bomb(MAX_UNPACKED_BYTES + 1024 * 1024)
    assert len(code) < 4 * 1024 * 1024
    status, doc = await deploy(client, "bomb", code)
    assert status == 400
    assert doc["error"] == (
        f"{REFUSED}it unpacks larger than allowed: more than {MAX_UNPACKED_BYTES} bytes."
    )
    assert code_folders(client) == set()
    assert (await client.get(f"{ACTIONS}/bomb")).status == 404


@pytest.mark.slow
async def test_an_archive_of_too_many_files_is_refused(make_client: MakeClient) -> None:
    client = await make_client()
    members: dict[str, bytes | str] = {f"f/{i}": b"" for i in range(MAX_ARCHIVE_FILES + 1)}
    status, doc = await deploy(client, "many", zipped({"__main__.py": MAIN, **members}))
    assert status == 400
    assert doc["error"] == (
        f"{REFUSED}it holds more files than allowed: more than {MAX_ARCHIVE_FILES} files."
    )
    assert code_folders(client) == set()


@pytest.mark.parametrize(
    ("members", "why"),
    [
        ({"a": "file", "a/b": "under the file"}, "the member 'a' is both a file and a folder"),
        ({"x/y/": "", "x/y": "file"}, "the member 'x/y' is both a file and a folder"),
        ({"n" * 300: "long"}, f"the member name '{'n' * 80}…' is too long"),
        ({"/".join(["d" * 200] * 6): "deep"}, f"the member name '{('d' * 200)[:80]}…' is too long"),
    ],
)
async def test_members_that_cannot_be_files_here_are_400(
    make_client: MakeClient, members: dict[str, bytes | str], why: str
) -> None:
    client = await make_client()
    status, doc = await deploy(client, "odd", zipped({"__main__.py": MAIN, **members}))
    assert (status, doc["error"]) == (400, f"{REFUSED}{why}.")
    assert code_folders(client) == set()


async def test_code_folders_go_with_the_versions_that_used_them(make_client: MakeClient) -> None:
    client = await make_client()
    assert (await deploy(client, "one", zipped({"__main__.py": MAIN})))[0] == 200
    first = code_folders(client)
    assert len(first) == 1
    # The same code for a second function shares the folder.
    assert (await deploy(client, "two", zipped({"__main__.py": MAIN})))[0] == 200
    assert code_folders(client) == first
    assert (await client.delete(f"{ACTIONS}/one")).status == 200
    assert code_folders(client) == first
    # A new version of `two` replaces the folder; deleting it leaves none.
    changed = zipped({"__main__.py": MAIN.replace("zipped", "changed")})
    assert (await deploy(client, "two", changed, overwrite=True))[0] == 200
    second = code_folders(client)
    assert len(second) == 1 and second != first
    invoked = await client.post(f"{ACTIONS}/two?blocking=true&result=true", json={})
    assert await invoked.json() == {"body": "changed"}
    deleted = await client.delete(f"{ACTIONS}/two")
    assert deleted.status == 200
    # The DELETE answers the code it deleted.
    assert (await deleted.json())["exec"]["code"]
    assert code_folders(client) == set()


async def test_many_deletes_leave_no_folders(make_client: MakeClient) -> None:
    client = await make_client()
    for i in range(20):
        source = f"def main(args):\n    return {{'n': {i}}}\n"
        body = {"exec": {"kind": "python:3.11", "code": source}}
        assert (await client.put(f"{ACTIONS}/f{i}", json=body)).status == 200
    assert len(code_folders(client)) == 20
    for i in range(20):
        assert (await client.delete(f"{ACTIONS}/f{i}")).status == 200
    assert code_folders(client) == set()


async def test_zip_work_runs_off_the_event_loops_thread(
    make_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unpacking on PUT and zipping for GET take seconds for large code: never on the loop,
    where every other request would wait."""
    client = await make_client()
    threads: list[tuple[str, threading.Thread]] = []
    for name in ("write_code", "code_of"):
        real = getattr(code_bundles, name)

        def recorded(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            threads.append((_name, threading.current_thread()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(code_bundles, name, recorded)
    assert (await deploy(client, "zipped", zipped({"__main__.py": MAIN})))[0] == 200
    assert (await client.get(f"{ACTIONS}/zipped")).status == 200
    assert {name for name, _ in threads} == {"write_code", "code_of"}
    assert all(thread is not threading.main_thread() for _, thread in threads)


# OpenWhisk's own test for base64 code (Exec.scala `isBinaryCode`), as it is written there.
OPENWHISK_BASE64 = re.compile(
    r"\A(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)\Z"
)


@pytest.mark.parametrize(
    "code",
    ["", "QQ==", "QUI=", "QUJD", "QUJDRA==", "Q===", "QQ=", "Q", "QQ==QQ==", "====", "a b=",
     "ab+/", "ab-_", "  QUJD\n", "=QUJ", "QUJD=", "QU=D"],
)  # fmt: skip
def test_binary_code_is_told_as_openwhisk_tells_it(code: str) -> None:
    expected = OPENWHISK_BASE64.match(code.strip()) is not None
    assert code_bundles.is_binary_code(code) is expected
