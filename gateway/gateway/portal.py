"""R-70: the public stream for the state-services portal (docs/portal.md).

The gateway alone knows who a student is in ESIA (its accounts replica), so it turns the
schools' events into ``public.*`` events that name a student by their ESIA oid and nothing
else, and emits them through its outbox; the broker routes ``public.#`` to the portal's
exchange. A student with no ESIA oid yet has no public events: the portal could not link
them, so they are withheld (``PortalWithheld``) and go out once, in their order, when the oid becomes known
(roster's card or a first ESIA login, ``release_withheld``). A student whose family refused the electronic
service (R-54) has no public events, while the refusal stands, nor does one whose consent to the portal is
withdrawn (R-5, ``PortalConsent``), nor a student who left the school (R-4: the service has ended; a transferred
student goes on under the receiving school's person, with the same oid).

Timetable changes (a lesson moved, in another room, substituted or cancelled, R-14) go to the whole class.

Each public event is also a row of the change feed (``/portal/v1/changes``), for a portal that
synchronises by pulling instead of consuming the stream.
"""

import asyncio
import contextlib
from collections.abc import Iterable
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Select,
    String,
    Text,
    Uuid,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.db import Database
from chassis.events import Envelope, emit_events
from chassis.replicas import upsert
from chassis.tenancy import SYSTEM
from contracts import Event
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import LessonDeleted, LessonRecorded, MarkChanged, MarkDeleted, MarkPosted, PeriodMarkSet
from contracts.public import (
    PublicAbsenceCorrected,
    PublicAbsenceRecorded,
    PublicAbsenceWithdrawn,
    PublicHomeworkAssigned,
    PublicMarkChanged,
    PublicMarkDeleted,
    PublicMarkPosted,
    PublicPeriodMarkSet,
    PublicStudentEnrolled,
    PublicTimetableLessonChanged,
)
from contracts.roster import (
    ConsentChanged,
    StudentEnrolled,
    TimetableLessonCancelled,
    TimetableLessonChanged,
    TimetableLessonState,
    TimetableLessonSubstituted,
)
from gateway.models import (
    EServiceRefusal,
    LeftStudent,
    Person,
    PortalChange,
    PortalConsent,
    PortalFeed,
    PortalWithheld,
)

consumer = Consumer("gateway.portal")


#: Each school event about a student and the public event it becomes. A public event takes
#: only its own declared fields from the source (the rest, names and ids of staff included, is
#: dropped by the model), plus the student's ESIA oid and the school.
STUDENT_EVENTS: dict[type[Event], type[Event]] = {
    MarkPosted: PublicMarkPosted,
    MarkChanged: PublicMarkChanged,
    MarkDeleted: PublicMarkDeleted,
    AbsenceRecorded: PublicAbsenceRecorded,
    AbsenceCorrected: PublicAbsenceCorrected,
    AbsenceWithdrawn: PublicAbsenceWithdrawn,
    StudentEnrolled: PublicStudentEnrolled,
    PeriodMarkSet: PublicPeriodMarkSet,
}
PUBLIC_TYPES: dict[str, type[Event]] = {public.TYPE: public for public in STUDENT_EVENTS.values()}


#: The advisory lock that numbers the change feed in commit order (any constant of ours).
CHANGE_FEED_LOCK = 70_070
#: Withheld events older than this are trimmed: a replay covers the school year (R-11), no more.
WITHHELD_DAYS = 366


#: The change feed's rows of the events emitted, numbered in their order, as one array per column: sent with the
#: events' outbox rows as one statement (``emit_events``' ``along``), built and compiled once.
_CHANGE_ROWS = insert(PortalChange.__table__).from_select(
    ["version", "school_id", "type", "data"],
    select(
        func.nextval("portal_change_versions"),
        bindparam("change_school_id", type_=Uuid),
        func.unnest(bindparam("change_types", type_=ARRAY(String))),
        cast(func.unnest(bindparam("change_data", type_=ARRAY(Text))), JSONB),
    ),
)


async def publish(session: AsyncSession, public: Event, school_id: UUID) -> None:
    """Emit ``public`` on the stream and append it to the change feed, in the consumer's transaction.

    The lock is held until commit, so versions are given in commit order: a portal that has read up to
    N never finds a smaller version appearing later (a rolled-back transaction leaves a gap, nothing else).
    """
    await _hold_feed(session)
    await _emit_and_append(session, [public], school_id)


async def _emit_and_append(session: AsyncSession, publics: list[Event], school_id: UUID) -> None:
    """The events on the stream and in the change feed, in one statement; the caller holds the feed's lock."""
    changes = {
        "change_school_id": school_id,
        "change_types": [public.TYPE for public in publics],
        "change_data": [public.model_dump_json() for public in publics],
    }
    await emit_events(session, publics, school_id=school_id, along=_CHANGE_ROWS, along_values=changes)


def portal_oid() -> ColumnElement[str | None]:
    """The oid the portal addresses a student by: the one a login confirmed, else the one the school stated
    (children seldom log in themselves)."""
    return func.coalesce(Person.esia_oid, Person.stated_esia_oid)


async def _oid(session: AsyncSession, student_id: UUID) -> str | None:
    return await session.scalar(select(portal_oid()).where(Person.person_id == student_id))


async def _hold_feed(session: AsyncSession) -> None:
    """The feed's lock, until commit. Withholding and releasing take it too, so they take turns with each other
    and with every publication: either the release sees the withheld row, or the withholding sees the oid the
    release came with (READ COMMITTED reads what committed before the lock). One lock, so no cycle among them."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_FEED_LOCK})


def _left_out_of(student_id: ColumnElement[UUID] | UUID) -> ColumnElement[bool]:
    """R-54 refusal standing, R-5 consent to the portal withdrawn, R-4 the student left the school."""
    refused = exists().where(EServiceRefusal.student_id == student_id, EServiceRefusal.refused_on.is_not(None))
    withdrawn = exists().where(PortalConsent.person_id == student_id, PortalConsent.granted.is_(False))
    # the school's service to a student who left it has ended; its late corrections stay in the school.
    left = exists().where(LeftStudent.student_id == student_id)
    return refused | withdrawn | left


async def _left_out(session: AsyncSession, student_id: UUID) -> bool:
    return bool(await session.scalar(select(_left_out_of(student_id))))


def _portal_facts_statement() -> Select:
    students = func.unnest(bindparam("students", type_=ARRAY(Uuid))).table_valued("student_id").render_derived()
    student = students.c.student_id
    oid = select(portal_oid()).where(Person.person_id == student).scalar_subquery()
    return select(student, oid, _left_out_of(student))


#: Built once: a consumer runs it for every run of events.
PORTAL_FACTS = _portal_facts_statement()


async def _portal_facts(session: AsyncSession, student_ids: set[UUID]) -> dict[UUID, tuple[str | None, bool]]:
    """Each student's portal oid and whether they are left out, in one statement."""
    rows = await session.execute(PORTAL_FACTS, {"students": list(student_ids)})
    return {student_id: (oid, left_out) for student_id, oid, left_out in rows}


async def publish_about_students(session: AsyncSession, run: list[tuple[Event, Envelope]]) -> None:
    """A run of one type's events about students of one school (a lesson column's marks) to the portal, as one by
    one: the feed's lock, the students' oids and exclusions, the withheld rows, and the events with the feed's rows
    are a statement each for the whole run, where each event took five. The lock comes first, so the oids read are
    those a concurrent release committed."""
    school_id = run[0][1].schoolid
    await _hold_feed(session)
    facts = await _portal_facts(session, {event.student_id for event, _ in run})
    publics: list[Event] = []
    withheld: list[dict] = []
    for event, _ in run:
        oid, left_out = facts[event.student_id]
        if left_out:
            continue
        kind = STUDENT_EVENTS[type(event)]
        data = {**event.model_dump(), "school_id": school_id}
        if oid is None:
            # The public event's own fields only (the model drops the rest), kept until the oid is known.
            kept = kind.model_validate({**data, "student_esia_oid": ""}).model_dump(
                mode="json", exclude={"student_esia_oid"}
            )
            withheld.append({"student_id": event.student_id, "school_id": school_id, "type": kind.TYPE, "data": kept})
            continue
        publics.append(kind.model_validate({**data, "student_esia_oid": oid}))
    if withheld:
        await session.execute(insert(PortalWithheld), withheld)
    if publics:
        await _emit_and_append(session, publics, school_id)


async def release_withheld(session: AsyncSession, student_ids: Iterable[UUID]) -> None:
    """The events withheld while a student had no ESIA oid go to the portal, in the order they came, now that the
    oid is known; in the caller's transaction with the oid's arrival. Once: the rows go as they are published, so
    a second oid update finds nothing. A student left out meanwhile (R-4, R-5, R-54) has them dropped unsent."""
    students = list(student_ids)
    if students:
        await _hold_feed(session)
    for student_id in students:
        oid = await _oid(session, student_id)
        if oid is None:
            continue
        rows = list(
            await session.scalars(
                delete(PortalWithheld).where(PortalWithheld.student_id == student_id).returning(PortalWithheld)
            )
        )
        if not rows or await _left_out(session, student_id):
            continue
        for row in sorted(rows, key=lambda row: row.id):
            public = PUBLIC_TYPES[row.type].model_validate({**row.data, "student_esia_oid": oid})
            await publish(session, public, row.school_id)


for source_event in STUDENT_EVENTS:
    consumer.on_many(source_event)(publish_about_students)


@consumer.on(ConsentChanged)
async def consent_changed(session: AsyncSession, event: ConsentChanged, envelope: Envelope) -> None:
    """R-5: a withdrawn consent to the portal stops the student's public events from the next one on."""
    if event.purpose != "portal":
        return
    values = {"school_id": envelope.schoolid, "granted": event.granted, "version": event.version}
    await upsert(
        session,
        PortalConsent,
        {"person_id": event.person_id},
        values,
        only_if=lambda new: PortalConsent.version < new.version,
    )


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
    await publish(session, public, envelope.schoolid)


@consumer.on(LessonDeleted)
async def lesson_deleted(session: AsyncSession, event: LessonDeleted, envelope: Envelope) -> None:
    # a deleted lesson takes its homework off the portal (its marks go by their own deletions).
    public = PublicHomeworkAssigned(
        lesson_id=event.lesson_id,
        version=event.version,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        subject_name=event.subject_name,
        date=event.date,
        homework=None,
    )
    await publish(session, public, envelope.schoolid)


async def timetable_lesson_changed(session: AsyncSession, event: TimetableLessonState, envelope: Envelope) -> None:
    """R-14: a lesson moved, in another room, given by a substitute or cancelled, for the whole class. Who
    substitutes and the school's note stay in the school: the note may name the teacher or say why."""
    public = PublicTimetableLessonChanged(
        lesson_id=event.lesson_id,
        version=event.version,
        school_id=envelope.schoolid,
        class_id=event.class_id,
        class_name=event.class_name,
        subject_name=event.subject_name,
        date=event.date,
        number=event.number,
        starts=event.starts,
        ends=event.ends,
        room=event.room_name,
        cancelled=event.status == "cancelled",
        substituted=event.substitute_teacher_id is not None,
        moved_from_date=event.moved_from_date,
        moved_from_number=event.moved_from_number,
    )
    await publish(session, public, envelope.schoolid)


# The timetable as generated reaches the portal by the pull; only the day's changes are pushed.
for change in (TimetableLessonChanged, TimetableLessonCancelled, TimetableLessonSubstituted):
    consumer.on(change)(timetable_lesson_changed)


async def trim_changes(db: Database, days: int) -> int:
    """The change feed keeps ``days`` of history; a portal further behind resynchronises (``/portal/v1/changes``).

    The highest version trimmed is remembered in the same statement, so the feed knows whom to send back.
    Events withheld for a student still without an ESIA oid go after a school year.
    """
    async with db.transaction(SYSTEM) as session:
        gone = (
            delete(PortalChange)
            .where(PortalChange.at < func.now() - func.make_interval(0, 0, 0, days))
            .returning(PortalChange.version)
            .cte("gone")
        )
        trimmed = await session.execute(
            update(PortalFeed)
            .values(
                trimmed_through=func.greatest(
                    PortalFeed.trimmed_through, select(func.max(gone.c.version)).scalar_subquery()
                )
            )
            .returning(select(func.count()).select_from(gone).scalar_subquery())
        )
        await session.execute(
            delete(PortalWithheld).where(PortalWithheld.at < func.now() - func.make_interval(0, 0, 0, WITHHELD_DAYS))
        )
        return trimmed.scalar_one()


async def trim_changes_forever(db: Database, days: int, interval: float) -> None:
    while True:
        with contextlib.suppress(Exception):
            await trim_changes(db, days)
        await asyncio.sleep(interval)
