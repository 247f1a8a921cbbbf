"""The family's diary: which students the caller may see, and a student's week, from reporting."""

from uuid import UUID

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from chassis.auth import Caller
from chassis.dates import JournalDate
from chassis.problems import PROBLEM_JSON, NotFound
from gateway.deps import SignedInDep
from gateway.domain.json_objects import with_member_first
from gateway.upstream import ServiceUnavailable, Upstreams, record_access

router = APIRouter(prefix="/api/v1/diary", tags=["diary"])

#: Roles that open diaries through the family view (R-1: own children, oneself).
FAMILY_ROLES = frozenset({"guardian", "student"})


class DiaryStudentOut(BaseModel):
    school_id: UUID
    student_id: UUID
    name: str | None
    class_name: str | None


def family_schools(caller: Caller) -> list[UUID]:
    return sorted({school for school, role in caller.school_roles if role in FAMILY_ROLES}, key=str)


def _unless_failed(answer: httpx.Response) -> httpx.Response:
    if answer.status_code >= 500:
        raise ServiceUnavailable("Дневник временно недоступен. Повторите попытку через минуту.")
    return answer


@router.get("")
async def diary_students(current: SignedInDep, request: Request) -> list[DiaryStudentOut]:
    upstreams: Upstreams = request.app.state.upstreams
    found: list[DiaryStudentOut] = []
    for school_id in family_schools(current.caller):
        path = f"/schools/{school_id}/my/students"
        answer = _unless_failed(await upstreams.send("reporting", "GET", path, current.caller))
        if answer.status_code == 200:
            found += [DiaryStudentOut(school_id=school_id, **s) for s in answer.json()]
    await record_access(request.app.state.access_log, current.caller.person_id, "GET", request.url.path, 200)
    return found


@router.get("/{student_id}")
async def student_diary(
    student_id: UUID,
    current: SignedInDep,
    request: Request,
    start: JournalDate | None = None,
    end: JournalDate | None = None,
) -> Response:
    """The week (or ``start``..``end``) of a student's diary from the first of the caller's schools that has it.

    Reporting decides who may read whom (R-1); a child that is not the caller's is 404 everywhere.
    """
    upstreams: Upstreams = request.app.state.upstreams
    query = "&".join(f"{name}={value.isoformat()}" for name, value in (("start", start), ("end", end)) if value)
    schools = sorted({school for school, _ in current.caller.school_roles}, key=str)
    audited = request.url.path + (f"?{query}" if query else "")
    for school_id in schools:
        path = f"/schools/{school_id}/students/{student_id}/diary"
        answer = _unless_failed(await upstreams.send("reporting", "GET", path, current.caller, query=query))
        if answer.status_code == 200:
            await record_access(request.app.state.access_log, current.caller.person_id, "GET", audited, 200)
            # As reporting encoded it, the school put in front without decoding the week.
            week = with_member_first(answer.content, "school_id", str(school_id))
            return Response(week, media_type="application/json")
        if answer.status_code in (400, 422):
            # A bad period (e.g. start after end) is the same mistake in every school: say so at once.
            await record_access(
                request.app.state.access_log, current.caller.person_id, "GET", audited, answer.status_code
            )
            return JSONResponse(answer.json(), status_code=answer.status_code, media_type=PROBLEM_JSON)
    await record_access(request.app.state.access_log, current.caller.person_id, "GET", audited, 404)
    raise NotFound("Дневник не найден.")
