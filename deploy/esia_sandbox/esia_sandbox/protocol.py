"""The checks ESIA makes on an authorization or token request, as pure functions."""

import base64
import hashlib
from datetime import datetime, timedelta
from uuid import UUID

#: ESIA's ``timestamp`` format, e.g. ``2025.09.01 08:30:00 +0300``.
TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"

#: Scopes the sandbox grants (the subset of ESIA's that a school journal asks for).
KNOWN_SCOPES = frozenset(
    {
        "openid",
        "fullname",
        "birthdate",
        "gender",
        "snils",
        "email",
        "mobile",
        "kid_fullname",
        "kid_birthdate",
        "kid_gender",
        "kid_snils",
    }
)


def parse_timestamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, TIMESTAMP_FORMAT)
    except ValueError:
        return None


def timestamp_is_fresh(text: str, now: datetime, tolerance: timedelta) -> bool:
    """The request's ``timestamp`` is well-formed and within ``tolerance`` of ``now`` (a replay guard)."""
    moment = parse_timestamp(text)
    return moment is not None and abs(now - moment) <= tolerance


def is_uuid(text: str) -> bool:
    try:
        UUID(text)
    except ValueError:
        return False
    return True


def scopes_of(scope: str) -> frozenset[str]:
    return frozenset(scope.split())


def authorization_secret_message(*, client_id: str, scope: str, timestamp: str, state: str, redirect_uri: str) -> bytes:
    """What the client signs as ``client_secret`` at the authorization endpoint (v2)."""
    return (client_id + scope + timestamp + state + redirect_uri).encode()


def token_secret_message(
    *, client_id: str, scope: str, timestamp: str, state: str, redirect_uri: str, code: str
) -> bytes:
    """What the client signs as ``client_secret`` at the token endpoint (v3): the same plus the code."""
    return (client_id + scope + timestamp + state + redirect_uri + code).encode()


def b64url_decode(text: str) -> bytes:
    """base64url with or without padding; ValueError if it is not base64url."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pkce_matches(code_verifier: str, code_challenge: str) -> bool:
    """RFC 7636 S256: the challenge is base64url(SHA-256(verifier)) without padding."""
    if not 43 <= len(code_verifier) <= 128:
        return False
    digest = hashlib.sha256(code_verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == code_challenge
