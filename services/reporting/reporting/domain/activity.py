"""Активность родителей и обучающихся (R-62, 000 §7.1): who of a class's families and students opened the diary
in a week or a month, when each family was last seen, and the families never seen."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from chassis.russian import collation_key
from reporting.domain.periods import DateRange
from reporting.domain.sheets import ClassStudent


@dataclass(frozen=True)
class Visit:
    """A day the student (``by_guardian`` False) or a guardian of theirs opened the diary."""

    student_id: UUID
    by_guardian: bool
    day: date
    last_at: datetime


class RecentVisits:
    """Which diary visits are worth writing: R-62 counts the days a family opened the diary and shows its last
    visit, so a reader's visit of a day is written again only ``spacing`` after the last one written — not on
    every week they page through (the write was a tenth of a diary read's CPU, and readers of one pupil queued on
    its row). Per process: a second replica writes its own, the row keeps the latest."""

    def __init__(self, spacing: timedelta = timedelta(minutes=10), capacity: int = 200_000) -> None:
        self.spacing = spacing
        self.capacity = capacity
        self._written: dict[tuple[UUID, UUID, UUID, date], datetime] = {}

    def due(self, key: tuple[UUID, UUID, UUID, date], at: datetime) -> bool:
        """``key``: the school, the student, the reader and the day."""
        last = self._written.get(key)
        return last is None or at - last >= self.spacing

    def written(self, key: tuple[UUID, UUID, UUID, date], at: datetime) -> None:
        if len(self._written) >= self.capacity:
            # Yesterday's keys are never asked again: forgetting all costs at most one more write a reader.
            self._written.clear()
        self._written[key] = at


@dataclass(frozen=True)
class ActivityRow:
    student: ClassStudent
    #: The student has a guardian linked in the school: a family to count.
    has_family: bool
    family_days: int
    student_days: int
    family_last: datetime | None
    student_last: datetime | None


@dataclass(frozen=True)
class ClassActivity:
    dates: DateRange
    rows: list[ActivityRow]

    @property
    def families(self) -> int:
        return sum(1 for r in self.rows if r.has_family)

    @property
    def families_active(self) -> int:
        return sum(1 for r in self.rows if r.family_days)

    @property
    def students_active(self) -> int:
        return sum(1 for r in self.rows if r.student_days)

    @property
    def families_never_seen(self) -> int:
        return sum(1 for r in self.rows if r.has_family and r.family_last is None)


def class_activity(
    students: Iterable[ClassStudent], with_family: set[UUID], visits: Iterable[Visit], dates: DateRange
) -> ClassActivity:
    """Days with a visit within ``dates`` per family and student; the last visit up to the dates' end, at any
    time before (a family «never seen» has none by then). ``visits`` are those up to the end."""
    days: dict[tuple[UUID, bool], set[date]] = {}
    last: dict[tuple[UUID, bool], datetime] = {}
    for visit in visits:
        if visit.day > dates.end:
            continue
        key = (visit.student_id, visit.by_guardian)
        if dates.start <= visit.day:
            days.setdefault(key, set()).add(visit.day)
        if key not in last or visit.last_at > last[key]:
            last[key] = visit.last_at
    rows = [
        ActivityRow(
            student,
            student.student_id in with_family,
            len(days.get((student.student_id, True), ())),
            len(days.get((student.student_id, False), ())),
            last.get((student.student_id, True)),
            last.get((student.student_id, False)),
        )
        for student in sorted(students, key=lambda s: (collation_key(s.name), str(s.student_id)))
    ]
    return ClassActivity(dates, rows)
