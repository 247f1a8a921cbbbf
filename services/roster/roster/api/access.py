"""The ties between a reader and a person that decide what of the card the reader sees (``domain.cards``)."""

from uuid import UUID

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from roster.domain.cards import Tie
from roster.models import Assignment, Enrolment, Guardianship, SchoolClass


async def ties_between(session: AsyncSession, school_id: UUID, reader_id: UUID, person_id: UUID) -> frozenset[Tie]:
    """Every tie of ``person_id`` to ``reader_id`` in one school, in one query."""

    def children_of(guardian_id: UUID) -> Select:
        return select(Guardianship.student_id).where(
            Guardianship.school_id == school_id, Guardianship.guardian_id == guardian_id
        )

    def classes_of(*students: Select | list[UUID]) -> Select:
        return select(Enrolment.class_id).where(
            Enrolment.school_id == school_id, or_(*(Enrolment.student_id.in_(ids) for ids in students))
        )

    # The classes of the reader and of the reader's children; the classes of the person.
    readers_classes = classes_of([reader_id], children_of(reader_id))
    persons_classes = classes_of([person_id])
    led_by_reader = select(SchoolClass.id).where(
        SchoolClass.school_id == school_id, SchoolClass.class_teacher_id == reader_id
    )
    checks = {
        Tie.CHILD: exists(children_of(reader_id).where(Guardianship.student_id == person_id)),
        Tie.TEACHES_READER: or_(
            exists().where(
                Assignment.school_id == school_id,
                Assignment.teacher_id == person_id,
                Assignment.ended_on.is_(None),
                Assignment.class_id.in_(readers_classes),
            ),
            exists().where(
                SchoolClass.school_id == school_id,
                SchoolClass.class_teacher_id == person_id,
                SchoolClass.id.in_(readers_classes),
            ),
        ),
        Tie.TAUGHT_BY_READER: exists().where(
            Assignment.school_id == school_id,
            Assignment.teacher_id == reader_id,
            Assignment.ended_on.is_(None),
            Assignment.class_id.in_(persons_classes),
        ),
        Tie.IN_READERS_CLASS: exists().where(
            Enrolment.school_id == school_id,
            Enrolment.class_id.in_(led_by_reader),
            or_(Enrolment.student_id == person_id, Enrolment.student_id.in_(children_of(person_id))),
        ),
    }
    found = (await session.execute(select(*checks.values()))).one()
    ties = {tie for tie, present in zip(checks, found, strict=True) if present}
    if reader_id == person_id:
        ties.add(Tie.SELF)
    return frozenset(ties)
