"""sample/hello as a Google Cloud Functions HTTP function, for functions-framework."""

from __future__ import annotations

from typing import Any


def hello(request: Any) -> dict[str, str]:
    event = request.get_json(silent=True) or {}
    name = event.get("name", "stranger")
    print(f"greeted {name}")
    return {"body": f"Hello {name}!"}
