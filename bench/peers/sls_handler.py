"""sample/hello as an AWS Lambda handler, for serverless-offline."""

from __future__ import annotations

from typing import Any


def hello(event: dict[str, Any], context: object) -> dict[str, str]:
    name = event.get("name", "stranger")
    print(f"greeted {name}")
    return {"body": f"Hello {name}!"}
