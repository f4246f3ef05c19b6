"""The API's routes and the default key, as a client of the emulator names them."""

from __future__ import annotations

import base64

from emulator.settings import DEFAULT_AUTH

AUTH_HEADER = "Basic " + base64.b64encode(DEFAULT_AUTH.encode()).decode()
# The namespace of the default key: `fn-` and the key's UUID.
NAMESPACE = "fn-" + DEFAULT_AUTH.partition(":")[0]
# `_` is the caller's own namespace.
NS = "/api/v1/namespaces/_"
ACTIONS = NS + "/actions"
ACTIVATIONS = NS + "/activations"
PACKAGES = NS + "/packages"
TRIGGERS = NS + "/triggers"
RULES = NS + "/rules"
# DigitalOcean's API for the scheduled triggers of project.yml.
SCHEDULED_TRIGGERS = "/v2/functions/namespaces/_/triggers"
# Web functions name their namespace in full.
WEB = f"/api/v1/web/{NAMESPACE}"
# The emulator's own routes: an activation's recorded request, its replay; and the metrics.
LOCAL_ACTIVATIONS = "/emulator/v1/namespaces/_/activations"
METRICS = "/metrics"
