"""The access log as the school's administrator reads it (R-5): who did what with whose data, in Russian.

The log keeps each request's method and path; here a path becomes the part of the journal it touched, and
the people it names (a pupil's diary, a person's card) are picked out so the viewer can name them.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from chassis.problems import Invalid

#: The longest span one look at the log covers: a quarter.
MAX_DAYS = 93
PAGE_SIZE = 50

#: The first segment after ``/api/v1/``: which part of the journal a request touched.
SECTIONS = {
    "diary": "дневник",
    "roster": "школа и контингент",
    "gradebook": "журнал и отметки",
    "attendance": "посещаемость",
    "notifications": "сообщения и уведомления",
    "reporting": "дневник и отчёты",
    "me": "вход в систему",
    "local-logins": "логины и пароли",
    "compromise": "компрометация учётной записи",
    "schools": "журнал доступа",
}
ACTIONS = {
    "GET": "просмотр",
    "POST": "добавление",
    "PUT": "изменение",
    "PATCH": "изменение",
    "DELETE": "удаление",
    # Written by the login itself (``gateway.sessions``), not by a request through the API.
    "LOGIN": "вход в систему",
}
#: Paths outside the API the log holds: the logins.
LOGINS = {"/auth/esia": "через Госуслуги", "/auth/password": "по логину и паролю"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Span:
    since: datetime
    until: datetime


def span(start: date | None, end: date | None, today: date, zone: ZoneInfo) -> Span:
    """The school's days ``start``..``end`` (the last week unless given) as instants; at most ``MAX_DAYS``."""
    end = end or today
    start = start or end - timedelta(days=6)
    if end < start:
        raise Invalid(f"Конец периода ({end:%d.%m.%Y}) раньше его начала ({start:%d.%m.%Y}).")
    if (end - start).days + 1 > MAX_DAYS:
        raise Invalid(f"Журнал доступа просматривается не больше чем за {MAX_DAYS} дня подряд.")
    return Span(datetime.combine(start, time(), zone), datetime.combine(end + timedelta(days=1), time(), zone))


def section(path: str) -> str:
    bare = path.split("?", 1)[0]
    if bare in LOGINS:
        return LOGINS[bare]
    return SECTIONS.get(bare.removeprefix("/api/v1/").split("/")[0], "другое")


def action(method: str) -> str:
    return ACTIONS.get(method, "другое действие")


def outcome(status: int) -> str:
    if status < 400:
        return "выполнено"
    return "отказано" if status in (401, 403, 404) else "ошибка"


def named_ids(path: str) -> list[UUID]:
    """The ids a path names, in order (the school's first, then the person, class or mark it is about)."""
    return [UUID(found) for found in _UUID.findall(path.split("?", 1)[0].lower())]
