"""R-63: a student's summary for a period — lessons, marks, averages, absences and lates per subject."""

from collections.abc import Sequence
from dataclasses import dataclass

from reporting.domain.absences import is_late
from reporting.domain.indicators import ScoredMark, average, weighted_average


@dataclass(frozen=True)
class SubjectSummary:
    subject: str
    lessons: int
    marks: list[str]
    average: float | None
    weighted_average: float | None
    #: Lessons missed (Б, У, Н); lates (О) are counted apart (R-42).
    absences: int
    lates: int


def subject_summary(
    subject: str, lessons: int, marks: Sequence[ScoredMark], absence_reasons: Sequence[str]
) -> SubjectSummary:
    lates = sum(1 for reason in absence_reasons if is_late(reason))
    return SubjectSummary(
        subject=subject,
        lessons=lessons,
        marks=[m.value for m in marks],
        average=average(marks),
        weighted_average=weighted_average(marks),
        absences=len(absence_reasons) - lates,
        lates=lates,
    )
