"""docs/development.md: the scheduled trigger's project.yml loads with its schedule, and the
two trigger routes list it and fire it."""

from __future__ import annotations

import json
from pathlib import Path

from emulator.project import load_project
from tests.support.doc_blocks import block, run_script, user_environment
from tests.support.routes import NAMESPACE
from tests.support.servers import ServerProcess


def test_the_trigger_project_loads_with_its_schedule(trigger_project: Path):
    assert block("development-trigger-project").language == "yaml"
    project = load_project(trigger_project / "project.yml", namespace=NAMESPACE, environ={})
    (trigger,) = project.triggers
    assert (trigger.name, trigger.function, trigger.cron) == (
        "every-morning",
        "reports/daily",
        "0 9 * * *",
    )
    assert trigger.enabled


def test_the_trigger_routes_list_and_fire_the_trigger(
    trigger_server: ServerProcess, tmp_path: Path
):
    done = run_script(
        block("development-trigger-routes").text,
        cwd=tmp_path,
        env=user_environment(APIHOST=trigger_server.url),
    )
    assert done.returncode == 0, done.stderr
    listed, fired = (json.loads(line) for line in done.stdout.splitlines())
    (trigger,) = listed["triggers"]
    assert trigger["name"] == "every-morning"
    assert trigger["function"] == "reports/daily"
    assert trigger["scheduled_details"] == {"cron": "0 9 * * *", "body": {"report": "daily"}}
    assert trigger["scheduled_runs"]["last_run_at"] is None
    assert trigger["scheduled_runs"]["next_run_at"].endswith("T09:00:00Z")

    record = trigger_server.wait_for_record(fired["activationId"])
    assert record["response"]["result"] == {"report": "daily"}
    annotations = {a["key"]: a["value"] for a in record["annotations"]}
    assert (annotations["trigger"], annotations["firing"]) == ("every-morning", "on demand")
