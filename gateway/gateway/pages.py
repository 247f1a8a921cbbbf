"""Server-rendered pages: the templates and the role names a school user reads."""

from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from gateway.domain.sessions import LOGIN_FORM_COOKIE, LOGIN_FORM_PATH, form_token, new_token
from gateway.settings import GatewaySettings

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

ROLE_TITLES = {
    "school_admin": "администратор ЭЖ",
    "director": "директор",
    "deputy": "заместитель директора",
    "teacher": "учитель",
    "class_teacher": "классный руководитель",
    "secretary": "секретарь",
    "psychologist": "педагог-психолог",
    "student": "обучающийся",
    "guardian": "родитель (законный представитель)",
    "region_admin": "администратор региона",
    "inspector": "инспектор (только чтение)",
    "municipal_admin": "администратор муниципалитета (только чтение)",
}


def message_page(request: Request, title: str, message: str, status_code: int) -> HTMLResponse:
    """A page that tells the user what happened and offers to start again."""
    return templates.TemplateResponse(
        request, "message.html", {"title": title, "message": message}, status_code=status_code
    )


def login_form(request: Request, *, error: str | None = None, login: str = "", status_code: int = 200) -> HTMLResponse:
    """The login page with a fresh signed CSRF token for its password form, the nonce in a cookie beside it."""
    settings: GatewaySettings = request.app.state.settings
    nonce = new_token()
    token = form_token(request.app.state.tokens.form_key, nonce, datetime.now(UTC))
    context = {"form_token": token, "error": error, "login": login}
    response = templates.TemplateResponse(request, "login.html", context, status_code=status_code)
    response.set_cookie(
        LOGIN_FORM_COOKIE,
        nonce,
        max_age=3600,
        path=LOGIN_FORM_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
    )
    return response
