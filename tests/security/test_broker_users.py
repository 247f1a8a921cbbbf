"""Least privilege in RabbitMQ (issue 7, item 10): every service starts, declares its queues and bindings and
runs its consumers and relay as its own user with only the permissions ``chassis.publishers`` gives it, checking
the publishers — as `make run`, compose and Kubernetes now run them. Real broker; the run's users are removed.
"""

import asyncio
import importlib
import secrets
import shutil
import subprocess
from urllib.parse import quote

import pytest

from chassis import testing
from chassis.publishers import provision_locally
from chassis.testing import RUN_BROKER_PREFIX, running_app, verifier_for

TEMPLATE = RUN_BROKER_PREFIX + "{service}"
SERVICES = {
    "roster": "RosterSettings",
    "gradebook": "GradebookSettings",
    "attendance": "AttendanceSettings",
    "notifications": "NotificationsSettings",
    "reporting": "ReportingSettings",
}


@pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="rabbitmqctl does not reach the broker here")
@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_runs_as_its_own_broker_user(service, token_signer, tmp_path):
    settings_class = getattr(importlib.import_module(f"{service}.settings"), SERVICES[service])
    prefix = testing.test_queue_prefix(f"users_{service}")
    password = secrets.token_hex(16)
    base = testing.test_settings(settings_class, queue_prefix=prefix, broker_user_template=TEMPLATE)
    await asyncio.to_thread(provision_locally, {service: password}, base, prefix)
    user = TEMPLATE.format(service=service)
    try:
        settings = testing.test_settings(
            settings_class,
            database_url=testing.test_database_url(f"users_{service}"),
            queue_prefix=prefix,
            broker_user_template=TEMPLATE,
            verify_publishers=True,
            amqp_url=f"amqp://{quote(user, safe='')}:{password}@127.0.0.1:5672/",
            **({"keys_dir": tmp_path} if service == "notifications" else {}),
        )
        app = importlib.import_module(f"{service}.main").build_app(settings, verifier_for(token_signer))
        async with running_app(app, settings):
            assert app.state.consumers, f"{service} consumes nothing"
    finally:
        delete = ["rabbitmqctl", "-q", "delete_user", user]
        await asyncio.to_thread(subprocess.run, delete, capture_output=True, timeout=60, check=False)
