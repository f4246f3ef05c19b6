"""`GET /metrics`: Prometheus's text format, read back with prometheus_client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from tests.support.fixture_types import MakeClient
from tests.support.paths import FIXTURE_PROJECTS
from tests.support.routes import ACTIONS, METRICS

PROJECT = FIXTURE_PROJECTS / "replay"


async def _samples(client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = await client.get(METRICS)
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    families = text_string_to_metric_families(await answer.text())
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in families
        for sample in family.samples
    }


def _labels(**labels: str) -> frozenset[tuple[str, str]]:
    return frozenset(labels.items())


async def test_metrics_count_activations_by_function_and_status_with_durations_and_starts(
    make_client: MakeClient,
):
    client = await make_client(PROJECT)
    for params in ({"a": 1}, {"a": 2}, {"a": "x"}):
        await client.post(f"{ACTIONS}/calc/add?blocking=true", json=params)

    samples = await _samples(client)

    activations = "functions_emulator_activations_total"
    assert samples[(activations, _labels(function="calc/add", status="success"))] == 2
    assert samples[(activations, _labels(function="calc/add", status="application error"))] == 1
    histogram = "functions_emulator_activation_duration_seconds"
    assert samples[(f"{histogram}_count", _labels(function="calc/add"))] == 3
    assert samples[(f"{histogram}_bucket", _labels(function="calc/add", le="+Inf"))] == 3
    starts = "functions_emulator_starts_total"
    assert samples[(starts, _labels(function="calc/add", start="cold"))] == 1
    assert samples[(starts, _labels(function="calc/add", start="warm"))] == 2
    assert samples[("functions_emulator_warm_processes", _labels(state="idle"))] >= 1
    assert samples[("functions_emulator_queue_depth", frozenset())] == 0


async def test_refused_calls_are_counted_by_throttle(make_client: MakeClient):
    client = await make_client(PROJECT, invocations_per_minute=1)
    statuses = [
        (await client.post(f"{ACTIONS}/calc/add?blocking=true", json={"a": 1})).status
        for _ in range(3)
    ]
    assert statuses == [200, 429, 429]

    samples = await _samples(client)

    throttled = "functions_emulator_throttled_total"
    assert samples[(throttled, _labels(limit="invocations per minute"))] == 2
    assert samples[(throttled, _labels(limit="concurrent invocations"))] == 0


async def test_each_emulator_counts_its_own_activations(make_client: MakeClient, tmp_path):
    busy = await make_client(PROJECT)
    await busy.post(f"{ACTIONS}/calc/add?blocking=true", json={"a": 1})
    other = await make_client(PROJECT, db_path=tmp_path / "other.db")

    samples = await _samples(other)

    assert not any(name == "functions_emulator_activations_total" for name, _ in samples)


async def test_metrics_take_the_namespace_s_key(make_client: MakeClient):
    client = await make_client(PROJECT, authorized=False)
    assert (await client.get(METRICS)).status == 401
