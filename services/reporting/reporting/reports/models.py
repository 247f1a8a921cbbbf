"""What the reports read beyond the diary's tables, fed by roster's and gradebook's events.

Every table is tenant-owned (``school_id`` with row-level security). Period marks (R-27) are not
here: they arrive as a replica of gradebook's period-mark events beside the diary's tables, and
``reporting.reports.sheets`` reads them through one query when they do.
"""

from uuid import UUID

from sqlalchemy import Integer, SmallInteger, String
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from reporting.models import Base


class School(Base):
    """Школа and its municipality (R-10): the region's figures are grouped by them."""

    __tablename__ = "schools"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))


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
