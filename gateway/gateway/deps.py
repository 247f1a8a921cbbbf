"""The signed-in person behind a request, read from the session cookie."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chassis.auth import Caller
from chassis.db import Database
from chassis.problems import DomainError, Forbidden, Unauthorized
from chassis.tenancy import SYSTEM
from gateway.accounts import caller_for
from gateway.domain.sessions import COOKIE, CSRF_HEADER, csrf_required, csrf_valid
from gateway.local_logins import PasswordState, password_state
from gateway.sessions import close_session, find_session


class PasswordChangeRequired(DomainError):
    status = 403
    title = "Смените пароль"
    slug = "password-change-required"


@dataclass(frozen=True)
class SignedIn:
    caller: Caller
    csrf_token: str
    #: The session's token, so a password change can keep this session and end the others.
    token: str
    #: Set for a session opened with a local login and password (R-2); None after ESIA.
    password: PasswordState | None = None


def database(request: Request) -> Database:
    return request.app.state.db


async def signed_in_or_none(request: Request) -> SignedIn | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    async with database(request).transaction(SYSTEM) as session:
        found = await find_session(session, token, request.app.state.settings.session_idle)
        if found is None:
            return None
        caller = await caller_for(session, found.person_id, found.esia_oid)
        password = None
        if found.esia_oid is None:
            password = await password_state(session, found.person_id, {role for _, role in caller.school_roles})
            if password is None:
                # the login was revoked; its sessions are ended with it, this is the belt to those braces.
                await close_session(session, token)
                return None
    return SignedIn(caller=caller, csrf_token=found.csrf_token, token=token, password=password)


async def signed_in(request: Request) -> SignedIn:
    """401 without a live session; a state-changing request also needs the session's CSRF token (403).

    R-2: with a temporary or expired password nothing works but the password change (403).
    """
    current = await signed_in_or_none(request)
    if current is None:
        raise Unauthorized("Войдите в систему: сеанс не найден или истёк.")
    if current.password is not None and current.password.change_required:
        raise PasswordChangeRequired("Смените пароль: откройте страницу /password и задайте новый пароль.")
    if csrf_required(request.method) and not csrf_valid(current.csrf_token, request.headers.get(CSRF_HEADER)):
        raise Forbidden("Запрос отклонён: нет или неверный токен защиты (X-CSRF-Token). Обновите страницу.")
    return current


SignedInDep = Annotated[SignedIn, Depends(signed_in)]
