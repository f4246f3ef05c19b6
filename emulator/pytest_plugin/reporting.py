"""What the plugin tells the developer: the banner's "cannot run here" lines at the start, and
an activation's logs in the message of a failed comparison on it."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.pytest_plugin.activation import Activation

# The activations the handles returned lately, to recognise their results in assertions.
_RECENT: pytest.StashKey[deque[Activation]] = pytest.StashKey()
_ANNOUNCED: pytest.StashKey[set[str]] = pytest.StashKey()
_KEPT = 500


def remembering(config: pytest.Config) -> Callable[[Activation], None]:
    """The callback a handle calls with each activation it returns."""
    recent = config.stash.setdefault(_RECENT, deque(maxlen=_KEPT))
    return recent.append


def explain(
    config: pytest.Config, op: str, left: object, right: object, *, plugin: object
) -> list[str] | None:
    """pytest_assertrepr_compare: when a side is an activation (or its result, or its logs)
    that a handle returned, its status and logs, then the explanation pytest gives without
    `plugin` (this one)."""
    found = _activation_of(config, left) or _activation_of(config, right)
    if found is None:
        return None
    lines = [f"{_short(left)} {op} {_short(right)}", *found.describe().splitlines()]
    others = config.pluginmanager.subset_hook_caller("pytest_assertrepr_compare", [plugin])
    for explanation in others(config=config, op=op, left=left, right=right):
        if explanation:
            # Its first line is the summary ours begins with.
            return lines + list(explanation)[1:]
    return lines


def announce(config: pytest.Config, project: str, lines: list[str]) -> None:
    """Print, once per project and session, what the start banner says cannot run here."""
    announced = config.stash.setdefault(_ANNOUNCED, set())
    if not lines or project in announced:
        return
    announced.add(project)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    capture = config.pluginmanager.get_plugin("capturemanager")
    disabled = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
    with disabled:
        reporter.write_line("")
        reporter.write_line(f"functions_emulator: cannot run here ({project})", yellow=True)
        for line in lines:
            reporter.write_line(f"  {line}")


def _activation_of(config: pytest.Config, value: object) -> Activation | None:
    if value is None or isinstance(value, str | int | float | bool):
        # Equal scalars are often the same object: identity says nothing about them.
        return None
    recent = config.stash.get(_RECENT, None)
    for activation in reversed(recent or ()):
        if value is activation or value is activation.result or value is activation.logs:
            return activation
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
