"""Roster tables. Every table is tenant-owned (``school_id`` with row-level security) but the region's
municipalities, which own schools rather than belong to one."""

from datetime import date, datetime, time
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKey, Index, SmallInteger, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.personal_data import personal_data
from roster.domain.people import class_name


class Base(DeclarativeBase):
    pass


class Municipality(Base):
    """Муниципалитет (район, городской округ) of the region (R-10): its schools, read by its administrator."""

    __tablename__ = "municipalities"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class School(Base):
    """Образовательная организация; its own id is its ``school_id``."""

    __tablename__ = "schools"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[UUID] = mapped_column(ForeignKey("municipalities.id"), index=True)
    #: Every "today", deadline and edit window of the school is its local date (Russia has 11 zones).
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    #: 5 or 6: a six-day week has lessons on Saturdays.
    days_per_week: Mapped[int] = mapped_column(SmallInteger, default=5)
    #: How many times the settings changed: orders ``SchoolSettingsChanged`` (registration is 0).
    settings_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Whether the other services have heard the school's zone: schools registered before the zones were
    #: announced have not, until roster announces their settings once (``roster.zone_backfill``).
    zone_announced: Mapped[bool] = mapped_column(default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SchoolClass(Base):
    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("school_id", "academic_year", "grade", "letter"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    grade: Mapped[int] = mapped_column(SmallInteger)
    letter: Mapped[str] = mapped_column(String(8))
    academic_year: Mapped[str] = mapped_column(String(9))
    #: Классный руководитель: one per class (004 app.5 §5.2); None until the administration assigns one.
    class_teacher_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id"))
    #: How many class teachers the class has had; orders ClassTeacherAssigned events.
    class_teacher_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: When the row last changed: OneRoster's ``dateLastModified``.
    modified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    @property
    def name(self) -> str:
        return class_name(self.grade, self.letter)


class Subject(Base):
    __tablename__ = "subjects"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(200))


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("school_id", "snils"), UniqueConstraint("school_id", "esia_oid"))
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    last_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("фамилия", purpose="contingent", retention="person_card")
    )
    first_name: Mapped[str] = mapped_column(
        String(100), info=personal_data("имя", purpose="contingent", retention="person_card")
    )
    middle_name: Mapped[str | None] = mapped_column(
        String(100), info=personal_data("отчество", purpose="contingent", retention="person_card")
    )
    birth_date: Mapped[date | None] = mapped_column(
        info=personal_data("дата рождения", purpose="contingent", retention="person_card")
    )
    snils: Mapped[str | None] = mapped_column(
        String(14), info=personal_data("СНИЛС", purpose="contingent", retention="person_card")
    )
    esia_oid: Mapped[str | None] = mapped_column(
        String(64),
        info=personal_data("идентификатор учётной записи ЕСИА", purpose="contingent", retention="person_card"),
    )
    phone: Mapped[str | None] = mapped_column(
        String(32), info=personal_data("телефон", purpose="contingent", retention="person_card")
    )
    email: Mapped[str | None] = mapped_column(
        String(254), info=personal_data("адрес электронной почты", purpose="contingent", retention="person_card")
    )
    #: Документ, удостоверяющий личность: its kind (свидетельство о рождении, паспорт) and series and number.
    document_kind: Mapped[str | None] = mapped_column(
        String(60),
        info=personal_data("вид документа, удостоверяющего личность", purpose="contingent", retention="person_card"),
    )
    document_number: Mapped[str | None] = mapped_column(
        String(40),
        info=personal_data(
            "серия и номер документа, удостоверяющего личность", purpose="contingent", retention="person_card"
        ),
    )
    #: R-54: the day the student's family refused the electronic service; None: they use it.
    e_service_refused_on: Mapped[date | None] = mapped_column(
        info=personal_data("дата отказа семьи от электронной услуги", purpose="contingent", retention="person_card")
    )
    #: Grows with each correction of the card and each change of the refusal (PersonChanged, R-54 events).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: A student who came by transfer from another school of the region: that school and their id there.
    source_school_id: Mapped[UUID | None]
    source_person_id: Mapped[UUID | None]
    #: When the row last changed: OneRoster's ``dateLastModified``.
    modified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Consent(Base):
    """Согласие на обработку персональных данных (R-5, 152-ФЗ ст. 9): one «дано» or «отозвано» per purpose.

    Rows are only added, never changed: the latest row of a purpose is where the consent stands, the
    earlier ones its history. ``version`` numbers the person's rows, ordering their ConsentChanged events.
    """

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("person_id", "version"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    person_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"))
    version: Mapped[int]
    #: One of ``domain.consents.PURPOSES``.
    purpose: Mapped[str] = mapped_column(
        String(30),
        info=personal_data(
            "цель, на которую дано или отозвано согласие", purpose="contingent", retention="person_card"
        ),
    )
    #: ``given`` or ``withdrawn``.
    action: Mapped[str] = mapped_column(String(10))
    #: Who signed: the person, or a parent for a child under 14; None: recorded as a mark before records were kept,
    #: or the signer's own data destroyed since (152-ФЗ ст. 21) — the record and its paper stay with the child's.
    signer_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    #: The parent who agreed with a student of 14–17.
    co_signer_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    #: The paper it rests on: «заявление», «согласие», its number and date.
    document_kind: Mapped[str | None] = mapped_column(
        String(100),
        info=personal_data("вид документа согласия или отзыва", purpose="contingent", retention="person_card"),
    )
    document_number: Mapped[str | None] = mapped_column(
        String(60),
        info=personal_data("номер документа согласия или отзыва", purpose="contingent", retention="person_card"),
    )
    document_date: Mapped[date | None] = mapped_column(
        info=personal_data("дата документа согласия или отзыва", purpose="contingent", retention="person_card")
    )
    #: Who entered it: the office from a paper, or the family itself in the diary.
    recorded_by: Mapped[UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PersonChange(Base):
    """История изменений карточки: one changed field, who changed it and when (R-5, 000 §4.3.5)."""

    __tablename__ = "person_changes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    person_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(
        String(500), info=personal_data("прежнее значение поля карточки", purpose="contingent", retention="person_card")
    )
    new: Mapped[str | None] = mapped_column(
        String(500), info=personal_data("новое значение поля карточки", purpose="contingent", retention="person_card")
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    changed_by: Mapped[UUID]
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Movement(Base):
    """Движение обучающегося (R-16): one dated record per enrolment, transfer, leaving or promotion."""

    __tablename__ = "movements"
    __table_args__ = (Index("movements_school_day", "school_id", "moved_on"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    student_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    moved_on: Mapped[date]
    from_class_id: Mapped[UUID | None] = mapped_column(ForeignKey("classes.id"))
    to_class_id: Mapped[UUID | None] = mapped_column(ForeignKey("classes.id"))
    order_number: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(
        String(500),
        info=personal_data("основание движения обучающегося", purpose="contingent", retention="summary_sheet"),
    )
    #: The other school of a transfer between schools; its id only (its rows are not ours to read).
    other_school_id: Mapped[UUID | None]
    other_school_name: Mapped[str | None] = mapped_column(String(500))
    debt_subjects: Mapped[list[str]] = mapped_column(ARRAY(String(200)), default=list, server_default="{}")
    debt_deadline: Mapped[date | None]
    recorded_by: Mapped[UUID]
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Promotion(Base):
    """Перевод всей школы из одного учебного года в следующий: runs once per year."""

    __tablename__ = "promotions"
    __table_args__ = (UniqueConstraint("school_id", "from_year"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    from_year: Mapped[str] = mapped_column(String(9))
    to_year: Mapped[str] = mapped_column(String(9))
    starts_on: Mapped[date]
    summary: Mapped[dict] = mapped_column(JSONB)
    run_by: Mapped[UUID]
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncomingTransfer(Base):
    """A student offered by another school of the region (StudentTransferOffered), until accepted into a class."""

    __tablename__ = "incoming_transfers"
    __table_args__ = (UniqueConstraint("school_id", "source_school_id", "source_student_id"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    source_school_id: Mapped[UUID]
    source_school_name: Mapped[str] = mapped_column(String(500))
    source_student_id: Mapped[UUID]
    #: The person as the sending school had them, and their movement history there (the copied record).
    person: Mapped[dict] = mapped_column(
        JSONB,
        info=personal_data(
            "данные переводимого обучающегося (ФИО, дата рождения, СНИЛС)",
            purpose="contingent",
            retention="person_card",
        ),
    )
    history: Mapped[list[dict]] = mapped_column(JSONB)
    grade: Mapped[int | None] = mapped_column(SmallInteger)
    left_on: Mapped[date]
    order_number: Mapped[str] = mapped_column(String(60))
    offered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: The receiving school's own person, once accepted.
    person_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id"))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EndedLink(Base):
    """A role, guardianship, teaching assignment or class leadership that ended (R-4), with its date and reason.

    The live tables hold what is in force; what ended moves here, so every check of access reads only the former.
    """

    __tablename__ = "ended_links"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    #: ``staff_role``, ``guardianship``, ``assignment``, ``class_teacher``.
    kind: Mapped[str] = mapped_column(String(20))
    person_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), index=True)
    #: What it was: the role, the student, the subject and class.
    detail: Mapped[dict] = mapped_column(JSONB)
    ended_on: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500))
    ended_by: Mapped[UUID]
    ended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StaffRole(Base):
    __tablename__ = "staff_roles"
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    person_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class Enrolment(Base):
    """Зачисление обучающегося в класс."""

    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("school_id", "student_id", "class_id"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    student_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"))
    class_id: Mapped[UUID] = mapped_column(ForeignKey("classes.id"))
    enrolled_on: Mapped[date]
    #: When the row last changed: OneRoster's ``dateLastModified``.
    modified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Guardianship(Base):
    """Родитель (законный представитель) — обучающийся."""

    __tablename__ = "guardianships"
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    guardian_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), primary_key=True)
    student_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), primary_key=True)
    relation: Mapped[str] = mapped_column(String(40))


class Assignment(Base):
    """Нагрузка: учитель ведёт предмет в классе."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("school_id", "teacher_id", "subject_id", "class_id"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    teacher_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"))
    subject_id: Mapped[UUID] = mapped_column(ForeignKey("subjects.id"))
    class_id: Mapped[UUID] = mapped_column(ForeignKey("classes.id"))
    #: Снята с даты (R-4); the row stays, as the timetable's past lessons name it. None: in force.
    ended_on: Mapped[date | None]


class AcademicYear(Base):
    """Учебный год (R-11) with its lifecycle; ``version`` grows with each change of status."""

    __tablename__ = "academic_years"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(9))
    starts: Mapped[date]
    ends: Mapped[date]
    status: Mapped[str] = mapped_column(String(16), default="planning")
    version: Mapped[int] = mapped_column(default=1)
    #: When the row last changed: OneRoster's ``dateLastModified``.
    modified_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Holiday(Base):
    """Каникулы или праздничные дни: no lessons from ``starts`` to ``ends``."""

    __tablename__ = "holidays"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    year_id: Mapped[UUID] = mapped_column(ForeignKey("academic_years.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts: Mapped[date]
    ends: Mapped[date]


class WorkdayTransfer(Base):
    """Перенос рабочего дня: a weekend ``day`` works with the timetable of ``works_as`` (0 = Monday)."""

    __tablename__ = "workday_transfers"
    __table_args__ = (UniqueConstraint("year_id", "day"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    year_id: Mapped[UUID] = mapped_column(ForeignKey("academic_years.id"))
    day: Mapped[date]
    works_as: Mapped[int] = mapped_column(SmallInteger)


class PeriodScheme(Base):
    """The reporting periods some grades follow in a year (quarters, half-years, …)."""

    __tablename__ = "period_schemes"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    year_id: Mapped[UUID] = mapped_column(ForeignKey("academic_years.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    grades: Mapped[list[int]] = mapped_column(ARRAY(SmallInteger))
    version: Mapped[int] = mapped_column(default=1)


class ReportingPeriod(Base):
    __tablename__ = "reporting_periods"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    scheme_id: Mapped[UUID] = mapped_column(ForeignKey("period_schemes.id"), index=True)
    number: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(40))
    starts: Mapped[date]
    ends: Mapped[date]


class BellSchedule(Base):
    """Расписание звонков: ``bells`` is a list of {number, starts, ends}; one schedule is the default."""

    __tablename__ = "bell_schedules"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(default=False)
    bells: Mapped[list[dict]] = mapped_column(JSONB)


class BellDay(Base):
    """A day that rings another bell schedule (a shortened day)."""

    __tablename__ = "bell_days"
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    schedule_id: Mapped[UUID] = mapped_column(ForeignKey("bell_schedules.id"))


class Building(Base):
    """Здание школы (R-10): its rooms; a move to another between consecutive lessons is flagged (R-14)."""

    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("school_id", "name"),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(200))


class Room(Base):
    """Кабинет in one of the school's buildings (R-10); a school of one building need not name it."""

    __tablename__ = "rooms"
    __table_args__ = (UniqueConstraint("school_id", "building_id", "name", postgresql_nulls_not_distinct=True),)
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    building_id: Mapped[UUID | None] = mapped_column(ForeignKey("buildings.id"))
    name: Mapped[str] = mapped_column(String(100))


class Group(Base):
    """Подгруппа класса по предмету (R-12), or a факультатив or кружок (R-14) drawn from several classes.

    A subgroup has its class; an elective or club has none: its own teacher, its year and its members
    from any class of the school, who join and leave on any day (they are not a split of a class).
    """

    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("class_id", "subject_id", "name"),
        UniqueConstraint("year_id", "name"),
    )
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    #: ``subgroup``, or ``elective`` (факультатив) or ``club`` (кружок, внеурочная деятельность).
    kind: Mapped[str] = mapped_column(String(16), default="subgroup", server_default="subgroup")
    #: The subgroup's class; None for an elective or club.
    class_id: Mapped[UUID | None] = mapped_column(ForeignKey("classes.id"))
    subject_id: Mapped[UUID] = mapped_column(ForeignKey("subjects.id"))
    name: Mapped[str] = mapped_column(String(100))
    #: An elective's or club's teacher and year; None for a subgroup (its class's load and year).
    teacher_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id"))
    year_id: Mapped[UUID | None] = mapped_column(ForeignKey("academic_years.id"))


class GroupMember(Base):
    """A student in a subgroup, elective or club from ``starts`` until ``ends`` (None: still there)."""

    __tablename__ = "group_members"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    group_id: Mapped[UUID] = mapped_column(ForeignKey("groups.id"), index=True)
    student_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"), index=True)
    starts: Mapped[date]
    ends: Mapped[date | None]
    #: Grows with each change of the place (it is closed once): orders its events for replicas.
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class CurriculumHours(Base):
    """Учебный план (R-13): hours a year of a subject in a grade."""

    __tablename__ = "curriculum_hours"
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    year_id: Mapped[UUID] = mapped_column(ForeignKey("academic_years.id"), primary_key=True)
    grade: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    subject_id: Mapped[UUID] = mapped_column(ForeignKey("subjects.id"), primary_key=True)
    hours: Mapped[int] = mapped_column(SmallInteger)


class TimetableSlot(Base):
    """A line of a period's weekly template (R-14)."""

    __tablename__ = "timetable_slots"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    period_id: Mapped[UUID] = mapped_column(ForeignKey("reporting_periods.id"), index=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    number: Mapped[int] = mapped_column(SmallInteger)
    week: Mapped[str | None] = mapped_column(String(1))
    assignment_id: Mapped[UUID] = mapped_column(ForeignKey("assignments.id"))
    group_id: Mapped[UUID | None] = mapped_column(ForeignKey("groups.id"))
    room_id: Mapped[UUID | None] = mapped_column(ForeignKey("rooms.id"))


class TimetableLesson(Base):
    """A dated lesson of the timetable; roster owns its date (R-14). Changes keep who and when."""

    __tablename__ = "timetable_lessons"
    __table_args__ = (
        Index("timetable_lessons_day", "school_id", "day"),
        Index("timetable_lessons_teacher_day", "teacher_id", "day"),
    )
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    year_id: Mapped[UUID] = mapped_column(ForeignKey("academic_years.id"))
    day: Mapped[date]
    number: Mapped[int] = mapped_column(SmallInteger)
    #: Where the template put it: a moved lesson is still the template's lesson of that day and number.
    planned_day: Mapped[date]
    planned_number: Mapped[int] = mapped_column(SmallInteger)
    starts: Mapped[time]
    ends: Mapped[time]
    assignment_id: Mapped[UUID] = mapped_column(ForeignKey("assignments.id"))
    class_id: Mapped[UUID] = mapped_column(ForeignKey("classes.id"))
    teacher_id: Mapped[UUID] = mapped_column(ForeignKey("people.id"))
    group_id: Mapped[UUID | None] = mapped_column(ForeignKey("groups.id"))
    room_id: Mapped[UUID | None] = mapped_column(ForeignKey("rooms.id"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    substitute_teacher_id: Mapped[UUID | None] = mapped_column(ForeignKey("people.id"))
    change_note: Mapped[str | None] = mapped_column(String(500))
    #: Recorded in the journal (gradebook said so): a template change leaves it alone.
    recorded: Mapped[bool] = mapped_column(default=False)
    #: Changed by hand on the day: a template change leaves it alone.
    changed_by: Mapped[UUID | None]
    changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(default=1)


class ImportJob(Base):
    """Загрузка файла (R-15): checked first (the dry run), then applied in chunks that each commit with their
    progress, so a restart resumes after the last whole chunk and no row is ever half written."""

    __tablename__ = "import_jobs"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID] = mapped_column(ForeignKey("schools.id"))
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(300))
    #: The school year the file's classes belong to.
    academic_year: Mapped[str] = mapped_column(String(9))
    #: ``checked`` (dry run done), ``applying``, ``done``, ``failed``.
    status: Mapped[str] = mapped_column(String(12))
    #: ``all`` or ``valid``, once applying.
    mode: Mapped[str | None] = mapped_column(String(8))
    total_rows: Mapped[int]
    valid_rows: Mapped[int]
    #: Valid rows whose СНИЛС matched a person already in the school.
    existing_rows: Mapped[int]
    #: The rows that passed the check, as checked (dates in ISO form); what applying writes. Deferred: the
    #: progress polled twice a second does not read a municipality's file each time.
    rows: Mapped[list[dict]] = mapped_column(
        JSONB,
        deferred=True,
        info=personal_data("строки загруженного файла с данными людей", purpose="contingent", retention="import_file"),
    )
    errors: Mapped[list[dict]] = mapped_column(JSONB)
    applied_rows: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[UUID]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
