"""What the namespace's triggers and rules need of the invoker: to start an activation.

The invoker sits above this layer; it satisfies these protocols without being imported here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Protocol

from emulator.namespace.entities import JSON, Activation


class Started(Protocol):
    """An activation that has started: its id may be handed out."""

    @property
    def activation_id(self) -> str: ...


class Invoking(Protocol):
    async def invoke(
        self,
        path: str,
        params: Mapping[str, JSON],
        *,
        request_id: str,
        cause: str | None = None,
        annotations: Mapping[str, JSON] | None = None,
    ) -> Started:
        """Start an activation of the function at `path` (`pkg/fn`); it is recorded when it ends."""
        ...


class Recording(Protocol):
    def finish(self, activation: Activation) -> Awaitable[object]:
        """Keep the record of an activation that has ended (a trigger's own, say)."""
        ...
