"""Prometheus metrics, served at ``GET /v1/metrics`` in the text format, to admin keys.

Requests are counted and timed by method, **route template** (``/v1/banks/{name}``, never the raw
path, which may carry data and has no bound) and status; a request that matched no route is
``route="<unmatched>"``. At each scrape, gauges read what the service already knows: the number of
hashes in the bank index and whether the models are loaded. Nothing about a key, an image or a hash
is ever a label.

``/v1/metrics`` takes an admin key, like every route but ``/healthz`` and ``/readyz`` (a test
holds the service to that): the counts and the index size are operational facts an outsider has
no need of. The scraper sends the key as ``Authorization: Bearer`` (Prometheus'
``authorization.credentials_file``); keep that key to that one use, so that it can be revoked
alone.

Each app has its own registry (tests build many apps in one process). Each server process has its
own counts: with ``bouclier serve --workers N`` a scrape sees one process's numbers.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.datastructures import State

UNMATCHED = "<unmatched>"
# Seconds: hashing or analysing an image takes tens to hundreds of milliseconds, a match less.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class HttpMetrics:
    """The request counter and latency histogram, and the service gauges, in one registry."""

    def __init__(self, state: State) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "bouclier_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "bouclier_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ("method", "route", "status"),
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_ServiceCollector(state))
        # each label set's counter and histogram, found once (prometheus_client's labels() checks
        # and formats its arguments on every call)
        self._series: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        series = self._series.get((method, route, status))
        if series is None:  # bounded: route templates times methods times statuses
            labels = (method, route, str(status))
            series = self.requests.labels(*labels), self.latency.labels(*labels)
            self._series[(method, route, status)] = series
        series[0].inc()
        series[1].observe(seconds)


class _ServiceCollector(Collector):
    """Gauges read from ``app.state.services`` at each scrape (none before the lifespan)."""

    def __init__(self, state: State) -> None:
        self._state = state

    def describe(self) -> list[GaugeMetricFamily]:
        return []  # values come from the service at scrape time; nothing to check beforehand

    def collect(self) -> Iterator[GaugeMetricFamily]:
        services = getattr(self._state, "services", None)
        if services is None:
            return
        yield GaugeMetricFamily(
            "bouclier_bank_index_hashes",
            "Hashes in the bank index this process matches against.",
            value=len(services.matcher),
        )
        yield GaugeMetricFamily(
            "bouclier_models_ready",
            "1 when the models are loaded, else 0.",
            value=1 if services.models_ready.is_set() else 0,
        )
