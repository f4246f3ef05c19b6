"""Text as `doctl serverless` prints it: Go's indented JSON, its tables, banners and times."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

# Go's time layout "01/02 03:04:05": a 12-hour clock without AM/PM, in local time.
_SHORT_TIME = "%m/%d %I:%M:%S"
_COLUMN_GAP = 4
# doctl's dtsRegex, made lazy as Go's (?U) makes it.
_LOG_PREFIX = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:.*?: ")
_STATUSES = ("success", "application error", "developer error", "system error")
# whisk.Activation's and whisk.Action's field order, which encoding/json keeps.
_ACTIVATION_FIELDS = (
    "namespace",
    "name",
    "version",
    "subject",
    "activationId",
    "cause",
    "start",
    "end",
    "duration",
    "statusCode",
    "response",
    "logs",
    "annotations",
    "publish",
)
_RESPONSE_FIELDS = ("status", "statusCode", "success", "result")
_ACTION_FIELDS = (
    "namespace",
    "name",
    "version",
    "exec",
    "annotations",
    "parameters",
    "limits",
    "publish",
    "updated",
)
_EXEC_FIELDS = ("kind", "code", "image", "init", "main", "components", "binary")


def go_json(value: Any) -> str:
    """json.MarshalIndent(value, "", "  ") of a decoded document: map keys sorted, <>& escaped,
    integral numbers without a fraction. Dicts built by `struct_order` keep their order."""
    return _escape_html(json.dumps(_go_value(value), indent=2, ensure_ascii=False))


def _go_value(value: Any) -> Any:
    if isinstance(value, _Struct):
        return {key: _go_value(item) for key, item in value.items()}
    if isinstance(value, Mapping):
        return {key: _go_value(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_go_value(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _escape_html(text: str) -> str:
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class _Struct(dict[str, Any]):
    """A Go struct's JSON: fields in declaration order, not sorted as a map's keys are."""


def struct_order(document: Mapping[str, Any], fields: Sequence[str]) -> _Struct:
    return _Struct((field, document[field]) for field in fields if field in document)


def activation_record(record: Mapping[str, Any]) -> _Struct:
    """The record as `activations get` shows it: whisk.Activation plus a human `date`."""
    shown = struct_order(record, _ACTIVATION_FIELDS)
    if not shown.get("cause"):
        shown.pop("cause", None)
    if isinstance(record.get("response"), Mapping):
        shown["response"] = struct_order(record["response"], _RESPONSE_FIELDS)
    if isinstance(record.get("annotations"), list):
        shown["annotations"] = [struct_order(a, ("key", "value")) for a in record["annotations"]]
    shown["date"] = local_time(record.get("start", 0)).strftime("%Y-%m-%d %I:%M:%S")
    return shown


def action_document(action: Mapping[str, Any]) -> _Struct:
    """The action as `functions get` shows it, in whisk.Action's field order."""
    shown = struct_order(action, _ACTION_FIELDS)
    if isinstance(action.get("exec"), Mapping):
        shown["exec"] = struct_order(action["exec"], _EXEC_FIELDS)
    for key in ("annotations", "parameters"):
        if isinstance(action.get(key), list):
            shown[key] = [struct_order(pair, ("key", "value", "init")) for pair in action[key]]
    return shown


def local_time(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000)


def short_time(epoch_ms: int) -> str:
    return local_time(epoch_ms).strftime(_SHORT_TIME)


def status_text(status_code: int) -> str:
    return _STATUSES[status_code] if 0 <= status_code < len(_STATUSES) else "unknown"


def annotation(document: Mapping[str, Any], key: str) -> Any:
    for pair in document.get("annotations") or ():
        if pair.get("key") == key:
            return pair.get("value")
    return None


def function_name(activation: Mapping[str, Any]) -> str:
    """`pkg/fn` from the `path` annotation (`ns/pkg/fn`), else the simple name."""
    name = str(activation.get("name", ""))
    path = annotation(activation, "path")
    parts = path.split("/") if isinstance(path, str) else []
    return f"{parts[1]}/{name}" if len(parts) == 3 else name


def package_name(activation: Mapping[str, Any]) -> str:
    path = annotation(activation, "path")
    parts = path.split("/") if isinstance(path, str) else []
    return parts[1] if len(parts) == 3 else ""


def banner(activation: Mapping[str, Any]) -> str:
    """`=== <id> <status> <MM/DD hh:mm:ss of the end> <pkg/fn>:<version>`."""
    return (
        f"=== {activation.get('activationId', '')} "
        f"{status_text(int(activation.get('statusCode', 0)))} "
        f"{short_time(int(activation.get('end', 0)))} "
        f"{function_name(activation)}:{activation.get('version', '')}"
    )


def strip_log(line: str) -> str:
    """Drop the `<timestamp> <stream>: ` prefix, as `--strip` does."""
    found = _LOG_PREFIX.match(line)
    return line[found.end() :] if found else line


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """doctl's text table: each column as wide as its widest cell, four spaces between."""
    cells = [list(headers), *([_cell(value) for value in row] for row in rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.ljust(width + _COLUMN_GAP) for cell, width in zip(row, widths, strict=True)]
        lines.append("".join(padded[:-1]) + row[-1])
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    return str(value)
