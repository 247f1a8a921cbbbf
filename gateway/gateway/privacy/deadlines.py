"""The deadlines 152-ФЗ sets the operator, as pure functions.

- A subject's request for their data or its correction is answered within ten working days of its receipt
  (art. 14 part 3, art. 20 parts 1 and 3, art. 21 part 2).
- A breach (неправомерная передача, распространение, доступ) is notified to Роскомнадзор within 24 hours of its
  detection, and the result of the internal investigation within 72 hours (art. 21 part 3.1).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

ANSWER_WORKING_DAYS = 10
FIRST_NOTICE = timedelta(hours=24)
INVESTIGATION_RESULT = timedelta(hours=72)


def days_in(ranges: Iterable[tuple[date, date]]) -> frozenset[date]:
    """Every day of the inclusive ranges (a calendar's holidays, ``starts``..``ends``)."""
    days: set[date] = set()
    for starts, ends in ranges:
        day = starts
        while day <= ends:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


def is_working_day(day: date, holidays: frozenset[date], working_weekends: frozenset[date] = frozenset()) -> bool:
    """Monday to Friday outside the holidays, and a weekend day the calendar moved a working day to (перенос)."""
    if day in working_weekends:
        return True
    return day.weekday() < 5 and day not in holidays


def answer_deadline(
    received: date, holidays: frozenset[date] = frozenset(), working_weekends: frozenset[date] = frozenset()
) -> date:
    """The last day to answer: the tenth working day after the day of receipt (the count starts the next day)."""
    day, left = received, ANSWER_WORKING_DAYS
    while left:
        day += timedelta(days=1)
        if is_working_day(day, holidays, working_weekends):
            left -= 1
    return day


def working_days_left(
    today: date,
    deadline: date,
    holidays: frozenset[date] = frozenset(),
    working_weekends: frozenset[date] = frozenset(),
) -> int:
    """Working days from tomorrow to the deadline inclusive; 0 on the deadline itself, negative once it is past."""
    start, end, sign = (today, deadline, 1) if today <= deadline else (deadline, today, -1)
    days = (start + timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sign * sum(is_working_day(day, holidays, working_weekends) for day in days)


@dataclass(frozen=True)
class BreachDeadlines:
    #: The first notice to Роскомнадзор: what happened, its presumed causes, the harm, the measures, the contact.
    first_notice: datetime
    #: The result of the internal investigation, and who is to blame if they are known.
    investigation: datetime


def breach_deadlines(detected_at: datetime) -> BreachDeadlines:
    """Both deadlines run from the moment the operator detected the incident (art. 21 part 3.1)."""
    return BreachDeadlines(first_notice=detected_at + FIRST_NOTICE, investigation=detected_at + INVESTIGATION_RESULT)
