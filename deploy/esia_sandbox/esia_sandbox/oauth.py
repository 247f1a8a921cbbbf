"""ESIA's OAuth 2.0 endpoints: authorization (v2) with the login form, token exchange (v3), logout."""

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Cookie, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from esia_sandbox.clients import RegisteredClient, find_client
from esia_sandbox.people import TEST_PASSWORD, Person
from esia_sandbox.protocol import (
    KNOWN_SCOPES,
    authorization_secret_message,
    is_uuid,
    pkce_matches,
    scopes_of,
    timestamp_is_fresh,
    token_secret_message,
)
from esia_sandbox.state import Sandbox

SESSION_COOKIE = "esia_sandbox_session"

router = APIRouter()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def sandbox_of(request: Request) -> Sandbox:
    return request.app.state.sandbox


def with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def redirect_with_error(redirect_uri: str, error: str, description: str, state: str) -> RedirectResponse:
    """As ESIA does, a refused request goes back to the client with ``error``, ``error_description`` and ``state``."""
    return RedirectResponse(
        with_query(redirect_uri, {"error": error, "error_description": description, "state": state}), status_code=302
    )


def error_page(request: Request, message: str) -> HTMLResponse:
    """When the client or its redirect_uri cannot be trusted, the user is not sent anywhere."""
    return templates.TemplateResponse(request, "error.html", {"message": message}, status_code=400)


def login_page(
    request: Request, sandbox: Sandbox, request_id: str, session_person: Person | None, error: str | None = None
) -> HTMLResponse:
    context = {
        "request_id": request_id,
        "people": sandbox.people.all(),
        "session_person": session_person,
        "error": error,
    }
    return templates.TemplateResponse(request, "login.html", context)


def session_person(sandbox: Sandbox, session_id: str | None) -> Person | None:
    oid = sandbox.sessions.get(session_id) if session_id else None
    return sandbox.people.get(oid) if oid is not None else None


def authorization_problem(
    sandbox: Sandbox,
    client: RegisteredClient,
    *,
    client_secret: str,
    redirect_uri: str,
    scope: str,
    response_type: str,
    state: str,
    timestamp: str,
    code_challenge: str,
    code_challenge_method: str,
) -> tuple[str, str] | None:
    """The (error, error_description) ESIA would answer an authorization request with, or None if it is valid."""
    tolerance = timedelta(seconds=sandbox.settings.timestamp_tolerance_seconds)
    if response_type != "code":
        return "unsupported_response_type", "ESIA-007009: поддерживается только response_type=code"
    if not is_uuid(state):
        return "invalid_request", "ESIA-007002: state должен быть UUID"
    if not timestamp_is_fresh(timestamp, datetime.now(UTC), tolerance):
        return "invalid_request", "ESIA-007003: timestamp не в формате «yyyy.MM.dd HH:mm:ss Z» или устарел"
    scopes = scopes_of(scope)
    if "openid" not in scopes or not scopes <= KNOWN_SCOPES:
        return "invalid_scope", f"ESIA-007004: недопустимый scope «{scope}»"
    if not code_challenge or code_challenge_method != "S256":
        return "invalid_request", "ESIA-007008: нужен code_challenge с code_challenge_method=S256"
    message = authorization_secret_message(
        client_id=client.client_id, scope=scope, timestamp=timestamp, state=state, redirect_uri=redirect_uri
    )
    if not client.signed(message, client_secret):
        return "invalid_client", "ESIA-007053: подпись client_secret не прошла проверку"
    return None


@router.get("/aas/oauth2/v2/ac", response_class=HTMLResponse)
def authorize(
    request: Request,
    client_id: str = "",
    client_secret: str = "",
    redirect_uri: str = "",
    scope: str = "",
    response_type: str = "",
    state: str = "",
    timestamp: str = "",
    code_challenge: str = "",
    code_challenge_method: str = "",
    session_id: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Response:
    sandbox = sandbox_of(request)
    client = find_client(sandbox.settings.clients_file, client_id)
    if client is None:
        return error_page(request, f"Информационная система «{client_id}» не зарегистрирована в ЕСИА.")
    if not client.allows_redirect(redirect_uri):
        return error_page(request, "Адрес возврата не зарегистрирован для этой информационной системы.")
    problem = authorization_problem(
        sandbox,
        client,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        scope=scope,
        response_type=response_type,
        state=state,
        timestamp=timestamp,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method,
    )
    if problem is not None:
        return redirect_with_error(redirect_uri, *problem, state)
    request_id = sandbox.remember_pending(client_id, redirect_uri, scope, state, code_challenge)
    return login_page(request, sandbox, request_id, session_person(sandbox, session_id))


@router.post("/aas/oauth2/v2/ac", response_class=HTMLResponse)
def log_in(
    request: Request,
    request_id: Annotated[str, Form()] = "",
    oid: Annotated[str, Form()] = "",
    login: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    cancel: Annotated[str, Form()] = "",
    session_id: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Response:
    """The login form's submit: a test person picked from the list, or СНИЛС/phone with the password."""
    sandbox = sandbox_of(request)
    pending = sandbox.peek_pending(request_id)
    if pending is None:
        return error_page(request, "Время на вход истекло. Вернитесь на сайт и начните вход заново.")
    if cancel:
        sandbox.take_pending(request_id)
        return redirect_with_error(
            pending.redirect_uri, "access_denied", "ESIA-007013: пользователь отказался от входа", pending.state
        )
    if oid:
        person = sandbox.people.get(int(oid)) if oid.isdigit() else None
    else:
        found = sandbox.people.find_by_login(login)
        person = found if found is not None and password == TEST_PASSWORD else None
    if person is None:
        return login_page(
            request, sandbox, request_id, session_person(sandbox, session_id), error="Неверный логин или пароль."
        )
    sandbox.take_pending(request_id)
    code = sandbox.issue_code(pending, person.oid)
    response = RedirectResponse(with_query(pending.redirect_uri, {"code": code, "state": pending.state}), 302)
    response.set_cookie(SESSION_COOKIE, sandbox.open_session(person.oid), httponly=True, samesite="lax")
    return response


def token_error(error: str, description: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status_code)


@router.post("/aas/oauth2/v3/te")
def exchange(
    request: Request,
    client_id: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
    grant_type: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    state: Annotated[str, Form()] = "",
    redirect_uri: Annotated[str, Form()] = "",
    scope: Annotated[str, Form()] = "",
    timestamp: Annotated[str, Form()] = "",
    token_type: Annotated[str, Form()] = "",
    code_verifier: Annotated[str, Form()] = "",
) -> JSONResponse:
    """Authorization code → access token and id_token (ESIA's v3 token endpoint)."""
    sandbox = sandbox_of(request)
    if grant_type != "authorization_code":
        return token_error("unsupported_grant_type", "ESIA-007009: поддерживается только authorization_code")
    client = find_client(sandbox.settings.clients_file, client_id)
    if client is None:
        return token_error("invalid_client", "ESIA-007001: клиент не зарегистрирован", 401)
    if token_type != "Bearer" or not is_uuid(state):
        return token_error("invalid_request", "ESIA-007002: нужны token_type=Bearer и state в виде UUID")
    tolerance = timedelta(seconds=sandbox.settings.timestamp_tolerance_seconds)
    if not timestamp_is_fresh(timestamp, datetime.now(UTC), tolerance):
        return token_error("invalid_request", "ESIA-007003: timestamp не в формате «yyyy.MM.dd HH:mm:ss Z» или устарел")
    message = token_secret_message(
        client_id=client_id, scope=scope, timestamp=timestamp, state=state, redirect_uri=redirect_uri, code=code
    )
    if not client.signed(message, client_secret):
        return token_error("invalid_client", "ESIA-007053: подпись client_secret не прошла проверку", 401)
    issued = sandbox.take_code(code)
    if issued is None or issued.client_id != client_id or issued.redirect_uri != redirect_uri:
        return token_error("invalid_grant", "ESIA-007007: код авторизации недействителен, истёк или уже использован")
    if scopes_of(scope) != scopes_of(issued.scope):
        return token_error("invalid_scope", "ESIA-007004: scope не совпадает с запрошенным при авторизации")
    if not pkce_matches(code_verifier, issued.code_challenge):
        return token_error("invalid_grant", "ESIA-007008: code_verifier не соответствует code_challenge")
    tokens = sandbox.tokens.issue(oid=issued.oid, client_id=client_id, scope=issued.scope)
    return JSONResponse(
        {
            "access_token": tokens.access_token,
            "id_token": tokens.id_token,
            "expires_in": tokens.expires_in,
            "state": state,
            "token_type": "Bearer",
            "refresh_token": secrets.token_urlsafe(32),
        }
    )


@router.get("/idp/ext/Logout")
def log_out(
    request: Request,
    client_id: str = "",
    redirect_url: str = "",
    session_id: Annotated[str | None, Cookie(alias=SESSION_COOKIE)] = None,
) -> Response:
    """Ends the sandbox login session, then returns the user to the client (only to a registered address)."""
    sandbox = sandbox_of(request)
    client = find_client(sandbox.settings.clients_file, client_id)
    if client is None or not client.allows_redirect(redirect_url):
        return error_page(request, "Адрес возврата не зарегистрирован для этой информационной системы.")
    if session_id is not None:
        sandbox.sessions.pop(session_id, None)
    response = RedirectResponse(redirect_url, status_code=302)
    response.delete_cookie(SESSION_COOKIE)
    return response
