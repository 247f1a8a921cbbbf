"""What roster learns from events: which timetable lessons are recorded (the template then leaves them alone),
and which students other schools of the region transfer to this one (R-16)."""

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.replicas import insert_once
from contracts.gradebook import LessonRecorded
from contracts.roster import StudentTransferOffered
from roster.models import IncomingTransfer, School, TimetableLesson

gradebook = Consumer("roster.gradebook")
transfers = Consumer("roster.transfers")


@gradebook.on(LessonRecorded)
async def on_lesson_recorded(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    if event.scheduled_lesson_id is None:
        return
    await session.execute(
        update(TimetableLesson).where(TimetableLesson.id == event.scheduled_lesson_id).values(recorded=True)
    )


@transfers.on(StudentTransferOffered)
async def on_transfer_offered(session: AsyncSession, event: StudentTransferOffered, envelope: Envelope) -> None:
    """Filed in the receiving school (the envelope's), whose secretary accepts it into a class."""
    if await session.get(School, envelope.schoolid) is None:
        return
    person = event.model_dump(
        mode="json", include={"last_name", "first_name", "middle_name", "birth_date", "snils", "esia_oid"}
    )
    key = {
        "school_id": envelope.schoolid,
        "source_school_id": event.source_school_id,
        "source_student_id": event.source_student_id,
    }
    values = {
        "source_school_name": event.source_school_name,
        "person": person,
        "history": [line.model_dump(mode="json") for line in event.history],
        "grade": event.grade,
        "left_on": event.left_on,
        "order_number": event.order_number,
        "offered_at": datetime.now(UTC),
    }
    await insert_once(session, IncomingTransfer, key, values)
