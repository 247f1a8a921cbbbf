"""Предварительный отчёт классного руководителя (R-60, R-29): two weeks before a reporting period ends, each
student's forecast period mark per subject and who is at risk of a «2» or of not being attested (R-28).

The rounding, the weekly hours and the minimum of marks are gradebook's own rules, shared through
``chassis.period_mark_rules``. Reporting reads neither gradebook's database nor its school settings, so it
applies the region's defaults gradebook starts from.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from uuid import UUID

from chassis.period_mark_rules import DEFAULT_FORECAST_THRESHOLD, min_marks, missed_half, rounded, weekly_hours
from chassis.problems import Conflict, Invalid
from chassis.russian import collation_key
from reporting.domain.absences import is_late
from reporting.domain.periods import DateRange
from reporting.domain.sheets import ClassStudent, MarkTotals, StudentAbsence

#: R-60 (003): the preliminary report is made two weeks before the period ends.
PRELIMINARY_DAYS = 14
#: R-29: the region's rounding threshold, as a school starts with in gradebook (4.50 → 5).
FORECAST_THRESHOLD = Fraction(DEFAULT_FORECAST_THRESHOLD, 100)


def report_day(period: DateRange, today: date, as_of: date | None) -> date:
    """The day the report counts marks up to: today from two weeks before the period's end (its last day once
    it is over), or the day asked for explicitly; earlier than that the report is refused (R-60)."""
    if as_of is not None:
        if not period.start <= as_of <= period.end:
            raise Invalid(
                f"Дата {as_of:%d.%m.%Y} вне периода {period.start:%d.%m.%Y} – {period.end:%d.%m.%Y}: "
                "предварительный отчёт строится на день внутри периода."
            )
        if as_of > today:
            raise Invalid(f"Дата {as_of:%d.%m.%Y} ещё не наступила: отметок на неё пока нет.")
        return as_of
    opens = period.end - timedelta(days=PRELIMINARY_DAYS)
    if today < opens:
        raise Conflict(
            f"Предварительный отчёт составляется за две недели до конца периода — с {opens:%d.%m.%Y}. "
            "Чтобы посмотреть прогноз раньше, укажите дату отчёта."
        )
    return min(today, period.end)


def forecast(weighted_total: float, weights: float, threshold: Fraction = FORECAST_THRESHOLD) -> int | None:
    """R-29: the expected period mark: the weighted average rounded up from ``threshold`` (4.50 → 5); None without
    a weighted 5-point mark. The database's float sums are made exact first, so 4.5 never rounds as 4.4999."""
    if weights <= 0:
        return None
    average = Fraction(weighted_total).limit_denominator(10**6) / Fraction(weights).limit_denominator(10**6)
    return rounded(average, threshold)


@dataclass(frozen=True)
class SubjectForecast:
    marks: int
    weighted_average: float | None
    forecast: int | None
    #: R-28: what puts the period mark at risk, in Russian; empty when nothing does.
    risks: tuple[str, ...]


@dataclass(frozen=True)
class PreliminaryRow:
    student: ClassStudent
    cells: dict[str, SubjectForecast]

    @property
    def risks(self) -> list[str]:
        return [f"{subject}: {risk}" for subject, cell in self.cells.items() for risk in cell.risks]


@dataclass(frozen=True)
class PreliminaryReport:
    day: date
    subjects: list[str]
    rows: list[PreliminaryRow]

    @property
    def at_risk(self) -> list[PreliminaryRow]:
        return [row for row in self.rows if row.risks]

    def at_risk_in(self, subject: str) -> int:
        return sum(1 for row in self.rows if row.cells[subject].risks)


def subject_risks(forecast_mark: int | None, marks: int, needed: int, missed: int, lessons: int) -> tuple[str, ...]:
    """R-28, R-29: a forecast of «2» or lower, too few marks to attest, over half the lessons missed."""
    risks: list[str] = []
    if forecast_mark is not None and forecast_mark <= 2:
        risks.append(f"прогноз «{forecast_mark}»")
    if marks < needed:
        risks.append(f"мало отметок: {marks} из {needed}")
    if missed_half(missed, lessons):
        risks.append(f"пропущено {missed} из {lessons} уроков — возможна неаттестация")
    return tuple(risks)


def preliminary_report(
    students: Iterable[ClassStudent],
    totals: Iterable[MarkTotals],
    absences: Iterable[StudentAbsence],
    lessons: dict[str, int],
    dates: DateRange,
) -> PreliminaryReport:
    """Each student's forecast per subject the class had lessons in from the period's start to the report's day
    (``dates``), with the risks; ``lessons`` counts the class's lessons per subject in those dates."""
    by_student: dict[tuple[UUID, str], MarkTotals] = {}
    for total in totals:
        key = (total.student_id, total.subject)
        by_student[key] = by_student[key] + total if key in by_student else total
    missed: dict[tuple[UUID, str], int] = defaultdict(int)
    for absence in absences:
        if not is_late(absence.reason):
            missed[(absence.student_id, absence.subject)] += 1
    subjects = sorted(lessons, key=collation_key)
    # the weekly hours so far, from the period's start to the report's day.
    needed = {subject: min_marks(weekly_hours(lessons[subject], dates.start, dates.end)) for subject in subjects}
    rows = []
    for student in sorted(students, key=lambda s: (collation_key(s.name), str(s.student_id))):
        cells = {}
        for subject in subjects:
            t = by_student.get((student.student_id, subject), MarkTotals(student.student_id, subject))
            mark = forecast(t.weighted_total, t.weights)
            weighted = round(t.weighted_total / t.weights, 2) if t.weights else None
            risks = subject_risks(
                mark, t.scored, needed[subject], missed[(student.student_id, subject)], lessons[subject]
            )
            cells[subject] = SubjectForecast(t.scored, weighted, mark, risks)
        rows.append(PreliminaryRow(student, cells))
    return PreliminaryReport(dates.end, subjects, rows)
