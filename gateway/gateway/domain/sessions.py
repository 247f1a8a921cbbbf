"""Sessions and CSRF: opaque tokens in the cookie, only their hashes in the database."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

COOKIE = "journal_session"
#: The login form's CSRF nonce (a signed double-submit token): only the form's own POST receives it.
LOGIN_FORM_COOKIE = "journal_login_form"
LOGIN_FORM_PATH = "/auth/password"
#: A filled-in login form older than this is refused: a token copied from a page cannot be kept.
LOGIN_FORM_TTL = timedelta(minutes=30)
#: The pre-login cookie: ties an ESIA login in flight to the browser that started it (no login CSRF).
ESIA_LOGIN_COOKIE = "journal_esia_login"
ESIA_LOGIN_PATH = "/auth/esia"
#: The choice of a school after an ESIA login that matched accounts in several (a signed cookie).
SCHOOL_CHOICE_COOKIE = "journal_school_choice"
SCHOOL_CHOICE_PATH = "/auth/school"
#: How often a live session's ``last_seen_at`` is written: the idle timeout needs no finer grain.
LAST_SEEN_GRAIN = timedelta(minutes=1)
CSRF_HEADER = "x-csrf-token"
#: Methods that change state need the CSRF token; reads do not.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOGIN_STATE_TTL = timedelta(minutes=10)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """A stolen database copy must not yield usable cookies, so only the hash is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_expiry(now: datetime, ttl_hours: int) -> datetime:
    return now + timedelta(hours=ttl_hours)


def session_alive(*, now: datetime, expires_at: datetime, last_seen_at: datetime, idle: timedelta) -> bool:
    """A session ends at its absolute expiry, or earlier when nobody used it for ``idle`` (a shared computer)."""
    return now < expires_at and now - last_seen_at < idle


def csrf_required(method: str) -> bool:
    return method.upper() not in SAFE_METHODS


def csrf_valid(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


def form_token(key: bytes, nonce: str, issued_at: datetime) -> str:
    """The login form's hidden token: the cookie's nonce and the moment of issue, signed with the gateway's key.

    There is no session before login, so the form is protected by a double submit: another
    site can neither read the nonce cookie nor sign a nonce it planted itself; the moment
    makes the token expire (``LOGIN_FORM_TTL``).
    """
    moment = str(int(issued_at.timestamp()))
    return f"{moment}.{hmac.new(key, f'{nonce}.{moment}'.encode(), hashlib.sha256).hexdigest()}"


def form_token_valid(key: bytes, nonce: str | None, given: str | None, now: datetime) -> bool:
    moment, _, _ = (given or "").partition(".")
    if not nonce or not moment.isdigit():
        return False
    issued_at = datetime.fromtimestamp(int(moment), now.tzinfo)
    fresh = timedelta(0) <= now - issued_at <= LOGIN_FORM_TTL
    return fresh and hmac.compare_digest(form_token(key, nonce, issued_at).encode(), (given or "").encode())


def school_choice_token(key: bytes, oid: str, person_ids: list[str], issued_at: datetime) -> str:
    """The accounts an ESIA login may go on as, signed: the browser picks one, it cannot add one."""
    value = f"{oid}.{'+'.join(sorted(person_ids))}.{int(issued_at.timestamp())}"
    return f"{value}.{hmac.new(key, value.encode(), hashlib.sha256).hexdigest()}"


def school_choice(key: bytes, token: str | None, now: datetime) -> tuple[str, list[str]] | None:
    """The oid and the accounts of a valid, fresh choice token (``LOGIN_STATE_TTL``); None otherwise."""
    value, _, signature = (token or "").rpartition(".")
    expected = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    parts = value.split(".")
    if len(parts) != 3 or not parts[2].isdigit() or not hmac.compare_digest(expected, signature):
        return None
    if not timedelta(0) <= now - datetime.fromtimestamp(int(parts[2]), now.tzinfo) <= LOGIN_STATE_TTL:
        return None
    return parts[0], parts[1].split("+")
