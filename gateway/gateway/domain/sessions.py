"""Sessions and CSRF: opaque tokens in the cookie, only their hashes in the database."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

COOKIE = "journal_session"
#: The login form's CSRF nonce (a signed double-submit token): only the form's own POST receives it.
LOGIN_FORM_COOKIE = "journal_login_form"
LOGIN_FORM_PATH = "/auth/password"
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


def form_token(key: bytes, nonce: str) -> str:
    """The login form's hidden token: the cookie's nonce signed with the gateway's key.

    There is no session before login, so the form is protected by a double submit: another
    site can neither read the nonce cookie nor sign a nonce it planted itself.
    """
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def form_token_valid(key: bytes, nonce: str | None, given: str | None) -> bool:
    return (
        bool(nonce)
        and bool(given)
        and hmac.compare_digest(form_token(key, nonce or "").encode(), (given or "").encode())
    )
