"""Service settings from the environment, with defaults that work on a developer machine."""

from datetime import datetime
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PORTS = {
    "gateway": 8000,
    "roster": 8001,
    "gradebook": 8002,
    "attendance": 8003,
    "notifications": 8004,
    "reporting": 8005,
    "esia_sandbox": 8010,
}


class ServiceSettings(BaseSettings):
    """Every setting can be overridden as ``JOURNAL_<NAME>`` in the environment.

    Each service process gets its own environment, so one prefix serves all services.
    """

    model_config = SettingsConfigDict(env_prefix="JOURNAL_", extra="ignore")

    service_name: str = "service"
    #: ``production`` and ``development`` read the system clock; only ``test`` takes ``test_clock``.
    profile: Literal["development", "test", "production"] = "development"
    #: Tests only: the instant the service's clock starts at (``chassis.clock``).
    test_clock: datetime | None = None
    #: The region's time zone: a school's "today" (the edit window, the diary's week) is its local date.
    timezone: str = "Europe/Moscow"
    host: str = "127.0.0.1"
    port: int = 0
    #: The service's own database; the role must not be a superuser (RLS must apply to it).
    database_url: str = ""
    #: host:port of PostgreSQL, used when ``database_url`` is not given.
    db_server: str = "127.0.0.1:5432"
    #: Used once at start to create the role and database if they are missing.
    admin_database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    db_role: str = "journal"
    #: Connections kept open, and opened beyond them at peaks; the relay's LISTEN takes one more.
    db_pool_size: int = 10
    db_max_overflow: int = 10
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    exchange: str = "school.events"
    #: R-70: the state-services portal's exchange, fed ``public.#`` from ``exchange``; its own
    #: credentials may read here and nowhere else (docs/portal.md).
    public_exchange: str = "public.events"
    #: Prepended to queue names, so a test run's queues never take a running demo's messages.
    queue_prefix: str = ""
    #: Where the gateway publishes the keys that sign internal tokens.
    jwks_url: str = "http://127.0.0.1:8000/.well-known/jwks.json"
    token_audience: str = "journal-services"
    token_issuer: str = "journal-gateway"
    run_relay: bool = True
    run_consumers: bool = True
    migrate_on_start: bool = True
    #: Unacknowledged deliveries a consumer holds: a batch being applied and the next one arriving.
    prefetch: int = 100
    #: A consumer applies up to this many deliveries in one transaction (``chassis.consumers``) …
    consumer_batch: int = 50
    #: … or what arrived within this long of the first.
    consumer_batch_window_ms: float = 5.0
    #: Attempts of a failing handler before its message is dead-lettered (an outage costs none).
    max_attempts: int = 6
    #: The delay queues a failed message waits in before attempt 2, 3, …; the last one repeats.
    #: Each is its own queue, so a new schedule declares new queues and never conflicts with old ones.
    retry_delays_ms: list[int] = [1_000, 5_000, 30_000, 120_000, 600_000]
    #: Quorum-queue delivery limit (a policy): a message that crashes consumers this often is
    #: dead-lettered. Generous, since a consumer that loses its connection also counts a delivery.
    delivery_limit: int = 20
    #: A publish the broker has not confirmed in this time stays unsent in the outbox.
    publish_timeout_seconds: float = 10.0
    #: /readyz fails when the relay made no progress for this long.
    relay_stall_seconds: float = 60.0
    #: Sent outbox rows are kept this long: the window a consumer may replay from the outbox.
    outbox_retention_days: int = 30
    #: Inbox rows (event ids already applied) are kept this long; redeliveries come within minutes.
    inbox_retention_days: int = 30
    #: Stored answers to ``Idempotency-Key`` requests are kept this long (clients retry within hours).
    idempotency_retention_hours: int = 72
    retention_interval_seconds: float = 3600.0
    #: Networks that may read /metrics, /readyz, /docs and /openapi.json (Prometheus, the orchestrator).
    ops_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    #: The largest request body accepted, in bytes; a larger one is a 413 problem.
    max_body_bytes: int = 1024 * 1024
    log_level: str = "INFO"
    otlp_endpoint: str | None = None

    @model_validator(mode="after")
    def _test_clock_only_in_tests(self) -> "ServiceSettings":
        if self.test_clock is not None and self.profile != "test":
            raise ValueError(
                f"JOURNAL_TEST_CLOCK is set but the profile is {self.profile!r}: a pinned clock would be "
                "a way around the edit window, so only the test profile takes it"
            )
        if self.test_clock is not None and self.test_clock.tzinfo is None:
            raise ValueError("JOURNAL_TEST_CLOCK needs a UTC offset, e.g. 2026-10-14T12:00:00+03:00")
        return self

    def model_post_init(self, _context: object) -> None:
        if not self.port:
            self.port = PORTS.get(self.service_name, 8080)
        if not self.database_url:
            self.database_url = f"postgresql+asyncpg://{self.db_role}@{self.db_server}/journal_{self.service_name}"

    @property
    def database_name(self) -> str:
        return self.database_url.rsplit("/", 1)[-1].split("?")[0]
