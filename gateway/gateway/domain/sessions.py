"""Sessions and CSRF: opaque tokens in the cookie, only their hashes in the database."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

COOKIE = "journal_session"
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


def csrf_required(method: str) -> bool:
    return method.upper() not in SAFE_METHODS


def csrf_valid(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
