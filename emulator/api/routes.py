"""The emulator's whole URL table, on one screen."""

from __future__ import annotations

from aiohttp import web

from emulator.api import (
    actions,
    activations,
    builder,
    doctl_host,
    local,
    meta,
    metrics,
    namespaces,
    packages,
    scheduled_triggers,
    triggers_and_rules,
    web_actions,
)
from emulator.builder.remote_builds import (
    BUILDER_NAMESPACE,
    BUILDER_PACKAGE,
    UPLOAD_PATH,
)

NS = "/api/v1/namespaces/{ns}"
# One segment, or `package/name`: the route takes exactly one or two after `actions/`.
ACTION = NS + "/actions/{name:[^/]+(?:/[^/]+)?}"
PACKAGE = NS + "/packages/{name:[^/]+}"
TRIGGER = NS + "/triggers/{name:[^/]+}"
RULE = NS + "/rules/{name:[^/]+}"
# DigitalOcean's own API: the account's namespaces, and the scheduled triggers of project.yml.
NAMESPACES = "/v2/functions/namespaces"
SCHEDULED = NAMESPACES + "/{ns}/triggers"
# The platform's builder functions, which every namespace may invoke (before ACTION).
BUILDER = f"/api/v1/namespaces/{BUILDER_NAMESPACE}/actions/{BUILDER_PACKAGE}/{{name:[^/]+}}"
# Namespace, package (or `default`), function with its extension, then any extra path.
WEB = "/api/v1/web/{ns}/{package}/{name}{extra:(?:/.*)?}"
# The emulator's own routes, outside every path of the platform's.
LOCAL_NS = local.LOCAL + "/namespaces/{ns}"
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
            web.get("/api/v1", meta.api_info),
            web.options("/api/v1{tail:.*}", meta.preflight),
            web.get("/api/v1/namespaces", meta.namespaces),
            web.get(NS + "/limits", meta.limits),
            web.post(BUILDER, builder.invoke),
            web.put(UPLOAD_PATH + "/{slice:[^/]+}", builder.upload_slice),
            web.get(NS + "/actions", actions.list_actions),
            web.get(NS + "/actions/{package}/", actions.list_actions),
            web.get(ACTION, actions.get_action),
            web.put(ACTION, actions.put_action),
            web.delete(ACTION, actions.delete_action),
            web.post(ACTION, actions.invoke),
            web.get(NS + "/packages", packages.list_packages),
            web.get(PACKAGE, packages.get_package),
            web.put(PACKAGE, packages.put_package),
            web.delete(PACKAGE, packages.delete_package),
            web.get(NS + "/triggers", triggers_and_rules.list_triggers),
            web.get(TRIGGER, triggers_and_rules.get_trigger),
            web.put(TRIGGER, triggers_and_rules.put_trigger),
            web.delete(TRIGGER, triggers_and_rules.delete_trigger),
            web.post(TRIGGER, triggers_and_rules.fire_trigger),
            web.get(NS + "/rules", triggers_and_rules.list_rules),
            web.get(RULE, triggers_and_rules.get_rule),
            web.put(RULE, triggers_and_rules.put_rule),
            web.delete(RULE, triggers_and_rules.delete_rule),
            web.post(RULE, triggers_and_rules.set_rule_status),
            web.get(SCHEDULED, scheduled_triggers.list_triggers),
            web.post(SCHEDULED + "/{name:[^/]+}/fire", scheduled_triggers.fire_trigger),
            web.get(NAMESPACES, namespaces.list_namespaces),
            web.get(NAMESPACES + "/{ns}", namespaces.get_namespace),
            web.get(SCHEDULED + "/{name:[^/]+}", scheduled_triggers.get_trigger),
            web.put(SCHEDULED + "/{name:[^/]+}", scheduled_triggers.update_trigger),
            web.delete(SCHEDULED + "/{name:[^/]+}", scheduled_triggers.delete_trigger),
            web.get(NS + "/activations", activations.list_activations),
            web.get(NS + "/activations/{id}", activations.get_activation),
            web.get(NS + "/activations/{id}/logs", activations.get_logs),
            web.get(NS + "/activations/{id}/result", activations.get_result),
            # The emulator's own: replays.
            web.get(LOCAL_NS + "/activations/{id}/request", local.get_request),
            web.post(LOCAL_NS + "/activations/{id}/replay", local.replay),
            web.get("/metrics", metrics.metrics),
            # The same API for doctl under the host the control plane lists (see doctl_host).
            web.route("*", doctl_host.ALIAS + "{tail:(?:/.*)?}", doctl_host.dispatch),
        ]
    )
