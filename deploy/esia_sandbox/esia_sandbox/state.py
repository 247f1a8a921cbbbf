"""What the sandbox remembers between requests: pending log-ins, issued codes and login sessions (in memory)."""

import secrets
import time
from dataclasses import dataclass, field

from esia_sandbox.people import People
from esia_sandbox.settings import SandboxSettings
from esia_sandbox.tokens import TokenIssuer

#: How long the login form stays usable after the client sent the user to it.
PENDING_LIFETIME_SECONDS = 15 * 60


@dataclass(frozen=True)
class PendingAuthorization:
    """A verified authorization request waiting for the user to log in."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str
    code_challenge: str
    expires_at: float


@dataclass(frozen=True)
class IssuedCode:
    client_id: str
    redirect_uri: str
    scope: str
    oid: int
    code_challenge: str
    expires_at: float


@dataclass
class Sandbox:
    settings: SandboxSettings
    tokens: TokenIssuer
    people: People = field(default_factory=People)
    pending: dict[str, PendingAuthorization] = field(default_factory=dict)
    codes: dict[str, IssuedCode] = field(default_factory=dict)
    #: Login session id (the sandbox's cookie) → the oid logged in.
    sessions: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: SandboxSettings) -> "Sandbox":
        issuer = TokenIssuer(issuer=settings.issuer, lifetime_seconds=settings.token_lifetime_seconds)
        return cls(settings=settings, tokens=issuer)

    def remember_pending(self, client_id: str, redirect_uri: str, scope: str, state: str, challenge: str) -> str:
        now = time.time()
        self.pending = {key: p for key, p in self.pending.items() if p.expires_at > now}
        request_id = secrets.token_urlsafe(16)
        self.pending[request_id] = PendingAuthorization(
            client_id, redirect_uri, scope, state, challenge, now + PENDING_LIFETIME_SECONDS
        )
        return request_id

    def take_pending(self, request_id: str) -> PendingAuthorization | None:
        pending = self.pending.pop(request_id, None)
        return pending if pending is not None and pending.expires_at > time.time() else None

    def peek_pending(self, request_id: str) -> PendingAuthorization | None:
        pending = self.pending.get(request_id)
        return pending if pending is not None and pending.expires_at > time.time() else None

    def issue_code(self, pending: PendingAuthorization, oid: int) -> str:
        now = time.time()
        self.codes = {key: c for key, c in self.codes.items() if c.expires_at > now}
        code = secrets.token_urlsafe(32)
        self.codes[code] = IssuedCode(
            pending.client_id,
            pending.redirect_uri,
            pending.scope,
            oid,
            pending.code_challenge,
            now + self.settings.code_lifetime_seconds,
        )
        return code

    def take_code(self, code: str) -> IssuedCode | None:
        """Codes are single-use: taking one removes it, whether the exchange then succeeds or not."""
        issued = self.codes.pop(code, None)
        return issued if issued is not None and issued.expires_at > time.time() else None

    def open_session(self, oid: int) -> str:
        session_id = secrets.token_urlsafe(32)
        self.sessions[session_id] = oid
        return session_id
