"""The start page after login: what the person sees depends on their roles."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from chassis.auth import MUNICIPAL_ROLE, REGION_READ_ROLES, SCHOOL_READ_ROLES
from chassis.tenancy import SYSTEM
from gateway.accounts import all_school_names, home_zone, school_names
from gateway.api.diary import FAMILY_ROLES
from gateway.deps import signed_in_or_none
from gateway.domain.russian import plural_form
from gateway.pages import ROLE_TITLES, templates

router = APIRouter(tags=["pages"])
#: Who starts a school-wide report job (reporting's rule; the read-only roles start nothing).
REPORT_STARTERS = frozenset({"school_admin", "deputy"})
#: Who controls the filling of the journal: lateness, attestation risks, families' disputes (004 app.2, app.3).
CONTROL_ROLES = frozenset({"director", "deputy"})
SERVICE_WORKER = Path(__file__).parent.parent / "static" / "js" / "sw.js"


@router.get("/sw.js", include_in_schema=False)
async def service_worker() -> FileResponse:
    """The service worker from the site's root, so it may keep the start page (a worker's scope is its folder)."""
    return FileResponse(SERVICE_WORKER, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    current = await signed_in_or_none(request)
    if current is None:
        return RedirectResponse("/login", status_code=303)
    if current.password is not None and current.password.change_required:
        # a temporary or year-old password is changed before anything else.
        return RedirectResponse("/password", status_code=303)
    caller = current.caller
    school_ids = {school for school, _ in caller.school_roles} | caller.municipal_schools
    # A municipal administrator sees their municipality's schools only, not the region's list.
    region = bool(caller.region_roles - {MUNICIPAL_ROLE})
    async with request.app.state.db.transaction(SYSTEM) as session:
        names = await (all_school_names(session) if region else school_names(session, school_ids))
        zone = await home_zone(session, school_ids, request.app.state.settings.timezone)
    # the journals a person may open: their own courses (teacher), every course of the school
    # (administration, read only), every school's (inspector, read only). The services check it again.
    readable = {s for s, r in caller.school_roles if r in SCHOOL_READ_ROLES | {"teacher"}}
    if caller.region_roles & REGION_READ_ROLES:
        readable |= set(names)
    readable |= caller.municipal_schools
    roles = sorted(
        (names.get(school, "Школа"), ROLE_TITLES.get(role, role)) for school, role in caller.school_roles
    ) + [("Регион", ROLE_TITLES.get(role, role)) for role in sorted(caller.region_roles)]
    # R-60 … R-62: reports for the class teacher (their classes), the administration and the inspector (all).
    administration = {s for s, r in caller.school_roles if r in SCHOOL_READ_ROLES}
    starters = {s for s, r in caller.school_roles if r in REPORT_STARTERS}
    class_teacher = {s for s, r in caller.school_roles if r == "class_teacher"}
    if caller.region_roles & REGION_READ_ROLES:
        administration |= set(names)
    administration |= caller.municipal_schools
    report_schools = [
        {
            "id": str(school),
            "name": names.get(school, "Школа"),
            "admin": school in administration,
            "starter": school in starters,
        }
        for school in sorted(administration | class_teacher, key=lambda school: names.get(school, "Школа"))
    ]
    context = {
        "report_schools": report_schools,
        "name": caller.name,
        "csrf_token": current.csrf_token,
        "local_login": current.password is not None,
        "teacher_schools": sorted({str(s) for s, r in caller.school_roles if r == "teacher"}),
        "journal_schools": [
            {"id": str(school), "name": names.get(school, "Школа")}
            for school in sorted(readable, key=lambda school: names.get(school, "Школа"))
        ],
        # The director's and the deputy's control of the journal, read only.
        "control_schools": [
            {"id": str(school), "name": names.get(school, "Школа")}
            for school in sorted(
                {s for s, r in caller.school_roles if r in CONTROL_ROLES}, key=lambda school: names.get(school, "Школа")
            )
        ],
        "class_teacher_schools": sorted({str(s) for s, r in caller.school_roles if r == "class_teacher"}),
        # The region's schools; a municipal administrator's own, whose figures they read.
        "region_schools": sorted(names.values()) if region or caller.municipal_schools else [],
        "municipal": not region,
        # the region's administrator keeps the municipalities and which school belongs to which.
        "municipalities_admin": "region_admin" in caller.region_roles,
        "school_word": plural_form(len(names), "школа", "школы", "школ"),
        "family": any(r in FAMILY_ROLES for _, r in caller.school_roles),
        # Internal mail and the one unread counter: everyone of a school.
        "mail": bool(caller.school_roles),
        "admin_schools": sorted(
            (names.get(school, "Школа"), str(school)) for school, role in caller.school_roles if role == "school_admin"
        ),
        # who loads files and records movement (the administrator and the secretary).
        "office_schools": sorted(
            {
                (names.get(school, "Школа"), str(school))
                for school, role in caller.school_roles
                if role in ("school_admin", "secretary")
            }
        ),
        # 152-ФЗ ст. 21: the school's administrator, and the region's for every school, confirm destruction.
        "destruction_schools": [
            {"id": str(school), "name": name}
            for name, school in sorted(
                (names.get(school, "Школа"), school)
                for school in (set(names) if "region_admin" in caller.region_roles else school_ids)
                if "region_admin" in caller.region_roles or caller.has_role(school, "school_admin")
            )
        ],
        "role_titles": ROLE_TITLES,
        "roles": roles,
        # The school's today in its own zone by the gateway's clock (R-24's window and the journal's weeks follow it).
        "today": request.app.state.clock.today(zone).isoformat(),
    }
    return templates.TemplateResponse(request, "home.html", context)
