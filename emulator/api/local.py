"""`/emulator/v1/...`: the emulator's own routes, beside the platform's API and never in its
paths: an activation's recorded request, and replaying it. They take the namespace's key."""

from __future__ import annotations

from aiohttp import web

from emulator.api.bodies import json_object
from emulator.api.middleware import request_id
from emulator.api.responses import json_response
from emulator.namespace.documents import activation_to_json
from emulator.namespace.errors import BadRequest
from emulator.namespace.recordings import CODES, Code
from emulator.replay.replayer import Replay, Replayer
from emulator.services import SERVICES

LOCAL = "/emulator/v1"


async def get_request(request: web.Request) -> web.Response:
    replayer = Replayer(request.app[SERVICES])
    return json_response(await replayer.document(request.match_info["id"]))


async def replay(request: web.Request) -> web.Response:
    body = await json_object(request)
    replayed = await Replayer(request.app[SERVICES]).replay(
        request.match_info["id"], code=code_choice(body.get("code")), request_id=request_id(request)
    )
    return json_response(replay_json(replayed), status=200 if replayed.replay else 202)


def code_choice(value: object) -> Code:
    """The body's `code`: "current" (the default) or "recorded"."""
    if value is None:
        return "current"
    for choice in CODES:
        if value == choice:
            return choice
    raise BadRequest(f"'code' must be one of: {', '.join(CODES)}.")


def replay_json(replayed: Replay) -> dict[str, object]:
    return {
        "activationId": replayed.activation_id,
        "code": replayed.code,
        "original": activation_to_json(replayed.original),
        "replay": None if replayed.replay is None else activation_to_json(replayed.replay),
    }
