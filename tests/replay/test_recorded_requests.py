"""Each activation's request is kept beside its record, bounded, and gone with it; the
platform's record itself stays exactly as the platform writes it."""

from __future__ import annotations

import base64
import io

from emulator.namespace.entities import (
    MAX_PAYLOAD_BYTES,
    ActivationResponse,
    PendingActivation,
    StatusCode,
)
from emulator.namespace.recordings import MAX_RECORDED_BYTES, RecordedRequest
from emulator.store.activation_store import ActivationStore
from tests.support.fixture_types import MakeClient
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, ACTIVATIONS, AUTH_HEADER, LOCAL_ACTIVATIONS, WEB

PROJECT = FIXTURE_PROJECTS / "replay"
# The record's fields on the platform: nothing of the emulator's own is added to it.
PLATFORM_FIELDS = {
    "activationId",
    "annotations",
    "duration",
    "end",
    "logs",
    "name",
    "namespace",
    "publish",
    "response",
    "start",
    "statusCode",
    "subject",
    "version",
}


async def test_the_request_s_own_parameters_are_kept_not_the_bound_ones(make_client: MakeClient):
    client = await make_client(PROJECT)
    invoked = await client.post(f"{ACTIONS}/calc/add?blocking=true", json={"a": 2, "b": 3})
    activation_id = (await invoked.json())["activationId"]

    kept = await (await client.get(f"{LOCAL_ACTIVATIONS}/{activation_id}/request")).json()

    assert kept["params"] == {"a": 2, "b": 3}
    assert kept["kind"] == "invoke"
    assert kept["cut"] is False
    assert kept["response"]["result"] == {"sum": 5, "unit": "cm"}
    record = await (await client.get(f"{ACTIVATIONS}/{activation_id}")).json()
    assert set(record) == PLATFORM_FIELDS


async def test_a_web_call_is_kept_as_its_method_path_query_headers_and_body(
    make_client: MakeClient,
):
    client = await make_client(PROJECT, authorized=False)
    answer = await client.put(
        f"{WEB}/calc/echo/items/7?name=Ada",
        data=b'{"size": 2}',
        headers={"Content-Type": "application/json", "X-Client": "tests"},
    )
    assert answer.status == 201
    activation_id = answer.headers["x-openwhisk-activation-id"]

    kept = await (
        await client.get(
            f"{LOCAL_ACTIVATIONS}/{activation_id}/request",
            headers={"Authorization": AUTH_HEADER},
        )
    ).json()

    web = kept["web"]
    assert (web["method"], web["function"], web["path"], web["query"]) == (
        "PUT",
        "calc/echo",
        "/items/7",
        "name=Ada",
    )
    assert ["X-Client", "tests"] in web["headers"]
    assert not any(name.lower() in ("host", "content-length") for name, _ in web["headers"])
    assert web["reply"]["status"] == 201
    assert web["reply"]["contentType"].startswith("application/json")


async def test_the_local_routes_take_the_namespace_s_key(make_client: MakeClient):
    client = await make_client(PROJECT, authorized=False)
    answer = await client.get(f"{LOCAL_ACTIVATIONS}/{'0' * 32}/request")
    assert answer.status == 401


async def test_an_unknown_activation_has_no_request(make_client: MakeClient):
    client = await make_client(PROJECT)
    answer = await client.get(f"{LOCAL_ACTIVATIONS}/{'0' * 32}/request")
    assert answer.status == 404


def _pending(activation_id: str, start: int) -> PendingActivation:
    return PendingActivation(activation_id, "ns", "fn", None, "0.0.1", "s" * 40, start)


async def test_a_web_call_of_the_largest_body_the_platform_accepts_is_kept_whole(
    make_client: MakeClient,
):
    client = await make_client(PROJECT, authorized=False)
    body = bytes(range(256)) * (MAX_PAYLOAD_BYTES // 256)
    answer = await client.post(
        f"{WEB}/calc/echo",
        data=io.BytesIO(body),
        headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(body))},
    )
    activation_id = answer.headers["x-openwhisk-activation-id"]

    kept = await (
        await client.get(
            f"{LOCAL_ACTIVATIONS}/{activation_id}/request", headers={"Authorization": AUTH_HEADER}
        )
    ).json()

    assert kept["cut"] is False
    assert base64.b64decode(kept["web"]["body"]) == body


async def test_a_request_past_the_bound_is_kept_cut_and_marked_and_goes_with_its_record(
    tmp_path,
):
    store = await ActivationStore.open(tmp_path / "activations.db")
    try:
        large = RecordedRequest(params={"blob": "x" * (MAX_RECORDED_BYTES + 10)})
        small = RecordedRequest(params={"n": 1})
        done = ActivationResponse(StatusCode.SUCCESS, {})
        for activation_id, start, request in (("a" * 32, 1_000, large), ("b" * 32, 5_000, small)):
            record = _pending(activation_id, start).finished(start + 1, done)
            await store.finish(record, marked=False, request=request)

        cut = await store.request("a" * 32)
        assert cut is not None and cut.cut
        assert cut.size > MAX_RECORDED_BYTES
        assert len(cut.prefix.encode()) <= MAX_RECORDED_BYTES
        assert cut.prefix.startswith('{"params":{"blob":"xxx')

        assert await store.prune(older_than_ms=2_000) == 1
        assert await store.request("a" * 32) is None
        kept = await store.request("b" * 32)
        assert kept is not None and kept.request == small
    finally:
        await store.close()
