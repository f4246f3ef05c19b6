"""In debug mode a blocking call waits for the function however long it takes."""

from __future__ import annotations

from tests.support.routes import ACTIONS, WEB


async def test_in_debug_mode_a_blocking_call_past_the_wait_still_answers_200(make_client):
    client = await make_client(blocking_wait=0.5, debug=True)
    response = await client.post(f"{ACTIONS}/demo/nap?blocking=true", json={"seconds": 1})
    assert response.status == 200
    assert (await response.json())["response"]["result"] == {"slept": 1}


async def test_in_debug_mode_a_timeout_parameter_still_shortens_the_wait(make_client):
    client = await make_client(blocking_wait=0.5, debug=True)
    response = await client.post(
        f"{ACTIONS}/demo/nap?blocking=true&timeout=200", json={"seconds": 1}
    )
    assert response.status == 202


async def test_in_debug_mode_a_web_call_past_the_wait_still_answers(make_client):
    client = await make_client("web", blocking_wait=0.5, debug=True)
    response = await client.get(f"{WEB}/web/slow?seconds=1")
    assert response.status == 200
    assert await response.text() == "slept 1.0"
