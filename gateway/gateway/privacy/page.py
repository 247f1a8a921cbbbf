"""``/privacy``: the family's requests about its personal data, and the school office's requests and breach register."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from chassis.tenancy import SYSTEM
from gateway.accounts import school_names
from gateway.api.diary import FAMILY_ROLES
from gateway.deps import signed_in_or_none
from gateway.pages import templates
from gateway.privacy.requests import CARD_FIELDS

router = APIRouter(tags=["pages"])


@router.get("/privacy", response_class=HTMLResponse, include_in_schema=False)
async def privacy_page(request: Request) -> Response:
    current = await signed_in_or_none(request)
    if current is None:
        return RedirectResponse("/login", status_code=303)
    if current.password is not None and current.password.change_required:
        return RedirectResponse("/password", status_code=303)
    caller = current.caller
    admin = {school for school, role in caller.school_roles if role == "school_admin"}
    async with request.app.state.db.transaction(SYSTEM) as session:
        names = await school_names(session, admin)
    context = {
        "name": caller.name,
        "csrf_token": current.csrf_token,
        "family": any(role in FAMILY_ROLES for _, role in caller.school_roles),
        "admin_schools": sorted((names.get(school, "Школа"), str(school)) for school in admin),
        "card_fields": CARD_FIELDS,
        "today": request.app.state.clock.today(request.app.state.settings.timezone).isoformat(),
    }
    return templates.TemplateResponse(request, "privacy.html", context)
