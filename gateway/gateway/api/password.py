"""Login with a local login and password (R-2), and the password change it may require first."""

from datetime import UTC, datetime
from ipaddress import ip_address, ip_network
from typing import Annotated

import structlog
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.problems import Invalid, NotFound
from chassis.tenancy import SYSTEM
from gateway import local_logins
from gateway.deps import SignedIn, callers_changed, signed_in_or_none
from gateway.domain.local_logins import normalized_login
from gateway.domain.sessions import LOGIN_FORM_COOKIE, csrf_valid, form_token_valid
from gateway.local_logins import PasswordState
from gateway.pages import login_form, templates
from gateway.rate_limits import over_rate_limit
from gateway.sessions import AccountBlocked, NewSession, open_session, set_session_cookie
from gateway.settings import GatewaySettings

log = structlog.get_logger()
router = APIRouter(tags=["login"])

#: The same answer for an unknown login and a wrong password: no hint which it was.
WRONG = "Неверный логин или пароль."
STALE_FORM = "Форма входа устарела. Введите логин и пароль ещё раз."
TOO_MANY = "Слишком много попыток входа. Подождите минуту и попробуйте снова."


def _locked_message(minutes: int) -> str:
    return f"Слишком много неудачных попыток. Вход по этому логину закрыт, попробуйте через {minutes} мин."


def client_address(request: Request, trusted_proxies: tuple[str, ...]) -> str:
    """The address of the browser: the peer, or behind our reverse proxies (addresses or networks) the last
    address in ``X-Forwarded-For`` that is not one of them."""
    peer = request.client.host if request.client else "unknown"
    if not behind(peer, trusted_proxies):
        return peer
    forwarded = [hop.strip() for hop in request.headers.get("x-forwarded-for", "").split(",") if hop.strip()]
    outside = [hop for hop in forwarded if not behind(hop, trusted_proxies)]
    return outside[-1] if outside else peer


def behind(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ip_address(address)
    except ValueError:
        return False
    return any(ip in ip_network(network, strict=False) for network in networks)


def _too_many(request: Request, message: str, seconds: int, login: str = "") -> Response:
    response = login_form(request, error=message, login=login, status_code=429)
    response.headers["Retry-After"] = str(seconds)
    return response


@router.post("/auth/password", response_class=HTMLResponse)
async def password_login(
    request: Request,
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    form_token: Annotated[str, Form()] = "",
) -> Response:
    settings: GatewaySettings = request.app.state.settings
    db = request.app.state.db
    # every attempt counts against its address and against all, before anything is checked.
    limits = {
        f"ip:{client_address(request, settings.trusted_proxies)}": settings.login_attempts_per_ip_per_minute,
        "all": settings.login_attempts_per_minute,
    }
    async with db.transaction(SYSTEM) as session:
        wait = await over_rate_limit(session, limits)
    if wait is not None:
        log.warning("password_login_rate_limited")
        return _too_many(request, TOO_MANY, wait)
    token_key = request.app.state.tokens.form_key
    if not form_token_valid(token_key, request.cookies.get(LOGIN_FORM_COOKIE), form_token, datetime.now(UTC)):
        return login_form(request, error=STALE_FORM, status_code=403)
    typed = normalized_login(login)
    if not typed or not password:
        return login_form(request, error=WRONG, login=login.strip(), status_code=401)
    try:
        async with db.transaction(SYSTEM) as session:
            opened = await _log_in(request, session, typed, password, login.strip())
    except AccountBlocked as refused:
        return login_form(request, error=refused.detail, login=login.strip(), status_code=403)
    if isinstance(opened, Response):
        return opened
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, opened, settings)
    response.delete_cookie(LOGIN_FORM_COOKIE, path="/auth/password")
    return response


async def _log_in(
    request: Request, session: AsyncSession, typed: str, password: str, login: str
) -> NewSession | Response:
    """A new session, or the login form again saying why not."""
    settings: GatewaySettings = request.app.state.settings
    outcome = await local_logins.authenticate(session, typed, password)
    if isinstance(outcome, local_logins.Refused):
        log.info("password_login_refused", locked=outcome.locked_until is not None)
        if outcome.locked_until is not None:
            seconds = max(1, int((outcome.locked_until - datetime.now(UTC)).total_seconds()))
            return _too_many(request, _locked_message(-(-seconds // 60)), seconds, login)
        return login_form(request, error=WRONG, login=login, status_code=401)
    opened = await open_session(session, outcome, None, settings.session_ttl_hours)
    log.info("login", person_id=str(outcome), method="password")
    return opened


def _password_page(
    request: Request,
    current: SignedIn,
    state: PasswordState,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "name": current.caller.name,
        "csrf_token": current.csrf_token,
        "login": state.login,
        "temporary": state.temporary,
        "required": state.change_required,
        "error": error,
    }
    return templates.TemplateResponse(request, "password.html", context, status_code=status_code)


@router.get("/password", response_class=HTMLResponse)
async def password_page(request: Request) -> Response:
    """«Смена пароля»: forced after a temporary password or a staff password a year old (R-2), open any time."""
    current = await signed_in_or_none(request)
    if current is None:
        return RedirectResponse("/login", status_code=303)
    if current.password is None:
        # Signed in through ESIA: the password is the one at Госуслуги.
        return RedirectResponse("/", status_code=303)
    return _password_page(request, current, current.password)


@router.post("/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    new_password: Annotated[str, Form()] = "",
    repeat_password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    current = await signed_in_or_none(request)
    if current is None:
        return RedirectResponse("/login", status_code=303)
    if current.password is None:
        return RedirectResponse("/", status_code=303)
    if not csrf_valid(current.csrf_token, csrf_token):
        message = "Запрос отклонён: нет или неверный токен защиты. Обновите страницу."
        return _password_page(request, current, current.password, error=message, status_code=403)
    try:
        async with request.app.state.db.transaction(SYSTEM) as session:
            await local_logins.change_password(
                session, current.caller.person_id, new_password, repeat_password, keep_token=current.token
            )
        callers_changed(request, current.caller.person_id)
    except (Invalid, NotFound) as refused:
        return _password_page(request, current, current.password, error=refused.detail, status_code=refused.status)
    log.info("password_changed", person_id=str(current.caller.person_id))
    return RedirectResponse("/", status_code=303)
