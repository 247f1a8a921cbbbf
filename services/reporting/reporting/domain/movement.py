"""Движение контингента и наполняемость классов (R-61, R-16), from the movements roster tells.

A movement with no class before it is an arrival (зачисление, перевод из другой школы), one with no class
after it a departure (выбытие, перевод в другую школу, выпуск), one with both a move between classes
(перевод в другой класс, перевод в следующий класс). A student's class on a day is where their latest
movement by then put them; two movements of one day are ordered by when roster told them.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from reporting.domain.periods import DateRange


@dataclass(frozen=True)
class Move:
    student_id: UUID
    on: date
    from_class_id: UUID | None
    to_class_id: UUID | None
    told_at: datetime


def classes_on(moves: Iterable[Move], day: date) -> dict[UUID, UUID]:
    """Each student's class on ``day`` (the students in none are left out)."""
    latest: dict[UUID, Move] = {}
    for move in moves:
        if move.on > day:
            continue
        known = latest.get(move.student_id)
        if known is None or (move.on, move.told_at) > (known.on, known.told_at):
            latest[move.student_id] = move
    return {student: move.to_class_id for student, move in latest.items() if move.to_class_id is not None}


def fill(moves: Iterable[Move], day: date) -> Counter[UUID]:
    """Наполняемость: students per class on ``day``."""
    return Counter(classes_on(moves, day).values())


@dataclass(frozen=True)
class ClassMovement:
    """A class's movement over some dates: at the start (the day before), who came and went, at the end."""

    at_start: int = 0
    arrived: int = 0
    departed: int = 0
    moved_in: int = 0
    moved_out: int = 0
    at_end: int = 0

    def __add__(self, other: "ClassMovement") -> "ClassMovement":
        return ClassMovement(*(a + b for a, b in zip(self.as_tuple(), other.as_tuple(), strict=True)))

    def as_tuple(self) -> tuple[int, ...]:
        return (self.at_start, self.arrived, self.departed, self.moved_in, self.moved_out, self.at_end)


def movement(moves: Iterable[Move], dates: DateRange) -> dict[UUID, ClassMovement]:
    """Per class: students on the day before ``dates`` start, arrivals, departures, moves in from and out to
    other classes within the dates, and students on their last day."""
    moves = list(moves)
    start = fill(moves, dates.start - timedelta(days=1))
    end = fill(moves, dates.end)
    arrived: Counter[UUID] = Counter()
    departed: Counter[UUID] = Counter()
    moved_in: Counter[UUID] = Counter()
    moved_out: Counter[UUID] = Counter()
    for move in moves:
        if not dates.start <= move.on <= dates.end:
            continue
        if move.from_class_id is None and move.to_class_id is not None:
            arrived[move.to_class_id] += 1
        elif move.to_class_id is None and move.from_class_id is not None:
            departed[move.from_class_id] += 1
        elif move.from_class_id is not None and move.to_class_id is not None:
            moved_out[move.from_class_id] += 1
            moved_in[move.to_class_id] += 1
    classes = set(start) | set(end) | set(arrived) | set(departed) | set(moved_in) | set(moved_out)
    return {c: ClassMovement(start[c], arrived[c], departed[c], moved_in[c], moved_out[c], end[c]) for c in classes}
