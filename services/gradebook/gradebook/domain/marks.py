"""Current marks (текущие отметки): which values are allowed, where, and their averages."""

from collections.abc import Iterable, Set
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from chassis.problems import Invalid
from gradebook.domain.work_types import WorkType

FIVE_POINT = ("5", "4", "3", "2", "1")
PASS_FAIL = ("зач", "незач")


def mark_value(raw: str, kind: WorkType, *, pass_fail_subject: bool = False) -> str:
    """The mark as stored: a 5-point mark, or зач/незач for a pass/fail work type or subject (R-22)."""
    value = raw.strip().lower()
    if pass_fail_subject and not kind.pass_fail:
        if value not in PASS_FAIL:
            raise Invalid(f"Предмет оценивается зачётом: ставится «зач» или «незач», а не «{raw}».")
        return value
    if kind.pass_fail:
        if value not in PASS_FAIL:
            raise Invalid(f"За «{kind.title}» ставится «зач» или «незач», а не «{raw}».")
        return value
    if value not in FIVE_POINT:
        raise Invalid(f"Отметка «{raw}» не по пятибалльной шкале: допустимы 5, 4, 3, 2, 1.")
    return value


@dataclass(frozen=True)
class GradeRules:
    """R-26 as the school set it: by default no marks in grade 1, none in grade 2's first half-year."""

    marks_in_grade_1: bool = False
    marks_in_grade_2_first_half: bool = False


def check_marks_allowed(
    grade: int | None, day: date | None = None, first_half_ends: date | None = None, rules: GradeRules = GradeRules()
) -> None:
    """R-26: no marks in grade 1, nor in grade 2's first half-year (002 §5.5, 000 §3.9); configurable per school.

    An unknown grade does not block; nor does grade 2 while the year's first half-year is not known.
    """
    if grade == 1 and not rules.marks_in_grade_1:
        raise Invalid("В первом классе отметки не ставятся.")
    if _in_grade_2_first_half(grade, day, first_half_ends) and not rules.marks_in_grade_2_first_half:
        raise Invalid(f"Во втором классе в первом полугодии (до {first_half_ends:%d.%m.%Y}) отметки не ставятся.")


def check_homework_allowed(
    grade: int | None, day: date, first_half_ends: date | None, rules: GradeRules = GradeRules()
) -> None:
    """R-26: in grade 2 no homework in the first half-year either (000 §3.9), unless the school allows marks there."""
    if _in_grade_2_first_half(grade, day, first_half_ends) and not rules.marks_in_grade_2_first_half:
        raise Invalid(
            f"Во втором классе в первом полугодии (до {first_half_ends:%d.%m.%Y}) домашние задания не задаются."
        )


def _in_grade_2_first_half(grade: int | None, day: date | None, first_half_ends: date | None) -> bool:
    return grade == 2 and day is not None and first_half_ends is not None and day <= first_half_ends


@dataclass(frozen=True)
class ColumnRow:
    """One pupil's cell in a lesson's column of one work type, as the teacher typed it."""

    student_id: UUID
    value: str


@dataclass(frozen=True)
class RowError:
    #: The row's position in the request, from 0.
    row: int
    student_id: UUID
    detail: str


def check_column(
    rows: list[ColumnRow], kind: WorkType, class_members: Set[UUID], class_name: str, *, pass_fail_subject: bool = False
) -> tuple[dict[UUID, str], list[RowError]]:
    """A whole column checked row by row (column mode): the stored values, or every row's error.

    The caller writes nothing unless the error list is empty: a column is saved whole or not at all.
    """
    values: dict[UUID, str] = {}
    errors: list[RowError] = []
    for i, row in enumerate(rows):
        if row.student_id in values or any(e.student_id == row.student_id for e in errors):
            errors.append(RowError(i, row.student_id, "Обучающийся указан в столбце дважды."))
        elif row.student_id not in class_members:
            errors.append(RowError(i, row.student_id, f"Обучающийся не числится в классе {class_name}."))
        else:
            try:
                values[row.student_id] = mark_value(row.value, kind, pass_fail_subject=pass_fail_subject)
            except Invalid as refused:
                errors.append(RowError(i, row.student_id, refused.detail))
    return values, errors


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
