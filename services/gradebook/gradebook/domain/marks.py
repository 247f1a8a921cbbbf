"""Current marks (текущие отметки): which values are allowed, where, and their averages."""

from collections.abc import Iterable
from dataclasses import dataclass

from chassis.problems import Invalid
from gradebook.domain.work_types import WorkType

FIVE_POINT = ("5", "4", "3", "2", "1")
PASS_FAIL = ("зач", "незач")


def mark_value(raw: str, kind: WorkType) -> str:
    """The mark as stored: a 5-point mark, or зач/незач for a pass/fail work type (R-22)."""
    value = raw.strip().lower()
    if kind.pass_fail:
        if value not in PASS_FAIL:
            raise Invalid(f"За «{kind.title}» ставится «зач» или «незач», а не «{raw}».")
        return value
    if value not in FIVE_POINT:
        raise Invalid(f"Отметка «{raw}» не по пятибалльной шкале: допустимы 5, 4, 3, 2, 1.")
    return value


def check_marks_allowed(grade: int | None) -> None:
    """R-26: no marks in grade 1 (002 §5.5, 000 §3.9). An unknown grade does not block."""
    if grade == 1:
        raise Invalid("В первом классе отметки не ставятся.")


@dataclass(frozen=True)
class ScoredMark:
    """A mark as the averages see it: its value and the weight of its work type."""

    value: str
    weight: float


def _counted(marks: Iterable[ScoredMark]) -> list[tuple[int, float]]:
    # marks that are not on the 5-point scale (зачёт) do not count.
    return [(int(m.value), m.weight) for m in marks if m.value in FIVE_POINT]


def average(marks: Iterable[ScoredMark]) -> float | None:
    """Средний балл of current marks, to two decimals; None when there is none to count."""
    counted = _counted(marks)
    if not counted:
        return None
    return round(sum(v for v, _ in counted) / len(counted), 2)


def weighted_average(marks: Iterable[ScoredMark]) -> float | None:
    """Средневзвешенный балл (R-22, R-66): Σ(mark × weight) / Σ(weight), to two decimals."""
    counted = [(v, w) for v, w in _counted(marks) if w > 0]
    if not counted:
        return None
    return round(sum(v * w for v, w in counted) / sum(w for _, w in counted), 2)
