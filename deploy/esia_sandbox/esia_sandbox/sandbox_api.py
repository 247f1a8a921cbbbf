"""Sandbox-only conveniences: the token key's certificate, and adding test people at run time."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from esia_sandbox.people import PersonRejected
from esia_sandbox.state import Sandbox

router = APIRouter(prefix="/sandbox")


@router.get("/esia.pem")
def certificate(request: Request) -> Response:
    """The certificate of the key that signs the tokens: real ESIA hands it to relying parties once, the sandbox
    makes a new one at every start."""
    sandbox: Sandbox = request.app.state.sandbox
    return Response(sandbox.tokens.certificate_pem, media_type="application/x-pem-file")


class NewPerson(BaseModel):
    oid: int | None = Field(default=None, gt=0)
    last_name: str = Field(min_length=1, max_length=100)
    first_name: str = Field(min_length=1, max_length=100)
    middle_name: str | None = Field(default=None, max_length=100)
    birth_date: date
    #: ``XXX-XXX-XXX YY`` or 11 digits; must pass the control-number check.
    snils: str
    #: For logging in by phone; optional.
    phone: str | None = None
    kids: list[int] = Field(default_factory=list)
    #: False: a simplified (unconfirmed) ESIA account.
    trusted: bool = True


@router.post("/people", status_code=201)
def add_person(body: NewPerson, request: Request) -> JSONResponse:
    sandbox: Sandbox = request.app.state.sandbox
    if not request.app.state.settings.admin_api:
        return JSONResponse({"detail": "Not Found"}, status_code=404)
    try:
        person = sandbox.people.add(**body.model_dump())
    except PersonRejected as rejected:
        return JSONResponse({"detail": str(rejected)}, status_code=409 if rejected.conflict else 422)
    return JSONResponse({"oid": person.oid}, status_code=201)
