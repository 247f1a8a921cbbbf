"""A subject's data, assembled (152-ФЗ art. 14): every service's rows about the family, the gateway's own, as one
JSON document and a readable Russian PDF, kept in the file store for the requester alone.

Each service is asked with the gateway's export token (``chassis.subject_data``), school by school: row-level
security confines every answer to the school it is asked for.
"""

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.subject_data import exporter, json_value
from gateway.models import AccessLogEntry, Guardianship, Person, SchoolRole
from gateway.settings import SERVICES
from gateway.upstream import SERVICE_TITLES, ServiceUnavailable, Upstreams

#: The gateway's own part of the export: its tables and the columns naming a person.
GATEWAY_HOLDINGS = {
    "people": (Person, (Person.person_id,)),
    "school_roles": (SchoolRole, (SchoolRole.person_id,)),
    "guardianships": (Guardianship, (Guardianship.guardian_id, Guardianship.student_id)),
}

#: What each table is, for the PDF's headings.
TABLE_TITLES = {
    "people": "Сведения о человеке",
    "person_changes": "История исправлений карточки",
    "guardianships": "Связи родителей и детей",
    "enrolments": "Зачисление в классы",
    "group_members": "Подгруппы",
    "movements": "Движение обучающихся",
    "incoming_transfers": "Переводы из других школ",
    "ended_links": "Прекращённые связи",
    "staff_roles": "Роли в школе",
    "classes": "Классное руководство",
    "assignments": "Педагогическая нагрузка",
    "class_members": "Состав класса",
    "marks": "Отметки",
    "period_marks": "Итоговые отметки",
    "family_refusals": "Отказ семьи от электронной услуги",
    "mark_disputes": "Обращения по отметкам",
    "attestation_exemptions": "Освобождения от аттестации",
    "absences": "Пропуски и опоздания",
    "absence_changes": "История пропусков",
    "notifications": "Уведомления",
    "deliveries": "Доставка уведомлений (почта, СМС, push)",
    "notification_preferences": "Настройки уведомлений",
    "push_subscriptions": "Подписки на push-уведомления",
    "conversation_members": "Участие в переписке",
    "messages": "Написанные сообщения",
    "message_reads": "Прочтение сообщений",
    "enrolment": "Зачисление",
    "students": "Обучающиеся",
    "school_roles": "Роли в школах",
    "access_log_by": "Журнал доступа: действия под учётной записью",
    "access_log_about": "Журнал доступа: обращения к данным человека",
}
#: Column names in Russian where the PDF shows them; the rest keep their name (the JSON is the full record).
COLUMN_TITLES = {
    "id": "идентификатор",
    "person_id": "человек",
    "school_id": "школа",
    "student_id": "обучающийся",
    "guardian_id": "родитель",
    "last_name": "фамилия",
    "first_name": "имя",
    "middle_name": "отчество",
    "birth_date": "дата рождения",
    "snils": "СНИЛС",
    "snils_digits": "СНИЛС",
    "phone": "телефон",
    "email": "электронная почта",
    "value": "значение",
    "reason": "причина",
    "refused_on": "дата отказа",
    "created_at": "создано",
    "at": "время",
    "method": "действие",
    "path": "адрес",
    "status": "ответ",
    "role": "роль",
    "body": "текст",
    "title": "заголовок",
    "class_id": "класс",
    "lesson_id": "урок",
}


def full_name(person: Person) -> str:
    return " ".join(part for part in (person.last_name, person.first_name, person.middle_name) if part)


async def family(session: AsyncSession, requester: UUID) -> list[tuple[Person, str]]:
    """The requester and, for a parent, the children the school linked to them: (person, «заявитель» | «ребёнок»)."""
    found: list[tuple[Person, str]] = []
    me = await session.get(Person, requester)
    if me is not None:
        found.append((me, "заявитель"))
    children = await session.scalars(
        select(Person)
        .join(Guardianship, Guardianship.student_id == Person.person_id)
        .where(Guardianship.guardian_id == requester)
        .order_by(Person.last_name, Person.first_name)
    )
    found += [(child, "ребёнок") for child in children]
    return found


async def gateway_rows(session: AsyncSession, people: list[UUID]) -> dict[str, list[dict[str, Any]]]:
    """The gateway's own rows: accounts, roles, links, and the access log by the people and about them (R-5)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, (model, columns) in GATEWAY_HOLDINGS.items():
        table = model.__table__
        result = await session.execute(
            select(table).where(or_(*(c.in_(people) for c in columns))).order_by(*table.primary_key.columns)
        )
        rows[name] = [{k: json_value(v) for k, v in row.items()} for row in result.mappings()]
    log = AccessLogEntry.__table__
    by = await session.execute(
        select(log.c.at, log.c.method, log.c.path, log.c.status, log.c.person_id)
        .where(log.c.person_id.in_(people))
        .order_by(log.c.id)
    )
    rows["access_log_by"] = [{k: json_value(v) for k, v in row.items()} for row in by.mappings()]
    # Who reached a family member's data: the paths that name them (staff reading a card, a diary).
    about = await session.execute(
        select(log.c.at, log.c.method, log.c.path, log.c.status, log.c.person_id)
        .where(or_(*(log.c.path.contains(str(p)) for p in people)), log.c.person_id.not_in(people))
        .order_by(log.c.id)
    )
    rows["access_log_about"] = [{k: json_value(v) for k, v in row.items()} for row in about.mappings()]
    return rows


async def service_rows(
    upstreams: Upstreams, schools: list[UUID], people: list[UUID]
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every service's rows about ``people`` in each of ``schools``, merged per table; a service down is a 503."""
    caller = exporter()
    query = "&".join(f"person_id={p}" for p in people)
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for service in SERVICES:
        tables: dict[str, list[dict[str, Any]]] = {}
        for school_id in schools:
            path = f"/internal/schools/{school_id}/personal-data"
            answer = await upstreams.send(service, "GET", path, caller, query=query)
            if answer.status_code != 200:
                raise ServiceUnavailable(
                    f"Сервис «{SERVICE_TITLES[service]}» не выдал данные. Повторите запрос через несколько минут."
                )
            for table, rows in answer.json().items():
                tables.setdefault(table, []).extend(rows)
        found[service] = tables
    return found


def as_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=select_autoescape(["html"])
)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable(rows: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    """Each row as (Russian column title, text) pairs, empty values left out."""
    return [
        [(COLUMN_TITLES.get(k, k), _cell(v)) for k, v in row.items() if v not in (None, "", [], {})] for row in rows
    ]


#: The access log's tables, printed as one line per day, action and address instead of one table per entry: a year
#: of diary reads is thousands of entries, unreadable on paper and minutes of rendering (the JSON keeps each one).
ACCESS_LOGS = ("access_log_by", "access_log_about")


def access_digest(rows: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str, int]]:
    """(day, times first–last, who, action and address without its query, answer, how many times), by first use."""
    lines: dict[tuple[str, str, str, str], list[Any]] = {}
    for row in rows:
        at = datetime.fromisoformat(row["at"])
        key = (
            f"{at:%d.%m.%Y}",
            str(row["person_id"]),
            f"{row['method']} {row['path'].split('?', 1)[0]}",
            str(row["status"]),
        )
        line = lines.setdefault(key, [at, at, 0])
        line[0], line[1], line[2] = min(line[0], at), max(line[1], at), line[2] + 1
    return [
        (day, f"{first:%H:%M}" + (f"–{last:%H:%M}" if last != first else ""), who, action, status, times)
        for (day, who, action, status), (first, last, times) in lines.items()
    ]


def render(template: str, **values: Any) -> str:
    return _templates.get_template(template).render(**values)


def _printed(table: str, rows: list[dict[str, Any]]) -> list:
    return access_digest(rows) if table in ACCESS_LOGS else readable(rows)


def as_html(document: dict[str, Any], made_at: datetime) -> str:
    """The export's printable page: the people, then each service's tables with Russian headings."""
    sections = [("Шлюз (учётные записи, журнал доступа)", document["gateway"])] + [
        (SERVICE_TITLES[service], tables) for service, tables in document["services"].items()
    ]
    return render(
        "privacy_export.html",
        document=document,
        made_at=made_at,
        sections=[
            (
                title,
                [
                    (TABLE_TITLES.get(name, name), len(rows), name in ACCESS_LOGS, _printed(name, rows))
                    for name, rows in tables.items()
                    if rows
                ],
            )
            for title, tables in sections
        ],
    )
