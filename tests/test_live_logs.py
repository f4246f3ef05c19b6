"""`functions-emulator serve` prints each activation and its logs, unless `--quiet`."""

from __future__ import annotations

import re

from tests.support.paths import SAMPLE_PROJECT
from tests.support.routes import ACTIONS

HELLO = ACTIONS + "/sample/hello?blocking=true"
LOGGING = ACTIONS + "/sample/sleep?blocking=true"


def activation_line(activation_id: str, path: str) -> re.Pattern[str]:
    return re.compile(
        rf"^\d\d:\d\d:\d\d {path} success \d+ ms (cold|warm) {activation_id}$", re.MULTILINE
    )


def test_serve_prints_a_line_per_activation_and_its_log_lines(serve):
    server = serve(SAMPLE_PROJECT)
    status, first = server.request("POST", HELLO, {"name": "Ada"})
    assert status == 200
    status, slept = server.request("POST", LOGGING, {"seconds": 0})
    assert status == 200
    output = server.stop()
    assert activation_line(first["activationId"], "sample/hello").search(output)
    assert activation_line(slept["activationId"], "sample/sleep").search(output)
    assert "sample/sleep: sleeping 0.0 s" in output
    assert '"POST /api/v1/namespaces/_/actions/sample/hello' in output
    assert "\033[" not in output


def test_serve_with_quiet_prints_no_activations_and_no_request_lines(serve):
    server = serve(SAMPLE_PROJECT, "--quiet")
    status, first = server.request("POST", HELLO, {"name": "Ada"})
    assert status == 200
    output = server.stop()
    assert first["activationId"] not in output
    assert "sample/hello success" not in output
    assert "POST /api/v1" not in output


def test_serve_with_cold_starts_a_process_per_call(serve):
    server = serve(SAMPLE_PROJECT, "--cold")
    ids = [server.request("POST", HELLO, {})[1]["activationId"] for _ in range(2)]
    output = server.stop()
    for activation_id in ids:
        assert activation_line(activation_id, "sample/hello").search(output)
        assert f" cold {activation_id}" in output
