"""Triggers, rules and limits: the minimal collections `nim namespace get` and the SDK use."""

import json

from tests.support.records import wait_for_record
from tests.support.routes import ACTIONS, NAMESPACE, NS
from tests.support.snippets import NODE_HELLO


async def make_rule(client, *, status_active=True):
    await client.put(f"{ACTIONS}/greet", json={"exec": {"kind": "nodejs:18", "code": NODE_HELLO}})
    response = await client.put(
        f"{NS}/triggers/ping", json={"parameters": [{"key": "name", "value": "trigger"}]}
    )
    assert response.status == 200
    response = await client.put(
        f"{NS}/rules/on-ping", json={"trigger": "/_/ping", "action": "/_/greet"}
    )
    assert response.status == 200, await response.text()
    return await response.json()


async def test_limits_are_digitaloceans(deploy_client):
    response = await deploy_client.get(f"{NS}/limits")
    doc = await response.json()
    assert response.status == 200
    assert doc["concurrentInvocations"] == 120
    assert doc["invocationsPerMinute"] == 600
    assert doc["firesPerMinute"] == 600
    assert (doc["minActionMemory"], doc["maxActionMemory"]) == (128, 1024)
    assert (doc["minActionTimeout"], doc["maxActionTimeout"]) == (100, 900_000)


async def test_empty_collections_list_as_arrays(deploy_client):
    for collection in ("triggers", "rules"):
        response = await deploy_client.get(f"{NS}/{collection}")
        assert (response.status, await response.json()) == (200, [])


async def test_a_rule_connects_a_trigger_to_a_function(deploy_client):
    rule = await make_rule(deploy_client)
    assert rule["status"] == "active"
    assert rule["trigger"]["name"] == "ping"
    assert rule["action"]["name"] == "greet"
    trigger = await (await deploy_client.get(f"{NS}/triggers/ping")).json()
    assert trigger["limits"] == {}
    assert trigger["rules"] == {
        f"{NAMESPACE}/on-ping": {
            "action": {"path": NAMESPACE, "name": "greet"},
            "status": "active",
        }
    }
    for collection in ("triggers", "rules"):
        listed = await (await deploy_client.get(f"{NS}/{collection}")).json()
        assert len(listed) == 1
        assert listed[0]["annotations"] == []


async def test_firing_a_trigger_invokes_its_rules_functions(deploy_client):
    await make_rule(deploy_client)
    response = await deploy_client.post(f"{NS}/triggers/ping", json={})
    assert response.status == 202
    trigger_id = (await response.json())["activationId"]
    record = await wait_for_record(deploy_client, trigger_id)
    entry = json.loads(record["logs"][0])
    assert entry["success"] is True
    fired = await wait_for_record(deploy_client, entry["activationId"])
    assert fired["response"]["result"] == {"body": "Hello trigger"}
    assert fired["cause"] == trigger_id


async def test_a_trigger_without_active_rules_fires_nothing(deploy_client):
    await make_rule(deploy_client)
    response = await deploy_client.post(f"{NS}/rules/on-ping", json={"status": "inactive"})
    assert (response.status, (await response.json())["status"]) == (200, "inactive")
    fired = await deploy_client.post(f"{NS}/triggers/ping", json={})
    assert fired.status == 204


async def test_create_twice_get_missing_and_delete(deploy_client):
    await make_rule(deploy_client)
    again = await deploy_client.put(f"{NS}/triggers/ping", json={})
    assert (again.status, (await again.json())["error"]) == (409, "resource already exists")
    assert (await deploy_client.get(f"{NS}/triggers/none")).status == 404
    assert (await deploy_client.delete(f"{NS}/rules/on-ping")).status == 200
    assert (await deploy_client.delete(f"{NS}/triggers/ping")).status == 200
    assert (await deploy_client.get(f"{NS}/rules/on-ping")).status == 404
    assert (await deploy_client.post(f"{NS}/triggers/ping", json={})).status == 404
