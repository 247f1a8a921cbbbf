"""The school's rules for attestation (R-23, R-26 … R-29): what its administrator set, or the region's defaults."""

from dataclasses import asdict, dataclass, fields
from fractions import Fraction
from typing import Any

from chassis.period_mark_rules import DEFAULT_FORECAST_THRESHOLD, DEFAULT_MIN_MARKS
from chassis.problems import Invalid
from gradebook.domain.deadlines import MarkDeadlines
from gradebook.domain.marks import GradeRules
from gradebook.domain.periods import REGIMES


@dataclass(frozen=True)
class PeriodPolicy:
    #: R-27: «не аттестован» with a reason (001 §6.7) or the term extended to a date (000 §5.3).
    non_attestation: str = "not_attested"
    #: R-27: period marks are due this many days after the period's end; negative: before it (000 §5.4).
    period_mark_deadline_days: int = 7
    #: R-27: the family sees a period mark this many days after it is set, 0: at once (000 §9.3).
    family_delay_days: int = 3
    #: R-29: hundredths of the way to the next mark from which the forecast rounds up (50: 4.50 → 5).
    forecast_threshold: int = DEFAULT_FORECAST_THRESHOLD
    #: R-28: (weekly hours, minimum current marks in a period).
    min_marks: tuple[tuple[int, int], ...] = DEFAULT_MIN_MARKS
    #: R-23: days after the lesson a mark is due.
    current_days: int = 7
    written_days_2_9: int = 7
    written_days_10_11: int = 10
    diagnostic_days: int = 1
    #: R-26.
    marks_in_grade_1: bool = False
    marks_in_grade_2_first_half: bool = False
    #: R-30: a course's thematic plan is due this many days before its first reporting period (004 app.1 #16).
    plan_days_before_period: int = 7

    @property
    def threshold(self) -> Fraction:
        return Fraction(self.forecast_threshold, 100)

    @property
    def deadlines(self) -> MarkDeadlines:
        return MarkDeadlines(self.current_days, self.written_days_2_9, self.written_days_10_11, self.diagnostic_days)

    @property
    def grade_rules(self) -> GradeRules:
        return GradeRules(self.marks_in_grade_1, self.marks_in_grade_2_first_half)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["min_marks"] = [list(row) for row in self.min_marks]
        return values


_NAMES = {f.name for f in fields(PeriodPolicy)}


def _between(values: dict[str, Any], name: str, low: int, high: int, what: str) -> None:
    value = values[name]
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Invalid(f"{what}: целое число от {low} до {high}.")


def period_policy(values: dict[str, Any]) -> PeriodPolicy:
    """The stored rules (or the administrator's changes on top of them) checked, or a refusal saying what is allowed."""
    unknown = set(values) - _NAMES
    if unknown:
        raise Invalid(f"Неизвестные настройки: {', '.join(sorted(unknown))}.")
    merged = PeriodPolicy().as_dict() | values
    if merged["non_attestation"] not in REGIMES:
        allowed = "; ".join(f"«{code}» — {title}" for code, title in REGIMES.items())
        raise Invalid(f"Порядок для неаттестуемых: {allowed}.")
    _between(merged, "period_mark_deadline_days", -2, 7, "Срок итоговых отметок в днях от конца периода")
    _between(merged, "family_delay_days", 0, 3, "Через сколько дней итоговая отметка видна семье")
    _between(merged, "forecast_threshold", 50, 99, "Порог округления прогноза в сотых")
    for name, what in (
        ("current_days", "Срок текущих отметок"),
        ("written_days_2_9", "Срок письменных работ во 2–9 классах"),
        ("written_days_10_11", "Срок письменных работ в 10–11 классах"),
        ("diagnostic_days", "Срок результатов диагностических работ"),
    ):
        _between(merged, name, 1, 14, f"{what} в днях")
    _between(merged, "plan_days_before_period", 0, 30, "За сколько дней до начала периода вносится тематический план")
    for name in ("marks_in_grade_1", "marks_in_grade_2_first_half"):
        if not isinstance(merged[name], bool):
            raise Invalid("Правила отметок в 1–2 классах: да или нет.")
    rows = merged["min_marks"]
    if (
        not isinstance(rows, list | tuple)
        or not rows
        or not all(
            isinstance(r, list | tuple) and len(r) == 2 and all(isinstance(x, int) and x >= 0 for x in r) for r in rows
        )
    ):
        raise Invalid("Минимум отметок: список пар «часов в неделю, отметок за период», например [[1, 3], [2, 5]].")
    merged["min_marks"] = tuple(sorted((int(h), int(m)) for h, m in rows))
    return PeriodPolicy(**merged)
