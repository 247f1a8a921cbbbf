"""Absences as the diary shows them (R-40): the reason and its one-letter code."""

#: R-40: codes Б ill, У excused, Н unexcused, О late (003 §5).
ABSENCE_CODES: dict[str, str] = {"ill": "Б", "excused": "У", "unexcused": "Н", "late": "О"}


def absence_code(reason: str) -> str:
    return ABSENCE_CODES[reason]


def is_late(reason: str) -> bool:
    """R-42: lates are counted apart from lessons missed."""
    return reason == "late"
