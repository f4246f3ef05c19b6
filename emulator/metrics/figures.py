"""EmulatorMetrics: counts every activation as an observer, and reads the live figures (warm
processes, queue depth, throttled calls) from the services when Prometheus scrapes.

Each app has its own CollectorRegistry: nothing goes to prometheus_client's global one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from emulator.namespace.entities import JSON, Activation
from emulator.namespace.throttling import THROTTLES
from emulator.services import Services

PREFIX = "functions_emulator"
# Seconds: from a warm call's few milliseconds to the platform's 15-minute limit.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)


class EmulatorMetrics:
    """An ActivationObserver: each finished activation is counted by function and status,
    its duration observed, and its start counted as cold or warm."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._activations = Counter(
            f"{PREFIX}_activations",
            "Activations that ended, by function and status.",
            ["function", "status"],
            registry=self.registry,
        )
        self._durations = Histogram(
            f"{PREFIX}_activation_duration_seconds",
            "How long activations ran, by function.",
            ["function"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self._starts = Counter(
            f"{PREFIX}_starts",
            "Activations by how their process started: cold (a new process) or warm.",
            ["function", "start"],
            registry=self.registry,
        )

    def watch(self, services: Services) -> None:
        """Read the live figures from `services` at each scrape."""
        self.registry.register(_LiveFigures(services))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def started(self, activation_id: str, path: str, params: Mapping[str, JSON]) -> None:
        """Counted when it ends."""

    def log_line(self, path: str, stream: str, text: str) -> None:
        """Not a figure."""

    def notice(self, path: str, text: str) -> None:
        """Not a figure."""

    def finished(self, activation: Activation) -> None:
        function = activation.path
        status = activation.response.status_code.status
        self._activations.labels(function=function, status=status).inc()
        self._durations.labels(function=function).observe(activation.duration / 1000)
        cold = activation.annotations.get("initTime") is not None
        self._starts.labels(function=function, start="cold" if cold else "warm").inc()


class _LiveFigures(Collector):
    def __init__(self, services: Services) -> None:
        self._services = services

    def collect(self) -> Iterator[Metric]:
        pool = self._services.pool
        processes = GaugeMetricFamily(
            f"{PREFIX}_warm_processes",
            "Function processes kept: idle (warm, waiting for a call) or busy.",
            labels=["state"],
        )
        processes.add_metric(["idle"], pool.idle_processes)
        processes.add_metric(["busy"], pool.busy_processes)
        yield processes
        yield GaugeMetricFamily(
            f"{PREFIX}_queue_depth",
            "Activations waiting for a process of their function to start or come back.",
            value=pool.waiting,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_activations_running",
            "Activations started and not yet recorded.",
            value=self._services.invoker.running,
        )
        throttled = CounterMetricFamily(
            f"{PREFIX}_throttled",
            "Calls refused with 429 by the platform's throttles, by throttle.",
            labels=["limit"],
        )
        for limit in THROTTLES:
            throttled.add_metric([limit], self._services.throttle.refused[limit])
        yield throttled


METRICS = web.AppKey("metrics", EmulatorMetrics)
