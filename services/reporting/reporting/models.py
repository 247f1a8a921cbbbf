"""The family diary's read model, fed by roster, gradebook and attendance events.

Every table is tenant-owned (``school_id`` with row-level security) and keyed by
``(school_id, id)``. Each row holds what its own events carry; related rows are joined
when the diary is read, so events may arrive in any order and none is dropped.
"""

from datetime import date, datetime, time
from uuid import UUID

from sqlalchemy import DateTime, Float, Index, Integer, SmallInteger, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.personal_data import personal_data


class Base(DeclarativeBase):
    pass


class Person(Base):
    """A person's name, from roster (students and guardians alike)."""

    __tablename__ = "people"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("фамилия", purpose="diary", retention="journal_record")
    )
    first_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("имя", purpose="diary", retention="journal_record")
    )
    #: The card's version (roster's ``Person.version``; a registration is 1): a replica keeps the highest.
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class Student(Base):
    """Зачисление: the student's latest class, and the day they left it (R-16) — the row stays for the reports
    of the time they were in it (``reporting.reports.queries.in_class``)."""

    __tablename__ = "students"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    class_id: Mapped[UUID]
    class_name: Mapped[str] = mapped_column(String(20))
    enrolled_on: Mapped[date]
    #: The first day out of the class (roster's ``left_class``/``left_school``); None while in it.
    left_on: Mapped[date | None]


class SchoolClass(Base):
    __tablename__ = "classes"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(20))


class ClassTeacher(Base):
    """Классный руководитель of a class (004 app.5 §5.2); ``assigned_at`` (the producer's event time)
    orders replacements, and the row may come before the class or its students."""

    __tablename__ = "class_teachers"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    teacher_id: Mapped[UUID]
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class Guardianship(Base):
    """Родитель (законный представитель) — обучающийся."""

    __tablename__ = "guardianships"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    guardian_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    relation: Mapped[str] = mapped_column(String(40))


class Lesson(Base):
    """A lesson record (R-20); only its highest ``version`` is kept."""

    __tablename__ = "lessons"
    __table_args__ = (Index("lessons_by_class_and_date", "school_id", "class_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    class_id: Mapped[UUID]
    subject_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]
    topic: Mapped[str] = mapped_column(Text)
    homework: Mapped[str | None] = mapped_column(Text)
    #: The timetable lesson recorded; None for a lesson outside the timetable.
    scheduled_lesson_id: Mapped[UUID | None]
    #: Deleted by its teacher (R-25): kept as a tombstone, so a late record cannot bring it back.
    deleted: Mapped[bool] = mapped_column(default=False, server_default="false")


class Mark(Base):
    """A current mark (R-22) with what the diary shows of it; only its highest ``version`` is kept."""

    __tablename__ = "marks"
    __table_args__ = (Index("marks_by_student_and_date", "school_id", "student_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[UUID]
    lesson_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]
    value: Mapped[str] = mapped_column(
        String(10), info=personal_data("отметки в дневнике", purpose="diary", retention="journal_record")
    )
    work_type: Mapped[str] = mapped_column(String(40))
    #: Empty for a mark stored from events before MarkPosted carried the title.
    work_type_title: Mapped[str] = mapped_column(String(200), server_default="")
    weight: Mapped[float] = mapped_column(Float)
    #: Deleted by its teacher (R-25): kept as a tombstone, so a late posting cannot bring it back.
    deleted: Mapped[bool] = mapped_column(default=False, server_default="false")


class Homework(Base):
    """Домашнее задание (R-21) as the gradebook gave it: due by ``due_on``, for the class or chosen students."""

    __tablename__ = "homework"
    __table_args__ = (Index("homework_by_class_and_due", "school_id", "class_id", "due_on"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    class_id: Mapped[UUID]
    lesson_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(200))
    given_on: Mapped[date]
    due_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[str | None] = mapped_column(String(200))
    exercises: Mapped[str | None] = mapped_column(String(500))
    links: Mapped[list[str]] = mapped_column(ARRAY(Text))
    #: Empty: the whole class; else only these students see it.
    student_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))


class Absence(Base):
    """An absence or a late (R-40, R-41).

    Its events' ``version`` orders them (``changed_at``, the producer's time, only between events sent
    before versions); a withdrawn absence stays as a tombstone, so a late record cannot revive it.
    """

    __tablename__ = "absences"
    __table_args__ = (Index("absences_by_student_and_date", "school_id", "student_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID]
    lesson_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]
    reason: Mapped[str] = mapped_column(
        String(20), info=personal_data("пропуски уроков в дневнике", purpose="diary", retention="journal_record")
    )
    withdrawn: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=0, server_default="0")


class TimetableLesson(Base):
    """A lesson of the timetable (R-14) as roster last announced it: the diary shows it before it is recorded."""

    __tablename__ = "timetable_lessons"
    __table_args__ = (Index("timetable_lessons_by_class_and_date", "school_id", "class_id", "date"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    class_id: Mapped[UUID]
    #: The subgroup taught; None: the whole class.
    group_id: Mapped[UUID | None]
    subject_name: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]
    number: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time]
    ends: Mapped[time]
    room_name: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    substitute_name: Mapped[str | None] = mapped_column(
        String(300), info=personal_data("ФИО заменяющего учителя", purpose="diary", retention="journal_record")
    )
    change_note: Mapped[str | None] = mapped_column(String(500))


class GroupMember(Base):
    """A student in a subgroup from ``starts`` to ``ends`` (R-12): which group lessons their diary shows."""

    __tablename__ = "group_members"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    group_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    starts: Mapped[date] = mapped_column(primary_key=True)
    ends: Mapped[date | None]


class Announcement(Base):
    """Объявление школы или класса (R-53) shown in the diary, from notifications' AnnouncementPublished."""

    __tablename__ = "announcements"
    __table_args__ = (Index("announcements_shown", "school_id", "ends_on"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    #: None: the whole school.
    class_id: Mapped[UUID | None]
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class PeriodMark(Base):
    """Итоговая отметка (R-27) of a student in a subject for a period; only its highest ``version`` is kept."""

    __tablename__ = "period_marks"
    __table_args__ = (
        Index("period_marks_by_student", "school_id", "student_id"),
        # The region's list of periods steps through this (reports.queries.region_periods); school_id lets the
        # row-level security check read the index alone.
        Index(
            "period_marks_periods",
            "period_name",
            "starts",
            "school_id",
            postgresql_where=text("value IS NOT NULL OR not_attested_reason IS NOT NULL"),
        ),
    )
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    student_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(200))
    period_kind: Mapped[str] = mapped_column(String(16))
    period_name: Mapped[str] = mapped_column(String(100))
    starts: Mapped[date]
    ends: Mapped[date]
    value: Mapped[str | None] = mapped_column(
        String(10), info=personal_data("итоговые отметки в дневнике", purpose="diary", retention="summary_sheet")
    )
    not_attested_reason: Mapped[str | None] = mapped_column(
        Text, info=personal_data("причина неаттестации", purpose="diary", retention="summary_sheet")
    )
    extended_to: Mapped[date | None]
    #: R-27: the family sees it from this day.
    visible_from: Mapped[date]


class PeriodMarkCount(Base):
    """How many period marks of one value a class has in a subject for a period (R-66), kept by the diary's
    consumer as period marks and enrolments arrive (``reporting.region_counts``), so the region's indicators
    sum thousands of counts instead of reading a million period marks. Counts only, no student: not personal
    data. A count that fell to 0 stays as a row of 0 until a rebuild."""

    __tablename__ = "period_mark_counts"
    __table_args__ = (Index("period_mark_counts_by_period", "period_name", "starts", "school_id"),)
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    #: The student's class as the diary stores it (``Student.class_id``); the parallel comes from its grade.
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    subject_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    period_name: Mapped[str] = mapped_column(String(100), primary_key=True)
    starts: Mapped[date] = mapped_column(primary_key=True)
    #: The mark, or «н/а» for not attested (R-66 counts those among the students).
    value: Mapped[str] = mapped_column(String(10), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


#: The diary's read model (``reporting.diary``): every table above, and none of the reports' (reporting.reports),
#: which a rebuild of the diary must leave alone.
DIARY_TABLES = tuple(Base.metadata.tables)
