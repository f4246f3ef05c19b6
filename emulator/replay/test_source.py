"""An activation written down as a pytest test: it invokes the function with the recorded
request, through the `functions_emulator` fixture, and expects the recorded outcome.

The source is readable and stable under `ruff format`: every non-empty collection is written
one item a line with a trailing comma (which the formatter keeps as it is), strings are
quoted as the formatter quotes them. Parameters and headers whose names look like secrets
are replaced by placeholders, with a comment saying so.
"""

from __future__ import annotations

import base64
import json
import keyword
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SECRET_NAME = re.compile(r"token|secret|passw|key|auth|cookie|credential", re.IGNORECASE)
PLACEHOLDER = "<secret: not recorded here>"
INDENT = "    "
# Headers of the recording's own HTTP client: left to the test's.
CLIENT_HEADERS = frozenset({"accept-encoding", "user-agent", "accept"})


def test_file_name(function: str) -> str:
    """`tests/test_<fn>.py`: where `to-test` writes by default."""
    return f"tests/test_{_identifier(function.rpartition('/')[2])}.py"


def render_test(doc: Mapping[str, Any], *, command: str) -> str:
    """The test's source for a request document (the emulator's `/request` route)."""
    if doc.get("cut"):
        raise ValueError(
            f"the request of activation {doc['activationId']} was {doc['size']} bytes, more "
            "than the emulator keeps: it cannot become a test"
        )
    function = str(doc["function"])
    short = str(doc["activationId"])[:12]
    started = datetime.fromtimestamp(int(doc["start"]) / 1000, tz=UTC)
    head = [
        f'"""{function}, as activation {short} ran it on {started:%Y-%m-%d %H:%M:%S} UTC.',
        "",
        f"Written by `{command}`.",
        "It calls the function with the recorded request and expects the recorded outcome.",
        '"""',
    ]
    name = f"test_{_identifier(function.rpartition('/')[2])}_as_activation_{short}"
    if doc.get("web") is not None:
        body = _web_test(doc, function, name)
    else:
        body = _invoke_test(doc, function, name)
    return "\n".join([*head, *body.imports, "", *body.constants, "", *body.test]) + "\n"


class _Parts:
    def __init__(self) -> None:
        self.imports: list[str] = []
        self.constants: list[str] = []
        self.test: list[str] = []


def _invoke_test(doc: Mapping[str, Any], function: str, name: str) -> _Parts:
    parts = _Parts()
    params = dict(doc.get("params") or {})
    response = doc["response"]
    parts.constants = [*_assignment("PARAMS", _masked(params)), ""]
    status = str(response["status"]).removeprefix("action ")
    parts.test = [
        f"def {name}(functions_emulator):",
        f"{INDENT}activation = functions_emulator.invoke({_string(function)}, PARAMS)",
        "",
        f"{INDENT}assert activation.status == {_string(status)}",
        *_assert_equal("activation.result", response["result"]),
    ]
    return parts


def _web_test(doc: Mapping[str, Any], function: str, name: str) -> _Parts:
    parts = _Parts()
    web = doc["web"]
    reply = web["reply"]
    headers = {
        k: v for k, v in (tuple(pair) for pair in web["headers"]) if k.lower() not in CLIENT_HEADERS
    }
    path = web["function"] + web.get("path", "")
    if web.get("query"):
        path += "?" + web["query"]
    body = base64.b64decode(web.get("body") or "")
    arguments = [_string(web["method"]), _string(path)]
    if body:
        text = _text(body)
        if text is None:
            parts.imports = ["", "import base64"]
            parts.constants += [f"BODY = base64.b64decode({_string(web['body'])})", ""]
        else:
            parts.constants += [*_assignment("BODY", text), ""]
        arguments.append("data=BODY")
    if headers:
        parts.constants += [*_assignment("HEADERS", _masked(headers)), ""]
        arguments.append("headers=HEADERS")
    call = [f"{INDENT}response = functions_emulator.web("]
    call += [f"{INDENT * 2}{argument}," for argument in arguments]
    call += [f"{INDENT})"]
    parts.test = [f"def {name}(functions_emulator):", *call, ""]
    parts.test.append(f"{INDENT}assert response.status == {int(reply['status'])}")
    if reply.get("contentType"):
        expected = _string(reply["contentType"])
        parts.test.append(f'{INDENT}assert response.header("Content-Type") == {expected}')
    if "error" in reply:
        parts.test += _assert_equal('response.json()["error"]', reply["error"])
        return parts
    parts.test += _body_assertion(reply.get("contentType") or "", base64.b64decode(reply["body"]))
    return parts


def _body_assertion(content_type: str, body: bytes) -> list[str]:
    if "json" in content_type:
        try:
            return _assert_equal("response.json()", json.loads(body))
        except ValueError:
            pass
    text = _text(body)
    if text is not None:
        return _assert_equal("response.text", text)
    return [f"{INDENT}assert response.body == {body!r}"]


def _text(body: bytes) -> str | None:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = all(c.isprintable() or c in "\n\r\t" for c in text)
    return text if printable else None


def _assignment(name: str, value: Any) -> list[str]:
    lines = literal(value)
    return [f"{name} = {lines[0]}", *lines[1:]]


def _assert_equal(left: str, value: Any) -> list[str]:
    lines = literal(value, depth=1)
    return [f"{INDENT}assert {left} == {lines[0]}", *lines[1:]]


class _Secret:
    """A placeholder, written with the comment that says why."""


_SECRET = _Secret()


def _masked(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _SECRET if SECRET_NAME.search(str(k)) else v for k, v in values.items()}


def literal(value: Any, *, depth: int = 0) -> list[str]:
    """`value` (JSON) as Python source lines; the first is not indented, the others are."""
    pad = INDENT * depth
    if isinstance(value, dict) and value:
        lines = ["{"]
        for key, item in value.items():
            if item is _SECRET:
                lines.append(f"{pad}{INDENT}# A secret: the recorded value is not kept here.")
                lines.append(f"{pad}{INDENT}{_string(str(key))}: {_string(PLACEHOLDER)},")
                continue
            inner = literal(item, depth=depth + 1)
            lines.append(f"{pad}{INDENT}{_string(str(key))}: {inner[0]}")
            lines += inner[1:]
            lines[-1] += ","
        return [*lines, f"{pad}}}"]
    if isinstance(value, list) and value:
        lines = ["["]
        for item in value:
            inner = literal(item, depth=depth + 1)
            lines.append(f"{pad}{INDENT}{inner[0]}")
            lines += inner[1:]
            lines[-1] += ","
        return [*lines, f"{pad}]"]
    return [_scalar(value)]


def _scalar(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    return "{}" if isinstance(value, dict) else "[]"


def _string(text: str) -> str:
    """Quoted as ruff format quotes: double quotes, unless single ones need fewer escapes."""
    double = json.dumps(text, ensure_ascii=False)
    if text.count('"') > text.count("'"):
        single = "'" + double[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"
        return single
    return double


def _identifier(name: str) -> str:
    cleaned = re.sub(r"\W+", "_", name).strip("_").lower() or "function"
    if cleaned[0].isdigit() or keyword.iskeyword(cleaned):
        cleaned = "fn_" + cleaned
    return cleaned
