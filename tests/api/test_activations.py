"""GET .../activations: listing, filters, records, logs and results."""

import asyncio
import re

import pytest

from tests.support.records import wait_for_record
from tests.support.routes import ACTIONS, ACTIVATIONS, NAMESPACE

NOT_YET = (
    "The requested activation record does not exist. This either means that the invocation "
    "is still running and the record is not yet created or the activation's retention "
    "period has already expired."
)


async def invoke(client, name, params=None):
    response = await client.post(f"{ACTIONS}/{name}?blocking=true", json=params or {})
    return await response.json()


async def test_a_running_activation_has_no_record_until_it_ends(client):
    response = await client.post(f"{ACTIONS}/demo/nap", json={"seconds": 1.5})
    activation_id = (await response.json())["activationId"]
    missing = await client.get(f"{ACTIVATIONS}/{activation_id}")
    assert missing.status == 404
    assert (await missing.json())["error"] == NOT_YET
    record = await wait_for_record(client, activation_id)
    assert record["response"]["result"] == {"slept": 1.5}


async def test_the_record_has_every_field_of_the_platforms_record(client):
    activation_id = (await invoke(client, "demo/hello", {"name": "Ada"}))["activationId"]
    record = await (await client.get(f"{ACTIVATIONS}/{activation_id}")).json()
    assert set(record) == {
        "namespace",
        "name",
        "version",
        "subject",
        "activationId",
        "start",
        "end",
        "duration",
        "statusCode",
        "response",
        "logs",
        "annotations",
        "publish",
    }
    assert record["namespace"] == NAMESPACE
    assert record["name"] == "hello"
    assert record["version"] == "0.0.1"
    assert re.fullmatch(r"[0-9a-f]{40}", record["subject"])
    assert record["duration"] == record["end"] - record["start"]
    assert record["publish"] is False
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    assert annotations["path"] == f"{NAMESPACE}/demo/hello"
    assert annotations["kind"] == "python:3.11"
    assert annotations["limits"] == {"timeout": 3000, "memory": 256, "logs": 16, "concurrency": 1}
    assert annotations["timeout"] is False
    assert annotations["entry"] == "main"
    assert isinstance(annotations["waitTime"], int)
    assert isinstance(annotations["initTime"], int)
    (line,) = record["logs"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout: greeted Ada", line)


async def test_init_time_is_only_on_cold_starts(client):
    first = await invoke(client, "demo/hello")
    second = await invoke(client, "demo/hello")
    assert "initTime" in [a["key"] for a in first["annotations"]]
    assert "initTime" not in [a["key"] for a in second["annotations"]]


async def test_logs_and_result_have_their_own_routes(client):
    activation_id = (await invoke(client, "demo/hello", {"name": "Bo"}))["activationId"]
    logs = await (await client.get(f"{ACTIVATIONS}/{activation_id}/logs")).json()
    assert list(logs) == ["logs"] and logs["logs"][0].endswith("stdout: greeted Bo")
    result = await (await client.get(f"{ACTIVATIONS}/{activation_id}/result")).json()
    assert result == {
        "status": "success",
        "statusCode": 0,
        "success": True,
        "result": {"body": "Hello Bo!"},
        "size": 21,
    }


async def test_the_list_is_newest_first_and_limited(client):
    ids = [(await invoke(client, "demo/hello", {"name": str(i)}))["activationId"] for i in range(5)]
    listed = await (await client.get(f"{ACTIVATIONS}?limit=3")).json()
    assert [a["activationId"] for a in listed] == ids[::-1][:3]
    skipped = await (await client.get(f"{ACTIVATIONS}?limit=2&skip=1")).json()
    assert [a["activationId"] for a in skipped] == ids[::-1][1:3]


async def test_list_items_are_summaries_unless_docs_is_asked(client):
    await invoke(client, "demo/hello")
    (summary,) = await (await client.get(f"{ACTIVATIONS}?")).json()
    assert "response" not in summary and "logs" not in summary
    assert summary["statusCode"] == 0
    assert summary["name"] == "hello"
    (full,) = await (await client.get(f"{ACTIVATIONS}?docs=true")).json()
    assert full["response"]["result"] == {"body": "Hello stranger!"}
    assert full["logs"][0].endswith("stdout: greeted stranger")


async def test_the_name_filter_takes_a_simple_or_package_qualified_name(client):
    await invoke(client, "demo/hello")
    await invoke(client, "demo/echo")
    await invoke(client, "top")
    for name, expected in [("hello", ["hello"]), ("demo/echo", ["echo"]), ("top", ["top"])]:
        listed = await (await client.get(f"{ACTIVATIONS}?name={name}")).json()
        assert [a["name"] for a in listed] == expected
    assert await (await client.get(f"{ACTIVATIONS}?name=other/hello")).json() == []


async def test_since_and_upto_are_inclusive_epoch_milliseconds(client):
    first = await invoke(client, "demo/hello")
    await asyncio.sleep(0.01)
    second = await invoke(client, "demo/hello")
    since = await (await client.get(f"{ACTIVATIONS}?since={second['start']}")).json()
    assert [a["activationId"] for a in since] == [second["activationId"]]
    upto = await (await client.get(f"{ACTIVATIONS}?upto={first['start']}")).json()
    assert [a["activationId"] for a in upto] == [first["activationId"]]


async def test_count_answers_the_number_of_activations(client):
    for _ in range(3):
        await invoke(client, "demo/hello")
    assert await (await client.get(f"{ACTIVATIONS}?count=true")).json() == {"activations": 3}
    assert await (await client.get(f"{ACTIVATIONS}?count=true&name=echo")).json() == {
        "activations": 0
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "limit=300",
            "The query parameter 'limit' was malformed:\n"
            "The value '300' is not in the range of 0 to 200 for activations.",
        ),
        (
            "limit=x",
            "The query parameter 'limit' was malformed:\n"
            "The value 'x' is not an integer for activations.",
        ),
        (
            "skip=-1",
            "The query parameter 'skip' was malformed:\n"
            "The value '-1' is not greater than or equal to 0 for activations.",
        ),
        (
            "since=yesterday",
            "The query parameter 'since' was malformed:\n"
            "Parameter is not a valid value for epoch seconds: yesterday",
        ),
        (
            "name=a/b/c",
            "The query parameter 'name' was malformed:\n"
            "Parameter may be a 'simple' name or 'package-name/simple' name: a/b/c",
        ),
        ("docs=true&count=true", "The parameter 'docs' is not permitted with 'count'."),
    ],
)
async def test_bad_list_parameters_get_the_platforms_messages(client, query, message):
    response = await client.get(f"{ACTIVATIONS}?{query}")
    assert response.status == 400
    assert (await response.json())["error"] == message


async def test_limit_zero_means_the_maximum(client):
    await invoke(client, "demo/hello")
    assert len(await (await client.get(f"{ACTIVATIONS}?limit=0")).json()) == 1


@pytest.mark.parametrize(
    ("activation_id", "message"),
    [
        ("abc", "Activation id length is 3 but must be 32."),
        ("z" * 32, "The activation id is not valid."),
    ],
)
async def test_a_malformed_activation_id_is_400(client, activation_id, message):
    response = await client.get(f"{ACTIVATIONS}/{activation_id}")
    assert response.status == 400
    assert (await response.json())["error"] == message


async def test_an_unknown_activation_is_404_for_the_record_logs_and_result(client):
    for suffix in ("", "/logs", "/result"):
        response = await client.get(f"{ACTIVATIONS}/{'0' * 32}{suffix}")
        assert response.status == 404
        assert (await response.json())["error"] == NOT_YET


async def test_records_survive_a_restart_of_the_emulator(make_client):
    first = await make_client()
    activation_id = (await invoke(first, "demo/hello"))["activationId"]
    await first.close()
    second = await make_client()
    record = await wait_for_record(second, activation_id, seconds=1)
    assert record["response"]["result"] == {"body": "Hello stranger!"}
