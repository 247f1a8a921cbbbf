"""Events produced by the roster service: school structure, people and their links."""

from datetime import date, time
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from contracts.base import Event, event_model

StaffRole = Literal[
    "school_admin",
    "director",
    "deputy",
    "teacher",
    "class_teacher",
    "secretary",
    "psychologist",
]


@event_model
class SchoolRegistered(Event):
    """Школа (образовательная организация) зарегистрирована в регионе."""

    TYPE: ClassVar[str] = "roster.school.registered.v1"
    SUBJECT_FIELD: ClassVar[str] = "school_id"
    school_id: UUID
    name: str
    short_name: str
    municipality: str
    #: IANA time zone of the school (its local "today"); added in step, older events mean Moscow.
    timezone: str = "Europe/Moscow"
    #: The municipality's record (R-10); ``municipality`` is its name. Older events carry none.
    municipality_id: UUID | None = None


@event_model
class SchoolSettingsChanged(Event):
    """Настройки школы изменены: её часовой пояс (every "today" of the school), week length and municipality."""

    TYPE: ClassVar[str] = "roster.school.settings_changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "school_id"
    school_id: UUID
    #: Orders the changes of one school's settings; registration is version 0.
    version: int
    timezone: str
    days_per_week: int
    #: The municipality the school belongs to now (R-10: moved to another, or renamed); added in step, older
    #: events carry none (the municipality did not change).
    municipality_id: UUID | None = None
    municipality: str | None = None


@event_model
class ClassCreated(Event):
    """Класс создан: параллель (grade) и литера."""

    TYPE: ClassVar[str] = "roster.class.created.v1"
    SUBJECT_FIELD: ClassVar[str] = "class_id"
    class_id: UUID
    grade: int
    letter: str
    name: str
    academic_year: str


@event_model
class SubjectCreated(Event):
    """Предмет учебного плана школы."""

    TYPE: ClassVar[str] = "roster.subject.created.v1"
    SUBJECT_FIELD: ClassVar[str] = "subject_id"
    subject_id: UUID
    name: str


@event_model
class PersonRegistered(Event):
    """A person entered in the school (after consent, R-5). Carries what login matching needs."""

    TYPE: ClassVar[str] = "roster.person.registered.v1"
    SUBJECT_FIELD: ClassVar[str] = "person_id"
    #: The card's version: 1 at registration, below every PersonChanged (which start at 2); a snapshot tells the
    #: card as it is now with its current version, so a replayed older change does not overwrite it.
    version: int = 1
    person_id: UUID
    last_name: str
    first_name: str
    middle_name: str | None = None
    birth_date: date | None = None
    snils: str | None = None
    esia_oid: str | None = None


@event_model
class StaffRoleGranted(Event):
    """A staff member holds a role in the school (R-15)."""

    TYPE: ClassVar[str] = "roster.staff_role.granted.v1"
    SUBJECT_FIELD: ClassVar[str] = "person_id"
    person_id: UUID
    role: StaffRole


@event_model
class StudentEnrolled(Event):
    """Зачисление: a student enrolled in a class (R-16)."""

    TYPE: ClassVar[str] = "roster.student.enrolled.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    student_id: UUID
    class_id: UUID
    class_name: str
    enrolled_on: date


@event_model
class GuardianshipLinked(Event):
    """A parent or legal representative linked to a student."""

    TYPE: ClassVar[str] = "roster.guardianship.linked.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    guardian_id: UUID
    student_id: UUID
    relation: str


@event_model
class AssignmentCreated(Event):
    """Нагрузка: a teacher teaches a subject in a class (R-13)."""

    TYPE: ClassVar[str] = "roster.assignment.created.v1"
    SUBJECT_FIELD: ClassVar[str] = "assignment_id"
    assignment_id: UUID
    teacher_id: UUID
    subject_id: UUID
    subject_name: str
    class_id: UUID
    class_name: str


@event_model
class ClassTeacherAssigned(Event):
    """Классный руководитель: a staff member leads a class (004 app.5 §5.2); a class has one at a time."""

    TYPE: ClassVar[str] = "roster.class_teacher.assigned.v1"
    SUBJECT_FIELD: ClassVar[str] = "class_id"
    class_id: UUID
    class_name: str
    teacher_id: UUID
    #: The class teacher this assignment replaces; None for the class's first.
    previous_teacher_id: UUID | None = None
    #: The class's n-th assignment (from 1): replicas keep the highest; 0 in events sent before versions.
    version: int = 0


YearStatus = Literal["planning", "active", "closing", "archived"]


@event_model
class AcademicYearChanged(Event):
    """Учебный год: created or moved along its lifecycle (planning → active → closing → archived, R-11)."""

    TYPE: ClassVar[str] = "roster.academic_year.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "year_id"
    year_id: UUID
    version: int
    name: str
    starts: date
    ends: date
    status: YearStatus


class ReportingPeriod(BaseModel):
    """Отчётный период: a quarter, half-year, trimester or semester."""

    period_id: UUID
    number: int
    name: str
    starts: date
    ends: date


@event_model
class ReportingPeriodsSet(Event):
    """The reporting periods the given grades follow in a year (R-11); a later version replaces earlier ones."""

    TYPE: ClassVar[str] = "roster.reporting_periods.set.v1"
    SUBJECT_FIELD: ClassVar[str] = "scheme_id"
    scheme_id: UUID
    version: int
    year_id: UUID
    kind: Literal["quarters", "half_years", "trimesters", "semesters"]
    grades: list[int]
    periods: list[ReportingPeriod]


@event_model
class GroupCreated(Event):
    """Подгруппа: part of a class learning a subject apart (R-12), e.g. «Английский язык, группа 1»."""

    TYPE: ClassVar[str] = "roster.group.created.v1"
    SUBJECT_FIELD: ClassVar[str] = "group_id"
    group_id: UUID
    class_id: UUID
    subject_id: UUID
    name: str


@event_model
class ElectiveCreated(Event):
    """Факультатив или кружок (R-14): a course of its own, its members drawn from several classes of the school.

    The journal keeps it as a course whose id is ``group_id`` and whose class list is the group's members.
    """

    TYPE: ClassVar[str] = "roster.elective.created.v1"
    SUBJECT_FIELD: ClassVar[str] = "group_id"
    group_id: UUID
    kind: Literal["elective", "club"]
    name: str
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    academic_year: str


@event_model
class GroupMembershipChanged(Event):
    """A student's place in a subgroup from ``starts`` (a period's first day, R-12), or in an elective or club from
    any day; ``ends`` (the last day in it) None: open."""

    TYPE: ClassVar[str] = "roster.group_membership.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "group_id"
    group_id: UUID
    student_id: UUID
    starts: date
    ends: date | None = None
    #: The place's version (1 when made, higher once closed); 0 in events sent before versions.
    version: int = 0


LessonStatus = Literal["scheduled", "cancelled"]


class TimetableLessonState(Event):
    """A dated lesson of the timetable as it stands (R-14); ``version`` grows with each change."""

    SUBJECT_FIELD: ClassVar[str] = "lesson_id"
    lesson_id: UUID
    version: int
    date: date
    number: int
    starts: time
    ends: time
    assignment_id: UUID
    class_id: UUID
    class_name: str
    subject_id: UUID
    subject_name: str
    teacher_id: UUID
    group_id: UUID | None = None
    room_id: UUID | None = None
    room_name: str | None = None
    status: LessonStatus = "scheduled"
    #: Замена: the teacher who gives this lesson instead of ``teacher_id``.
    substitute_teacher_id: UUID | None = None
    substitute_name: str | None = None
    #: What changed on the day, as the family reads it («Перенесён с 3-го урока», «Отменён: …»).
    change_note: str | None = None
    #: Where a lesson moved by this change was before it (its date and lesson number); None for other changes.
    moved_from_date: date | None = None
    moved_from_number: int | None = None


@event_model
class TimetableLessonScheduled(TimetableLessonState):
    """A lesson generated from the weekly template (or regenerated after the template changed)."""

    TYPE: ClassVar[str] = "roster.timetable_lesson.scheduled.v1"


@event_model
class TimetableLessonChanged(TimetableLessonState):
    """A lesson moved to another day or lesson number, or to another room."""

    TYPE: ClassVar[str] = "roster.timetable_lesson.changed.v1"


@event_model
class TimetableLessonCancelled(TimetableLessonState):
    """A lesson cancelled (on the day, or because the template no longer has it)."""

    TYPE: ClassVar[str] = "roster.timetable_lesson.cancelled.v1"


@event_model
class TimetableLessonSubstituted(TimetableLessonState):
    """Замена: another teacher gives the lesson; they may write its record (R-20)."""

    TYPE: ClassVar[str] = "roster.timetable_lesson.substituted.v1"


@event_model
class CurriculumHoursSet(Event):
    """Учебный план (R-13): the hours a year of a subject in a grade; thematic plans must add up to them (R-30)."""

    TYPE: ClassVar[str] = "roster.curriculum_hours.set.v1"
    SUBJECT_FIELD: ClassVar[str] = "subject_id"
    year_id: UUID
    year_name: str
    grade: int
    subject_id: UUID
    hours: int


MovementKind = Literal[
    "enrolled",
    "transferred",
    "left",
    "transferred_out",
    "transferred_in",
    "promoted",
    "promoted_conditionally",
    "repeating",
    "graduated",
]


@event_model
class StudentMovementRecorded(Event):
    """Движение обучающегося (R-16): a dated movement record, as the movement summary sheet lists it."""

    TYPE: ClassVar[str] = "roster.student_movement.recorded.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    movement_id: UUID
    student_id: UUID
    kind: MovementKind
    #: The day the movement takes effect (the first day in the new class; the day after the last one when leaving).
    on: date
    from_class_id: UUID | None = None
    from_class_name: str | None = None
    to_class_id: UUID | None = None
    to_class_name: str | None = None
    #: Номер приказа.
    order_number: str | None = None
    reason: str | None = None
    #: The other school of a transfer between schools (receiving or sending).
    other_school_id: UUID | None = None
    #: Conditional promotion (273-ФЗ ст. 58): the subjects with academic debt and the deadline to clear it.
    debt_subjects: list[str] = Field(default_factory=list)
    debt_deadline: date | None = None


@event_model
class StudentLeftClass(Event):
    """A student is no longer in a class from ``left_on`` (a transfer, promotion or leaving, R-16)."""

    TYPE: ClassVar[str] = "roster.student.left_class.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    student_id: UUID
    class_id: UUID
    class_name: str
    left_on: date


@event_model
class StudentLeftSchool(Event):
    """Выбытие: the student is no longer served by the school from ``left_on`` (R-4, R-16); their access ends."""

    TYPE: ClassVar[str] = "roster.student.left_school.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    student_id: UUID
    left_on: date
    order_number: str
    reason: str
    #: A transfer to another school of the region: the school that receives the student.
    destination_school_id: UUID | None = None


class MovementLine(BaseModel):
    """A line of the student's movement history carried to the receiving school."""

    kind: MovementKind
    on: date
    class_name: str | None = None
    order_number: str | None = None
    reason: str | None = None


@event_model
class StudentTransferOffered(Event):
    """Перевод в другую школу: sent to the receiving school (the envelope's school) with what it needs to
    enrol the student as its own: the person and the sending school's movement history (R-16)."""

    TYPE: ClassVar[str] = "roster.student_transfer.offered.v1"
    SUBJECT_FIELD: ClassVar[str] = "source_student_id"
    source_school_id: UUID
    source_school_name: str
    source_student_id: UUID
    last_name: str
    first_name: str
    middle_name: str | None = None
    birth_date: date | None = None
    snils: str | None = None
    esia_oid: str | None = None
    grade: int | None = None
    left_on: date
    order_number: str
    history: list[MovementLine] = Field(default_factory=list)


@event_model
class StudentTransferAccepted(Event):
    """Перевод принят: sent to the sending school (the envelope's school) once the receiving school has enrolled
    the student, so the services there send the student's record of the year to it as a copy (R-16)."""

    TYPE: ClassVar[str] = "roster.student_transfer.accepted.v1"
    SUBJECT_FIELD: ClassVar[str] = "source_student_id"
    source_student_id: UUID
    source_school_name: str
    receiving_school_id: UUID
    #: The student's id in the receiving school, which its copy is filed under.
    student_id: UUID
    #: The school year whose record is copied: the year of the class the student joined.
    academic_year: str


@event_model
class StaffRoleEnded(Event):
    """A staff member no longer holds a role (R-4): access that came with it ends."""

    TYPE: ClassVar[str] = "roster.staff_role.ended.v1"
    SUBJECT_FIELD: ClassVar[str] = "person_id"
    person_id: UUID
    role: StaffRole
    ended_on: date
    reason: str


@event_model
class GuardianshipEnded(Event):
    """A parent or legal representative no longer represents the student (R-4): the diary closes to them."""

    TYPE: ClassVar[str] = "roster.guardianship.ended.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    guardian_id: UUID
    student_id: UUID
    ended_on: date
    reason: str


@event_model
class AssignmentEnded(Event):
    """Нагрузка снята: the teacher no longer teaches the subject in the class (R-4)."""

    TYPE: ClassVar[str] = "roster.assignment.ended.v1"
    SUBJECT_FIELD: ClassVar[str] = "assignment_id"
    assignment_id: UUID
    teacher_id: UUID
    class_id: UUID
    subject_name: str
    class_name: str
    ended_on: date
    reason: str


@event_model
class ClassTeacherRemoved(Event):
    """The class teacher no longer leads the class and no one does yet (R-4); ``version`` as ClassTeacherAssigned's."""

    TYPE: ClassVar[str] = "roster.class_teacher.removed.v1"
    SUBJECT_FIELD: ClassVar[str] = "class_id"
    class_id: UUID
    class_name: str
    teacher_id: UUID
    version: int
    ended_on: date
    reason: str


@event_model
class PersonChanged(Event):
    """A person's data corrected (a new surname, a fixed СНИЛС, …); carries the whole card as PersonRegistered.

    ``version`` grows with each change: replicas keep the highest.
    """

    TYPE: ClassVar[str] = "roster.person.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "person_id"
    person_id: UUID
    version: int
    last_name: str
    first_name: str
    middle_name: str | None = None
    birth_date: date | None = None
    snils: str | None = None
    esia_oid: str | None = None


@event_model
class ElectronicServiceRefusalChanged(Event):
    """R-54: the student's family refused the electronic service (``refused_on``) or took the refusal back (None).

    A refusing family gets a printed monthly summary, and nothing about the student goes to the portal.
    """

    TYPE: ClassVar[str] = "roster.e_service_refusal.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "student_id"
    student_id: UUID
    version: int
    refused_on: date | None = None


ConsentPurpose = Literal["journal", "diary", "notifications_email", "notifications_sms", "notifications_push", "portal"]

#: The purposes of a consent with the words the school and the family read.
CONSENT_PURPOSES: dict[str, str] = {
    "journal": "электронный журнал",
    "diary": "электронный дневник",
    "notifications_email": "уведомления по электронной почте",
    "notifications_sms": "уведомления по СМС",
    "notifications_push": "уведомления в браузере",
    "portal": "передача сведений на портал госуслуг",
}


@event_model
class ConsentChanged(Event):
    """Согласие на обработку персональных данных дано или отозвано (R-5, 152-ФЗ ст. 9) for one purpose.

    A withdrawal stops that processing at once wherever it happens: e-mail, SMS or push notices to and about
    the person, the state portal's stream and pull. ``version`` numbers the person's consent records.
    """

    TYPE: ClassVar[str] = "roster.consent.changed.v1"
    SUBJECT_FIELD: ClassVar[str] = "person_id"
    person_id: UUID
    purpose: ConsentPurpose
    granted: bool
    version: int
