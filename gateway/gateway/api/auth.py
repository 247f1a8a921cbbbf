"""Login through ESIA (R-2) and logout: the browser side of sessions."""

import asyncio
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.problems import Forbidden
from chassis.signing import CommandSigner, EcdsaSigner, GostSigner, Signer
from chassis.tenancy import SYSTEM
from gateway.accounts import find_person, school_names, unverified_children, verify_guardianships
from gateway.deps import callers, signed_in_or_none
from gateway.domain.accounts import EsiaIdentity, NoMatch
from gateway.domain.sessions import (
    COOKIE,
    CSRF_HEADER,
    ESIA_LOGIN_COOKIE,
    ESIA_LOGIN_PATH,
    LOGIN_STATE_TTL,
    SCHOOL_CHOICE_COOKIE,
    SCHOOL_CHOICE_PATH,
    csrf_valid,
    new_token,
    school_choice,
    school_choice_token,
    token_hash,
)
from gateway.esia import EsiaClient, EsiaError, EsiaTokens
from gateway.models import Person
from gateway.pages import login_form, message_page, templates
from gateway.sessions import (
    AccountBlocked,
    close_session,
    find_session,
    open_session,
    save_login_state,
    set_session_cookie,
    take_login_state,
)
from gateway.settings import GatewaySettings

log = structlog.get_logger()
router = APIRouter(tags=["login"])

NOT_FOUND_MESSAGES = {
    NoMatch.UNKNOWN: "Учётная запись не найдена. Обратитесь в школу.",
    NoMatch.AMBIGUOUS: "Ваши данные совпали с несколькими учётными записями. Обратитесь в школу.",
    NoMatch.UNTRUSTED: (
        "Ваша учётная запись на Госуслугах не подтверждена. Подтвердите её (в МФЦ, банке или центре "
        "обслуживания) и войдите снова."
    ),
}
#: ESIA's error codes as a user reads them; ESIA's own text is never shown (anyone can put text in a URL).
ESIA_ERRORS = {
    "access_denied": "Вы отказались от входа на Госуслугах. Чтобы войти, начните вход заново и подтвердите его.",
}
ESIA_ERROR = "Госуслуги не подтвердили вход. Начните вход заново."
STALE_LOGIN = "Ссылка для входа устарела, уже использована или открыта в другом браузере. Начните вход заново."


def client_secret_signer(settings: GatewaySettings) -> Signer:
    """The signer the settings name; the production profile admits only ``command`` (a certified tool)."""
    if settings.esia_signer == "command":
        return CommandSigner(settings.esia_sign_command)
    if settings.esia_signer == "gost":
        return GostSigner.from_pem(settings.esia_client_key_path.read_bytes())
    return EcdsaSigner(settings.esia_client_key_path.read_bytes())


def esia_client(request: Request) -> EsiaClient:
    """One ESIA client per app (it caches ESIA's token keys), made when first needed: the key file may come later."""
    state = request.app.state
    if state.esia is None:
        settings: GatewaySettings = state.settings
        certificate = state.esia_certificate
        state.esia = EsiaClient(
            base_url=settings.esia_url,
            client_id=settings.esia_client_id,
            redirect_uri=f"{settings.public_url}/auth/esia/callback",
            signer=client_secret_signer(settings),
            issuer=settings.esia_issuer,
            certificate=certificate,
            certificate_url=None if certificate else f"{settings.esia_url}{settings.esia_sandbox_certificate_path}",
            http=state.esia_http,
        )
    return state.esia


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    if await signed_in_or_none(request) is not None:
        return RedirectResponse("/", status_code=303)
    return login_form(request)


@router.get("/auth/esia")
async def start_login(request: Request) -> RedirectResponse:
    """To ESIA; the state and PKCE verifier are kept for this browser only (the pre-login cookie)."""
    settings: GatewaySettings = request.app.state.settings
    # A certified signer may be an external command: it must not stall other requests.
    authorization = await asyncio.to_thread(esia_client(request).authorization_request)
    browser = new_token()
    async with request.app.state.db.transaction(SYSTEM) as session:
        await save_login_state(session, authorization.state, authorization.code_verifier, browser)
    response = RedirectResponse(authorization.url, status_code=302)
    # Lax: ESIA sends the browser back with a top-level GET from its own site.
    response.set_cookie(
        ESIA_LOGIN_COOKIE,
        browser,
        max_age=int(LOGIN_STATE_TTL.total_seconds()),
        path=ESIA_LOGIN_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    return response


def _refused(request: Request, message: str, status_code: int) -> Response:
    """The login did not happen: a page saying why, and the pre-login cookie gone with the state."""
    response = message_page(request, "Вход не выполнен", message, status_code)
    response.delete_cookie(ESIA_LOGIN_COOKIE, path=ESIA_LOGIN_PATH)
    return response


@router.get("/auth/esia/callback", response_class=HTMLResponse)
async def finish_login(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    settings: GatewaySettings = request.app.state.settings
    db = request.app.state.db
    browser = request.cookies.get(ESIA_LOGIN_COOKIE)
    async with db.transaction(SYSTEM) as session:
        # A state we issued is printable; anything else (a NUL byte) cannot be one of ours.
        code_verifier = await take_login_state(session, state, browser) if state and state.isprintable() else None
    if error:
        log.info("esia_refused", error=error[:100])
        return _refused(request, ESIA_ERRORS.get(error, ESIA_ERROR), 400)
    if code_verifier is None or not code:
        return _refused(request, STALE_LOGIN, 400)
    esia = esia_client(request)
    try:
        tokens = await esia.exchange(code=code, state=state, code_verifier=code_verifier)
        person = await esia.person(tokens)
    except EsiaError as exc:
        return _refused(request, str(exc), 502)
    identity = EsiaIdentity(
        oid=tokens.oid,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        snils=person.snils,
        trusted=person.trusted,
    )
    async with db.transaction(SYSTEM) as session:
        matched = await find_person(session, identity)
        if isinstance(matched, NoMatch):
            log.info("login_refused", reason=matched.value, esia_oid=tokens.oid)
            return _refused(request, NOT_FOUND_MESSAGES[matched], 403)
        await _confirm_children(esia, tokens, session, matched)
        if len(matched) > 1:
            return await _choose_school(request, session, tokens.oid, matched)
        (person_id,) = matched
        try:
            opened = await open_session(session, person_id, tokens.oid, settings.session_ttl_hours)
        except AccountBlocked as refused:
            return _refused(request, refused.detail, 403)
    log.info("login", person_id=str(person_id))
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, opened, settings)
    response.delete_cookie(ESIA_LOGIN_COOKIE, path=ESIA_LOGIN_PATH)
    return response


async def _confirm_children(
    esia: EsiaClient, tokens: EsiaTokens, session: AsyncSession, accounts: frozenset[UUID]
) -> None:
    """R-2: the school's links of a parent to children are marked verified when ESIA lists the children.

    ESIA is asked only while a link waits; if it cannot answer, the login goes on unverified.
    """
    children = await unverified_children(session, accounts)
    if not children:
        return
    try:
        kids = await esia.kids(tokens)
    except EsiaError:
        log.warning("esia_kids_unavailable")
        return
    identities = [
        EsiaIdentity(
            oid=k.oid,
            last_name=k.last_name,
            first_name=k.first_name,
            birth_date=k.birth_date,
            snils=k.snils,
            trusted=True,
        )
        for k in kids
    ]
    confirmed = await verify_guardianships(session, accounts, children, identities)
    log.info("guardianships_verified", count=len(confirmed))


async def _choose_school(request: Request, session: AsyncSession, oid: str, person_ids: frozenset[UUID]) -> Response:
    """One ESIA person with accounts in several schools picks the school to work in (one session, one school)."""
    settings: GatewaySettings = request.app.state.settings
    people = list(await session.scalars(select(Person).where(Person.person_id.in_(person_ids))))
    names = await school_names(session, {p.school_id for p in people})
    schools = sorted(
        ({"person_id": str(p.person_id), "name": names.get(p.school_id, "Школа")} for p in people),
        key=lambda school: school["name"],
    )
    response = templates.TemplateResponse(request, "choose_school.html", {"schools": schools})
    token = school_choice_token(request.app.state.tokens.form_key, oid, [str(p) for p in person_ids], datetime.now(UTC))
    response.set_cookie(
        SCHOOL_CHOICE_COOKIE,
        token,
        max_age=int(LOGIN_STATE_TTL.total_seconds()),
        path=SCHOOL_CHOICE_PATH,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    response.delete_cookie(ESIA_LOGIN_COOKIE, path=ESIA_LOGIN_PATH)
    return response


@router.post("/auth/school", response_class=HTMLResponse)
async def choose_school(request: Request, person_id: Annotated[str, Form()] = "") -> Response:
    """The school picked after an ESIA login: only one of those the signed choice lists."""
    settings: GatewaySettings = request.app.state.settings
    choice = school_choice(
        request.app.state.tokens.form_key, request.cookies.get(SCHOOL_CHOICE_COOKIE), datetime.now(UTC)
    )
    if choice is None or person_id not in choice[1]:
        return message_page(request, "Вход не выполнен", STALE_LOGIN, 400)
    oid, _ = choice
    try:
        async with request.app.state.db.transaction(SYSTEM) as session:
            opened = await open_session(session, UUID(person_id), oid, settings.session_ttl_hours)
    except AccountBlocked as refused:
        return message_page(request, "Вход не выполнен", refused.detail, 403)
    log.info("login", person_id=person_id)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, opened, settings)
    response.delete_cookie(SCHOOL_CHOICE_COOKIE, path=SCHOOL_CHOICE_PATH)
    return response


@router.post("/logout")
async def logout(request: Request, csrf_token: Annotated[str, Form()] = "") -> RedirectResponse:
    """Ends the session here and at ESIA; a forged logout from another site is refused by the CSRF token."""
    settings: GatewaySettings = request.app.state.settings
    token = request.cookies.get(COOKIE)
    through_esia = True
    if token:
        async with request.app.state.db.transaction(SYSTEM) as session:
            found = await find_session(session, token, settings.session_idle)
            if found is not None and not csrf_valid(found.csrf_token, csrf_token or request.headers.get(CSRF_HEADER)):
                raise Forbidden("Выход отклонён: нет или неверный токен защиты. Обновите страницу.")
            through_esia = found is None or found.esia_oid is not None
            await close_session(session, token)
        callers(request).forget(token_hash(token))
    # A session opened with a local login has no ESIA session to end.
    login_page_url = f"{settings.public_url}/login"
    target = esia_client(request).logout_url(login_page_url) if through_esia else login_page_url
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure)
    return response
