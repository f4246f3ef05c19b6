"""Where a running emulator is, and which key and namespace a client uses with it."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.settings import Credentials


@dataclass(frozen=True, slots=True)
class Connection:
    host: str
    port: int
    credentials: Credentials
    # None: `_`, the caller's own namespace, as doctl sends.
    namespace: str | None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def path_namespace(self) -> str:
        return self.namespace or "_"
