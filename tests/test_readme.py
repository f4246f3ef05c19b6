"""The README's walkthrough runs as written against a real emulator."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import pytest

from tests.support.doc_blocks import block

NOT_YET = (
    "The requested activation record does not exist. This either means that the invocation "
    "is still running and the record is not yet created or the activation's retention "
    "period has already expired."
)


def walkthrough() -> str:
    return block("readme-walkthrough").text


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_the_walkthrough_works_against_the_sample_project(serve):
    server = serve()
    started = time.monotonic()
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough()],
        env={**os.environ, "APIHOST": server.url},
        capture_output=True,
        text=True,
        timeout=150,
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 8, done.stdout

    first = re.fullmatch(r"activation ([0-9a-f]{32})", lines[0])
    assert first, lines[0]
    activation_id = first.group(1)
    assert json.loads(lines[1])["error"] == NOT_YET
    record = json.loads(lines[2])
    assert record["activationId"] == activation_id
    assert record["response"]["result"] == {"slept": 2}
    assert record["logs"][0].endswith(" stdout: sleeping 2.0 s")
    assert json.loads(lines[3]) == {"body": "Hello stranger!"}
    assert json.loads(lines[4]) == {"body": "Hello Ada!"}
    newest = json.loads(lines[5])
    assert [a["name"] for a in newest] == ["hello", "hello", "sleep"]
    assert newest[2]["activationId"] == activation_id
    body, status = lines[6].rsplit(" ", 1)
    assert status == "202"
    assert re.fullmatch(r'\{"activationId":"[0-9a-f]{32}"\}', body)
    result = json.loads(lines[7])
    assert result["result"] == {"slept": 35}
    assert result["success"] is True
    # The 202 came after the 30 s blocking wait, not before.
    assert elapsed > 30
