"""POST .../actions/{name}: blocking, non-blocking, result=true and every error answer."""

import io
import json

import pytest

from tests.support.records import wait_for_record
from tests.support.routes import ACTIONS

HEX32 = r"[0-9a-f]{32}"


async def test_a_non_blocking_invoke_answers_202_with_the_activation_id(client):
    response = await client.post(f"{ACTIONS}/demo/hello", json={"name": "Ada"})
    assert response.status == 202
    doc = await response.json()
    assert list(doc) == ["activationId"]
    assert response.headers["x-openwhisk-activation-id"] == doc["activationId"]
    record = await wait_for_record(client, doc["activationId"])
    assert record["response"]["result"] == {"body": "Hello Ada!"}


async def test_a_blocking_invoke_answers_the_full_record_without_logs(client):
    response = await client.post(f"{ACTIONS}/demo/hello?blocking=true", json={"name": "Ada"})
    assert response.status == 200
    doc = await response.json()
    assert doc["response"] == {
        "status": "success",
        "statusCode": 0,
        "success": True,
        "result": {"body": "Hello Ada!"},
        "size": len('{"body": "Hello Ada!"}'),
    }
    assert doc["logs"] == []
    assert doc["name"] == "hello"
    assert response.headers["x-openwhisk-activation-id"] == doc["activationId"]
    stored = await (
        await client.get(f"/api/v1/namespaces/_/activations/{doc['activationId']}")
    ).json()
    assert stored["logs"][0].endswith(" stdout: greeted Ada")


async def test_result_true_answers_only_the_result(client):
    response = await client.post(f"{ACTIONS}/demo/hello?blocking=true&result=true")
    assert response.status == 200
    assert await response.json() == {"body": "Hello stranger!"}


@pytest.mark.parametrize("flag", ["yes", "on", "1", "TRUE"])
async def test_booleans_are_read_as_the_platform_reads_them(client, flag):
    response = await client.post(f"{ACTIONS}/demo/hello?blocking={flag}&result={flag}")
    assert (response.status, await response.json()) == (200, {"body": "Hello stranger!"})


async def test_a_malformed_boolean_is_refused(client):
    response = await client.post(f"{ACTIONS}/demo/hello?blocking=maybe")
    assert response.status == 400
    assert (await response.json())["error"] == (
        "The query parameter 'blocking' was malformed:\n'maybe' is not a valid Boolean value"
    )


async def test_an_application_error_is_502_with_the_record(client):
    response = await client.post(f"{ACTIONS}/demo/fails?blocking=true")
    assert response.status == 502
    doc = await response.json()
    assert doc["response"]["status"] == "application error"
    assert doc["response"]["result"] == {"error": "nope"}
    assert doc["statusCode"] == 1


async def test_an_application_error_with_result_true_is_502_with_the_error(client):
    response = await client.post(f"{ACTIONS}/demo/fails?blocking=true&result=true")
    assert (response.status, await response.json()) == (502, {"error": "nope"})


async def test_a_developer_error_is_502(client):
    response = await client.post(f"{ACTIONS}/demo/crashes?blocking=true")
    assert response.status == 502
    doc = await response.json()
    assert doc["response"]["status"] == "action developer error"
    assert doc["response"]["result"] == {
        "error": "The function did not produce a valid response and exited unexpectedly."
    }


async def test_a_default_package_function_is_invoked_by_its_bare_name(client):
    response = await client.post(f"{ACTIONS}/top?blocking=true&result=true")
    assert (response.status, await response.json()) == (200, {"top": True})


async def test_package_parameters_reach_the_function(client):
    response = await client.post(f"{ACTIONS}/demo/echo?blocking=true&result=true", json={"x": 1})
    assert await response.json() == {"greeting": "Hello", "x": 1}


async def test_redefining_a_bound_parameter_of_a_final_function_is_400(client):
    response = await client.post(f"{ACTIONS}/demo/hello?blocking=true", json={"greeting": "Yo"})
    assert response.status == 400
    assert (await response.json())["error"] == (
        "Request defines parameters that are not allowed (e.g., reserved properties)."
    )


async def test_an_unknown_function_is_404(client):
    response = await client.post(f"{ACTIONS}/demo/nothing?blocking=true")
    assert response.status == 404
    assert (await response.json())["error"] == "The requested resource does not exist."


async def test_invoking_a_package_is_409_wrong_collection(client):
    response = await client.post(f"{ACTIONS}/demo?blocking=true")
    assert response.status == 409
    assert (await response.json())["error"] == (
        "Resource by this name exists but is not in this collection."
    )


async def test_malformed_json_is_400(client):
    response = await client.post(
        f"{ACTIONS}/demo/hello", data=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"].startswith("The request content was malformed:\n")


async def test_a_body_that_is_not_an_object_is_400(client):
    response = await client.post(f"{ACTIONS}/demo/hello", json=[1, 2])
    assert response.status == 400
    assert (await response.json())["error"].startswith("The request content was malformed:\n")


async def test_a_body_that_is_not_json_is_415(client):
    response = await client.post(
        f"{ACTIONS}/demo/hello", data=b"name=Ada", headers={"Content-Type": "text/plain"}
    )
    assert response.status == 415
    assert (await response.json())["error"] == (
        "The request's Content-Type is not supported. Expected:\napplication/json"
    )


async def test_a_body_over_one_megabyte_is_413(client):
    body = json.dumps({"data": "x" * 1_100_000}).encode()
    response = await client.post(
        f"{ACTIONS}/demo/echo", data=io.BytesIO(body), headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert (await response.json())["error"] == (
        "Request larger than allowed: 1100012 > 1048576 bytes."
    )


async def test_a_blocking_call_past_the_wait_answers_202_and_runs_on(make_client):
    client = await make_client(blocking_wait=0.5)
    response = await client.post(f"{ACTIONS}/demo/nap?blocking=true", json={"seconds": 2})
    assert response.status == 202
    activation_id = (await response.json())["activationId"]
    assert response.headers["x-openwhisk-activation-id"] == activation_id
    record = await wait_for_record(client, activation_id)
    assert record["response"]["result"] == {"slept": 2}
    assert record["duration"] >= 2000


async def test_the_timeout_parameter_shortens_the_wait(client):
    response = await client.post(
        f"{ACTIONS}/demo/nap?blocking=true&timeout=200", json={"seconds": 1}
    )
    assert response.status == 202
    await wait_for_record(client, (await response.json())["activationId"])


@pytest.mark.parametrize("value", ["0", "30001", "soon"])
async def test_a_timeout_outside_the_wait_is_refused(client, value):
    response = await client.post(f"{ACTIONS}/demo/hello?blocking=true&timeout={value}")
    assert response.status == 400
    assert (await response.json())["error"] == (
        "The query parameter 'timeout' was malformed:\n"
        "Timeout must be number of milliseconds up to 30000."
    )
