"""Gateway tables: accounts (a replica of roster's people and roles), region accounts, local logins,
login states, sessions, the access log and the state portal's clients and change feed.

Not tenant-owned: a person may belong to several schools and the gateway is the authority
that decides who they are, so these tables carry no row-level security.
"""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import ARRAY, BigInteger, DateTime, Identity, Index, SmallInteger, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.personal_data import personal_data


class Base(DeclarativeBase):
    pass


class School(Base):
    """A school's name, for the header and the role list."""

    __tablename__ = "schools"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    #: The school's IANA zone: the pages' "today" is the school's local date.
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow", server_default="Europe/Moscow")
    #: The version of roster's settings the zone came with (registration is 0).
    settings_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The municipality the school belongs to (R-10): its municipal administrator reads the school.
    municipality_id: Mapped[UUID | None]


class Person(Base):
    """An account: a person entered by a school in roster (R-2), matched to ESIA at login."""

    __tablename__ = "people"
    __table_args__ = (Index("people_esia_oid", "esia_oid"), Index("people_snils_digits", "snils_digits"))
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    last_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("фамилия", purpose="login", retention="person_card")
    )
    first_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("имя", purpose="login", retention="person_card")
    )
    middle_name: Mapped[str | None] = mapped_column(
        String(100), info=personal_data("отчество", purpose="login", retention="person_card")
    )
    birth_date: Mapped[date | None] = mapped_column(
        info=personal_data("дата рождения (сверка при первом входе)", purpose="login", retention="person_card")
    )
    #: СНИЛС as eleven digits, however it was written.
    snils_digits: Mapped[str | None] = mapped_column(
        String(11),
        info=personal_data("цифры СНИЛС (сверка при первом входе)", purpose="login", retention="person_card"),
    )
    #: Bound only by a login that matched (``gateway.domain.accounts``), never by what a school typed.
    esia_oid: Mapped[str | None] = mapped_column(
        String(64),
        info=personal_data("идентификатор ЕСИА, подтверждённый входом", purpose="login", retention="person_card"),
    )
    #: The oid the school typed in (roster's ``esia_oid``): a hint the matching may confirm.
    stated_esia_oid: Mapped[str | None] = mapped_column(
        String(64),
        index=True,
        info=personal_data("идентификатор ЕСИА, указанный школой", purpose="portal", retention="person_card"),
    )
    #: The card's version (roster's ``Person.version``; a registration is 1): a replica keeps the highest.
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class SchoolRole(Base):
    """A person's role in a school: a staff role, «student» or «guardian»."""

    __tablename__ = "school_roles"
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class RegionAccount(Base):
    """A region-wide role (администратор региона, инспектор) held by an ESIA account; roster has no such roles."""

    __tablename__ = "region_accounts"
    esia_oid: Mapped[str] = mapped_column(
        String(64),
        primary_key=True,
        info=personal_data("идентификатор ЕСИА сотрудника региона", purpose="login", retention="person_card"),
    )
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(
        String(300), info=personal_data("ФИО сотрудника региона", purpose="login", retention="person_card")
    )
    #: The person id the region account acts under when roster does not know the person.
    person_id: Mapped[UUID]
    #: For a municipal administrator: the municipality whose schools they read.
    municipality_id: Mapped[UUID | None]


class LoginState(Base):
    """An ESIA authorization request in flight: its ``state`` (single use) and PKCE verifier.

    Bound to the browser that started it: only the hash of its pre-login cookie is kept.
    """

    __tablename__ = "login_states"
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    code_verifier: Mapped[str] = mapped_column(String(200))
    browser_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Session(Base):
    """A signed-in person (R-1: sessions are per person). The cookie holds the token; we keep its hash."""

    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(index=True)
    #: None for a session opened with a local login and password.
    esia_oid: Mapped[str | None] = mapped_column(
        String(64), info=personal_data("идентификатор ЕСИА сессии", purpose="login", retention="session")
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The absolute end; the idle timeout counts from ``last_seen_at``.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LoginAttempts(Base):
    """Calls per minute by rate-limit bucket (``gateway.rate_limits``): password login attempts by client address
    (``ip:<address>``) and in all (``all``), a state portal client's calls (``portal:<client_id>``)."""

    __tablename__ = "login_attempts"
    bucket: Mapped[str] = mapped_column(String(80), primary_key=True)
    minute: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    attempts: Mapped[int]


class AccessLogEntry(Base):
    """R-5: who read or changed what through the gateway, and with what outcome."""

    __tablename__ = "access_log"
    __table_args__ = (Index("access_log_unsealed", "id", postgresql_where=text("seal IS NULL")),)
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(
        index=True, info=personal_data("кто обращался к данным", purpose="security", retention="access_log")
    )
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(
        String(2000), info=personal_data("к каким данным обращались", purpose="security", retention="access_log")
    )
    status: Mapped[int] = mapped_column(SmallInteger)
    #: Indexed: the retention job finds the expired entries by it.
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    #: The hash chain's link (``gateway.domain.access_log``), written by the sealing job, not the writer.
    seal: Mapped[str | None] = mapped_column(String(64))


class AccessLogTrimmed(Base):
    """R-5: an access-log entry removed at the end of its retention; its seal keeps the chain verifiable."""

    __tablename__ = "access_log_trimmed"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seal: Mapped[str] = mapped_column(String(64))
    trimmed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LocalLogin(Base):
    """R-2: a login with a password, issued by the school for a person without ESIA (000 §3.1, 004 app.1 #3)."""

    __tablename__ = "local_logins"
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        info=personal_data("логин для входа без Госуслуг", purpose="login", retention="person_card"),
    )
    #: scrypt with its parameters and salt (``gateway.domain.passwords``); never the password itself.
    password_hash: Mapped[str] = mapped_column(Text)
    #: Issued by the administrator and not yet changed by the person.
    temporary: Mapped[bool]
    password_set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """A failed password login, kept for the lockout window; keyed by what was typed, known login or not."""

    __tablename__ = "login_failures"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    login: Mapped[str] = mapped_column(
        String(64),
        index=True,
        info=personal_data("логин неудачной попытки входа", purpose="security", retention="access_log"),
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LocalLoginAudit(Base):
    """R-5: who issued, reset or revoked a local login, when it was locked, when its password changed."""

    __tablename__ = "local_login_audit"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    #: ``issued``, ``reset``, ``revoked``, ``locked``, ``password_changed``.
    action: Mapped[str] = mapped_column(String(20))
    #: Whose login it is.
    person_id: Mapped[UUID] = mapped_column(index=True)
    login: Mapped[str] = mapped_column(
        String(64), info=personal_data("логин в журнале выдачи логинов", purpose="security", retention="access_log")
    )
    #: Who did it: the administrator, the person themselves; None for a lock (the system).
    actor_id: Mapped[UUID | None]
    #: The school whose administrator acted.
    school_id: Mapped[UUID | None]
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CompromiseReport(Base):
    """R-3: credentials reported compromised. Until cleared the account is blocked; whatever was done under
    it from ``since`` on is void and listed for the administrator (``004 §4.3-4.4``)."""

    __tablename__ = "compromise_reports"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(index=True)
    #: The moment from which the person disowns what was done under their account.
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reported_by: Mapped[UUID]
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: Set by the administrator once the person has new credentials; the block ends.
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_by: Mapped[UUID | None]


class Guardianship(Base):
    """A parent linked to a child by the school (roster); ``verified_at`` once ESIA's ``/kids`` of the parent
    listed that child (СНИЛС, names and birth date equal) at a login."""

    __tablename__ = "guardianships"
    guardian_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PortalClient(Base):
    """R-70: a state-services portal allowed to pull (OAuth2 client credentials).

    Registered by ``python -m gateway.portal_clients``."""

    __tablename__ = "portal_clients"
    client_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: SHA-256 of the secret (``gateway.domain.portal_pull.secret_digest``); the secret is shown once.
    secret_digest: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    #: Calls a minute before a 429, counted for every gateway instance together (``gateway.rate_limits``).
    calls_per_minute: Mapped[int]
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PortalToken(Base):
    """An access token issued to a portal client; we keep its digest only."""

    __tablename__ = "portal_tokens"
    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), index=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class PortalChange(Base):
    """The change feed: every public event, numbered in commit order (writers take one lock and a number from
    ``portal_change_versions``), so a portal that has read up to ``version`` misses nothing after it."""

    __tablename__ = "portal_changes"
    version: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    school_id: Mapped[UUID] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    data: Mapped[dict] = mapped_column(JSONB)


class PortalWithheld(Base):
    """A public event about a student whose ESIA oid was not known yet, kept until it is (``gateway.portal``):
    then it goes to the portal once, in the order it came, and the row goes. ``data`` is the public event's own
    data without the oid; rows older than a school year are trimmed with the change feed."""

    __tablename__ = "portal_withheld"
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    student_id: Mapped[UUID] = mapped_column(index=True)
    school_id: Mapped[UUID]
    type: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    data: Mapped[dict] = mapped_column(
        JSONB,
        info=personal_data(
            "отметки, пропуски и итоговые отметки ученика до того, как стал известен его идентификатор ЕСИА",
            purpose="portal",
            retention="person_card",
        ),
    )


class PortalFeed(Base):
    """The change feed's one row: the highest version trimmed away, below which a portal must resynchronise."""

    __tablename__ = "portal_feed"
    id: Mapped[bool] = mapped_column(primary_key=True, server_default=text("true"))
    trimmed_through: Mapped[int] = mapped_column(BigInteger)


class LeftStudent(Base):
    """R-4: a student who left the school (or was transferred to another): the school serves them no more, and
    nothing more about them goes to the portal stream from it. Enrolled again, the row goes."""

    __tablename__ = "left_students"
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    left_on: Mapped[date]


class EServiceRefusal(Base):
    """R-54: a student whose family refused the electronic service (``refused_on``; None: taken back).

    Nothing about the student goes to the portal stream while the refusal stands.
    """

    __tablename__ = "e_service_refusals"
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    refused_on: Mapped[date | None]
    version: Mapped[int]


class PortalConsent(Base):
    """R-5: a person's consent to the state portal as roster last told it (no row: given, as at entry).

    While it stands withdrawn nothing about the student goes to the portal, neither the stream nor the pull.
    """

    __tablename__ = "portal_consents"
    person_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    granted: Mapped[bool]
    version: Mapped[int]
