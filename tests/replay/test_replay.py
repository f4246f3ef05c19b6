"""An activation replayed: the same function, the same request, a new activation beside the
old; after a change, the current code or the recorded one."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from click.testing import CliRunner

from emulator.cli.main import main
from tests.support.fixture_types import MakeClient
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, AUTH_HEADER, LOCAL_ACTIVATIONS, WEB

PROJECT = FIXTURE_PROJECTS / "replay"


async def test_a_replay_invokes_the_function_again_with_the_recorded_parameters(
    make_client: MakeClient,
):
    client = await make_client(PROJECT)
    first = await (await client.post(f"{ACTIONS}/calc/add?blocking=true", json={"a": 4})).json()

    answer = await client.post(f"{LOCAL_ACTIVATIONS}/{first['activationId']}/replay", json={})

    replayed = await answer.json()
    assert answer.status == 200
    assert replayed["original"]["activationId"] == first["activationId"]
    assert replayed["activationId"] != first["activationId"]
    assert replayed["replay"]["response"]["result"] == {"sum": 4, "unit": "cm"}
    # The replay is an activation like any other, with a request of its own.
    kept = await client.get(f"{LOCAL_ACTIVATIONS}/{replayed['activationId']}/request")
    assert (await kept.json())["params"] == {"a": 4}


async def test_a_web_activation_replays_with_its_method_path_query_headers_and_body(
    make_client: MakeClient,
):
    client = await make_client(PROJECT, authorized=False)
    answer = await client.post(
        f"{WEB}/calc/echo/orders?name=Ada", data=b"", headers={"X-Client": "curl"}
    )
    activation_id = answer.headers["x-openwhisk-activation-id"]

    replay = await client.post(
        f"{LOCAL_ACTIVATIONS}/{activation_id}/replay", headers={"Authorization": AUTH_HEADER}
    )

    record = (await replay.json())["replay"]
    result = record["response"]["result"]
    assert result["body"] == {"method": "post", "path": "/orders", "name": "Ada", "client": "curl"}
    assert {"key": "web", "value": True} in record["annotations"]


async def test_an_unknown_code_choice_is_refused(make_client: MakeClient):
    client = await make_client(PROJECT)
    first = await (await client.post(f"{ACTIONS}/calc/add?blocking=true", json={"a": 1})).json()
    answer = await client.post(
        f"{LOCAL_ACTIVATIONS}/{first['activationId']}/replay", json={"code": "yesterday"}
    )
    assert answer.status == 400


def test_the_cli_replays_beside_the_recorded_outcome_and_diffs_a_changed_function(
    serve, tmp_path: Path
):
    project = tmp_path / "replay"
    shutil.copytree(PROJECT, project)
    server = serve(project)
    status, first = server.request("POST", f"{ACTIONS}/calc/add?blocking=true", {"a": 1, "b": 2})
    assert status == 200
    activation_id = first["activationId"]
    port = ["--port", str(server.port)]

    same = CliRunner().invoke(main, ["activations", "replay", activation_id, *port])
    assert same.exit_code == 0, same.output
    assert "Same status and result." in same.output
    assert same.output.count('"sum": 3') == 2

    source = project / "packages" / "calc" / "add.py"
    source.write_text(source.read_text().replace('"sum": total', '"sum": total * 10'))
    changed = _replay_until(port, activation_id, "The outcomes differ")
    assert '-  "sum": 3,' in changed
    assert '+  "sum": 30,' in changed

    recorded = CliRunner().invoke(
        main, ["activations", "replay", activation_id, "--code", "recorded", *port]
    )
    assert recorded.exit_code == 0, recorded.output
    assert "Same status and result." in recorded.output


def _replay_until(port: list[str], activation_id: str, text: str) -> str:
    """Replay until the output says `text`: the emulator reloads a saved change soon after."""
    deadline = time.monotonic() + 20
    while True:
        result = CliRunner().invoke(main, ["activations", "replay", activation_id, *port])
        if text in result.output or time.monotonic() > deadline:
            return result.output
        time.sleep(0.2)
