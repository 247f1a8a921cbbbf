"""Проверки перед аттестацией (R-28): enough current marks for the weekly hours, and lessons missed.

Flags only: the period mark stays the teacher's decision (001 §6.6); the journal shows them beside it.
"""

from dataclasses import dataclass
from datetime import date

#: R-28 (001 §6.4): the region's minimum of current marks per period by weekly hours (1 h → 3 marks …).
DEFAULT_MIN_MARKS = ((1, 3), (2, 5), (3, 7), (4, 9), (5, 10))


@dataclass(frozen=True)
class Flag:
    code: str
    text: str


def weekly_hours(lessons: int, starts: date, ends: date) -> int:
    """A course's hours a week in a period: its lessons over the period's weeks, at least 1."""
    weeks = max(1, ((ends - starts).days + 1) / 7)
    return max(1, round(lessons / weeks))


def min_marks(hours: int, table: tuple[tuple[int, int], ...] = DEFAULT_MIN_MARKS) -> int:
    """The minimum for ``hours`` a week: the row of the most hours not above them (the first row below it)."""
    rows = sorted(table)
    fitting = [minimum for at, minimum in rows if at <= hours]
    return fitting[-1] if fitting else rows[0][1]


def attestation_flags(
    marks: int, hours: int, missed: int, lessons: int, table: tuple[tuple[int, int], ...] = DEFAULT_MIN_MARKS
) -> list[Flag]:
    """R-28: too few current marks for objective attestation; more than half the lessons missed (001 §6.7)."""
    flags: list[Flag] = []
    needed = min_marks(hours, table)
    if marks < needed:
        flags.append(Flag("few_marks", f"Мало текущих отметок: {marks} из необходимых {needed} ({hours} ч в неделю)."))
    if lessons and missed * 2 > lessons:
        flags.append(
            Flag("missed_half", f"Пропущено больше половины уроков: {missed} из {lessons}; возможна неаттестация.")
        )
    return flags
