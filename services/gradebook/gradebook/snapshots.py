"""The gradebook's aggregates as snapshot events (``chassis.snapshots``): lessons and marks at their versions."""

from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.snapshots import Snapshot, Snapshots
from contracts.gradebook import LessonRecorded, MarkChanged, MarkPosted, PeriodMarkSet
from gradebook.api.access import school_work_types
from gradebook.api.lessons import lesson_recorded
from gradebook.api.marks import mark_state
from gradebook.api.periods import period_mark_set
from gradebook.domain.work_types import work_type
from gradebook.models import Course, Lesson, Mark, MarkChange, PeriodMark, ScheduledLesson
from gradebook.school_year import course_period

snapshots = Snapshots("gradebook")
BATCH = 500


@snapshots.aggregate("lesson", LessonRecorded)
async def lessons(session: AsyncSession) -> AsyncIterator[Snapshot]:
    rows = await session.stream(
        select(Lesson, Course, ScheduledLesson.number)
        .join(Course, Lesson.course_id == Course.id)
        .outerjoin(ScheduledLesson, Lesson.scheduled_lesson_id == ScheduledLesson.id)
        .execution_options(yield_per=BATCH)
    )
    async for lesson, course, number in rows:
        yield Snapshot(lesson.school_id, lesson_recorded(lesson, course, number))


@snapshots.aggregate("mark", MarkPosted, MarkChanged)
async def marks(session: AsyncSession) -> AsyncIterator[Snapshot]:
    """A mark never changed is ``MarkPosted``; a changed one ``MarkChanged`` at its version, with its last change
    of value (a correction of its вид работы or date leaves the value as it was)."""
    last_changes = {
        change.mark_id: change
        for change in await session.scalars(
            select(MarkChange)
            .where(MarkChange.mark_id.is_not(None))
            .ext(distinct_on(MarkChange.mark_id))
            .order_by(MarkChange.mark_id, MarkChange.changed_at.desc())
        )
    }
    kinds: dict = {}
    rows = await session.stream(
        select(Mark, Lesson, Course)
        .join(Lesson, Mark.lesson_id == Lesson.id)
        .join(Course, Lesson.course_id == Course.id)
        .execution_options(yield_per=BATCH)
    )
    async for mark, lesson, course in rows:
        if mark.school_id not in kinds:
            kinds[mark.school_id] = await school_work_types(session, mark.school_id)
        state = mark_state(mark, lesson, course, work_type(mark.work_type, kinds[mark.school_id]))
        change = last_changes.get(mark.id)
        if mark.version == 1 or change is None:
            yield Snapshot(mark.school_id, MarkPosted(**state))
        else:
            old_value = change.old_value if change.action == "value" else mark.value
            event = MarkChanged(**state, version=mark.version, old_value=old_value, changed_by=change.changed_by)
            yield Snapshot(mark.school_id, event)


@snapshots.aggregate("period_mark", PeriodMarkSet)
async def period_marks(session: AsyncSession) -> AsyncIterator[Snapshot]:
    """Each period mark at its version, with its period as the class's calendar names it."""
    rows = await session.stream(
        select(PeriodMark, Course).join(Course, PeriodMark.course_id == Course.id).execution_options(yield_per=BATCH)
    )
    periods: dict = {}
    async for mark, course in rows:
        key = (course.id, mark.period_kind, mark.period_id)
        if key not in periods:
            periods[key] = await course_period(session, course, mark.period_kind, mark.period_id)
        yield Snapshot(mark.school_id, period_mark_set(mark, course, periods[key]))
