"""Attendance's aggregates as snapshot events (``chassis.snapshots``): each absence at its version.

An absence's current state is ``AbsenceRecorded`` at the absence's version, whatever corrections led
to it (the event carries the whole state). A withdrawn absence is deleted here, so it has none: its
withdrawal reaches a new read model only through the retained tail, and a diary never shows it.
"""

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from attendance.api.absences import absence_state
from attendance.models import Absence, Lesson
from chassis.snapshots import Snapshot, Snapshots
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn

snapshots = Snapshots("attendance")


@snapshots.aggregate("absence", AbsenceRecorded, AbsenceCorrected, AbsenceWithdrawn)
async def absences(session: AsyncSession) -> AsyncIterator[Snapshot]:
    rows = await session.stream(
        select(Absence, Lesson).join(Lesson, Absence.lesson_id == Lesson.id).execution_options(yield_per=500)
    )
    async for absence, lesson in rows:
        yield Snapshot(absence.school_id, AbsenceRecorded(**absence_state(absence, lesson)))
