"""Server-rendered pages: the templates and the role names a school user reads."""

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

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
}


def message_page(request: Request, title: str, message: str, status_code: int) -> HTMLResponse:
    """A page that tells the user what happened and offers to start again."""
    return templates.TemplateResponse(
        request, "message.html", {"title": title, "message": message}, status_code=status_code
    )
