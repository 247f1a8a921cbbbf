"""The date ranges a diary or a summary covers."""

from dataclasses import dataclass
from datetime import date, timedelta

from chassis.problems import Invalid

#: A diary page shows at most a month, so one request never drags a whole year.
DIARY_MAX_DAYS = 31
#: A summary covers any reporting period (R-63), up to a whole academic year.
SUMMARY_MAX_DAYS = 366


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def current_week(today: date) -> DateRange:
    """Monday to Sunday of the week ``today`` falls in, as a paper diary's spread."""
    monday = today - timedelta(days=today.weekday())
    return DateRange(monday, monday + timedelta(days=6))


def academic_year_start(today: date) -> date:
    """The school year starts on 1 September."""
    # The first year of the calendar has no year before it (a date a caller may send on purpose).
    return date(max(1, today.year if today.month >= 9 else today.year - 1), 9, 1)


def checked_range(start: date, end: date, max_days: int) -> DateRange:
    """The range ``start``..``end`` (both included), refused when reversed or longer than ``max_days``."""
    if end < start:
        raise Invalid(f"Конец периода ({end:%d.%m.%Y}) раньше его начала ({start:%d.%m.%Y}).")
    if (end - start).days + 1 > max_days:
        raise Invalid(f"Период не может быть длиннее {max_days} дней.")
    return DateRange(start, end)


def diary_range(start: date | None, end: date | None, today: date | None) -> DateRange:
    """The diary's dates: the current week unless given; a missing end is a week after the start.

    ``today`` is needed only when neither date is given (the diary then reads the school's today first).
    """
    if start is None and end is None:
        assert today is not None
        return current_week(today)
    if start is None:
        assert end is not None
        start = end - timedelta(days=6)
    if end is None:
        end = start + timedelta(days=6)
    return checked_range(start, end, DIARY_MAX_DAYS)


def summary_range(start: date | None, end: date | None, today: date) -> DateRange:
    """The summary's dates: from 1 September of the current academic year to today unless given."""
    start = start or academic_year_start(end or today)
    end = end or max(today, start)
    return checked_range(start, end, SUMMARY_MAX_DAYS)
