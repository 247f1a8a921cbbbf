from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from chassis.auth import Caller, TokenSigner
from chassis.testing import person, running_app, test_settings, verifier_for
from roster.main import build_app
from roster.settings import RosterSettings


@pytest.fixture(scope="session")
def settings() -> RosterSettings:
    return test_settings(RosterSettings)


@pytest.fixture(scope="session")
def app(settings: RosterSettings, token_signer: TokenSigner) -> FastAPI:
    return build_app(settings, verifier_for(token_signer))


@pytest.fixture(scope="session")
async def client(app: FastAPI, settings: RosterSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(app, settings) as client:
        yield client


@pytest.fixture(scope="session")
def region_admin() -> Caller:
    return person(region_roles=("region_admin",), name="Администратор Региона")
