"""The sample project: one function per language, built and run as on the platform."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from tests.support.paths import SAMPLE_PROJECT
from tests.support.routes import ACTIONS, NAMESPACE, WEB

SAMPLE = ACTIONS + "/sample"


@pytest.fixture
async def sample(make_client):
    return await make_client(SAMPLE_PROJECT)


async def invoke(client, name, params):
    response = await client.post(f"{SAMPLE}/{name}?blocking=true", json=params)
    record = await response.json()
    logs = await (
        await client.get(f"/api/v1/namespaces/_/activations/{record['activationId']}/logs")
    ).json()
    return response.status, record["response"]["result"], logs["logs"]


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        ("hello-node", "Hello Ada, from Node.js v"),
        ("hello-go", "Hello Ada, from Go go1."),
        ("hello-php", "Hello Ada, from PHP 8."),
    ],
)
@pytest.mark.timeout(180)
async def test_each_language_greets_from_its_event_and_context(sample, name, greeting):
    status, result, logs = await invoke(sample, name, {"name": "Ada"})
    assert status == 200, result
    assert result["body"].startswith(greeting)
    assert logs[-1].endswith(f"stdout: greeted Ada from /{NAMESPACE}/sample/{name}")


async def test_the_python_hello_greets(sample):
    status, result, logs = await invoke(sample, "hello", {"name": "Ada"})
    assert (status, result) == (200, {"body": "Hello Ada!"})
    assert logs[-1].endswith("stdout: greeted Ada")


async def test_the_directory_function_uses_its_npm_dependency(sample):
    status, result, logs = await invoke(sample, "duration", {"text": "2 days"})
    assert (status, result) == (200, {"text": "2 days", "milliseconds": 172800000})
    assert logs[-1].endswith("stdout: converting 2 days")


@pytest.mark.timeout(180)
async def test_the_python_function_uses_the_virtualenv_its_build_made(sample):
    status, result, logs = await invoke(sample, "jokes", {})
    assert status == 200, (result, logs)
    assert isinstance(result["body"], str) and result["body"]
    assert logs[-1].endswith(f"stdout: /{NAMESPACE}/sample/jokes told a joke")


async def test_the_directory_function_reads_environment_from_the_env_file(sample):
    status, result, _ = await invoke(sample, "greet", {"name": "Ada"})
    assert status == 200
    assert result["body"] == "Hello, Ada!"
    assert result["calls"] == 1


SAMPLE_WEB = WEB + "/sample"


async def test_the_page_is_html_with_a_form_that_posts_to_the_message_function(sample):
    response = await sample.get(f"{SAMPLE_WEB}/page")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = await response.text()
    assert '<form id="hello">' in page and 'fetch("message"' in page
    answer = await sample.post(f"{SAMPLE_WEB}/message", json={"name": "Ada"})
    assert (answer.status, await answer.json()) == (200, {"greeting": "Hello Ada!"})


@pytest.mark.parametrize(("secret", "status"), [("change-me", 204), ("wrong", 401)])
async def test_the_webhook_checks_the_signature_of_its_raw_body(sample, secret, status):
    body = b'{"event": "ping"}'
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    response = await sample.post(
        f"{SAMPLE_WEB}/webhook",
        data=body,
        headers={"Content-Type": "application/json", "X-Signature": signature},
    )
    assert response.status == status


async def test_the_secured_function_needs_its_secret(sample):
    refused = await sample.get(f"{SAMPLE_WEB}/secret")
    assert refused.status == 401
    allowed = await sample.get(
        f"{SAMPLE_WEB}/secret", headers={"X-Require-Whisk-Auth": "let-me-in"}
    )
    assert (allowed.status, await allowed.text()) == (200, "you are in")
