"""Function code the tests deploy through the API."""

from __future__ import annotations

NODE_HELLO = "function main(args) { return { body: 'Hello ' + (args.name || 'stranger') } }"
