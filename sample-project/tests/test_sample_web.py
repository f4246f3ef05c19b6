"""The sample project's web functions, called over HTTP as a browser or a webhook calls them."""

import hashlib
import hmac

import pytest


def test_page_serves_the_form(functions_emulator):
    response = functions_emulator.web("GET", "sample/page")
    assert response.status == 200
    assert response.header("content-type").startswith("text/html")
    assert '<form id="hello">' in response.text


def test_message_answers_the_forms_json(functions_emulator):
    response = functions_emulator.web("POST", "sample/message", json={"name": "Ada"})
    assert response.status == 200
    assert response.json() == {"greeting": "Hello Ada!"}


def test_secret_needs_its_header(functions_emulator):
    assert functions_emulator.web("GET", "sample/secret").status == 401
    response = functions_emulator.web(
        "GET", "sample/secret", headers={"X-Require-Whisk-Auth": "let-me-in"}
    )
    assert (response.status, response.text) == (200, "you are in")


# An emulator of its own: only the webhook, with a secret of the test's instead of .env's.
@pytest.mark.functions_emulator(
    functions=["sample/webhook"], environment={"WEBHOOK_SECRET": "test-secret"}
)
def test_webhook_accepts_only_a_signed_body(functions_emulator):
    body = b'{"event": "push"}'
    signature = "sha256=" + hmac.new(b"test-secret", body, hashlib.sha256).hexdigest()
    signed = functions_emulator.web(
        "POST", "sample/webhook", data=body, headers={"X-Signature": signature}
    )
    assert signed.status == 204
    # The activation that answered, with what the function printed.
    logs = functions_emulator.activation(signed.activation_id).logs
    assert logs[-1].endswith('received {"event": "push"}')
    forged = functions_emulator.web(
        "POST", "sample/webhook", data=body, headers={"X-Signature": "sha256=0"}
    )
    assert (forged.status, forged.json()) == (401, {"error": "bad signature"})
