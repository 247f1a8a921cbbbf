"""Benchmark: one school-wide notice to 2,000 families by e-mail through the local SMTP server (R-51, R-53).

Runs the notifications service in-process on its own ``journal_perf_fanout`` database
with the delivery sandbox's SMTP server, writes one notice to every family's inbox with its
e-mail delivery in one transaction (``planning.deliver``, what an announcement's fan-out does),
then times the sender loop until the last letter has arrived (DKIM-signed, one SMTP session).
Prints the fan-out write time, messages/s and the time to the last delivery, and checks that
every family got exactly one letter. Usage: ``uv run python tests/perf/bench_fanout.py [--families 2000]``.
"""

import argparse
import asyncio
import os
import platform
import socket
import tempfile
import time
from collections import Counter
from datetime import time as clock_time
from pathlib import Path
from uuid import uuid4

from chassis.settings import ServiceSettings
from chassis.tenancy import Tenant
from chassis.testing import drop_database
from delivery_sandbox.main import DeliverySandbox
from notifications.domain.texts import Notice
from notifications.main import build_app
from notifications.models import NotificationPreference, SchoolDeliverySettings
from notifications.planning import Recipient, deliver
from notifications.settings import NotificationsSettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run(families: int) -> None:
    sandbox = DeliverySandbox(http_port=free_port(), smtp_port=free_port())
    defaults = ServiceSettings()
    # Not journal_perf_notifications: that is the load benchmark's stack's (bench_load.py), which may be
    # running; a sender of that stack would take this benchmark's letters from a shared table.
    settings = NotificationsSettings(
        database_url=f"postgresql+asyncpg://{defaults.db_role}@{defaults.db_server}/journal_perf_fanout",
        exchange=f"perf.{os.getpid()}.school.events",
        public_exchange=f"perf.{os.getpid()}.public.events",
        queue_prefix=f"perf.{os.getpid()}.",
        keys_dir=Path(tempfile.mkdtemp(prefix="bench-fanout-")),
        smtp_port=sandbox.smtp_port,
        delivery_poll_seconds=0.05,
        run_consumers=False,
        log_level="WARNING",
    )
    await drop_database(settings)
    app = build_app(settings)
    school = uuid4()
    parents = [uuid4() for _ in range(families)]
    async with sandbox.running(), app.router.lifespan_context(app):
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            # No quiet hours: the benchmark measures sending, whatever the hour it runs at.
            session.add(
                SchoolDeliverySettings(
                    school_id=school, timezone=settings.timezone, quiet_start=clock_time(0), quiet_end=clock_time(0)
                )
            )
            session.add_all(
                NotificationPreference(
                    school_id=school,
                    person_id=parent,
                    email_address=f"parent{i}@mail.ru",
                    channels={"announcement": ["email"]},
                )
                for i, parent in enumerate(parents)
            )
        notice = Notice(
            title="Родительское собрание 20.11.2026 в 18:00",
            body="Уважаемые родители! Общешкольное родительское собрание состоится 20.11.2026 в 18:00 в актовом зале.",
        )
        started = time.perf_counter()
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            await deliver(session, school, uuid4(), "announcement", notice, [Recipient(p, p) for p in parents])
        planned = time.perf_counter()
        while len(sandbox.mail.received) < families:  # noqa: ASYNC110 (polling what arrived is what is measured)
            await asyncio.sleep(0.01)
        last = time.perf_counter()
        await asyncio.sleep(1)
    per_address = Counter(r for m in sandbox.mail.received for r in m.rcpt_tos)
    assert len(per_address) == families and set(per_address.values()) == {1}, "each family exactly one letter"
    await drop_database(settings)
    sending = last - planned
    cpu = platform.processor() or platform.machine()
    print(f"machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    print(f"families: {families}")
    print(f"fan-out written (inbox rows + deliveries, one transaction): {planned - started:.2f} s")
    print(f"sent: {families / sending:.0f} messages/s; last delivery {last - started:.2f} s after the fan-out began")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=2000)
    asyncio.run(run(parser.parse_args().families))


if __name__ == "__main__":
    main()
