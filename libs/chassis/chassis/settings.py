"""Service settings from the environment, with defaults that work on a developer machine."""

from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url

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
    #: The service's own database, reached as its runtime role: a user named in the URL is that role,
    #: a URL without one takes ``db_role``. The role owns nothing (RLS binds it, it cannot turn RLS off).
    database_url: str = ""
    #: host:port of PostgreSQL, used when ``database_url`` is not given.
    db_server: str = "127.0.0.1:5432"
    #: Development and tests only: a superuser connection that creates the roles and the database if
    #: they are missing. Empty in production, where the platform provisions them (docs/security.md).
    admin_database_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    #: The runtime role (``journal_<service>`` unless the URL or this names another): reads and writes rows.
    db_role: str = ""
    #: The role that owns the database and its tables and runs the migrations (``<db_role>_owner``).
    db_owner_role: str = ""
    #: Passwords of the two roles, given directly or (better) as files readable by the service only.
    db_password: SecretStr | None = None
    db_password_file: Path | None = None
    db_owner_password: SecretStr | None = None
    db_owner_password_file: Path | None = None
    #: Connections kept open, and opened beyond them at peaks; the relay's LISTEN takes one more. The kept ones
    #: cover a busy process's requests and consumers at once: a connection beyond them is opened and closed for each
    #: checkout (a backend started and ended each time), which cost the diary at 16 sessions a third of its rate.
    db_pool_size: int = 20
    db_max_overflow: int = 5
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/"
    #: RabbitMQ's management API: where ``make run`` and the tests make the services' users (``chassis.publishers``).
    broker_management_url: str = "http://127.0.0.1:15672"
    #: Consumers take an event only when RabbitMQ's validated ``user_id`` is the user of the service that
    #: owns the event's type (``broker_user_template``); off where every part shares one user (tests, dev).
    verify_publishers: bool = False
    #: The RabbitMQ user of each service: ``journal_roster`` publishes ``roster.*`` events.
    broker_user_template: str = "journal_{service}"
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
    #: A consumer applies up to this many events in one transaction (``chassis.consumers``; a batch message's
    #: events count one by one, and the message that passes the limit is taken whole) …
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
    def _least_privilege_in_production(self) -> "ServiceSettings":
        if self.profile == "production" and (problems := self.platform_problems()):
            raise ValueError("the production profile refuses this configuration: " + "; ".join(problems))
        return self

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
            self.database_url = f"postgresql+asyncpg://{self.db_server}/journal_{self.service_name}"
        url = make_url(self.database_url)
        self.db_role = url.username or self.db_role or f"journal_{self.service_name}"
        self.db_owner_role = self.db_owner_role or f"{self.db_role}_owner"
        password = url.password or _secret(self.db_password, self.db_password_file)
        self.database_url = _as(url, self.db_role, password)

    @property
    def database_name(self) -> str:
        return self.database_url.rsplit("/", 1)[-1].split("?")[0]

    @property
    def owner_database_url(self) -> str:
        """The same database as its owner: the migrations' connection."""
        password = _secret(self.db_owner_password, self.db_owner_password_file)
        return _as(make_url(self.database_url), self.db_owner_role, password)

    def platform_problems(self) -> list[str]:
        """What the production profile refuses in the platform's users (least privilege, docs/security.md)."""
        problems = []
        if self.db_owner_role == self.db_role:
            problems.append("the runtime database role must not own the database (JOURNAL_DB_OWNER_ROLE)")
        if make_url(self.database_url).password is None:
            problems.append("the database role has no password (JOURNAL_DB_PASSWORD_FILE)")
        if self.admin_database_url:
            problems.append("a service gets no superuser connection in production (JOURNAL_ADMIN_DATABASE_URL='')")
        broker = make_url(self.amqp_url.replace("amqp://", "postgresql://", 1))
        if broker.username in (None, "guest"):
            problems.append("the service needs its own RabbitMQ user, not guest (JOURNAL_AMQP_URL)")
        if not self.verify_publishers:
            problems.append("consumers must check the publishing user (JOURNAL_VERIFY_PUBLISHERS)")
        return problems


def _as(url: URL, user: str, password: str | None) -> str:
    """``url`` as ``user`` with ``password`` (none: trust or a client certificate)."""
    other = URL.create(url.drivername, user, password, url.host, url.port, url.database, url.query)
    return other.render_as_string(hide_password=False)


def _secret(value: SecretStr | None, path: Path | None) -> str | None:
    """A secret given directly or read from its file (a mounted secret: the file's one line)."""
    if path is not None:
        return path.read_text().strip()
    return value.get_secret_value() if value is not None else None
