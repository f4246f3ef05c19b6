"""Scheduled triggers in project.yml: the deployer's checks, and the Trigger values they give."""

from __future__ import annotations

from typing import Any

from emulator.namespace.cron import is_valid_cron
from emulator.namespace.entities import ScheduledTrigger
from emulator.project.jsvalues import is_dictionary, typeof
from emulator.project.project_error import ProjectError

NOT_AN_ARRAY = "a 'triggers' clause must be an array"
NOT_A_DICTIONARY = "an individual trigger must be a dictionary"
NAME_REQUIRED = "the 'name' field of a trigger is required"
TYPE_MUST_BE_SCHEDULED = "the trigger 'type' field must be 'SCHEDULED'"
DETAILS_REQUIRED = (
    """the 'scheduledDetails' property of a trigger is required for type="SCHEDULED\""""
)
DETAILS_NOT_A_DICTIONARY = "the 'scheduledDetails' property of a trigger must be a dictionary"
CRON_REQUIRED = "the 'cron' member of scheduledDetails is required"
BODY_NOT_A_DICTIONARY = "the 'body' member of scheduledDetails must be a dictionary"

# The legacy spelling (`sourceType: scheduler`, `sourceDetails: {cron, withBody}`) is read as
# the current one (`type: SCHEDULED`, `scheduledDetails: {cron, body}`).
_DETAILS_KEYS = ("scheduledDetails", "sourceDetails")
_BODY_KEYS = ("body", "withBody")


def check_triggers(triggers: Any, path: str) -> None:
    """Raise ProjectError for what the deployer's `validateTriggers` refuses."""
    if not isinstance(triggers, list):
        raise ProjectError(NOT_AN_ARRAY, key_path=path)
    for index, trigger in enumerate(triggers):
        _check_trigger(trigger, f"{path}[{index}]")


def _check_trigger(trigger: Any, path: str) -> None:
    if not is_dictionary(trigger):
        raise ProjectError(NOT_A_DICTIONARY, key_path=path)
    for key, value in trigger.items():
        at = f"{path}.{key}"
        if key == "name":
            if not isinstance(value, str):
                # The deployer's message, missing space included.
                message = (
                    f"a trigger name must be a string but the provided type is'{typeof(value)}'"
                )
                raise ProjectError(message, key_path=at)
        elif key in ("type", "sourceType"):
            if not _is_scheduled(key, value):
                raise ProjectError(TYPE_MUST_BE_SCHEDULED, key_path=at)
        elif key in _DETAILS_KEYS:
            _check_details(value, at)
        elif key == "enabled":
            if not isinstance(value, bool):
                raise ProjectError(
                    "the 'enabled' property of a trigger must be boolean'", key_path=at
                )
        else:
            message = f"Invalid key '{key}' found in 'triggers' clause in project.yml"
            raise ProjectError(message, key_path=at)
    if not trigger.get("name"):
        raise ProjectError(NAME_REQUIRED, key_path=path)
    if "type" not in trigger and "sourceType" not in trigger:
        raise ProjectError(TYPE_MUST_BE_SCHEDULED, key_path=path)
    if not any(key in trigger for key in _DETAILS_KEYS):
        raise ProjectError(DETAILS_REQUIRED, key_path=path)


def _is_scheduled(key: str, value: Any) -> bool:
    if key == "sourceType":
        return bool(value == "scheduler")
    return isinstance(value, str) and value.upper() == "SCHEDULED"


def _check_details(details: Any, path: str) -> None:
    if not is_dictionary(details):
        raise ProjectError(DETAILS_NOT_A_DICTIONARY, key_path=path)
    for key, value in details.items():
        at = f"{path}.{key}"
        if key == "cron":
            if not (isinstance(value, str) and is_valid_cron(value)):
                message = f"the cron expression '{value}' is not valid crontab syntax"
                raise ProjectError(message, key_path=at)
        elif key in _BODY_KEYS:
            if not is_dictionary(value):
                raise ProjectError(BODY_NOT_A_DICTIONARY, key_path=at)
        else:
            message = f"Invalid key '{key}' found in scheduledDetails in project.yml"
            raise ProjectError(message, key_path=at)
    if "cron" not in details:
        raise ProjectError(CRON_REQUIRED, key_path=path)


def triggers_from(triggers: list[dict[str, Any]], function: str) -> tuple[ScheduledTrigger, ...]:
    """The Trigger values of a function's checked `triggers` clause."""
    return tuple(_trigger_from(trigger, function) for trigger in triggers)


def _trigger_from(trigger: dict[str, Any], function: str) -> ScheduledTrigger:
    details = next(trigger[key] for key in _DETAILS_KEYS if key in trigger)
    body: dict[str, Any] = next((details[key] for key in _BODY_KEYS if key in details), {})
    return ScheduledTrigger(
        name=trigger["name"],
        function=function,
        cron=details["cron"].strip(),
        body=dict(body),
        enabled=trigger.get("enabled", True),
    )
