"""ESIA's REST look-ups of a person and their children (``/rs/prns``), behind the access token."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse

from esia_sandbox.people import Person
from esia_sandbox.protocol import scopes_of
from esia_sandbox.state import Sandbox
from esia_sandbox.tokens import InvalidToken

router = APIRouter(prefix="/rs/prns")


class Refused(Exception):
    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if self.status_code == 401 else None
        return JSONResponse({"code": self.code, "message": self.message}, self.status_code, headers=headers)


def granted_scopes(sandbox: Sandbox, authorization: str | None, oid: int) -> frozenset[str]:
    """The scopes the bearer token grants over ``oid``; a token of another person is refused (403)."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refused(401, "ESIA-005001", "Нужен маркер доступа (Authorization: Bearer …).")
    try:
        claims = sandbox.tokens.verify_access(token)
    except InvalidToken as error:
        raise Refused(401, "ESIA-005002", f"Маркер доступа недействителен: {error}.") from error
    if claims["urn:esia:sbj_id"] != oid:
        raise Refused(403, "ESIA-005003", "Маркер доступа выдан другому пользователю.")
    return scopes_of(claims["scope"])


def found(sandbox: Sandbox, oid: int) -> Person:
    person = sandbox.people.get(oid)
    if person is None:
        raise Refused(404, "ESIA-005004", f"Пользователь {oid} не найден.")
    return person


def person_json(person: Person, scopes: frozenset[str], prefix: str) -> dict[str, Any]:
    """A person's data limited to what the scopes grant (``fullname``, ``birthdate``, ``snils``, or ``kid_*``)."""
    data: dict[str, Any] = {}
    if f"{prefix}fullname" in scopes:
        data.update({"firstName": person.first_name, "lastName": person.last_name})
        if person.middle_name:
            data["middleName"] = person.middle_name
    if f"{prefix}birthdate" in scopes:
        data["birthDate"] = person.birth_date.strftime("%d.%m.%Y")
    if f"{prefix}snils" in scopes:
        data["snils"] = person.snils
    return data


@router.get("/{oid}")
def person(oid: int, request: Request, authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        scopes = granted_scopes(sandbox, authorization, oid)
        if not scopes & {"fullname", "birthdate", "snils"}:
            raise Refused(403, "ESIA-005005", "Маркер доступа не даёт прав на данные пользователя.")
        subject = found(sandbox, oid)
        data = person_json(subject, scopes, "")
    except Refused as refused:
        return refused.response()
    return JSONResponse({"oid": oid, **data, "trusted": subject.trusted, "status": "REGISTERED"})


@router.get("/{oid}/kids")
def kids(oid: int, request: Request, authorization: Annotated[str | None, Header()] = None) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    try:
        scopes = granted_scopes(sandbox, authorization, oid)
        if not scopes & {"kid_fullname", "kid_birthdate", "kid_snils"}:
            raise Refused(403, "ESIA-005005", "Маркер доступа не даёт прав на данные детей.")
        parent = found(sandbox, oid)
    except Refused as refused:
        return refused.response()
    elements = [
        {"id": kid.oid, **person_json(kid, scopes, "kid_")}
        for kid in (sandbox.people.get(kid_oid) for kid_oid in parent.kids)
        if kid is not None
    ]
    return JSONResponse({"stateFacts": ["hasSize"], "size": len(elements), "elements": elements})
