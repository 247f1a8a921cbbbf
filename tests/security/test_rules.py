"""The security rules as pure functions: canonical proxy paths, session lifetime, the login form token,
the issuance policy of local logins, the platform's allow-list, the dates the journal accepts and the compromise
revert's grant in the internal token."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request

from chassis.auth import Caller, Reverting, TokenSigner, TokenVerifier
from chassis.dates import JournalDate
from chassis.guards import from_platform
from gateway.api.password import client_address
from gateway.domain.access_log import GENESIS, Entry, first_broken, seal
from gateway.domain.local_logins import issuance_refusal, rate_window
from gateway.domain.paths import canonical_path
from gateway.domain.sessions import form_token, form_token_valid, session_alive

NOW = datetime(2026, 10, 14, 9, 0, 30, tzinfo=UTC)
KEY = b"k" * 32


@pytest.mark.parametrize(
    ("raw", "forwarded"),
    [
        ("/schools", "/schools"),
        ("/schools/", "/schools/"),
        ("/schools/%41b", "/schools/Ab"),
        ("/schools/a b", "/schools/a%20b"),
        ("/people/%D0%B0", "/people/%D0%B0"),
    ],
)
def test_a_path_is_forwarded_in_one_canonical_spelling(raw, forwarded):
    assert canonical_path(raw) == forwarded


@pytest.mark.parametrize(
    "raw",
    [
        "/metrics",
        "/openapi.json",
        "/%2e%2e/metrics",
        "/x/%2E%2E/y",
        "/x/./y",
        "/x%2fy",
        "/x%5cy",
        "/x%252e",
        "/x//y",
        "/x/%00",
        "/x/%ff",
        "schools",
    ],
)
def test_a_path_that_could_mean_something_else_on_a_second_reading_is_refused(raw):
    assert canonical_path(raw) is None


def test_a_session_ends_at_its_lifetime_or_when_idle():
    idle = timedelta(minutes=30)
    assert session_alive(
        now=NOW, expires_at=NOW + timedelta(hours=1), last_seen_at=NOW - timedelta(minutes=29), idle=idle
    )
    assert not session_alive(
        now=NOW, expires_at=NOW + timedelta(hours=1), last_seen_at=NOW - timedelta(minutes=30), idle=idle
    )
    assert not session_alive(now=NOW, expires_at=NOW, last_seen_at=NOW, idle=idle)


def test_the_login_form_token_is_bound_to_its_nonce_and_expires_after_thirty_minutes():
    token = form_token(KEY, "nonce", NOW)
    assert form_token_valid(KEY, "nonce", token, NOW + timedelta(minutes=30))
    assert not form_token_valid(KEY, "nonce", token, NOW + timedelta(minutes=30, seconds=1))
    assert not form_token_valid(KEY, "other", token, NOW)
    assert not form_token_valid(b"x" * 32, "nonce", token, NOW)
    assert not form_token_valid(KEY, "nonce", token, NOW - timedelta(minutes=1))  # from the future
    assert not form_token_valid(KEY, "nonce", "0" * 64, NOW)
    assert not form_token_valid(KEY, None, token, NOW)


def test_a_school_administrator_issues_logins_only_to_their_people_below_them_without_esia():
    school, other = uuid4(), uuid4()
    assert issuance_refusal({school}, [(school, "student")], esia_bound=False) is None
    assert issuance_refusal({school}, [(school, "teacher"), (school, "class_teacher")], esia_bound=False) is None
    assert "Госуслуги" in issuance_refusal({school}, [(school, "student")], esia_bound=True)
    assert "другой школе" in issuance_refusal({school}, [(school, "teacher"), (other, "teacher")], esia_bound=False)
    for role in ("director", "deputy", "school_admin"):
        assert "Директору" in issuance_refusal({school}, [(school, role)], esia_bound=False)


def test_attempts_are_counted_per_minute():
    minute, left = rate_window(NOW)
    assert minute == NOW.replace(second=0) and left == 30


def test_only_the_platforms_network_without_a_proxy_reads_operational_endpoints():
    networks = ("127.0.0.0/8", "10.20.0.0/16")
    assert from_platform("127.0.0.1", [], networks)
    assert from_platform("10.20.3.4", [], networks)
    assert not from_platform("10.21.3.4", [], networks)
    assert not from_platform("127.0.0.1", [(b"x-forwarded-for", b"203.0.113.9")], networks)
    assert not from_platform("testclient", [], networks)
    assert not from_platform(None, [], networks)


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2101, 1, 1), date(9999, 12, 31)])
def test_dates_past_the_supported_range_are_invalid(day):
    with pytest.raises(ValidationError):
        TypeAdapter(JournalDate).validate_python(day)
    assert TypeAdapter(JournalDate).validate_python(date(2026, 10, 14)) == date(2026, 10, 14)


def test_the_access_log_chain_finds_a_changed_removed_or_reordered_entry():
    entries = [Entry(n, uuid4(), "GET", f"/api/v1/x/{n}", 200, NOW + timedelta(seconds=n)) for n in range(1, 5)]
    chain, previous = [], GENESIS
    for entry in entries:
        previous = seal(previous, entry)
        chain.append((entry, previous))
    assert first_broken(chain) is None
    changed = [(chain[1][0].__class__(**{**chain[1][0].__dict__, "status": 404}), chain[1][1])]
    assert first_broken([chain[0], *changed, *chain[2:]]) == 2
    assert first_broken([chain[0], *chain[2:]]) == 3  # the second removed
    assert first_broken([chain[0], chain[2], chain[1], chain[3]]) == 3  # reordered


def test_entries_removed_at_the_end_of_retention_keep_the_chain_verifiable():
    entries = [Entry(n, uuid4(), "GET", f"/api/v1/x/{n}", 200, NOW + timedelta(seconds=n)) for n in range(1, 6)]
    chain, previous = [], GENESIS
    for entry in entries:
        previous = seal(previous, entry)
        chain.append((entry, previous))
    # The first two removed by retention: their ids and seals stay, the rest still verifies.
    trimmed = [(entry.id, stored) for entry, stored in chain[:2]]
    assert first_broken([*trimmed, *chain[2:]]) is None
    # A removed entry's seal altered, or dropped: the first entry kept no longer follows.
    assert first_broken([trimmed[0], (2, "f" * 64), *chain[2:]]) == 3
    assert first_broken([trimmed[0], *chain[2:]]) == 3
    # A kept entry changed after the removed ones is still found.
    changed = (chain[3][0].__class__(**{**chain[3][0].__dict__, "path": "/api/v1/other"}), chain[3][1])
    assert first_broken([*trimmed, chain[2], changed, chain[4]]) == 4


def test_behind_trusted_proxies_the_client_is_the_last_outside_address():
    def request(peer: str, forwarded: str) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
        return Request({"type": "http", "client": (peer, 1), "headers": headers})

    proxies = ("10.0.0.0/8",)
    assert client_address(request("10.1.2.3", "198.51.100.7, 10.9.9.9"), proxies) == "198.51.100.7"
    # A client's own X-Forwarded-For is believed only from a trusted proxy.
    assert client_address(request("203.0.113.5", "198.51.100.7"), proxies) == "203.0.113.5"
    assert client_address(request("10.1.2.3", "spoofed, 198.51.100.9"), proxies) == "198.51.100.9"


async def test_the_compromise_revert_grant_travels_signed_and_a_plain_caller_has_none():
    signer = TokenSigner.generate(issuer="gateway", audience="services")
    verifier = TokenVerifier.from_jwks(signer.jwks(), issuer="gateway", audience="services")
    school = uuid4()
    admin = Caller(uuid4(), "Кузнецова Ольга", frozenset({(school, "school_admin")}))
    granted = dataclasses.replace(admin, reverting=Reverting(uuid4(), NOW))
    assert await verifier.verify(signer.issue(granted)) == granted
    assert (await verifier.verify(signer.issue(admin))).reverting is None
