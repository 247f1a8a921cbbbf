"""The signed-in person behind a request, read from the session cookie."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chassis.auth import Caller
from chassis.db import Database
from chassis.problems import Forbidden, Unauthorized
from chassis.tenancy import SYSTEM
from gateway.accounts import caller_for
from gateway.domain.sessions import COOKIE, CSRF_HEADER, csrf_required, csrf_valid
from gateway.sessions import find_session


@dataclass(frozen=True)
class SignedIn:
    caller: Caller
    csrf_token: str


def database(request: Request) -> Database:
    return request.app.state.db


async def signed_in_or_none(request: Request) -> SignedIn | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    async with database(request).transaction(SYSTEM) as session:
        found = await find_session(session, token)
        if found is None:
            return None
        caller = await caller_for(session, found.person_id, found.esia_oid)
    return SignedIn(caller=caller, csrf_token=found.csrf_token)


async def signed_in(request: Request) -> SignedIn:
    """401 without a live session; a state-changing request also needs the session's CSRF token (403)."""
    current = await signed_in_or_none(request)
    if current is None:
        raise Unauthorized("Войдите в систему: сеанс не найден или истёк.")
    if csrf_required(request.method) and not csrf_valid(current.csrf_token, request.headers.get(CSRF_HEADER)):
        raise Forbidden("Запрос отклонён: нет или неверный токен защиты (X-CSRF-Token). Обновите страницу.")
    return current


SignedInDep = Annotated[SignedIn, Depends(signed_in)]
