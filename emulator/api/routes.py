"""The emulator's whole URL table, on one screen."""

from __future__ import annotations

from aiohttp import web

from emulator.api import actions, activations, meta, web_actions

NS = "/api/v1/namespaces/{ns}"
# One segment, or `package/name`: the route takes exactly one or two after `actions/`.
ACTION = NS + "/actions/{name:[^/]+(?:/[^/]+)?}"
# Namespace, package (or `default`), function with its extension, then any extra path.
WEB = "/api/v1/web/{ns}/{package}/{name}{extra:(?:/.*)?}"
# GET brings HEAD with it.
WEB_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def setup_routes(app: web.Application) -> None:
    app.add_routes(
        [
            # Before the OPTIONS below: web functions answer their own preflights.
            *(web.route(method, WEB, web_actions.invoke) for method in WEB_METHODS),
            *(
                web.route(method, "/api/v1/web{tail:(?:/.*)?}", web_actions.incomplete_path)
                for method in WEB_METHODS
            ),
            web.get("/", meta.info),
            web.get("/api/v1", meta.api_info),
            web.options("/api/v1{tail:.*}", meta.preflight),
            web.get("/api/v1/namespaces", meta.namespaces),
            web.get(NS + "/actions", actions.list_actions),
            web.get(NS + "/actions/{package}/", actions.list_actions),
            web.get(ACTION, actions.get_action),
            web.post(ACTION, actions.invoke),
            web.get(NS + "/activations", activations.list_activations),
            web.get(NS + "/activations/{id}", activations.get_activation),
            web.get(NS + "/activations/{id}/logs", activations.get_logs),
            web.get(NS + "/activations/{id}/result", activations.get_result),
        ]
    )
