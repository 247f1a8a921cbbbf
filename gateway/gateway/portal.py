"""R-70: the public stream for the state-services portal (docs/portal.md).

The gateway alone knows who a student is in ESIA (its accounts replica), so it turns the
schools' events into ``public.*`` events that name a student by their ESIA oid and nothing
else, and emits them through its outbox; the broker routes ``public.#`` to the portal's
exchange. A student with no ESIA oid yet has no public events: the portal could not link
them. Those events are not sent again when the oid becomes known later. A student whose family
refused the electronic service (R-54) has none either, while the refusal stands.
"""

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope, emit_event
from contracts import Event
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import LessonRecorded, MarkChanged, MarkPosted
from contracts.public import (
    PublicAbsenceCorrected,
    PublicAbsenceRecorded,
    PublicAbsenceWithdrawn,
    PublicHomeworkAssigned,
    PublicMarkChanged,
    PublicMarkPosted,
    PublicStudentEnrolled,
)
from contracts.roster import StudentEnrolled
from gateway.models import EServiceRefusal, Person

consumer = Consumer("gateway.portal")


#: Each school event about a student and the public event it becomes. A public event takes
#: only its own declared fields from the source (the rest, names and ids of staff included, is
#: dropped by the model), plus the student's ESIA oid and the school.
STUDENT_EVENTS: dict[type[Event], type[Event]] = {
    MarkPosted: PublicMarkPosted,
    MarkChanged: PublicMarkChanged,
    AbsenceRecorded: PublicAbsenceRecorded,
    AbsenceCorrected: PublicAbsenceCorrected,
    AbsenceWithdrawn: PublicAbsenceWithdrawn,
    StudentEnrolled: PublicStudentEnrolled,
}


def portal_oid() -> ColumnElement[str | None]:
    """The oid the portal addresses a student by: the one a login confirmed, else the one the school stated
    (children seldom log in themselves)."""
    return func.coalesce(Person.esia_oid, Person.stated_esia_oid)


async def publish_about_student(session: AsyncSession, event: Event, envelope: Envelope) -> None:
    oid = await session.scalar(select(portal_oid()).where(Person.person_id == event.student_id))
    if oid is None:
        return
    refused = select(EServiceRefusal.student_id).where(
        EServiceRefusal.student_id == event.student_id, EServiceRefusal.refused_on.is_not(None)
    )
    if await session.scalar(select(exists(refused))):
        return
    public = STUDENT_EVENTS[type(event)].model_validate(
        {**event.model_dump(), "student_esia_oid": oid, "school_id": envelope.schoolid}
    )
    await emit_event(session, public, school_id=envelope.schoolid)


for source_event in STUDENT_EVENTS:
    consumer.on(source_event)(publish_about_student)


@consumer.on(LessonRecorded)
async def lesson_recorded(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    # A first record without homework has nothing to tell; a later version always goes out,
    # so homework removed by an edit is removed on the portal too.
    homework = event.homework or None
    if homework is None and event.version <= 1:
        return
    public = PublicHomeworkAssigned(
        lesson_id=event.lesson_id,
        version=event.version,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
        homework=homework,
    )
    await emit_event(session, public, school_id=envelope.schoolid)
