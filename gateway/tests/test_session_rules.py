"""The gateway's pure rules that only integration tests reached: the proxy's canonical path, the signed form
and school-choice tokens, the session's idle end, the access log's chain, the local-login issuance policy and
attempt windows, and Russian plurals — tested here at their boundaries, one rule at a time."""

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from gateway.domain.access_log import GENESIS, Entry, first_broken, seal
from gateway.domain.local_logins import FAILURE_WINDOW, LOCKOUT, failures_that_matter, issuance_refusal, rate_window
from gateway.domain.paths import canonical_path
from gateway.domain.russian import plural_form
from gateway.domain.sessions import (
    LOGIN_FORM_TTL,
    LOGIN_STATE_TTL,
    form_token,
    form_token_valid,
    new_token,
    school_choice,
    school_choice_token,
    session_alive,
)

NOW = datetime(2026, 10, 14, 9, 0, 30, tzinfo=UTC)
KEY = b"k" * 32


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("/schools/1/classes", "/schools/1/classes"),
        ("/schools/1/classes/", "/schools/1/classes/"),
        ("/people/%D0%98%D0%B2%D0%B0%D0%BD", "/people/%D0%98%D0%B2%D0%B0%D0%BD"),
        ("/people/Иван", "/people/%D0%98%D0%B2%D0%B0%D0%BD"),
        ("/a%20b/c~d", "/a%20b/c~d"),
        ("/x/metrics", "/x/metrics"),
        ("/X-ray/a:b@c!$&'()*+,;=", "/X-ray/a:b@c!$&'()*+,;="),
    ],
)
def test_a_path_is_forwarded_in_one_canonical_spelling(raw, canonical):
    assert canonical_path(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "schools/1",  # not absolute
        "/schools//classes",  # an empty segment inside
        "/x/../metrics",
        "/x/%2e%2e/metrics",
        "/x/./y",
        "/x%2f..%2fmetrics",  # an encoded slash
        "/x%5cy",  # an encoded backslash
        "/x%2541",  # a % left after one decoding
        "/x%0ay",  # a control character
        "/x%ff",  # not UTF-8
        "/metrics",
        "/METRICS",
        "/openapi.json",
        "/docs",
        "/readyz",
        "/internal/retention/schools/x/held",  # the gateway's own calls (chassis.destruction)
        "/Internal/retention/schools/x/held",
    ],
)
def test_anything_that_could_read_otherwise_the_second_time_is_refused(raw):
    assert canonical_path(raw) is None


def test_the_login_forms_token_holds_for_its_ttl_and_only_with_its_nonce_and_key():
    token = form_token(KEY, "nonce", NOW)
    assert form_token_valid(KEY, "nonce", token, NOW)
    assert form_token_valid(KEY, "nonce", token, NOW + LOGIN_FORM_TTL)
    assert not form_token_valid(KEY, "nonce", token, NOW + LOGIN_FORM_TTL + timedelta(seconds=1))
    assert not form_token_valid(KEY, "nonce", token, NOW - timedelta(seconds=1)), "issued in the future"
    assert not form_token_valid(KEY, "other", token, NOW)
    assert not form_token_valid(b"x" * 32, "nonce", token, NOW)
    assert not form_token_valid(KEY, None, token, NOW)
    assert not form_token_valid(KEY, "nonce", None, NOW)
    assert not form_token_valid(KEY, "nonce", "later." + token.partition(".")[2], NOW)
    moment, _, signature = token.partition(".")
    assert moment == str(int(NOW.timestamp())) and len(signature) == 64


def test_a_school_choice_gives_back_the_signed_accounts_while_fresh():
    token = school_choice_token(KEY, "1000001", ["b", "a"], NOW)
    assert school_choice(KEY, token, NOW) == ("1000001", ["a", "b"])
    assert school_choice(KEY, token, NOW + LOGIN_STATE_TTL) == ("1000001", ["a", "b"])
    assert school_choice(KEY, token, NOW + LOGIN_STATE_TTL + timedelta(seconds=1)) is None
    assert school_choice(KEY, token, NOW - timedelta(seconds=1)) is None
    assert school_choice(b"x" * 32, token, NOW) is None
    value, _, signature = token.rpartition(".")
    # The browser cannot add an account: the signature covers the list.
    assert school_choice(KEY, value.replace("a+b", "a+b+c") + "." + signature, NOW) is None
    assert school_choice(KEY, None, NOW) is None
    assert school_choice(KEY, "1000001.a.notanumber." + signature, NOW) is None


def test_a_session_ends_at_its_expiry_or_after_idling():
    idle = timedelta(minutes=30)
    expires = NOW + timedelta(hours=12)
    assert session_alive(now=NOW, expires_at=expires, last_seen_at=NOW - idle + timedelta(seconds=1), idle=idle)
    assert not session_alive(now=NOW, expires_at=expires, last_seen_at=NOW - idle, idle=idle)
    assert not session_alive(now=expires, expires_at=expires, last_seen_at=expires, idle=idle)
    assert new_token() != new_token() and len(new_token()) == 43, "32 random bytes"


def entry(number: int, path: str = "/api/v1/diary") -> Entry:
    return Entry(number, UUID(int=number), "GET", path, 200, NOW + timedelta(seconds=number))


def test_the_access_logs_chain_names_the_first_entry_that_no_longer_fits():
    entries, previous = [], GENESIS
    for number in range(1, 5):
        previous = seal(previous, entry(number))
        entries.append((entry(number), previous))
    assert first_broken(entries) is None
    assert len(entries[0][1]) == 64 and entries[0][1] != seal(GENESIS, entry(2))
    changed = list(entries)
    changed[2] = (entry(3, "/api/v1/diary/другой"), entries[2][1])
    assert first_broken(changed) == 3
    assert first_broken(entries[:1] + entries[2:]) == 3, "a removed entry breaks the next"
    assert first_broken(entries[2:], previous=entries[1][1]) is None, "a chain checked from a sealed point"
    # Fields are length-prefixed: moving a character from one field to the next changes the seal.
    a = Entry(1, UUID(int=1), "GET", "/ab", 200, NOW)
    b = Entry(1, UUID(int=1), "GETS", "/b", 200, NOW)
    assert seal(GENESIS, a) != seal(GENESIS, b)
    assert seal(GENESIS, entry(1)) != seal("f" * 64, entry(1))
    # Every field counts.
    first = entry(1)
    for changed_field in ({"id": 2}, {"person_id": UUID(int=2)}, {"status": 404}, {"method": "POST"}):
        assert seal(GENESIS, Entry(**{**first.__dict__, **changed_field})) != seal(GENESIS, first), changed_field


def test_the_seal_is_sha256_over_length_prefixed_fields():
    """A known answer: chains already sealed in production must verify with the code of later releases."""
    assert seal(GENESIS, entry(1)) == "976191855cb7d15aefdc76e27dde5819dbd80e14728e59b40d3fad436025b6ac"


ADMIN_SCHOOL, OTHER_SCHOOL = "school-a", "school-b"


def test_a_local_login_is_issued_only_to_non_esia_people_of_the_admins_school_below_the_administration():
    assert issuance_refusal([ADMIN_SCHOOL], [(ADMIN_SCHOOL, "teacher")], esia_bound=False) is None
    assert issuance_refusal([ADMIN_SCHOOL], [(ADMIN_SCHOOL, "guardian")], esia_bound=False) is None
    assert issuance_refusal([ADMIN_SCHOOL], [], esia_bound=False) is None
    assert (
        issuance_refusal([ADMIN_SCHOOL], [(ADMIN_SCHOOL, "teacher")], esia_bound=True)
        == "Этот человек входит через Госуслуги: логин и пароль ему не выдаются."
    )
    assert (
        issuance_refusal([ADMIN_SCHOOL], [(ADMIN_SCHOOL, "teacher"), (OTHER_SCHOOL, "guardian")], esia_bound=False)
        == "У этого человека есть роли в другой школе: логин ему выдаёт только вход через Госуслуги."
    )
    for role in ("school_admin", "director", "deputy"):
        assert (
            issuance_refusal([ADMIN_SCHOOL], [(ADMIN_SCHOOL, role)], esia_bound=False)
            == "Директору, заместителям и администраторам ЭЖ логин не выдаётся: они входят через Госуслуги."
        )


def test_attempts_are_counted_per_minute_and_old_failures_forgotten():
    assert rate_window(NOW) == (NOW.replace(second=0), 30)
    assert rate_window(NOW.replace(second=0)) == (NOW.replace(second=0), 60)
    assert rate_window(NOW.replace(second=59, microsecond=900_000)) == (NOW.replace(second=0), 1)
    assert failures_that_matter(NOW) == NOW - FAILURE_WINDOW - LOCKOUT


@pytest.mark.parametrize(
    ("count", "form"),
    [
        (0, "школ"),
        (1, "школа"),
        (2, "школы"),
        (4, "школы"),
        (5, "школ"),
        (11, "школ"),
        (12, "школ"),
        (14, "школ"),
        (21, "школа"),
        (22, "школы"),
        (101, "школа"),
        (111, "школ"),
        (112, "школ"),
        (1004, "школы"),
    ],
)
def test_russian_plural_forms_by_the_last_two_digits(count, form):
    assert plural_form(count, "школа", "школы", "школ") == form
