"""Events produced by the roster service: school structure, people and their links."""

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

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
