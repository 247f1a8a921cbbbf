"""Unsubscribe links from e-mails (R-51): no login; the signed link says who, which kind and which channel.

``GET`` shows what the link will do and a button (mail scanners open links, so a GET changes
nothing); ``POST`` does it — also RFC 8058 one-click, which mail.ru and Yandex send.
"""

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from chassis.tenancy import Tenant
from notifications.domain import unsubscribe
from notifications.domain.delivery import KINDS
from notifications.models import NotificationPreference

router = APIRouter(prefix="/unsubscribe", tags=["unsubscribe"])

KIND_NAMES = {
    "mark": "об отметках",
    "absence": "о пропусках",
    "homework": "о домашних заданиях",
    "announcement": "с объявлениями школы",
    "message": "о новых сообщениях",
    "alert": "с предупреждениями об успеваемости",
    "digest": "со сводками",
    "test": "пробных",
}
CHANNEL_NAMES = {"email": "по электронной почте", "sms": "по SMS", "push": "push-уведомлений"}


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="ru"><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def _what(request: unsubscribe.Unsubscribe) -> str:
    return f"уведомлений {KIND_NAMES.get(request.kind, '')} {CHANNEL_NAMES.get(request.channel, '')}"


@router.get("/{token}", response_class=HTMLResponse)
async def confirm(token: str, request: Request) -> HTMLResponse:
    wanted = unsubscribe.verify(token, request.app.state.keys.link_secret)
    return _page(
        "Отписка от уведомлений",
        f"<p>Отказаться от {escape(_what(wanted))}?</p>"
        f'<form method="post"><button type="submit">Отписаться</button></form>',
    )


@router.post("/{token}", response_class=HTMLResponse)
async def confirmed(token: str, request: Request) -> HTMLResponse:
    wanted = unsubscribe.verify(token, request.app.state.keys.link_secret)
    async with request.app.state.db.transaction(Tenant(school_id=wanted.school_id)) as session:
        preference = await session.get(NotificationPreference, (wanted.school_id, wanted.person_id))
        if preference is not None:
            # A digest or a test letter stands for the channel itself: stop it for every kind.
            kinds = [wanted.kind] if wanted.kind in KINDS else list(preference.channels)
            preference.channels = {
                kind: [c for c in chosen if not (kind in kinds and c == wanted.channel)]
                for kind, chosen in preference.channels.items()
            }
            if wanted.kind == "digest":
                preference.digest = False
    return _page("Вы отписались", f"<p>Больше не будем присылать {escape(_what(wanted))}.</p>")
