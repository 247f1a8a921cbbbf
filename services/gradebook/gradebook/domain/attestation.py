"""Проверки перед аттестацией (R-28): enough current marks for the weekly hours, and lessons missed.

Flags only: the period mark stays the teacher's decision (001 §6.6); the journal shows them beside it.
"""

from dataclasses import dataclass

from chassis.period_mark_rules import DEFAULT_MIN_MARKS, min_marks, missed_half


@dataclass(frozen=True)
class Flag:
    code: str
    text: str


def attestation_flags(
    marks: int, hours: int, missed: int, lessons: int, table: tuple[tuple[int, int], ...] = DEFAULT_MIN_MARKS
) -> list[Flag]:
    """R-28: too few current marks for objective attestation; more than half the lessons missed (001 §6.7)."""
    flags: list[Flag] = []
    needed = min_marks(hours, table)
    if marks < needed:
        flags.append(Flag("few_marks", f"Мало текущих отметок: {marks} из необходимых {needed} ({hours} ч в неделю)."))
    if missed_half(missed, lessons):
        flags.append(
            Flag("missed_half", f"Пропущено больше половины уроков: {missed} из {lessons}; возможна неаттестация.")
        )
    return flags
