"""Who may read whose diary (R-1), and the school's today."""

from dataclasses import dataclass
from uuid import UUID

import asyncpg
from sqlalchemy import RowMapping, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.problems import Forbidden, NotFound
from reporting.domain.access import staff_reads_diary
from reporting.domain.people import full_name

DIARY_NOT_FOUND = "Дневник не найден."
#: R-54: the family refused the electronic service (or withdrew its consent to the electronic diary).
DIARY_REFUSED = (
    "Семья отказалась от электронного дневника: сведения об успеваемости выдаются в школе на бумаге "
    "(ежемесячная сводка). Чтобы вернуться к электронному дневнику, обратитесь в школу."
)


@dataclass(frozen=True)
class StudentCard:
    id: UUID
    name: str | None
    class_id: UUID | None
    class_name: str | None


#: The student's card and what R-1 asks of the caller, in one statement (always one row): the enrolment, whether
#: any guardian is linked (a student not yet enrolled has a card too), the name, the class, its class teacher,
#: and whether the caller is one of the student's guardians. ``diary_week`` reads its week beside it.
CARD = """
SELECT s.class_id, s.class_name AS enrolled_class_name, p.last_name, p.first_name, c.name AS class_name,
    EXISTS (SELECT 1 FROM guardianships g WHERE g.school_id = :school AND g.student_id = :student) AS linked,
    (SELECT ct.teacher_id FROM class_teachers ct WHERE ct.school_id = :school AND ct.class_id = s.class_id)
        AS class_teacher_id,
    EXISTS (
        SELECT 1 FROM guardianships g
        WHERE g.school_id = :school AND g.guardian_id = :caller AND g.student_id = :student
    ) AS guardian,
    EXISTS (
        SELECT 1 FROM family_refusals r
        WHERE r.school_id = :school AND r.student_id = :student AND r.refused_on IS NOT NULL
    ) AS refused
FROM (SELECT 1) AS one
LEFT JOIN students s ON s.school_id = :school AND s.id = :student
LEFT JOIN people p ON p.school_id = :school AND p.id = :student
LEFT JOIN classes c ON c.school_id = :school AND c.id = s.class_id
"""
CARD_PARAMS = (bindparam("school", type_=Uuid), bindparam("student", type_=Uuid), bindparam("caller", type_=Uuid))
#: A ``CARD`` row as SQLAlchemy gives it, or as asyncpg does (the diary week's statement goes to the driver).
CardRow = RowMapping | asyncpg.Record


def card_of(student_id: UUID, row: CardRow) -> StudentCard | None:
    """The card from a ``CARD`` row; None for someone who is not a student of this school."""
    enrolled = row["class_id"] is not None
    if not enrolled and not row["linked"]:
        return None
    return StudentCard(
        id=student_id,
        name=full_name(row["last_name"], row["first_name"]),
        class_id=row["class_id"],
        class_name=row["class_name"] if row["class_name"] is not None else row["enrolled_class_name"],
    )


def reads_as_staff(caller: Caller, school_id: UUID, row: CardRow) -> bool:
    """R-1 on a ``CARD`` row: the region, the school's administration, the class teacher."""
    return caller.oversees(school_id) or staff_reads_diary(
        caller.person_id, caller.roles_in(school_id), row["class_teacher_id"]
    )


def may_read(caller: Caller, school_id: UUID, card: StudentCard, row: CardRow) -> bool:
    """R-1 on a ``CARD`` row: the staff who read diaries, the student, a guardian."""
    return reads_as_staff(caller, school_id, row) or caller.person_id == card.id or row["guardian"]


async def student_card(session: AsyncSession, school_id: UUID, student_id: UUID) -> StudentCard | None:
    """What the diary's header shows; None for someone who is not a student of this school."""
    row = await _card_row(session, school_id, student_id, student_id)
    return card_of(student_id, row)


async def _card_row(session: AsyncSession, school_id: UUID, student_id: UUID, caller_id: UUID) -> RowMapping:
    statement = text(CARD).bindparams(*CARD_PARAMS)
    result = await session.execute(statement, {"school": school_id, "student": student_id, "caller": caller_id})
    return result.mappings().one()


def readable(caller: Caller, school_id: UUID, student_id: UUID, row: CardRow) -> StudentCard:
    """The card of a ``CARD`` row if the caller may read this student's diary, or 404.

    R-1: a student sees only themselves, a parent only their own children, a class teacher the
    students of the class they lead; the school's administration reads every diary, the region's
    inspectors every school's. 404, never 403: a stranger must not learn that the child exists. R-54: a family
    that refused the electronic service is told so (403); the staff go on reading the journal's diary.
    """
    card = card_of(student_id, row)
    if card is None or not may_read(caller, school_id, card, row):
        raise NotFound(DIARY_NOT_FOUND)
    if row["refused"] and not reads_as_staff(caller, school_id, row):
        raise Forbidden(DIARY_REFUSED)
    return card


async def readable_student(session: AsyncSession, caller: Caller, school_id: UUID, student_id: UUID) -> StudentCard:
    """The student whose diary the caller may read (``readable``), in one statement."""
    return readable(caller, school_id, student_id, await _card_row(session, school_id, student_id, caller.person_id))
