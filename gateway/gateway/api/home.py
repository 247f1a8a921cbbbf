"""The start page after login: what the person sees depends on their roles."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chassis.tenancy import SYSTEM
from gateway.accounts import school_names
from gateway.api.diary import FAMILY_ROLES
from gateway.deps import signed_in_or_none
from gateway.pages import ROLE_TITLES, templates

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    current = await signed_in_or_none(request)
    if current is None:
        return RedirectResponse("/login", status_code=303)
    if current.password is not None and current.password.change_required:
        # a temporary or year-old password is changed before anything else.
        return RedirectResponse("/password", status_code=303)
    caller = current.caller
    school_ids = {school for school, _ in caller.school_roles}
    async with request.app.state.db.transaction(SYSTEM) as session:
        names = await school_names(session, school_ids)
    roles = sorted(
        (names.get(school, "Школа"), ROLE_TITLES.get(role, role)) for school, role in caller.school_roles
    ) + [("Регион", ROLE_TITLES.get(role, role)) for role in sorted(caller.region_roles)]
    context = {
        "name": caller.name,
        "csrf_token": current.csrf_token,
        "local_login": current.password is not None,
        "teacher_schools": sorted({str(s) for s, r in caller.school_roles if r == "teacher"}),
        "family": any(r in FAMILY_ROLES for _, r in caller.school_roles),
        "admin_schools": sorted(
            (names.get(school, "Школа"), str(school)) for school, role in caller.school_roles if role == "school_admin"
        ),
        "role_titles": ROLE_TITLES,
        "roles": roles,
    }
    return templates.TemplateResponse(request, "home.html", context)
