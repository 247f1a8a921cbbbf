"""What the reports read beyond the diary's tables, fed by roster's and gradebook's events.

Every table is tenant-owned (``school_id`` with row-level security). Period marks (R-27) are not
here: they arrive as a replica of gradebook's period-mark events beside the diary's tables, and
``reporting.reports.sheets`` reads them through one query when they do.
"""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import DateTime, Index, Integer, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from chassis.personal_data import personal_data
from reporting.models import Base


class School(Base):
    """Школа and its municipality (R-10): the region's figures are grouped by them."""

    __tablename__ = "schools"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
    #: The version of roster's settings the municipality came with (registration is 0): a school moved to another
    #: municipality, or its municipality renamed, keeps the newest.
    settings_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ClassGrade(Base):
    """A class's parallel (grade) and year: which reporting periods it follows (R-11)."""

    __tablename__ = "class_grades"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger)
    academic_year: Mapped[str] = mapped_column(String(20))


class PeriodScheme(Base):
    """The reporting periods some grades follow in a year (R-11); the highest ``version`` is kept.

    ``periods`` is the event's list as JSON (``period_id``, ``number``, ``name``, ``starts``, ``ends``).
    """

    __tablename__ = "period_schemes"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    scheme_id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    grades: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    periods: Mapped[list[dict]] = mapped_column(JSONB)


class LessonTeacher(Base):
    """Who recorded a lesson (the substitute when there was one): the journal-fill control counts teachers (R-62)."""

    __tablename__ = "lesson_teachers"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    lesson_id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    teacher_id: Mapped[UUID]


class LessonState(Base):
    """Each state of a lesson record as its event told it, at the producer's time: the journal as it stood on a
    date is rebuilt from these (R-25, R-65). One row per event (``event_id``), never updated."""

    __tablename__ = "lesson_states"
    __table_args__ = (Index("lesson_states_by_class", "school_id", "class_id", "subject_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    lesson_id: Mapped[UUID]
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    class_id: Mapped[UUID]
    subject_id: Mapped[UUID]
    date: Mapped[date]
    topic: Mapped[str] = mapped_column(Text)
    homework: Mapped[str | None] = mapped_column(Text)


class MarkState(Base):
    """Each state of a mark (posted, then every change with its old value, R-25), at the producer's time."""

    __tablename__ = "mark_states"
    __table_args__ = (Index("mark_states_by_class", "school_id", "class_id", "subject_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    mark_id: Mapped[UUID]
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    class_id: Mapped[UUID]
    subject_id: Mapped[UUID]
    lesson_id: Mapped[UUID]
    student_id: Mapped[UUID]
    date: Mapped[date]
    value: Mapped[str] = mapped_column(String(10))
    #: The mark deleted by its teacher (R-25): from this state on the mark is absent from the journal.
    deleted: Mapped[bool] = mapped_column(default=False, server_default="false")


class AbsenceState(Base):
    """Each state of an absence (recorded, corrected, withdrawn), at the producer's time."""

    __tablename__ = "absence_states"
    __table_args__ = (Index("absence_states_by_class", "school_id", "class_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    event_id: Mapped[UUID] = mapped_column(primary_key=True)
    absence_id: Mapped[UUID]
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    class_id: Mapped[UUID]
    lesson_id: Mapped[UUID]
    student_id: Mapped[UUID]
    date: Mapped[date]
    reason: Mapped[str] = mapped_column(String(20))
    withdrawn: Mapped[bool]


class JournalRead(Base):
    """Who read a class's journal as it stood on a date, and when (R-5: every inspector's read is logged)."""

    __tablename__ = "journal_reads"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    reader_id: Mapped[UUID]
    reader_name: Mapped[str] = mapped_column(String(300))
    class_id: Mapped[UUID]
    subject_id: Mapped[UUID]
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportJob(Base):
    """A long report run in the background (R-60, R-61): its progress, and its file in the store when done."""

    __tablename__ = "report_jobs"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    requested_by: Mapped[UUID]
    kind: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    #: queued → running → done or failed.
    status: Mapped[str] = mapped_column(String(10))
    done_steps: Mapped[int] = mapped_column(Integer, default=0)
    total_steps: Mapped[int] = mapped_column(Integer, default=0)
    file_key: Mapped[str | None] = mapped_column(String(512))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class YearArchive(Base):
    """R-65: a school year roster has archived, and its signed archive: queued by the year's «archived» event,
    built and signed by ``reporting.archive.auto`` off the consumer, once (a repeated event finds the row)."""

    __tablename__ = "year_archives"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    year_id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))
    starts: Mapped[date]
    ends: Mapped[date]
    #: queued → done; a failed attempt stays queued with its ``error`` and is tried again.
    status: Mapped[str] = mapped_column(String(10))
    error: Mapped[str | None] = mapped_column(Text)
    archived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    built_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FamilyRefusal(Base):
    """R-54: the student's family refused the electronic service on ``refused_on`` (None: took it back), as
    roster announced it; such a family gets the printed monthly summary."""

    __tablename__ = "family_refusals"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    refused_on: Mapped[date | None] = mapped_column(
        info=personal_data("дата отказа семьи от электронной услуги", purpose="contingent", retention="person_card")
    )
    version: Mapped[int] = mapped_column(Integer)
