"""Сроки выставления отметок (R-23): per school, by work type and grade; a late entry is flagged, not refused."""

from dataclasses import dataclass
from datetime import date

#: Письменные контрольные работы: 7 days in grades 2–9, 10 days in 10–11 (003).
WRITTEN = frozenset({"test", "dictation"})
#: Внешние диагностические работы: results within 1 day (000 §4.4.12).
DIAGNOSTIC = frozenset({"diagnostic"})


@dataclass(frozen=True)
class MarkDeadlines:
    """Days after the lesson a mark is due, as the school set them (R-23)."""

    #: Current marks: 5 days (002 §5.2) or a week (001 §6.3, 004 §3.6).
    current_days: int = 7
    written_days_2_9: int = 7
    written_days_10_11: int = 10
    diagnostic_days: int = 1


def deadline_days(work_type: str, grade: int | None, deadlines: MarkDeadlines) -> int:
    """The days a mark of ``work_type`` in ``grade`` is due after its lesson."""
    if work_type in DIAGNOSTIC:
        return deadlines.diagnostic_days
    if work_type in WRITTEN:
        return deadlines.written_days_10_11 if (grade or 0) >= 10 else deadlines.written_days_2_9
    return deadlines.current_days


def mark_days_late(lesson_date: date, today: date, days: int) -> int | None:
    """How many days past its deadline a mark was entered; None when in time."""
    late = (today - lesson_date).days - days
    return late if late > 0 else None
