"""The production profile refuses to start on the ESIA sandbox, a pure-Python signer or plain HTTP;
the sandbox refuses production and keeps its admin API shut unless enabled."""

from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from esia_sandbox.main import build_app as build_sandbox
from esia_sandbox.settings import SandboxInProduction, SandboxSettings
from gateway.security_headers import security_headers
from gateway.settings import GatewaySettings

#: What a real deployment sets (the paths need not exist to be checked).
PRODUCTION = {
    "profile": "production",
    "public_url": "https://journal.region.example",
    "esia_url": "https://esia.gosuslugi.ru",
    "esia_issuer": "http://esia.gosuslugi.ru/",
    "esia_certificate_path": Path("/etc/journal/esia/esia-prod.pem"),
    "esia_client_certificate_path": Path("/etc/journal/esia/rp.pem"),
    "esia_signer": "command",
    "esia_sign_command": "/usr/local/bin/journal-sign-gost",
    # The platform's users (least privilege): the service's own roles with passwords, no superuser.
    "database_url": "postgresql+asyncpg://journal_gateway:secret@db.region.example/journal_gateway",
    "admin_database_url": "",
    "amqp_url": "amqp://journal_gateway:secret@mq.region.example/",
    "verify_publishers": True,
}


def test_a_real_configuration_starts():
    settings = GatewaySettings(**PRODUCTION)
    assert settings.cookie_secure


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"esia_url": "http://127.0.0.1:8010"}, "sandbox"),
        ({"esia_url": "https://esia-sandbox.region.example"}, "sandbox"),
        ({"esia_url": "https://esia.region.example:8010"}, "sandbox"),
        ({"esia_issuer": "http://esia-sandbox.local/"}, "sandbox"),
        ({"esia_certificate_path": None}, "sandbox"),
        ({"esia_signer": "gost"}, "certified cryptography"),
        ({"esia_signer": "ecdsa"}, "certified cryptography"),
        ({"esia_sign_command": "  "}, "certified cryptography"),
        ({"esia_client_certificate_path": None}, "relying party's certificate"),
        ({"public_url": "http://journal.region.example"}, "TLS"),
    ],
)
def test_production_refuses_the_sandbox_weak_signers_and_plain_http(change, reason):
    with pytest.raises(ValidationError, match=reason):
        GatewaySettings(**{**PRODUCTION, **change})


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"database_url": "postgresql+asyncpg://journal_gateway@db.region.example/journal_gateway"}, "no password"),
        ({"db_owner_role": "journal_gateway"}, "must not own the database"),
        ({"admin_database_url": "postgresql://postgres@db.region.example/postgres"}, "no superuser"),
        ({"amqp_url": "amqp://guest:guest@mq.region.example/"}, "own RabbitMQ user"),
        ({"verify_publishers": False}, "publishing user"),
    ],
)
def test_production_refuses_shared_or_privileged_platform_users(change, reason):
    with pytest.raises(ValidationError, match=reason):
        GatewaySettings(**{**PRODUCTION, **change})


def test_a_password_file_gives_the_database_role_its_password(tmp_path):
    secret = tmp_path / "db.password"
    secret.write_text("from-a-file\n")
    secret.chmod(0o600)
    url = "postgresql+asyncpg://db.region.example/journal_gateway"
    settings = GatewaySettings(**{**PRODUCTION, "database_url": url, "db_password_file": secret})
    assert settings.database_url == "postgresql+asyncpg://journal_gateway:from-a-file@db.region.example/journal_gateway"
    assert settings.owner_database_url.startswith("postgresql+asyncpg://journal_gateway_owner@")


def test_development_may_use_the_sandbox():
    assert GatewaySettings(profile="development").esia_issuer == "http://esia-sandbox.local/"


def test_the_sandbox_refuses_to_start_under_the_production_profile():
    with pytest.raises(SandboxInProduction):
        SandboxSettings.from_env({"JOURNAL_PROFILE": "production"})
    assert SandboxSettings.from_env({"ESIA_SANDBOX_ADMIN_API": "1"}).admin_api
    assert not SandboxSettings.from_env({}).admin_api


async def test_the_sandbox_admin_api_answers_only_when_enabled(tmp_path: Path):
    (tmp_path / "clients.json").write_text("[]")
    person = {"last_name": "Петрова", "first_name": "Ольга", "birth_date": "2016-05-01", "snils": "10001899900"}
    for enabled, status in ((False, 404), (True, 201)):
        app = build_sandbox(SandboxSettings(clients_file=tmp_path / "clients.json", admin_api=enabled))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://esia.test") as esia:
            assert (await esia.post("/sandbox/people", json=person)).status_code == status


def test_hsts_only_under_tls():
    assert "strict-transport-security" in security_headers(GatewaySettings(**PRODUCTION))
    assert "strict-transport-security" not in security_headers(GatewaySettings(profile="development"))
    policy = security_headers(GatewaySettings(**PRODUCTION))["content-security-policy"]
    assert "form-action 'self' https://esia.gosuslugi.ru" in policy
