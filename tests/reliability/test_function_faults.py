"""Whatever a function does to itself, the emulator answers with the platform's error, records
the activation and keeps serving: tests/fixtures/projects/faults has one function per fault."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from emulator.invoker import messages
from emulator.invoker.confinement import MAX_PROCESSES
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS
from tests.support.servers import ServerProcess, process_alive

FAULTS = ACTIONS + "/faults"
EXITED = "The function did not produce a valid response and exited unexpectedly."
LOGS_MISSING = "The function did not initialize or run as expected. Log data might be missing."

Client = TestClient[Any, Any]


@pytest.fixture
async def client(make_client: Any) -> Client:
    return await make_client("faults")


async def call(client: Client, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """A blocking invoke; the stored record, logs included."""
    response = await client.post(f"{FAULTS}/{name}?blocking=true", json=params or {})
    record: dict[str, Any] = await response.json()
    stored = await client.get(f"{ACTIVATIONS}/{record['activationId']}")
    assert stored.status == 200
    full: dict[str, Any] = await stored.json()
    return full


def developer_error(record: dict[str, Any]) -> str:
    assert record["response"]["status"] == "action developer error", record["response"]
    error: str = record["response"]["result"]["error"]
    return error


async def assert_still_serving(client: Client) -> None:
    record = await call(client, "hello")
    assert record["response"]["result"] == {"ok": True}


@pytest.mark.parametrize("name", ["killed", "exits", "segfault", "sysexit"])
async def test_a_function_that_dies_is_a_developer_error_and_the_next_call_is_served(
    client: Client, name: str
) -> None:
    record = await call(client, name)
    assert developer_error(record) == EXITED
    assert record["logs"][-1].endswith(f"stderr: {LOGS_MISSING}")
    await assert_still_serving(client)
    # The next call of the same function starts a new process and fails the same way.
    assert developer_error(await call(client, name)) == EXITED


async def test_an_exception_at_import_time_fails_the_initialisation(client: Client) -> None:
    record = await call(client, "broken-import")
    assert developer_error(record) == "The function did not initialize properly."
    assert any("Invalid function: broken at import time" in line for line in record["logs"])
    await assert_still_serving(client)


@pytest.mark.parametrize("name", ["spins", "oversleeps"])
async def test_a_function_past_its_timeout_is_stopped_with_the_platform_message(
    client: Client, name: str
) -> None:
    started = time.monotonic()
    record = await call(client, name)
    assert time.monotonic() - started < 10
    assert developer_error(record) == "The function exceeded its time limits of 1000 milliseconds."
    assert {"key": "timeout", "value": True} in record["annotations"]
    await assert_still_serving(client)


async def test_a_timeout_kills_the_children_and_grandchildren_the_function_started(
    client: Client, tmp_path: Path
) -> None:
    pids_file = tmp_path / "pids"
    record = await call(client, "spawns", {"pids": str(pids_file)})
    assert developer_error(record) == "The function exceeded its time limits of 2500 milliseconds."
    pids = [int(pid) for pid in pids_file.read_text().split()]
    assert len(pids) == 3
    assert await gone(pids), [pid for pid in pids if process_alive(pid)]


async def gone(pids: list[int], seconds: float = 5) -> bool:
    for _ in range(int(seconds * 20)):
        if not any(process_alive(pid) for pid in pids):
            return True
        await asyncio.sleep(0.05)
    return False


async def test_a_result_over_one_megabyte_is_an_application_error_with_its_prefix(
    client: Client,
) -> None:
    record = await call(client, "large", {"size": 2 * 1024 * 1024})
    assert record["response"]["status"] == "application error"
    error = record["response"]["result"]["error"]
    size = len('{"data": ""}') + 2 * 1024 * 1024
    assert error.startswith(
        "The function produced a response that exceeded the allowed length: "
        f"{size} > 1048576 bytes. The truncated response was: " + '{"data": "aaaa'
    )
    await assert_still_serving(client)


async def test_a_result_that_spans_many_pipe_writes_arrives_whole(client: Client) -> None:
    # 900 KB is many times a pipe's buffer: the reply line arrives in pieces.
    record = await call(client, "large", {"size": 900 * 1024})
    assert record["response"]["status"] == "success"
    assert record["response"]["result"] == {"data": "a" * 900 * 1024}


async def test_a_reply_that_is_neither_utf8_nor_json_is_a_developer_error(client: Client) -> None:
    record = await call(client, "raw-reply")
    error = developer_error(record)
    assert error.startswith("The function did not produce a valid JSON response: ")
    assert "\ufffd" in error and "not json" in error
    await assert_still_serving(client)


async def test_output_that_is_not_utf8_is_logged_with_replacement_characters(
    client: Client,
) -> None:
    record = await call(client, "bad-bytes")
    assert record["response"]["result"] == {"ok": True}
    assert any(line.endswith("stdout: before \ufffd\ufffd after") for line in record["logs"])
    assert any(line.endswith("stderr: \ufffd( on stderr") for line in record["logs"])


async def test_a_function_printing_the_sentinel_cannot_break_the_protocol(client: Client) -> None:
    first = await call(client, "sentinel", {"call": 1})
    second = await call(client, "sentinel", {"call": 2})
    assert first["response"]["result"] == {"call": 1}
    assert second["response"]["result"] == {"call": 2}
    # As on the platform, a stream's activation ends at its sentinel line: what follows it
    # goes to the next activation. The sentinel itself never shows.
    assert first["logs"][0].endswith("stdout: 1: before the fake sentinel")
    assert not any(messages.SENTINEL in line for line in first["logs"] + second["logs"])
    assert any(line.endswith("stdout: 2: before the fake sentinel") for line in second["logs"])
    await assert_still_serving(client)


async def test_a_function_that_closes_its_stdout_still_gets_its_result_and_a_fresh_process(
    client: Client,
) -> None:
    record = await call(client, "closes-stdout")
    assert record["response"]["result"] == {"closed": "stdout"}
    assert record["logs"][0].endswith("stdout: last words")
    # The process cannot log any more: the next call gets a new one, which can.
    again = await call(client, "closes-stdout")
    assert again["response"]["result"] == {"closed": "stdout"}
    assert again["logs"][0].endswith("stdout: last words")


async def test_a_function_that_closes_the_result_channel_is_a_developer_error(
    client: Client,
) -> None:
    record = await call(client, "closes-results")
    assert developer_error(record) == EXITED
    await assert_still_serving(client)


@pytest.mark.parametrize("name", ["hog", "hog-child"])
async def test_memory_over_the_limit_of_the_whole_process_tree_aborts_the_function(
    client: Client, name: str
) -> None:
    record = await call(client, name)
    assert developer_error(record) == "The function exhausted its memory and was aborted."
    await assert_still_serving(client)


async def test_a_fork_bomb_is_stopped_at_the_process_limit_as_a_developer_error(
    client: Client,
) -> None:
    started = time.monotonic()
    record = await call(client, "forks")
    assert time.monotonic() - started < 15  # well before its 20 s timeout
    assert developer_error(record) == messages.too_many_processes(MAX_PROCESSES)
    await assert_still_serving(client)


@pytest.mark.slow
def test_a_log_flood_is_truncated_in_bounded_memory_while_other_calls_are_served(
    serve: Any,
) -> None:
    server: ServerProcess = serve(FIXTURE_PROJECTS / "faults", "--quiet", "--no-reload")
    server.request("POST", "/api/v1/namespaces/_/actions/faults/hello?blocking=true")
    before = resident_kb(server.process.pid)
    status, started = server.request("POST", f"{FAULTS}/floods", {"mb": 100})
    assert status == 202
    # Meanwhile, other calls are served as usual.
    for _ in range(3):
        status, result = server.request("POST", f"{FAULTS}/hello?blocking=true&result=true")
        assert (status, result) == (200, {"ok": True})
    peak = before
    record = None
    deadline = time.monotonic() + 90
    while record is None and time.monotonic() < deadline:
        peak = max(peak, resident_kb(server.process.pid))
        status, body = server.request("GET", f"{ACTIVATIONS}/{started['activationId']}")
        record = body if status == 200 else None
        time.sleep(0.1)
    assert record is not None, "the flood never finished"
    assert record["response"]["result"] == {"flooded": 100}
    assert record["logs"][-1].endswith(
        "stderr: Logs were truncated because the total bytes size exceeds the limit of "
        "262144 bytes."
    )
    assert sum(len(line) for line in record["logs"]) < 2 * 262144
    # 200 MB went through the emulator; its memory grew by a few MB at most.
    assert peak - before < 40 * 1024, (before, peak)


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")
