"""Roster tables. Every table is tenant-owned: ``school_id`` with row-level security."""

from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import DateTime, ForeignKey, SmallInteger, String, UniqueConstraint, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from roster.domain.people import class_name


class Base(DeclarativeBase):
    pass


class School(Base):
    """Образовательная организация; its own id is its ``school_id``."""

    __tablename__ = "schools"
    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    school_id: Mapped[UUID]
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[str] = mapped_column(String(200))
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
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    snils: Mapped[str | None] = mapped_column(String(14))
    esia_oid: Mapped[str | None] = mapped_column(String(64))
    #: R-5: consent to personal-data processing is recorded before the data is entered.
    consent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
