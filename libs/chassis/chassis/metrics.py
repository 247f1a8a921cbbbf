"""Prometheus metrics of one service: request latency, outbox backlog, events published and handled, queue lag.

Each app has its own registry (several apps may share a test process); Prometheus tells
the services apart by their scrape target, and every sample also carries ``service``.
"""

import contextlib
import time
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chassis.db import Database
from chassis.events import Envelope
from chassis.tables import outbox
from chassis.tenancy import SYSTEM

#: Event handling outcomes (``journal_events_handled_total{outcome=...}``).
OK, DUPLICATE, RETRIED, DEAD_LETTERED, UNREADABLE = "ok", "duplicate", "retried", "dead_lettered", "unreadable"

#: Queue lag spans from a live read model (tens of ms) to a consumer catching up after an outage.
LAG_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.service = service
        labels = ["service"]
        self.request_seconds = Histogram(
            "journal_http_request_duration_seconds",
            "HTTP request duration by route template",
            [*labels, "method", "route", "status"],
            registry=self.registry,
        )
        self.outbox_backlog = Gauge(
            "journal_outbox_backlog", "Outbox rows not yet published", labels, registry=self.registry
        )
        self.events_published = Counter(
            "journal_events_published", "Events the outbox relay published", [*labels, "type"], registry=self.registry
        )
        self.events_publish_failed = Counter(
            "journal_events_publish_failed",
            "Events the broker returned, refused or did not confirm in time; they stay in the outbox",
            [*labels, "type", "error"],
            registry=self.registry,
        )
        self.events_handled = Counter(
            "journal_events_handled",
            "Events a consumer took, by outcome",
            [*labels, "consumer", "type", "outcome"],
            registry=self.registry,
        )
        self.handler_seconds = Histogram(
            "journal_event_handler_duration_seconds",
            "Time to handle an event (inbox and handler, one transaction)",
            [*labels, "consumer", "type"],
            registry=self.registry,
        )
        self.queue_lag_seconds = Histogram(
            "journal_event_lag_seconds",
            "Age of an event when its handler succeeded (now - envelope time)",
            [*labels, "consumer"],
            buckets=LAG_BUCKETS,
            registry=self.registry,
        )

    def published(self, event_type: str) -> None:
        self.events_published.labels(self.service, event_type).inc()

    def publish_failed(self, event_type: str, error: str) -> None:
        self.events_publish_failed.labels(self.service, event_type, error).inc()

    def handled(self, consumer: str, event_type: str, outcome: str) -> None:
        self.events_handled.labels(self.service, consumer, event_type, outcome).inc()

    def handling_finished(self, consumer: str, envelope: Envelope, outcome: str, started: float) -> None:
        """Count an event that reached its handler; time it and, once applied, how late it came."""
        self.handled(consumer, envelope.type, outcome)
        self.handler_seconds.labels(self.service, consumer, envelope.type).observe(time.perf_counter() - started)
        if outcome == OK:
            lag = (datetime.now(UTC) - envelope.time).total_seconds()
            self.queue_lag_seconds.labels(self.service, consumer).observe(max(lag, 0.0))


class RequestMetricsMiddleware:
    """Times each HTTP request, labelled by the matched route's template so no ids reach the labels."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception escaping the app becomes a 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.request_seconds.labels(
                self.metrics.service, scope["method"], route, f"{status // 100}xx"
            ).observe(time.perf_counter() - started)


async def unsent_outbox_rows(db: Database) -> int:
    async with db.transaction(SYSTEM) as session:
        return await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))) or 0


def metrics_router() -> APIRouter:
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        metrics: Metrics = request.app.state.metrics
        # A database outage must not hide the other metrics: the backlog keeps its last value.
        with contextlib.suppress(Exception):
            metrics.outbox_backlog.labels(metrics.service).set(await unsent_outbox_rows(request.app.state.db))
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router
