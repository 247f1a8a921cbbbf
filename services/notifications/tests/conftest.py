from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from chassis.auth import TokenSigner
from chassis.testing import running_app, test_settings, verifier_for
from notifications.main import build_app
from notifications.settings import NotificationsSettings


@pytest.fixture(scope="session")
def settings() -> NotificationsSettings:
    return test_settings(NotificationsSettings)


@pytest.fixture(scope="session")
def app(settings: NotificationsSettings, token_signer: TokenSigner) -> FastAPI:
    return build_app(settings, verifier_for(token_signer))


@pytest.fixture(scope="session")
async def client(app: FastAPI, settings: NotificationsSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, settings) as client:
        yield client
