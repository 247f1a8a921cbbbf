"""Attendance tables. Every table is tenant-owned: ``school_id`` with row-level security.

``lessons``, ``class_members``, ``group_members``, ``class_teachers`` and ``people`` are replicas fed by
gradebook's and roster's events; ``absences`` is the attendance journal itself.
"""

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.personal_data import personal_data


class Base(DeclarativeBase):
    pass


class Lesson(Base):
    """A lesson as the gradebook recorded it; ``version`` is the latest one seen."""

    __tablename__ = "lessons"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    class_id: Mapped[UUID] = mapped_column(index=True)
    teacher_id: Mapped[UUID]
    #: Замена: the teacher who gave the lesson in ``teacher_id``'s place and marks its absences.
    substitute_teacher_id: Mapped[UUID | None]
    date: Mapped[date]
    subject_name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    #: The gradebook's course (нагрузка) the lesson belongs to; None for lessons announced before it was kept.
    course_id: Mapped[UUID | None] = mapped_column(index=True)
    #: Deleted in the gradebook (R-25): a tombstone, so a late record cannot bring it back.
    deleted: Mapped[bool] = mapped_column(default=False, server_default="false")


class ClassMember(Base):
    __tablename__ = "class_members"
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]


class GroupMember(Base):
    """A student in an elective or club (or a subgroup) from ``starts`` to ``ends``, as roster announced it: an
    elective's lessons carry its group's id as their class (R-14)."""

    __tablename__ = "group_members"
    group_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    starts: Mapped[date] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    ends: Mapped[date | None]
    version: Mapped[int]


class Guardianship(Base):
    """Родитель — обучающийся, as roster announced it (ended ties removed, R-4): who reads the child's summary."""

    __tablename__ = "guardianships"
    guardian_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]


class ClassTeacher(Base):
    """Классный руководитель of a class (004 app.5 §5.2); the assignment's ``version`` orders replacements."""

    __tablename__ = "class_teachers"
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    teacher_id: Mapped[UUID] = mapped_column(index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    last_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("фамилия", purpose="journal", retention="journal_record")
    )
    first_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("имя", purpose="journal", retention="journal_record")
    )
    #: The card's version (roster's ``Person.version``; a registration is 1): a replica keeps the highest.
    version: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def name(self) -> str:
        """«Фамилия Имя», as class lists show it."""
        return f"{self.last_name} {self.first_name}"


class EndedCourse(Base):
    """A teaching assignment that ended (R-4): its teacher marks no more absences at its lessons."""

    __tablename__ = "ended_courses"
    course_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    ended_on: Mapped[date]


class Absence(Base):
    """Пропуск (Б, У, Н) or опоздание (О) of a student at a lesson (R-40)."""

    __tablename__ = "absences"
    __table_args__ = (UniqueConstraint("lesson_id", "student_id"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    lesson_id: Mapped[UUID] = mapped_column(ForeignKey("lessons.id"))
    student_id: Mapped[UUID] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(
        String(16), info=personal_data("пропуски уроков и их причины", purpose="journal", retention="journal_record")
    )
    #: The absence's n-th state: 1 when recorded, +1 for each correction (and for the withdrawal).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    recorded_by: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AbsenceChange(Base):
    """R-25, R-41: every correction of an absence — who, when, the old and the new state, and why.

    ``action``: "reason" (R-41, one or a class's date range at once), "lesson" (put on another lesson),
    "moved" (its lesson moved to another date), "withdrawn", "lesson_deleted". The rows outlive the absence.
    """

    __tablename__ = "absence_changes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    absence_id: Mapped[UUID] = mapped_column(index=True)
    student_id: Mapped[UUID]
    action: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[UUID]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    old_value: Mapped[str] = mapped_column(
        String(64), info=personal_data("прежняя отметка о пропуске", purpose="journal", retention="journal_record")
    )
    new_value: Mapped[str] = mapped_column(
        String(64), info=personal_data("новая отметка о пропуске", purpose="journal", retention="journal_record")
    )
    reason: Mapped[str | None] = mapped_column(Text)


class PeriodLock(Base):
    """A course's period as the gradebook closed or reopened it (R-27); ``version`` orders the two."""

    __tablename__ = "period_locks"
    course_id: Mapped[UUID] = mapped_column(primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    period_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    period_name: Mapped[str] = mapped_column(String(100))
    starts: Mapped[date]
    ends: Mapped[date]
    closed: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int]


class TranscriptAbsence(Base):
    """An absence copied from the school a transferred student came from (R-16): this school's own row, read only,
    naming the source; the sending school keeps its original."""

    __tablename__ = "transcript_absences"
    #: The student's id in this school and the absence's id in the sending school: a copy sent twice is one row.
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_absence_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    source_school_id: Mapped[UUID]
    source_school_name: Mapped[str] = mapped_column(String(500))
    academic_year: Mapped[str] = mapped_column(String(9))
    date: Mapped[date]
    subject_name: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(
        String(16),
        info=personal_data("пропуски уроков из прежней школы", purpose="journal", retention="journal_record"),
    )
