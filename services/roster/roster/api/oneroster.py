"""OneRoster 1.2 rostering, read only: a school's orgs, academicSessions, courses, classes, users and enrollments.

The school is the caller's tenancy, so another system reads one school with a token of that school's
administration (the gateway issues it); the standard's OAuth 2 client-credentials flow is the gateway's.
A school's lists are a few thousand records: they are filtered, sorted and paged here, after one read.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from chassis.deps import CallerDep, SchoolSession
from roster.domain.oneroster import OUR_TO_ONEROSTER
from roster.domain.oneroster_rest import DEFAULT_LIMIT, link_header, parse_filter, select_page, timestamp
from roster.models import AcademicYear, Enrolment, Guardianship, Person, School, SchoolClass, StaffRole

router = APIRouter(prefix="/schools/{school_id}/ims/oneroster/rostering/v1p2", tags=["oneroster"])

#: Who may read the roster out (an integration acts for the school's administration).
READERS = ("school_admin", "director", "deputy", "secretary")

Records = Callable[[SchoolSession, UUID], Awaitable[list[dict]]]


def ref(kind: str, sourced_id: object) -> dict:
    return {"href": f"/{kind}s/{sourced_id}", "sourcedId": str(sourced_id), "type": kind}


async def orgs(session: SchoolSession, school_id: UUID) -> list[dict]:
    school = await session.get(School, school_id)
    if school is None:
        return []
    return [
        {
            "sourcedId": str(school.id),
            "status": "active",
            "dateLastModified": timestamp(school.created_at),
            "name": school.name,
            "type": "school",
            "identifier": school.short_name,
        }
    ]


async def sessions(session: SchoolSession, school_id: UUID) -> list[dict]:
    years = await session.scalars(select(AcademicYear).filter_by(school_id=school_id))
    return [
        {
            "sourcedId": str(y.id),
            "status": "active",
            "dateLastModified": timestamp(y.modified_at),
            "title": y.name,
            "type": "schoolYear",
            "startDate": y.starts.isoformat(),
            "endDate": y.ends.isoformat(),
            "schoolYear": str(y.ends.year),
        }
        for y in years
    ]


async def _classes(session: SchoolSession, school_id: UUID) -> list[SchoolClass]:
    return list(await session.scalars(select(SchoolClass).filter_by(school_id=school_id)))


def course_id(school_class: SchoolClass) -> str:
    """A course is a grade of a school year (our classes have no course of their own)."""
    return f"{school_class.school_id}-{school_class.academic_year[:4]}-{school_class.grade}"


async def courses(session: SchoolSession, school_id: UUID) -> list[dict]:
    found: dict[str, dict] = {}
    for c in await _classes(session, school_id):
        stamp = timestamp(c.modified_at)
        course = found.setdefault(
            course_id(c),
            {
                "sourcedId": course_id(c),
                "status": "active",
                "dateLastModified": stamp,
                "title": f"{c.grade} класс, {c.academic_year}",
                "courseCode": str(c.grade),
                "grades": [f"{c.grade:02d}"],
                "org": ref("org", school_id),
            },
        )
        course["dateLastModified"] = max(course["dateLastModified"], stamp)
    return list(found.values())


async def classes(session: SchoolSession, school_id: UUID) -> list[dict]:
    return [
        {
            "sourcedId": str(c.id),
            "status": "active",
            "dateLastModified": timestamp(c.modified_at),
            "title": c.name,
            "classCode": c.name,
            "classType": "homeroom",
            "grades": [f"{c.grade:02d}"],
            "course": ref("course", course_id(c)),
            "school": ref("org", school_id),
        }
        for c in await _classes(session, school_id)
    ]


async def users(session: SchoolSession, school_id: UUID) -> list[dict]:
    roles: dict[UUID, set[str]] = {}
    for student in await session.scalars(select(Enrolment.student_id).filter_by(school_id=school_id)):
        roles.setdefault(student, set()).add("student")
    agents: dict[UUID, list[str]] = {}
    for tie in await session.scalars(select(Guardianship).filter_by(school_id=school_id)):
        roles.setdefault(tie.guardian_id, set()).add("parent")
        agents.setdefault(tie.guardian_id, []).append(str(tie.student_id))
        agents.setdefault(tie.student_id, []).append(str(tie.guardian_id))
    for held in await session.scalars(select(StaffRole).filter_by(school_id=school_id)):
        if held.role in OUR_TO_ONEROSTER:
            roles.setdefault(held.person_id, set()).add(OUR_TO_ONEROSTER[held.role])
    people = await session.scalars(select(Person).where(Person.school_id == school_id, Person.id.in_(roles)))
    return [
        {
            "sourcedId": str(p.id),
            "status": "active",
            "dateLastModified": timestamp(p.modified_at),
            "enabledUser": True,
            "givenName": p.first_name,
            "familyName": p.last_name,
            "middleName": p.middle_name or "",
            "identifier": p.snils or "",
            "email": p.email or "",
            "phone": p.phone or "",
            "roles": [
                {"roleType": "primary" if i == 0 else "secondary", "role": role, "org": ref("org", school_id)}
                for i, role in enumerate(sorted(roles[p.id]))
            ],
            "agents": [ref("user", a) for a in sorted(agents.get(p.id, []))],
        }
        for p in people
    ]


async def enrollments(session: SchoolSession, school_id: UUID) -> list[dict]:
    rows = await session.scalars(select(Enrolment).filter_by(school_id=school_id))
    led = await session.execute(
        select(SchoolClass.id, SchoolClass.class_teacher_id, SchoolClass.modified_at).where(
            SchoolClass.school_id == school_id, SchoolClass.class_teacher_id.is_not(None)
        )
    )
    found = [
        {
            "sourcedId": str(e.id),
            "status": "active",
            "dateLastModified": timestamp(e.modified_at),
            "role": "student",
            "primary": False,
            "beginDate": e.enrolled_on.isoformat(),
            "user": ref("user", e.student_id),
            "class": ref("class", e.class_id),
            "school": ref("org", school_id),
        }
        for e in rows
    ]
    found += [
        {
            "sourcedId": f"{class_id}-{teacher_id}",
            "status": "active",
            "dateLastModified": timestamp(modified),
            "role": "teacher",
            "primary": True,
            "user": ref("user", teacher_id),
            "class": ref("class", class_id),
            "school": ref("org", school_id),
        }
        for class_id, teacher_id, modified in led
    ]
    return found


#: Collection name → its records and the fields it sorts on besides sourcedId and dateLastModified.
COLLECTIONS: dict[str, tuple[Records, frozenset[str]]] = {
    "orgs": (orgs, frozenset({"name"})),
    "academicSessions": (sessions, frozenset({"title", "startDate"})),
    "courses": (courses, frozenset({"title"})),
    "classes": (classes, frozenset({"title"})),
    "users": (users, frozenset({"familyName", "givenName"})),
    "enrollments": (enrollments, frozenset({"role"})),
}


def _route(name: str) -> None:
    read, sortable = COLLECTIONS[name]

    async def collection(
        school_id: UUID,
        request: Request,
        response: Response,
        caller: CallerDep,
        session: SchoolSession,
        filter: str | None = None,
        sort: str | None = None,
        orderBy: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
        limit: int = DEFAULT_LIMIT,
        offset: int = 0,
    ) -> dict:
        caller.require(school_id, *READERS)
        predicates = parse_filter(filter, frozenset({"dateLastModified", "status"}))
        page, total = select_page(
            await read(session, school_id),
            predicates,
            sort,
            orderBy,
            limit,
            offset,
            sortable | {"sourcedId", "dateLastModified"},
        )
        query = {k: v for k, v in request.query_params.items() if k not in ("limit", "offset")}
        response.headers["X-Total-Count"] = str(total)
        response.headers["Link"] = link_header(request.url.path, query, total, limit, offset)
        return {name: page}

    collection.__name__ = f"oneroster_{name}"
    collection.__doc__ = (
        f"OneRoster 1.2 ``{name}`` of the school: ``filter``, ``sort``/``orderBy``, ``limit``/``offset``."
    )
    router.add_api_route(f"/{name}", collection, methods=["GET"])


for collection_name in COLLECTIONS:
    _route(collection_name)
