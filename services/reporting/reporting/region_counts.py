"""The region's period-mark counts (``PeriodMarkCount``), kept in the transaction that changes what they count.

What changes a student's period mark or class takes that student's counts out first and puts them back after
(``recounted``), both counted from the stored rows by one query, so the counts always equal a count of the stored
period marks (joined to the students' classes, as the region's indicators read them) — whatever order the events
arrive in and however often one is replayed.
"""

from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from uuid import UUID

from sqlalchemy import ARRAY, ColumnElement, Text, and_, bindparam, case, delete, func, literal, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.domain.indicators import NOT_ATTESTED, SOU_SHARES
from reporting.models import PeriodMark, PeriodMarkCount, Student

#: R-66: «не аттестован» counts among the students (nна); an extended term is not a mark yet.
COUNTED_VALUE = case((PeriodMark.not_attested_reason.is_not(None), NOT_ATTESTED), else_=PeriodMark.value)
KEY = ("school_id", "class_id", "subject_name", "period_name", "starts", "value")


async def add_counts(session: AsyncSession, sign: int, *where: ColumnElement[bool]) -> None:
    """Add (``sign`` 1) or take out (-1) the counts of the stored period marks ``where`` selects."""
    counted = (
        select(
            PeriodMark.school_id,
            Student.class_id,
            PeriodMark.subject_name,
            PeriodMark.period_name,
            PeriodMark.starts,
            COUNTED_VALUE,
            literal(sign) * func.count(),
        )
        .join(Student, and_(Student.school_id == PeriodMark.school_id, Student.id == PeriodMark.student_id))
        .where(COUNTED_VALUE.in_(tuple(SOU_SHARES)), *where)
        .group_by(PeriodMark.school_id, Student.class_id, PeriodMark.subject_name)
        .group_by(PeriodMark.period_name, PeriodMark.starts, COUNTED_VALUE)
    )
    statement = insert(PeriodMarkCount).from_select([*KEY, "count"], counted)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(KEY), set_={"count": PeriodMarkCount.count + statement.excluded["count"]}
        )
    )


@asynccontextmanager
async def recounted(
    session: AsyncSession, school_id: UUID, student_ids: Collection[UUID], period_mark_id: UUID | None = None
) -> AsyncIterator[None]:
    """Around a change of the students' period mark ``period_mark_id`` (None: of the students' classes): their
    counts out before, back in after (a run of enrolments is one change of many students).

    The students are locked for the transaction first, in one order: two deliveries of a student's events at once
    (another consumer, another pod) would otherwise each take out what the other had not yet committed."""
    keys = sorted(f"marks-count:{student}" for student in set(student_ids))
    key = func.unnest(bindparam("keys", keys, type_=ARRAY(Text))).column_valued("key")
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
    which = (
        PeriodMark.school_id == school_id,
        PeriodMark.student_id.in_(student_ids),
        true() if period_mark_id is None else PeriodMark.id == period_mark_id,
    )
    await add_counts(session, -1, *which)
    yield
    await add_counts(session, 1, *which)
    # A count that fell to nothing goes: the table stays what a recount (a rebuilt diary) would write.
    await session.execute(
        delete(PeriodMarkCount).where(PeriodMarkCount.school_id == school_id, PeriodMarkCount.count == 0)
    )
