"""The least an aiohttp server can be: one route, `web.run_app`. Scenario 9 starts it as it
starts `serve`, with the same interpreter, and times it to its first answer the same way.

    python bench/peers/minimal_aiohttp.py PORT
"""

from __future__ import annotations

import sys

from aiohttp import web


async def api(request: web.Request) -> web.Response:
    return web.json_response({"api_paths": ["/api/v1"]})


def main() -> None:
    app = web.Application()
    app.router.add_get("/api/v1", api)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)


if __name__ == "__main__":
    main()
