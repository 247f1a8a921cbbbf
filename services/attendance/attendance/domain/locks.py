"""Closed periods (R-27): once a course's period is closed in the gradebook, its absences are locked too.

The class teacher still corrects absence reasons (R-41): a medical certificate may come after the close.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from chassis.problems import Conflict


class PeriodLocked(Conflict):
    """The course's period is closed: the teacher no longer changes its absences."""

    slug = "period-closed"


@dataclass(frozen=True)
class Lock:
    period_name: str
    starts: date
    ends: date


def closing_lock(day: date, locks: Iterable[Lock]) -> Lock | None:
    """The closed period ``day`` falls in, if any."""
    return next((lock for lock in locks if lock.starts <= day <= lock.ends), None)


def check_unlocked(day: date, locks: Iterable[Lock], *, leads_class: bool = False) -> None:
    """R-27: the lesson teacher's absences in a closed period are locked; ``leads_class``: a reason may change."""
    lock = closing_lock(day, locks)
    if lock is None or leads_class:
        return
    raise PeriodLocked(
        f"Период «{lock.period_name}» ({lock.starts:%d.%m.%Y}–{lock.ends:%d.%m.%Y}) по этому предмету закрыт: "
        "пропуски за него больше не меняются; причину пропуска может исправить классный руководитель."
    )
