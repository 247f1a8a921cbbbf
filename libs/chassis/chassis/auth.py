"""Internal tokens: the gateway signs them, every service verifies them and reads the caller.

The gateway sends each request with a short-lived ES256 JWT whose claims say who the
caller is and what roles they hold in which school. Services fetch the gateway's JWKS
and enforce resource-level rules themselves (a teacher only for their courses, a parent
only for their children).
"""

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import Request

from chassis.problems import Forbidden, NotFound, Unauthorized
from chassis.tenancy import Tenant

ALGORITHM = "ES256"
#: Roles that read every school of the region and write nothing.
REGION_READ_ROLES = frozenset({"inspector"})
#: A region account that reads the schools of one municipality (R-10), as the inspector reads every school.
MUNICIPAL_ROLE = "municipal_admin"
#: School roles that read the whole school and write nothing in the journal.
SCHOOL_READ_ROLES = frozenset({"director", "deputy", "school_admin"})


#: R-25: the reason every undo under a ``Reverting`` grant writes to the service's change log; a second undo
#: finds the first by it (idempotency).
REVERT_REASON = "Отмена действий под скомпрометированной учётной записью"


@dataclass(frozen=True)
class Reverting:
    """The gateway's grant to undo what ``person_id`` did since ``since`` (R-3): only the compromise revert of the
    gateway signs it, for the administrator who reported the account; a session's caller never carries it."""

    person_id: UUID
    since: datetime


@dataclass(frozen=True)
class Caller:
    """Who is calling: a person (their roster id) and their roles per school."""

    person_id: UUID
    name: str
    #: (school id, role) pairs, e.g. (school, "teacher"), (school, "guardian").
    school_roles: frozenset[tuple[UUID, str]] = field(default_factory=frozenset)
    region_roles: frozenset[str] = field(default_factory=frozenset)
    #: A municipal administrator's municipality and its schools, which they read only.
    municipality_id: UUID | None = None
    municipal_schools: frozenset[UUID] = field(default_factory=frozenset)
    reverting: Reverting | None = None

    def roles_in(self, school_id: UUID) -> frozenset[str]:
        return frozenset(role for school, role in self.school_roles if school == school_id)

    def has_role(self, school_id: UUID, *roles: str) -> bool:
        return bool(self.roles_in(school_id) & set(roles))

    @property
    def reads_region(self) -> bool:
        return bool(self.region_roles & REGION_READ_ROLES)

    def oversees(self, school_id: UUID) -> bool:
        """Reads the whole school from outside it: the inspector any school, the municipal administrator theirs."""
        return self.reads_region or school_id in self.municipal_schools

    def tenant_for(self, school_id: UUID) -> Tenant:
        """The database tenant for this caller acting in a school; a stranger to it gets 404.

        404, not 403: a caller must not learn that another school's resource exists. A municipal
        administrator's transaction is confined to the one school and read only.
        """
        if self.roles_in(school_id) or "region_admin" in self.region_roles:
            return Tenant(school_id=school_id)
        if school_id in self.municipal_schools:
            return Tenant(school_id=school_id, read_only=True)
        if self.reads_region:
            return Tenant(region_read=True)
        raise NotFound("Школа не найдена или недоступна.")

    def require(self, school_id: UUID, *roles: str) -> None:
        if not self.has_role(school_id, *roles):
            raise Forbidden("Действие недоступно для вашей роли в этой школе.")

    def reverting_in(self, school_id: UUID) -> Reverting:
        """The compromise grant (R-3) the gateway signed for the school's administrator; anyone else is refused."""
        if self.reverting is None or not self.has_role(school_id, "school_admin"):
            raise Forbidden(
                "Действия под скомпрометированной учётной записью отменяет администратор школы из списка этих действий."
            )
        return self.reverting

    def claims(self) -> dict:
        municipal = {
            "municipality": str(self.municipality_id),
            "municipal_schools": sorted(map(str, self.municipal_schools)),
        }
        return {
            "sub": str(self.person_id),
            "name": self.name,
            "roles": [{"school": str(s), "role": r} for s, r in sorted(self.school_roles, key=str)],
            "region_roles": sorted(self.region_roles),
            **(municipal if self.municipality_id else {}),
            **(
                {"reverting": {"person": str(r.person_id), "since": r.since.isoformat()}}
                if (r := self.reverting)
                else {}
            ),
        }

    @classmethod
    def from_claims(cls, claims: dict) -> "Caller":
        return cls(
            person_id=UUID(claims["sub"]),
            name=claims.get("name", ""),
            school_roles=frozenset((UUID(r["school"]), r["role"]) for r in claims.get("roles", [])),
            region_roles=frozenset(claims.get("region_roles", [])),
            municipality_id=UUID(claims["municipality"]) if claims.get("municipality") else None,
            municipal_schools=frozenset(UUID(s) for s in claims.get("municipal_schools", [])),
            reverting=Reverting(UUID(r["person"]), datetime.fromisoformat(r["since"]))
            if (r := claims.get("reverting"))
            else None,
        )


class TokenSigner:
    """Holds the gateway's signing key; publishes its public half as a JWKS."""

    def __init__(
        self, private_key: ec.EllipticCurvePrivateKey, *, issuer: str, audience: str, kid: str | None = None
    ) -> None:
        self._key = private_key
        self.issuer = issuer
        self.audience = audience
        self.kid = kid or uuid4().hex[:16]

    @classmethod
    def generate(cls, *, issuer: str, audience: str) -> "TokenSigner":
        return cls(ec.generate_private_key(ec.SECP256R1()), issuer=issuer, audience=audience)

    @classmethod
    def from_pem(cls, pem: bytes, *, issuer: str, audience: str, kid: str) -> "TokenSigner":
        key = serialization.load_pem_private_key(pem, password=None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return cls(key, issuer=issuer, audience=audience, kid=kid)

    def pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": ALGORITHM}]}

    def issue(self, caller: Caller, ttl_seconds: int = 300) -> str:
        now = int(time.time())
        claims = {
            **caller.claims(),
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid4().hex,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers={"kid": self.kid})


JwksSource = Callable[[], Awaitable[dict]]


class TokenVerifier:
    """Verifies internal tokens against the gateway's JWKS, refetched when a new key id appears.

    A token verified once is known until it expires: the gateway sends a caller the same token for minutes
    (``gateway.upstream``), and checking its ES256 signature again was a sixth of a single mark's CPU. The same
    bytes carry the same claims, so the answer is the same; only its ``exp`` is checked again.
    """

    REFETCH_INTERVAL = 30.0
    #: Verified tokens kept at most (then forgotten at once, as the gateway's own cache of them).
    MAX_VERIFIED = 10_000

    def __init__(self, source: JwksSource, *, issuer: str, audience: str) -> None:
        self._source = source
        self.issuer = issuer
        self.audience = audience
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        #: Token → (its caller, its ``exp``).
        self._verified: dict[str, tuple[Caller, float]] = {}

    @classmethod
    def from_url(cls, url: str, *, issuer: str, audience: str) -> "TokenVerifier":
        async def fetch() -> dict:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(url)
                response.raise_for_status()
                return response.json()

        return cls(fetch, issuer=issuer, audience=audience)

    @classmethod
    def from_jwks(cls, jwks: dict, *, issuer: str, audience: str) -> "TokenVerifier":
        async def fixed() -> dict:
            return jwks

        return cls(fixed, issuer=issuer, audience=audience)

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys and time.monotonic() - self._fetched_at > self.REFETCH_INTERVAL:
            try:
                jwks = await self._source()
            except httpx.HTTPError as exc:
                raise Unauthorized("Не удалось проверить подпись токена: ключи шлюза недоступны.") from exc
            self._fetched_at = time.monotonic()
            self._keys = {k["kid"]: jwt.PyJWK.from_dict(k) for k in jwks.get("keys", [])}
        if kid not in self._keys:
            raise Unauthorized("Токен подписан неизвестным ключом.")
        return self._keys[kid]

    async def verify(self, token: str) -> Caller:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        try:
            kid = jwt.get_unverified_header(token).get("kid", "")
            key = await self._key(kid)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub"]},
            )
            caller = Caller.from_claims(claims)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Токен недействителен или истёк.") from exc
        if len(self._verified) >= self.MAX_VERIFIED:
            self._verified.clear()
        self._verified[token] = (caller, float(claims["exp"]))
        return caller


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Нет токена доступа.")
    return token


async def current_caller(request: Request) -> Caller:
    return await request.app.state.verifier.verify(bearer_token(request))
