from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI

from chassis.auth import Caller, TokenSigner
from chassis.testing import auth_headers, running_app, test_settings, verifier_for
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


@pytest.fixture
def as_(token_signer: TokenSigner) -> Callable[[Caller], dict[str, str]]:
    """``as_(caller)`` gives the headers of a request made by that caller."""
    return lambda caller: auth_headers(token_signer, caller)
