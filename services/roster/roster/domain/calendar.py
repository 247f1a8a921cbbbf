"""The academic calendar (R-11): the year and its lifecycle, reporting periods, holidays, transfers.

A year is planned, then active, then closing (period marks and reports), then archived; it never
goes back. Each grade follows one scheme of reporting periods (quarters for 2–9 and half-years for
10–11 by 003 §4, or the trimesters or semesters a school chooses); a scheme's periods lie inside
the year, do not overlap, and leave no working day between them uncovered (the days between two
quarters are the каникулы). Holidays are non-working days; the region may transfer a working day
to a Saturday or Sunday, which then follows the timetable of a named weekday.
"""

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from zoneinfo import available_timezones

from chassis.problems import Conflict, Invalid


class YearStatus(StrEnum):
    PLANNING = "planning"
    ACTIVE = "active"
    CLOSING = "closing"
    ARCHIVED = "archived"


#: The one step each status may take: a year never goes back (its marks and reports stand).
NEXT_STATUS = {
    YearStatus.PLANNING: YearStatus.ACTIVE,
    YearStatus.ACTIVE: YearStatus.CLOSING,
    YearStatus.CLOSING: YearStatus.ARCHIVED,
}

STATUS_TITLES = {
    YearStatus.PLANNING: "планируется",
    YearStatus.ACTIVE: "идёт",
    YearStatus.CLOSING: "завершается",
    YearStatus.ARCHIVED: "в архиве",
}


def advance_year(current: YearStatus, target: YearStatus) -> YearStatus:
    """The year's next status; skipping a step or going back is refused."""
    if NEXT_STATUS.get(current) != target:
        raise Conflict(
            f"Учебный год {STATUS_TITLES[current]}: перевести его в состояние «{STATUS_TITLES[target]}» нельзя."
        )
    return target


def check_calendar_editable(status: YearStatus) -> None:
    """Periods, holidays and the timetable change only while the year is planned or running."""
    if status in (YearStatus.CLOSING, YearStatus.ARCHIVED):
        raise Conflict(f"Учебный год {STATUS_TITLES[status]}: его календарь больше не меняется.")


def year_name(start: date) -> str:
    """«2026/2027»: the label classes carry."""
    return f"{start.year}/{start.year + 1}"


def check_year_dates(start: date, end: date) -> None:
    if end <= start:
        raise Invalid("Учебный год должен заканчиваться позже, чем начинается.")
    if (end - start).days > 366:
        raise Invalid("Учебный год не может быть длиннее календарного.")


def known_timezone(name: str) -> str:
    """A school's zone by its IANA name: Russia spans eleven, from Калининград to Камчатка."""
    if name not in available_timezones():
        raise ValueError("Неизвестный часовой пояс: нужен пояс IANA, например Europe/Moscow или Asia/Vladivostok")
    return name


class SchemeKind(StrEnum):
    QUARTERS = "quarters"
    HALF_YEARS = "half_years"
    TRIMESTERS = "trimesters"
    SEMESTERS = "semesters"


#: How many periods each scheme has and what one of them is called.
SCHEME_SHAPE = {
    SchemeKind.QUARTERS: (4, "четверть"),
    SchemeKind.HALF_YEARS: (2, "полугодие"),
    SchemeKind.TRIMESTERS: (3, "триместр"),
    SchemeKind.SEMESTERS: (2, "семестр"),
}


def default_scheme(grade: int) -> SchemeKind:
    """003 §4: quarters in grades 2–9 (and grade 1, which has no marks but the same holidays), half-years in 10–11."""
    return SchemeKind.HALF_YEARS if grade >= 10 else SchemeKind.QUARTERS


def period_name(kind: SchemeKind, number: int) -> str:
    """«2 четверть», «1 полугодие»."""
    return f"{number} {SCHEME_SHAPE[kind][1]}"


@dataclass(frozen=True)
class Span:
    """A closed range of dates, both ends included."""

    start: date
    end: date

    def days(self) -> Iterable[date]:
        day = self.start
        while day <= self.end:
            yield day
            day += timedelta(days=1)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Transfer:
    """Перенос рабочего дня: ``day`` (a weekend day) is a working day with the timetable of ``works_as`` (0=Mon)."""

    day: date
    works_as: int


@dataclass(frozen=True)
class SchoolCalendar:
    """What the school's year knows about days: its dates, week length, holidays and transfers."""

    year: Span
    #: 5 or 6: a six-day week has lessons on Saturdays.
    days_per_week: int = 5
    holidays: frozenset[date] = field(default_factory=frozenset)
    transfers: tuple[Transfer, ...] = ()

    def timetable_weekday(self, day: date) -> int | None:
        """Whose weekday's timetable ``day`` follows (0=Mon), or None when there are no lessons."""
        if day not in self.year or day in self.holidays:
            return None
        for transfer in self.transfers:
            if transfer.day == day:
                return transfer.works_as
        weekday = day.weekday()
        return weekday if weekday < self.days_per_week else None

    def is_school_day(self, day: date) -> bool:
        return self.timetable_weekday(day) is not None


def check_holiday(year: Span, holiday: Span) -> None:
    """A holiday lies inside its year (R-11)."""
    if holiday.end < holiday.start:
        raise Invalid("Каникулы или праздник должны заканчиваться не раньше, чем начинаются.")
    if holiday.start not in year or holiday.end not in year:
        raise Invalid(
            f"Нерабочие дни {holiday.start:%d.%m.%Y}–{holiday.end:%d.%m.%Y} выходят за границы учебного года "
            f"{year.start:%d.%m.%Y}–{year.end:%d.%m.%Y}."
        )


def check_transfer(calendar: SchoolCalendar, transfer: Transfer) -> None:
    """A transfer makes a day off a working day: it lies in the year and is not already a working weekday."""
    if transfer.day not in calendar.year:
        raise Invalid(f"Перенос на {transfer.day:%d.%m.%Y} вне учебного года.")
    if not 0 <= transfer.works_as < calendar.days_per_week:
        raise Invalid("Перенесённый рабочий день работает по расписанию одного из учебных дней недели.")
    if transfer.day.weekday() < calendar.days_per_week and transfer.day not in calendar.holidays:
        raise Invalid(f"{transfer.day:%d.%m.%Y} и так учебный день: переносить на него нечего.")


def check_scheme(calendar: SchoolCalendar, kind: SchemeKind, periods: Sequence[Span]) -> None:
    """R-11: the periods of a scheme lie inside the year, in order, without overlaps or gaps.

    A gap is a school day between two periods that belongs to neither; the каникулы between two
    quarters are holidays, so they are no gap.
    """
    count, _ = SCHEME_SHAPE[kind]
    if len(periods) != count:
        raise Invalid(f"В схеме «{kind_title(kind)}» {count} периода(ов), а передано {len(periods)}.")
    for number, period in enumerate(periods, start=1):
        name = period_name(kind, number)
        if period.end < period.start:
            raise Invalid(f"{name}: конец раньше начала.")
        if period.start not in calendar.year or period.end not in calendar.year:
            raise Invalid(f"{name} выходит за границы учебного года.")
    for number, (earlier, later) in enumerate(itertools.pairwise(periods), start=1):
        if later.start <= earlier.end:
            raise Invalid(
                f"{period_name(kind, number)} и {period_name(kind, number + 1)} пересекаются "
                f"({later.start:%d.%m.%Y} ≤ {earlier.end:%d.%m.%Y})."
            )
        gap = Span(earlier.end + timedelta(days=1), later.start - timedelta(days=1))
        uncovered = [day for day in gap.days() if calendar.is_school_day(day)]
        if uncovered:
            raise Invalid(
                f"Между периодами «{period_name(kind, number)}» и «{period_name(kind, number + 1)}» "
                f"учебные дни не входят ни в один период: с {uncovered[0]:%d.%m.%Y} "
                f"(отметьте их каникулами или сдвиньте границы)."
            )


def kind_title(kind: SchemeKind) -> str:
    return {
        SchemeKind.QUARTERS: "четверти",
        SchemeKind.HALF_YEARS: "полугодия",
        SchemeKind.TRIMESTERS: "триместры",
        SchemeKind.SEMESTERS: "семестры",
    }[kind]


def check_grades_free(grades: Iterable[int], taken: dict[int, str]) -> None:
    """A grade follows one scheme per year (mixed schemes are per grade)."""
    clash = sorted(grade for grade in grades if grade in taken)
    if clash:
        raise Conflict(f"Для {clash[0]}-х классов схема периодов уже задана: «{taken[clash[0]]}».")


def is_period_boundary(day: date, periods: Sequence[Span]) -> bool:
    """R-12: a student changes subgroup from the first day of a period (the move takes effect then)."""
    return any(period.start == day for period in periods)
