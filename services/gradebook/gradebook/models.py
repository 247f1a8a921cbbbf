"""Gradebook tables. Every table is tenant-owned: ``school_id`` with row-level security.

``courses``, ``classes``, ``class_members`` and ``people`` are replicas of roster data,
fed by its events; the rest is the journal itself.
"""

from datetime import date, datetime, time
from uuid import UUID, uuid4

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.personal_data import personal_data


class Base(DeclarativeBase):
    pass


class Course(Base):
    """Нагрузка as the journal sees it: a teacher teaches a subject in a class (id = assignment id).

    An elective or club (R-14) is a course too: its id and ``class_id`` are its group's id, ``class_name`` the
    group's name, and its class list is the group's members (``GroupMember``), not a class's.
    """

    __tablename__ = "courses"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    teacher_id: Mapped[UUID] = mapped_column(index=True)
    subject_id: Mapped[UUID]
    subject_name: Mapped[str] = mapped_column(String(200))
    class_id: Mapped[UUID] = mapped_column(index=True)
    class_name: Mapped[str] = mapped_column(String(100))
    #: Нагрузка снята с этого дня (R-4): its teacher writes nothing more here; None while in force.
    ended_on: Mapped[date | None]


class SchoolClass(Base):
    """A class's parallel, for R-26 (no marks in grade 1)."""

    __tablename__ = "classes"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    grade: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(20))
    #: «2026/2027»; None for classes announced before the year was carried.
    academic_year: Mapped[str | None] = mapped_column(String(9))


class ClassMember(Base):
    __tablename__ = "class_members"
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]


class GroupMember(Base):
    """A student in an elective or club (or a subgroup) from ``starts`` to ``ends``, as roster announced it."""

    __tablename__ = "group_members"
    group_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    starts: Mapped[date] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    ends: Mapped[date | None]
    version: Mapped[int]


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


class Lesson(Base):
    """Запись урока (R-20): date, topic, homework. ``version`` grows with each edit."""

    __tablename__ = "lessons"
    __table_args__ = (Index("lessons_course_date", "course_id", "date"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"))
    date: Mapped[date]
    topic: Mapped[str] = mapped_column(Text)
    homework: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    recorded_by: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The timetable lesson this records (roster owns its date); None: an unscheduled lesson.
    scheduled_lesson_id: Mapped[UUID | None] = mapped_column(unique=True)
    #: Why a lesson outside the timetable was given (an extra lesson, a make-up), for courses with a timetable.
    unscheduled_reason: Mapped[str | None] = mapped_column(Text)
    #: Замена: the substitute who gives the timetable lesson and may write its record (R-20).
    substitute_teacher_id: Mapped[UUID | None]


class Mark(Base):
    """Текущая отметка in the column of the lesson date, with its work type and weight (R-22)."""

    __tablename__ = "marks"
    # One mark per student per work type per lesson; a second one is a change.
    __table_args__ = (UniqueConstraint("lesson_id", "student_id", "work_type"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    lesson_id: Mapped[UUID] = mapped_column(ForeignKey("lessons.id"), index=True)
    student_id: Mapped[UUID] = mapped_column(index=True)
    value: Mapped[str] = mapped_column(
        String(8), info=personal_data("текущие отметки обучающегося", purpose="journal", retention="journal_record")
    )
    work_type: Mapped[str] = mapped_column(String(32))
    weight: Mapped[float] = mapped_column(Float)
    version: Mapped[int] = mapped_column(default=1)
    posted_by: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The school's day the mark was posted (the journal's clock): a dispute is open 3 days from it.
    #: None for marks posted before the field existed; their lesson's date stands in.
    posted_on: Mapped[date | None]
    #: R-23: days past the school's deadline the mark was entered; None: in time.
    late_days: Mapped[int | None] = mapped_column(SmallInteger)


#: What a row of the journal's change log records (R-25).
CHANGE_ACTIONS = ("value", "work_type", "mark_deleted", "lesson_moved", "lesson_deleted")
#: The fields of a lesson's record whose edits ``LessonChange`` logs.
LESSON_FIELDS = ("topic", "homework")


class MarkChange(Base):
    """R-25: every change of a mark — who, when, the old and the new value, and why (004 §3.8).

    The journal's change log: a mark's value or вид работы changed, a mark deleted, and a lesson moved or
    deleted (one row for the lesson, ``mark_id`` None, and one for each of its marks). The rows outlive
    what they describe, so ``mark_id`` and ``lesson_id`` reference nothing.
    """

    __tablename__ = "mark_changes"
    __table_args__ = (
        Index("mark_changes_unsealed", "school_id", "changed_at", postgresql_where=text("seal IS NULL")),
        Index("mark_changes_chain", "school_id", "seal_no", unique=True),
    )
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    mark_id: Mapped[UUID | None] = mapped_column(index=True)
    lesson_id: Mapped[UUID] = mapped_column(index=True)
    #: One of ``CHANGE_ACTIONS``.
    action: Mapped[str] = mapped_column(String(16), server_default="value")
    changed_by: Mapped[UUID]
    changed_by_name: Mapped[str] = mapped_column(
        String(300), info=personal_data("ФИО изменившего отметку", purpose="journal", retention="journal_record")
    )
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: The value, the вид работы's code or the lesson's date before and after; "" when there is none after.
    old_value: Mapped[str] = mapped_column(String(32))
    new_value: Mapped[str] = mapped_column(String(32))
    #: Why, for deletions and moves (R-25); None for an ordinary change of value.
    reason: Mapped[str | None] = mapped_column(Text)
    #: The school's chain (``gradebook.audit``): the entry's place in it and its seal, written by the sealing
    #: job off the hot path; both None until then.
    seal_no: Mapped[int | None] = mapped_column(BigInteger)
    seal: Mapped[str | None] = mapped_column(String(64))


class LessonChange(Base):
    """R-25: every edit of a lesson's record — who, when, which field («topic», «homework»), the value before and
    after, and why (a revert's reason; None for an ordinary edit). R-3 reads it to undo a compromised account's
    edits. The rows outlive the lesson, so ``lesson_id`` references nothing."""

    __tablename__ = "lesson_changes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    lesson_id: Mapped[UUID] = mapped_column(index=True)
    #: One of ``LESSON_FIELDS``.
    field: Mapped[str] = mapped_column(String(16))
    changed_by: Mapped[UUID]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: None: the lesson had no homework before (or has none after).
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class Guardianship(Base):
    """Родитель — обучающийся, as roster announced it: who may dispute a student's mark (004 app.8) and read
    the child's forecast (R-29)."""

    __tablename__ = "guardianships"
    guardian_id: Mapped[UUID] = mapped_column(primary_key=True)
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]


class MarkDispute(Base):
    """A student or parent flags a mark as wrong (004 app.8); the teacher answers. Both stay in the log.

    The mark's value, subject and date are kept as they were, so the log reads after the mark is gone.
    """

    __tablename__ = "mark_disputes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    mark_id: Mapped[UUID] = mapped_column(index=True)
    course_id: Mapped[UUID] = mapped_column(index=True)
    student_id: Mapped[UUID] = mapped_column(index=True)
    mark_value: Mapped[str] = mapped_column(String(8))
    lesson_date: Mapped[date]
    raised_by: Mapped[UUID]
    raised_by_name: Mapped[str] = mapped_column(
        String(300), info=personal_data("ФИО оспорившего отметку", purpose="journal", retention="journal_record")
    )
    raised_on: Mapped[date]
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    text: Mapped[str] = mapped_column(
        Text, info=personal_data("текст обращения об отметке", purpose="journal", retention="journal_record")
    )
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[UUID | None]
    answered_by_name: Mapped[str | None] = mapped_column(
        String(300), info=personal_data("ФИО ответившего на спор", purpose="journal", retention="journal_record")
    )
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SchoolPolicy(Base):
    """What the school administrator set for the school's journal; no row: the region's defaults."""

    __tablename__ = "school_policies"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    #: R-24: a code of ``EDIT_WINDOW_CHOICES`` ("never", "7d", "14d", "21d", "1m").
    edit_window: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[UUID]
    #: R-21: homework is posted within these hours after the class's last lesson; None: the default (2).
    homework_deadline_hours: Mapped[int | None] = mapped_column(SmallInteger)


class Homework(Base):
    """Домашнее задание (R-21) given at a lesson, due by a later lesson's date; general or for chosen students."""

    __tablename__ = "homework"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    lesson_id: Mapped[UUID] = mapped_column(index=True)
    given_on: Mapped[date]
    due_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    pages: Mapped[str | None] = mapped_column(String(200))
    exercises: Mapped[str | None] = mapped_column(String(500))
    links: Mapped[list[str]] = mapped_column(ARRAY(Text))
    #: Individual homework: these students only; empty: the whole class.
    student_ids: Mapped[list[UUID]] = mapped_column(ARRAY(Uuid))
    posted_by: Mapped[UUID]
    #: By the journal's clock, so the deadline compares like with like.
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Posted after the school's deadline (R-21): flagged to the deputy.
    posted_late: Mapped[bool]


class SchoolWorkType(Base):
    """A вид работы of the school's list with its weight (R-22); no rows: the region's default list."""

    __tablename__ = "school_work_types"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float)
    pass_fail: Mapped[bool]


class PassFailSubject(Base):
    """A subject the school assesses зачёт/незачёт as a whole (R-22): its marks are «зач» or «незач»."""

    __tablename__ = "pass_fail_subjects"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    subject_id: Mapped[UUID] = mapped_column(primary_key=True)


class ScheduledLesson(Base):
    """A timetable lesson as roster announced it (replica): the journal shows it before it is recorded."""

    __tablename__ = "scheduled_lessons"
    __table_args__ = (Index("scheduled_lessons_course_date", "course_id", "date"),)
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID]
    date: Mapped[date]
    number: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time]
    ends: Mapped[time]
    status: Mapped[str] = mapped_column(String(16))
    room_name: Mapped[str | None] = mapped_column(String(100))
    substitute_teacher_id: Mapped[UUID | None] = mapped_column(index=True)
    substitute_name: Mapped[str | None] = mapped_column(
        String(300), info=personal_data("ФИО заменяющего учителя", purpose="journal", retention="journal_record")
    )
    change_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int]


class CurriculumLine(Base):
    """Учебный план as roster announced it (R-13): hours a year of a subject in a grade."""

    __tablename__ = "curriculum_lines"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(9), primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    subject_id: Mapped[UUID] = mapped_column(primary_key=True)
    hours: Mapped[int] = mapped_column(SmallInteger)
    #: The event's time: a line set twice keeps the later hours, whichever event arrives last.
    set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanTopic(Base):
    """A topic of a course's thematic plan (R-30), at ``position`` in the plan's order."""

    __tablename__ = "plan_topics"
    __table_args__ = (UniqueConstraint("course_id", "position"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"))
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(Text)
    hours: Mapped[int] = mapped_column(SmallInteger)


class ThematicPlan(Base):
    """When a course's thematic plan was first entered (R-30): a plan after the school's deadline is flagged."""

    __tablename__ = "thematic_plans"
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    school_id: Mapped[UUID]
    #: The school's local date of the first save; replacing the plan later (an adjustment) keeps it.
    entered_on: Mapped[date]


class AcademicYear(Base):
    """Учебный год as roster announced it (replica): the span of year, exam and final marks."""

    __tablename__ = "academic_years"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    name: Mapped[str] = mapped_column(String(9))
    starts: Mapped[date]
    ends: Mapped[date]
    version: Mapped[int]


class PeriodScheme(Base):
    """Reporting periods of some grades in a year, as roster announced them (replica, R-11)."""

    __tablename__ = "period_schemes"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    year_id: Mapped[UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))
    grades: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    #: [{"period_id", "number", "name", "starts", "ends"}], as the event carries them.
    periods: Mapped[list[dict]] = mapped_column(JSONB)
    version: Mapped[int]


class ClassTeacher(Base):
    """Классный руководитель (replica): reads the class's forecasts (R-29)."""

    __tablename__ = "class_teachers"
    class_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    teacher_id: Mapped[UUID] = mapped_column(index=True)
    version: Mapped[int]


class Absence(Base):
    """An absence as attendance announced it (replica), for the share of lessons missed (R-28)."""

    __tablename__ = "absences"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    lesson_id: Mapped[UUID] = mapped_column(index=True)
    student_id: Mapped[UUID]
    reason: Mapped[str] = mapped_column(
        String(16), info=personal_data("пропуски уроков и их причины", purpose="journal", retention="journal_record")
    )
    withdrawn: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int]


class PeriodPolicyRow(Base):
    """The school's attestation rules (R-23, R-26 … R-29) as its administrator set them; no row: the defaults."""

    __tablename__ = "period_policies"
    school_id: Mapped[UUID] = mapped_column(primary_key=True)
    rules: Mapped[dict] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[UUID]


class AttestationExemption(Base):
    """A course without attestation (R-27, 004 §3.6) for one student, or for the whole class (student None)."""

    __tablename__ = "attestation_exemptions"
    __table_args__ = (UniqueConstraint("course_id", "student_id", postgresql_nulls_not_distinct=True),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"))
    student_id: Mapped[UUID | None]
    reason: Mapped[str] = mapped_column(
        Text, info=personal_data("причина освобождения от аттестации", purpose="journal", retention="journal_record")
    )
    created_by: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PeriodMark(Base):
    """Итоговая отметка (R-27) of a student in a course for a period: a mark, «не аттестован», or extended."""

    __tablename__ = "period_marks"
    __table_args__ = (UniqueConstraint("course_id", "period_kind", "period_id", "student_id"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"))
    period_kind: Mapped[str] = mapped_column(String(16))
    #: Roster's reporting period; the year's id for year, exam and final marks.
    period_id: Mapped[UUID]
    student_id: Mapped[UUID] = mapped_column(index=True)
    value: Mapped[str | None] = mapped_column(
        String(8), info=personal_data("итоговые отметки обучающегося", purpose="journal", retention="summary_sheet")
    )
    not_attested_reason: Mapped[str | None] = mapped_column(
        Text, info=personal_data("причина неаттестации", purpose="journal", retention="summary_sheet")
    )
    extended_to: Mapped[date | None]
    version: Mapped[int]
    set_by: Mapped[UUID]
    set_on: Mapped[date]
    #: R-27: the day the family sees it.
    visible_from: Mapped[date]
    #: Days past the school's deadline (R-27); None: in time.
    late_days: Mapped[int | None] = mapped_column(SmallInteger)


class PeriodMarkChange(Base):
    """R-25 for period marks: who, when, the old and the new entry."""

    __tablename__ = "period_mark_changes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    period_mark_id: Mapped[UUID] = mapped_column(ForeignKey("period_marks.id"), index=True)
    changed_by: Mapped[UUID]
    changed_by_name: Mapped[str] = mapped_column(
        String(300),
        info=personal_data("ФИО изменившего итоговую отметку", purpose="journal", retention="summary_sheet"),
    )
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    old_text: Mapped[str] = mapped_column(String(40))
    new_text: Mapped[str] = mapped_column(String(40))


class PeriodClosure(Base):
    """A course's period closed (R-27) or reopened; ``version`` counts the closes and reopens."""

    __tablename__ = "period_closures"
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"), primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    period_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    period_name: Mapped[str] = mapped_column(String(100))
    starts: Mapped[date]
    ends: Mapped[date]
    closed: Mapped[bool] = mapped_column(Boolean)
    version: Mapped[int]


class PeriodClosureLog(Base):
    """Who closed or reopened a course's period, when and why (R-27: a reopening is logged)."""

    __tablename__ = "period_closure_log"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    course_id: Mapped[UUID] = mapped_column(ForeignKey("courses.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(16))
    period_id: Mapped[UUID]
    action: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(Text)
    by: Mapped[UUID]
    by_name: Mapped[str] = mapped_column(
        String(300),
        info=personal_data("ФИО закрывшего или открывшего период", purpose="journal", retention="journal_record"),
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TranscriptMark(Base):
    """A current mark copied from the school a transferred student came from (R-16): this school's own row, read
    only, naming the source; the sending school keeps its original."""

    __tablename__ = "transcript_marks"
    #: The student's id in this school and the mark's id in the sending school: a copy sent twice is one row.
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_mark_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    source_school_id: Mapped[UUID]
    source_school_name: Mapped[str] = mapped_column(String(500))
    academic_year: Mapped[str] = mapped_column(String(9))
    date: Mapped[date]
    subject_name: Mapped[str] = mapped_column(String(200))
    value: Mapped[str] = mapped_column(
        String(8),
        info=personal_data(
            "текущие отметки обучающегося из прежней школы", purpose="journal", retention="journal_record"
        ),
    )
    work_type: Mapped[str] = mapped_column(String(32))
    work_type_title: Mapped[str] = mapped_column(String(200))
    weight: Mapped[float] = mapped_column(Float)


class TranscriptPeriodMark(Base):
    """A period mark (R-27) copied from the school a transferred student came from (R-16): this school's own row,
    read only, naming the source; the sending school keeps its original."""

    __tablename__ = "transcript_period_marks"
    #: The student's id in this school and the period mark's id in the sending school: sent twice, one row.
    student_id: Mapped[UUID] = mapped_column(primary_key=True)
    source_period_mark_id: Mapped[UUID] = mapped_column(primary_key=True)
    school_id: Mapped[UUID]
    source_school_id: Mapped[UUID]
    source_school_name: Mapped[str] = mapped_column(String(500))
    academic_year: Mapped[str] = mapped_column(String(9))
    subject_name: Mapped[str] = mapped_column(String(200))
    period_kind: Mapped[str] = mapped_column(String(16))
    period_name: Mapped[str] = mapped_column(String(200))
    starts: Mapped[date]
    ends: Mapped[date]
    value: Mapped[str | None] = mapped_column(
        String(8),
        info=personal_data(
            "итоговые отметки обучающегося из прежней школы", purpose="journal", retention="summary_sheet"
        ),
    )
    text: Mapped[str] = mapped_column(
        String(40),
        info=personal_data(
            "итоговые отметки обучающегося из прежней школы", purpose="journal", retention="summary_sheet"
        ),
    )
    visible_from: Mapped[date]
