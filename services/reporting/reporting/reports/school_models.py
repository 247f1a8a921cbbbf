"""What the administration's reports read beyond the journal (R-61, R-62): the students' movements as roster
tells them, and the family's visits to the diary reporting serves itself."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from chassis.personal_data import personal_data
from reporting.models import Base


class StudentMovement(Base):
    """Движение обучающегося (R-16): arrival (no class before), departure (no class after) or a move between
    classes, from ``moved_on``; ``told_at`` (the producer's time) orders two movements of one day."""

    __tablename__ = "student_movements"
    __table_args__ = (Index("ix_student_movements_student", "school_id", "student_id"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    movement_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID]
    kind: Mapped[str] = mapped_column(
        String(30), info=personal_data("движение обучающегося", purpose="contingent", retention="person_card")
    )
    moved_on: Mapped[date]
    from_class_id: Mapped[UUID | None]
    to_class_id: Mapped[UUID | None]
    told_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DiaryVisit(Base):
    """A day the student or one of their guardians opened the diary (R-62: parents' and students' activity);
    one row per reader, student and day, ``last_at`` the day's latest visit."""

    __tablename__ = "diary_visits"
    __table_args__ = (Index("ix_diary_visits_reader", "school_id", "reader_id"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    reader_id: Mapped[UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    #: ``student`` or ``guardian``.
    reader: Mapped[str] = mapped_column(String(10))
    last_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        info=personal_data("посещения электронного дневника", purpose="diary", retention="access_log"),
    )
