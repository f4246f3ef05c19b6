"""Binding parameters for one activation: package < function < request, and `final`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from emulator.namespace.entities import JSON, Action, Package, Parameter
from emulator.namespace.errors import ForbiddenParameters


@dataclass(frozen=True, slots=True)
class Binding:
    event: dict[str, JSON]  # the function's argument
    environment: dict[str, str]  # init parameters: project.yml `environment`


def bind(
    action: Action,
    package: Package | None,
    request: Mapping[str, JSON],
    *,
    check_final: bool = True,
) -> Binding:
    """Merge bound parameters under the request's; refuse overriding a `final` function's.

    `check_final=False` skips the refusal: a raw web function's request carries only the
    platform's `__ow_*` fields, which the platform lets through whatever is bound."""
    bound = [*(package.parameters if package else ()), *action.parameters]
    event = {p.key: p.value for p in bound if not p.init}
    if check_final and action.is_final and any(key in event for key in request):
        raise ForbiddenParameters()
    event.update(request)
    environment = {p.key: environment_value(p) for p in bound if p.init}
    return Binding(event, environment)


def environment_value(parameter: Parameter) -> str:
    """Init parameters reach the process as strings; others as compact JSON, null as ""."""
    value = parameter.value
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return json.dumps(value, separators=(",", ":"))
