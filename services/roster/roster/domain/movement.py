"""Student movement (R-16): transfers, leaving, promotion to the next year, repeating a year.

Every movement is a dated record; these rules decide whether it may happen and, for a promotion,
what it does to every class and student of the school, so that the secretary sees the same plan
in the preview that the run carries out.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from chassis.problems import Conflict, Invalid
from roster.domain.people import class_name

#: The last grade of school: its students graduate at promotion.
LAST_GRADE = 11


class Outcome(StrEnum):
    """What the year-end decision does to a student (the pedagogical council's decision)."""

    PROMOTED = "promoted"
    #: Условный перевод (273-ФЗ ст. 58 ч. 4): promoted with academic debt to clear by a deadline.
    CONDITIONAL = "promoted_conditionally"
    #: Оставлен на повторное обучение.
    REPEATING = "repeating"
    GRADUATED = "graduated"
    #: Leaves the school at the end of the year (e.g. after grade 9).
    LEFT = "left"


OUTCOME_TITLES = {
    Outcome.PROMOTED: "переведён",
    Outcome.CONDITIONAL: "переведён условно",
    Outcome.REPEATING: "оставлен на повторное обучение",
    Outcome.GRADUATED: "выпущен",
    Outcome.LEFT: "выбыл",
}


@dataclass(frozen=True)
class ClassInfo:
    id: UUID
    grade: int
    letter: str
    academic_year: str

    @property
    def name(self) -> str:
        return class_name(self.grade, self.letter)


def day_before(day: date) -> date:
    return day - timedelta(days=1)


def check_transfer(current: ClassInfo, target: ClassInfo, on: date, enrolled_on: date) -> None:
    """A transfer between classes of one school year, on a day after the student came into the class."""
    if current.id == target.id:
        raise Conflict(f"Обучающийся уже учится в классе {target.name}.")
    if current.academic_year != target.academic_year:
        raise Invalid(
            f"Класс {target.name} относится к {target.academic_year} учебному году, а обучающийся учится "
            f"в {current.academic_year}: перевести можно только в класс того же года. "
            "Переход в следующий год — это перевод всей школы."
        )
    if on <= enrolled_on:
        raise Invalid(
            f"Дата перевода {on:%d.%m.%Y} должна быть позже даты зачисления в класс {current.name} "
            f"({enrolled_on:%d.%m.%Y})."
        )


def check_leaving(enrolled_on: date, left_on: date, order_number: str) -> None:
    """Выбытие: by an order (приказ), on a day after enrolment."""
    if not order_number.strip():
        raise Invalid("Укажите номер приказа о выбытии.")
    if left_on <= enrolled_on:
        raise Invalid(
            f"Дата выбытия {left_on:%d.%m.%Y} не может быть раньше даты зачисления или совпадать с ней "
            f"({enrolled_on:%d.%m.%Y})."
        )


def check_debt(subjects: list[str], deadline: date | None, on: date) -> None:
    """Academic debt is cleared within a year of the promotion (273-ФЗ ст. 58 ч. 5), and names its subjects."""
    if not subjects:
        raise Invalid("При условном переводе укажите предметы с академической задолженностью.")
    if deadline is None:
        raise Invalid("При условном переводе укажите срок ликвидации академической задолженности.")
    if deadline <= on:
        raise Invalid(f"Срок ликвидации задолженности должен быть позже даты перевода ({on:%d.%m.%Y}).")
    if deadline > one_year_after(on):
        raise Invalid("Академическую задолженность ликвидируют не позднее одного года с момента её образования.")


def one_year_after(day: date) -> date:
    """The same day a year later (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_year_name(academic_year: str) -> str:
    """«2025/2026» → «2026/2027»."""
    start = int(academic_year[:4])
    return f"{start + 1}/{start + 2}"


@dataclass(frozen=True)
class Decision:
    """The council's decision about one student; the default is plain promotion (or graduation)."""

    outcome: Outcome
    debt_subjects: tuple[str, ...] = ()
    debt_deadline: date | None = None


@dataclass(frozen=True)
class StudentMove:
    student_id: UUID
    outcome: Outcome
    from_class: ClassInfo
    #: The (grade, letter) of the new year's class; None when the student leaves the school.
    to: tuple[int, str] | None
    debt_subjects: tuple[str, ...] = ()
    debt_deadline: date | None = None


@dataclass(frozen=True)
class NewClass:
    grade: int
    letter: str
    #: The old class it continues (its class teacher goes with it); None for a class of repeaters only.
    from_class: ClassInfo | None
    #: The class is already there in the new year (created by hand): it is filled, not created again.
    exists: bool

    @property
    def name(self) -> str:
        return class_name(self.grade, self.letter)


@dataclass
class PromotionPlan:
    from_year: str
    to_year: str
    on: date
    new_classes: list[NewClass] = field(default_factory=list)
    moves: list[StudentMove] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for m in self.moves if m.outcome is outcome)


def plan_promotion(
    from_year: str,
    on: date,
    classes: Iterable[ClassInfo],
    students: Iterable[tuple[UUID, UUID]],
    decisions: Mapping[UUID, Decision],
    existing: Iterable[tuple[int, str]],
) -> PromotionPlan:
    """Перевод всей школы: grade + 1 with the same letter, the last grade graduates, decisions apply.

    ``students`` are (student, class) pairs of ``from_year``; ``existing`` the (grade, letter) of classes
    already made for the next year. A decision for a student not in the year is refused, so a typo in
    the list does not pass silently.
    """
    to_year = next_year_name(from_year)
    by_id = {c.id: c for c in classes if c.academic_year == from_year}
    placed = dict(students)
    unknown = set(decisions) - set(placed)
    if unknown:
        raise Invalid(f"Решения указаны для {len(unknown)} обучающихся, которых нет в классах {from_year} года.")
    existing_set = set(existing)
    plan = PromotionPlan(from_year=from_year, to_year=to_year, on=on)
    wanted: dict[tuple[int, str], ClassInfo | None] = {}
    for student_id, class_id in sorted(placed.items(), key=lambda p: (by_id[p[1]].grade, by_id[p[1]].letter)):
        old = by_id[class_id]
        default = Outcome.GRADUATED if old.grade >= LAST_GRADE else Outcome.PROMOTED
        decision = decisions.get(student_id, Decision(default))
        if decision.outcome is Outcome.GRADUATED and old.grade < LAST_GRADE:
            raise Invalid(f"Выпустить можно только обучающихся {LAST_GRADE}-х классов (класс {old.name}).")
        if decision.outcome in (Outcome.PROMOTED, Outcome.CONDITIONAL) and old.grade >= LAST_GRADE:
            raise Invalid(f"Из {old.name} класса переводить некуда: обучающиеся выпускаются.")
        if decision.outcome is Outcome.CONDITIONAL:
            check_debt(list(decision.debt_subjects), decision.debt_deadline, on)
        to: tuple[int, str] | None = None
        if decision.outcome in (Outcome.PROMOTED, Outcome.CONDITIONAL):
            to = (old.grade + 1, old.letter)
            wanted[to] = old
        elif decision.outcome is Outcome.REPEATING:
            to = (old.grade, old.letter)
            wanted.setdefault(to, None)
        plan.moves.append(
            StudentMove(student_id, decision.outcome, old, to, decision.debt_subjects, decision.debt_deadline)
        )
    # Every class of the old year goes on (even an empty one), so the new year's list is complete.
    for old in by_id.values():
        if old.grade < LAST_GRADE:
            wanted.setdefault((old.grade + 1, old.letter), old)
    plan.new_classes = [
        NewClass(grade, letter, source, (grade, letter) in existing_set)
        for (grade, letter), source in sorted(wanted.items())
    ]
    return plan
