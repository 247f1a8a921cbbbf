"""Which dates a report covers: a reporting period of the class's grade (R-11), a month, or a range."""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from chassis.problems import Invalid, NotFound
from reporting.domain.periods import DateRange, checked_range

PERIOD_NOT_FOUND = "Такого отчётного периода нет у этого класса."
#: A report over dates covers at most an academic year.
REPORT_MAX_DAYS = 366
#: The journal-fill control is weekly or monthly (R-62): at most a month and a few days.
FILL_MAX_DAYS = 31


@dataclass(frozen=True)
class ReportPeriod:
    """Отчётный период as a report names it: «2 четверть (01.11.2026 – 28.12.2026)»."""

    period_id: UUID | None
    name: str
    dates: DateRange

    @property
    def title(self) -> str:
        dates = f"{self.dates.start:%d.%m.%Y} – {self.dates.end:%d.%m.%Y}"
        return dates if self.name == dates else f"{self.name} ({dates})"


@dataclass(frozen=True)
class SchemePeriods:
    """One scheme of reporting periods (quarters, half-years, …) and the grades that follow it."""

    grades: frozenset[int]
    periods: list[dict]


def period_of_class(schemes: list[SchemePeriods], grade: int | None, period_id: UUID) -> ReportPeriod:
    """The reporting period ``period_id`` if the class's grade follows it; otherwise a Russian 404."""
    for scheme in schemes:
        if grade is not None and grade not in scheme.grades:
            continue
        for period in scheme.periods:
            if period["period_id"] == str(period_id):
                dates = DateRange(date.fromisoformat(period["starts"]), date.fromisoformat(period["ends"]))
                return ReportPeriod(period_id, period["name"], dates)
    raise NotFound(PERIOD_NOT_FOUND)


def dates_period(start: date, end: date, max_days: int = REPORT_MAX_DAYS) -> ReportPeriod:
    """A report over the dates ``start``..``end`` (refused reversed or over ``max_days``)."""
    dates = checked_range(start, end, max_days)
    return ReportPeriod(None, f"{start:%d.%m.%Y} – {end:%d.%m.%Y}", dates)


MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь")
MONTHS += ("июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь")


def month_period(month: str) -> ReportPeriod:
    """The month ``YYYY-MM`` (R-60: attendance by month), named «октябрь 2026»."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError:
        raise Invalid(f"Месяц «{month}» не понят: ожидается ГГГГ-ММ, например 2026-10.") from None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return ReportPeriod(None, f"{MONTHS[number - 1]} {year}", DateRange(first, last))
