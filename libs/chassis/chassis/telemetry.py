"""OpenTelemetry tracing and structured JSON logs carrying the trace id."""

import logging
import re
import sys

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased

_configured = False


def _add_trace_ids(_logger: object, _method: str, event: dict) -> dict:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


#: A СНИЛС as people and PostgreSQL's messages write it: 123-456-789 01.
_SNILS = re.compile(r"\b\d{3}-\d{3}-\d{3}[ -]\d{2}\b")


def _hide_snils(_logger: object, _method: str, event: dict) -> dict:
    """R-5: no СНИЛС reaches a log, even inside a traceback whose message quotes a row (the last line of defence:
    handlers log ids, and database errors their constraint, not values)."""
    for key, value in event.items():
        if isinstance(value, str) and _SNILS.search(value):
            event[key] = _SNILS.sub("***-***-*** **", value)
    return event


def setup_telemetry(service_name: str, *, log_level: str = "INFO", otlp_endpoint: str | None = None) -> None:
    """Once per process: a tracer provider (exporting over OTLP when an endpoint is set) and JSON logs."""
    global _configured
    if _configured:
        return
    _configured = True
    # With nowhere to export them, spans are not recorded: they still carry trace ids into the logs and across
    # services, without the cost of filling spans that are thrown away.
    sampler = ParentBased(ALWAYS_ON if otlp_endpoint else ALWAYS_OFF)
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}), sampler=sampler)
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces")))
    trace.set_tracer_provider(provider)

    logging.basicConfig(format="%(message)s", stream=sys.stdout, level=log_level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _add_trace_ids,
            structlog.processors.format_exc_info,
            _hide_snils,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(log_level)),
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service_name)
