"""Сроки хранения персональных данных (152-ФЗ ст. 21, R-5, R-65): one term per kind of data, with its grounds.

A term is counted either from the end of the academic year the record belongs to (the journal's records,
000 §6.5) or from the record's own date (a session, an access-log entry, an import file). Data may be
destroyed from the first day after its term; before it, never. These are pure functions: the services
(``chassis.destruction``) and the gateway's destruction runs ask them, nobody counts terms twice.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

from chassis.russian import plural


class Kind(StrEnum):
    """Вид данных, как его называют акт и экран уничтожения."""

    JOURNAL_RECORD = "journal_record"
    SUMMARY_SHEET = "summary_sheet"
    PERSON_CARD = "person_card"
    MESSAGE = "message"
    NOTIFICATION = "notification"
    SESSION = "session"
    ACCESS_LOG = "access_log"
    IMPORT_FILE = "import_file"
    EXPORT = "export"


@dataclass(frozen=True)
class Rule:
    title: str
    years: int = 0
    days: int = 0
    counted_from: Literal["year_end", "event"] = "year_end"
    #: Основание: the document or decision that sets the term, as the destruction act cites it.
    grounds: str = ""


RULES: dict[Kind, Rule] = {
    Kind.JOURNAL_RECORD: Rule(
        "записи журнала (отметки, пропуски, итоговые отметки, история изменений)",
        years=5,
        grounds="Положение об ЭЖ, п. 6.5: журналы успеваемости хранятся 5 лет",
    ),
    Kind.SUMMARY_SHEET: Rule(
        "сводные ведомости успеваемости (архив года)",
        years=25,
        grounds="Положение об ЭЖ, п. 6.5: сводные ведомости успеваемости хранятся 25 лет",
    ),
    Kind.PERSON_CARD: Rule(
        "карточка человека и его связи со школой",
        years=5,
        grounds="152-ФЗ ст. 5 ч. 7: не дольше, чем нужно для журналов, где человек упомянут (5 лет, п. 6.5)",
    ),
    Kind.MESSAGE: Rule(
        "сообщения внутренней почты",
        years=1,
        grounds="решение оператора: переписка учебного года нужна ещё год для разбора обращений",
    ),
    Kind.NOTIFICATION: Rule(
        "уведомления семьи и сведения о доставке",
        years=1,
        grounds="решение оператора: уведомления учебного года нужны ещё год для разбора обращений",
    ),
    Kind.SESSION: Rule(
        "сеансы входа",
        days=30,
        counted_from="event",
        grounds="решение оператора: 30 дней после окончания сеанса для расследования инцидентов",
    ),
    Kind.ACCESS_LOG: Rule(
        "журнал доступа к персональным данным",
        years=5,
        counted_from="event",
        grounds="R-5, приказ ФСТЭК № 21: журнал доступа хранится 5 лет; хеши записей остаются",
    ),
    Kind.IMPORT_FILE: Rule(
        "файлы загрузки контингента",
        years=1,
        counted_from="event",
        grounds="решение оператора: год для проверки загруженных сведений",
    ),
    Kind.EXPORT: Rule(
        "выгрузки по запросам субъектов",
        days=30,
        counted_from="event",
        grounds="152-ФЗ ст. 20: выгрузка нужна только для ответа на запрос; 30 дней после ответа",
    ),
}


def academic_year_end(day: date) -> date:
    """The last day of the academic year a day belongs to: 31 August (1 September starts the next)."""
    return date(day.year if day.month <= 8 else day.year + 1, 8, 31)


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def may_go_from(kind: Kind, event: date) -> date:
    """The first day a record of ``kind`` dated ``event`` may be destroyed: the day after its term ends."""
    rule = RULES[kind]
    start = academic_year_end(event) if rule.counted_from == "year_end" else event
    return _plus_years(start, rule.years) + timedelta(days=rule.days + 1)


def expired(kind: Kind, event: date, today: date) -> bool:
    """Is the term of a record of ``kind`` dated ``event`` over on ``today``?"""
    return may_go_from(kind, event) <= today


def term(kind: Kind) -> str:
    """The term in words, as the processing register states it: «5 лет после окончания учебного года»."""
    rule = RULES[kind]
    parts = []
    if rule.years:
        parts.append(f"{rule.years} {plural(rule.years, 'год', 'года', 'лет')}")
    if rule.days:
        parts.append(f"{rule.days} {plural(rule.days, 'день', 'дня', 'дней')}")
    counted = "после окончания учебного года" if rule.counted_from == "year_end" else "с даты записи"
    return " ".join(parts) + " " + counted
