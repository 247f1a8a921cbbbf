"""What roster learns from the journal: which timetable lessons are recorded (the template then leaves them alone)."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from contracts.gradebook import LessonRecorded
from roster.models import TimetableLesson

gradebook = Consumer("roster.gradebook")


@gradebook.on(LessonRecorded)
async def on_lesson_recorded(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    if event.scheduled_lesson_id is None:
        return
    await session.execute(
        update(TimetableLesson).where(TimetableLesson.id == event.scheduled_lesson_id).values(recorded=True)
    )
