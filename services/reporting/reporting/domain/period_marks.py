"""Итоговые отметки as the family reads them (R-27): what a period mark says, and in which order they stand."""

from datetime import date

#: The order of a subject's period marks within a year: reporting periods, then year, exam, final.
KIND_ORDER = {"quarter": 0, "half_year": 0, "trimester": 0, "semester": 0, "year": 1, "exam": 2, "final": 3}


def period_mark_text(value: str | None, not_attested_reason: str | None, extended_to: date | None) -> str:
    """A mark, «не аттестован» (001 §6.7) or the extended term (000 §5.3), as the diary shows it."""
    if value is not None:
        return value
    if not_attested_reason is not None:
        return "не аттестован"
    return f"продлено до {extended_to:%d.%m.%Y}" if extended_to else ""
