"""R-70: the public stream for the state-services portal (docs/portal.md).

The gateway alone knows who a student is in ESIA (its accounts replica), so it turns the
schools' events into ``public.*`` events that name a student by their ESIA oid and nothing
else, and emits them through its outbox; the broker routes ``public.#`` to the portal's
exchange. A student with no ESIA oid yet has no public events: the portal could not link
them. Those events are not sent again when the oid becomes known later.
"""

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope, emit_event
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
from gateway.models import Person

consumer = Consumer("gateway.portal")


async def _esia_oid(session: AsyncSession, person_id: UUID) -> str | None:
    return await session.scalar(select(Person.esia_oid).where(Person.person_id == person_id))


@consumer.on(MarkPosted)
async def mark_posted(session: AsyncSession, event: MarkPosted, envelope: Envelope) -> None:
    oid = await _esia_oid(session, event.student_id)
    if oid is None:
        return
    public = PublicMarkPosted(
        mark_id=event.mark_id,
        lesson_id=event.lesson_id,
        student_esia_oid=oid,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
        value=event.value,
        work_type_title=event.work_type_title,
    )
    await emit_event(session, public, school_id=envelope.schoolid)


@consumer.on(MarkChanged)
async def mark_changed(session: AsyncSession, event: MarkChanged, envelope: Envelope) -> None:
    oid = await _esia_oid(session, event.student_id)
    if oid is None:
        return
    public = PublicMarkChanged(
        mark_id=event.mark_id,
        version=event.version,
        lesson_id=event.lesson_id,
        student_esia_oid=oid,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
        value=event.value,
        work_type_title=event.work_type_title,
    )
    await emit_event(session, public, school_id=envelope.schoolid)


@consumer.on(AbsenceRecorded)
async def absence_recorded(session: AsyncSession, event: AbsenceRecorded, envelope: Envelope) -> None:
    oid = await _esia_oid(session, event.student_id)
    if oid is None:
        return
    public = PublicAbsenceRecorded(
        absence_id=event.absence_id,
        lesson_id=event.lesson_id,
        student_esia_oid=oid,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
        reason=event.reason,
    )
    await emit_event(session, public, school_id=envelope.schoolid)


@consumer.on(AbsenceCorrected)
async def absence_corrected(session: AsyncSession, event: AbsenceCorrected, envelope: Envelope) -> None:
    oid = await _esia_oid(session, event.student_id)
    if oid is None:
        return
    public = PublicAbsenceCorrected(
        absence_id=event.absence_id,
        lesson_id=event.lesson_id,
        student_esia_oid=oid,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
        reason=event.reason,
    )
    await emit_event(session, public, school_id=envelope.schoolid)


@consumer.on(AbsenceWithdrawn)
async def absence_withdrawn(session: AsyncSession, event: AbsenceWithdrawn, envelope: Envelope) -> None:
    oid = await _esia_oid(session, event.student_id)
    if oid is None:
        return
    public = PublicAbsenceWithdrawn(
        absence_id=event.absence_id,
        lesson_id=event.lesson_id,
        student_esia_oid=oid,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
    )
    await emit_event(session, public, school_id=envelope.schoolid)


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


@consumer.on(StudentEnrolled)
async def student_enrolled(session: AsyncSession, event: StudentEnrolled, envelope: Envelope) -> None:
    oid = await _esia_oid(session, event.student_id)
    if oid is None:
        return
    public = PublicStudentEnrolled(
        student_esia_oid=oid, school_id=envelope.schoolid, class_id=event.class_id, enrolled_on=event.enrolled_on
    )
    await emit_event(session, public, school_id=envelope.schoolid)
