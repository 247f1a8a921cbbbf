"""Curriculum and teaching load (R-13): a course's hours by the timetable against the учебный план (003 §5)."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class CourseLoad:
    """A course (нагрузка: teacher × class or group × subject) and its hours for the year."""

    assignment_id: UUID
    class_name: str
    subject_name: str
    teacher_id: UUID
    curriculum_hours: int | None
    timetable_hours: int

    @property
    def difference(self) -> int | None:
        """Timetable minus curriculum: positive is over-loaded, negative under-loaded."""
        return None if self.curriculum_hours is None else self.timetable_hours - self.curriculum_hours

    @property
    def verdict(self) -> str:
        if self.difference is None:
            return "нет в учебном плане"
        if self.difference > 0:
            return f"перегрузка на {self.difference} ч"
        if self.difference < 0:
            return f"недогрузка на {-self.difference} ч"
        return "по плану"


def load_report(courses: Iterable[CourseLoad]) -> list[CourseLoad]:
    """Courses off the curriculum first (the largest gap on top), then those on plan."""
    return sorted(courses, key=lambda c: (c.difference == 0, -abs(c.difference or 0)))
