import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from chassis.auth import TokenSigner
from chassis.testing import running_app, test_settings, verifier_for
from delivery_sandbox.main import DeliverySandbox
from notifications.main import build_app
from notifications.settings import NotificationsSettings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def sandbox() -> DeliverySandbox:
    """The local SMTP server, SMSC.ru fake and push service the service delivers to."""
    return DeliverySandbox(http_port=_free_port(), smtp_port=_free_port())


@pytest.fixture(scope="session")
def settings(sandbox: DeliverySandbox, tmp_path_factory: pytest.TempPathFactory) -> NotificationsSettings:
    return test_settings(
        NotificationsSettings,
        keys_dir=tmp_path_factory.mktemp("notification-keys"),
        smtp_port=sandbox.smtp_port,
        smsc_url=sandbox.smsc_url,
        smsc_login=sandbox.sms.login,
        smsc_password=sandbox.sms.password,
        delivery_poll_seconds=0.2,
        delivery_retry_seconds=0.1,
        delivery_max_attempts=3,
    )


@pytest.fixture(scope="session")
def app(settings: NotificationsSettings, token_signer: TokenSigner) -> FastAPI:
    return build_app(settings, verifier_for(token_signer))


@pytest.fixture(scope="session")
async def client(
    app: FastAPI, settings: NotificationsSettings, sandbox: DeliverySandbox
) -> AsyncIterator[httpx.AsyncClient]:
    async with sandbox.running(), running_app(app, settings) as client:
        yield client
