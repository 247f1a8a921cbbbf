"""Промежуточная и итоговая аттестация (R-27): periods, period marks, their deadline and the period's close.

A period mark is one of three entries: a mark on the school's scale, «не аттестован» with a reason
(001 §6.7), or the term extended to a date (000 §5.3) — the school chooses which of the last two
it uses. Closing a course's period locks its lessons, marks and absences for the teacher.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from chassis.problems import Conflict, Invalid
from gradebook.domain.marks import FIVE_POINT, PASS_FAIL

#: Roster's scheme kinds and the period a scheme's entry is.
SCHEME_PERIOD_KIND = {
    "quarters": "quarter",
    "half_years": "half_year",
    "trimesters": "trimester",
    "semesters": "semester",
}
#: Marks of the whole year: годовая, экзаменационная, итоговая (000 §4.4.6); their span is the year.
YEAR_KINDS = ("year", "exam", "final")
PERIOD_KINDS = (*SCHEME_PERIOD_KIND.values(), *YEAR_KINDS)
YEAR_TITLES = {"year": "Годовая", "exam": "Экзаменационная", "final": "Итоговая"}

#: R-27: how the school records a student who cannot be attested.
REGIMES = {
    "not_attested": "«Не аттестован» с указанием причины",
    "extended": "Продление срока аттестации до даты",
}
#: What teachers type instead of a mark; none of it is a period mark (000 §5.3, 001 §6.5, §6.8).
_NOT_MARKS = {"н/а", "на", "н\\а", "н", "осв", "осв.", "освоб", "освобождён", "освобожден", "не аттестован", "на/"}


class PeriodLocked(Conflict):
    """The course's period is closed: its journal no longer changes (R-27)."""

    slug = "period-closed"


@dataclass(frozen=True)
class Period:
    """A span a period mark is given for: a reporting period of roster's scheme, or the year itself."""

    kind: str
    id: UUID
    name: str
    starts: date
    ends: date


def grade_periods(year: Period, schemes: Iterable[tuple[str, list[int], list[Period]]], grade: int) -> list[Period]:
    """The periods of a grade's class: its scheme's reporting periods, then year, exam and final marks.

    ``schemes`` are (roster's kind, grades, periods); a grade belongs to at most one scheme in a year (R-11).
    """
    periods: list[Period] = []
    for _, grades, scheme_periods in schemes:
        if grade in grades:
            periods.extend(sorted(scheme_periods, key=lambda p: p.starts))
    return periods + [Period(kind, year.id, YEAR_TITLES[kind], year.starts, year.ends) for kind in YEAR_KINDS]


def first_half_year_end(year_ends: date, year_starts: date, reporting: list[Period]) -> date:
    """Where the first half-year ends (R-26): after half of the grade's reporting periods, else on 31 December."""
    if len(reporting) >= 2 and len(reporting) % 2 == 0:
        return sorted(reporting, key=lambda p: p.starts)[len(reporting) // 2 - 1].ends
    return min(date(year_starts.year, 12, 31), year_ends)


@dataclass(frozen=True)
class PeriodMarkEntry:
    """What the teacher put in the period mark's field: exactly one of the three."""

    value: str | None = None
    not_attested_reason: str | None = None
    extended_to: date | None = None

    @property
    def text(self) -> str:
        """As the journal and the diary show it."""
        if self.value is not None:
            return self.value
        if self.not_attested_reason is not None:
            return "не аттестован"
        assert self.extended_to is not None
        return f"продлено до {self.extended_to:%d.%m.%Y}"


def period_mark_entry(
    value: str | None, not_attested_reason: str | None, extended_to: date | None, regime: str, period: Period
) -> PeriodMarkEntry:
    """The entry as stored, or a refusal a teacher understands (R-27)."""
    given = [x is not None for x in (value, not_attested_reason, extended_to)]
    if sum(given) != 1:
        raise Invalid("Укажите одно из трёх: отметку, «не аттестован» с причиной или дату продления аттестации.")
    if value is not None:
        return PeriodMarkEntry(value=_period_mark_value(value, regime))
    if not_attested_reason is not None:
        if regime != "not_attested":
            raise Invalid(
                "В школе принято продление срока аттестации: укажите дату, до которой продлён срок, "
                "а не «не аттестован»."
            )
        reason = not_attested_reason.strip()
        if len(reason) < 3:
            raise Invalid("Укажите причину, по которой обучающийся не аттестован.")
        return PeriodMarkEntry(not_attested_reason=reason)
    assert extended_to is not None
    if regime != "extended":
        raise Invalid("В школе принято «не аттестован» с указанием причины, а не продление срока аттестации.")
    if extended_to <= period.ends:
        raise Invalid(f"Срок аттестации продлевают на дату после конца периода ({period.ends:%d.%m.%Y}).")
    return PeriodMarkEntry(extended_to=extended_to)


def _period_mark_value(raw: str, regime: str) -> str:
    value = raw.strip().lower()
    if value in FIVE_POINT or value in PASS_FAIL:
        return value
    if value in _NOT_MARKS or value.startswith("осв") or value.startswith("н/"):
        instead = (
            "отметьте «не аттестован» и укажите причину"
            if regime == "not_attested"
            else "продлите срок аттестации до даты"
        )
        raise Invalid(
            f"«{raw}» — не отметка: в поле итоговой отметки ставится только отметка. "
            f"Если обучающегося нельзя аттестовать, {instead}."
        )
    raise Invalid(f"Отметка «{raw}» не по шкале школы: допустимы 5, 4, 3, 2, 1 или «зач», «незач».")


def check_period_started(period: Period, today: date) -> None:
    """A period mark is given for a period that has begun (R-27)."""
    if today < period.starts:
        raise Invalid(
            f"Период «{period.name}» начинается {period.starts:%d.%m.%Y}: итоговую отметку за него ставить рано."
        )


def check_attested(subject_name: str, exempt: bool) -> None:
    """R-27: a subject flagged «без аттестации» for the student or the class has no period mark (004 §3.6)."""
    if exempt:
        raise Invalid(f"По предмету «{subject_name}» обучающийся не аттестуется: итоговая отметка не ставится.")


def check_entry_writable(period: Period, closed: bool, stored: PeriodMarkEntry | None, today: date) -> None:
    """After the close a period mark stays open only where the term was extended, until that date (000 §5.3)."""
    if not closed:
        return
    if stored is not None and stored.extended_to is not None and today <= stored.extended_to:
        return
    raise PeriodLocked(
        f"Период «{period.name}» по этому предмету закрыт: итоговые отметки больше не меняются. "
        "Открыть период может администратор школы."
    )


def mark_deadline(period: Period, offset_days: int) -> date:
    """R-27: the school's deadline for period marks, days after (or, negative, before) the period's end."""
    return period.ends + timedelta(days=offset_days)


def days_late(deadline: date, today: date) -> int | None:
    """How many days after the deadline an entry came; None when in time."""
    late = (today - deadline).days
    return late if late > 0 else None


def visible_from(set_on: date, family_delay_days: int) -> date:
    """R-27: the family sees a period mark within 3 days (000 §9.3), or at once where the school says so."""
    return set_on + timedelta(days=family_delay_days)


def check_close(
    period: Period,
    today: date,
    students: Mapping[UUID, str],
    exempt: set[UUID],
    entries: Mapping[UUID, PeriodMarkEntry],
) -> None:
    """A course's period closes once every attested student has a period mark (R-27)."""
    check_period_started(period, today)
    missing = sorted(name for sid, name in students.items() if sid not in exempt and sid not in entries)
    if missing:
        raise Invalid(
            f"Период «{period.name}» нельзя закрыть: нет итоговой отметки у {len(missing)} обучающихся.",
            missing=missing,
        )


@dataclass(frozen=True)
class Lock:
    """A closed period of a course: its span is locked for the teacher."""

    period_name: str
    starts: date
    ends: date


def check_unlocked(day: date, locks: Iterable[Lock]) -> None:
    """R-27: once a course's period is closed, its lessons, marks and absences no longer change."""
    for lock in locks:
        if lock.starts <= day <= lock.ends:
            raise PeriodLocked(
                f"Период «{lock.period_name}» ({lock.starts:%d.%m.%Y}–{lock.ends:%d.%m.%Y}) по этому предмету "
                "закрыт: уроки, отметки и пропуски за него больше не меняются. "
                "Открыть период может администратор школы."
            )
