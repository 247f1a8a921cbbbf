"""Replica rows: what a consumer keeps of another service's data, written idempotently.

A consumer stores what each event carries as an upsert, so a repeated or reordered event
leaves the same rows. This is the one way to write such a row.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import ColumnElement, delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.events import Envelope
from contracts.roster import GuardianshipEnded, GuardianshipLinked, PersonChanged, PersonRegistered

#: The most bind parameters one statement may carry (PostgreSQL's wire protocol counts them in 16 bits).
MAX_PARAMETERS = 32767


async def upsert(
    session: AsyncSession,
    model: type,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    only_if: Callable[[Any], ColumnElement[bool]] | None = None,
) -> None:
    """Insert the row ``key`` + ``values``, or set ``values`` on the stored row with that ``key``.

    ``key`` names exactly the columns of the table's primary key or a unique constraint.
    ``only_if`` receives the incoming row (``excluded``) and returns a condition on the stored
    one, e.g. ``lambda new: Lesson.version < new.version``: the update happens only when it holds.
    """
    await upsert_many(session, model, [(key, values)], only_if=only_if)


async def upsert_many(
    session: AsyncSession,
    model: type,
    rows: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]],
    *,
    only_if: Callable[[Any], ColumnElement[bool]] | None = None,
) -> None:
    """``upsert`` of many ``(key, values)`` rows, one statement for all, as if upserted one by one in their order.

    PostgreSQL lets one statement touch a row once only, so a key seen again starts the next statement; so does
    a statement that would carry more than ``MAX_PARAMETERS`` values.
    """
    chunk: list[dict[str, Any]] = []
    keys: set[tuple] = set()
    for key, values in rows:
        # A statement carries at most MAX_PARAMETERS values (asyncpg's limit on one query's parameters).
        if tuple(key.values()) in keys or (len(chunk) + 1) * (len(key) + len(values)) > MAX_PARAMETERS:
            await _upsert_rows(session, model, chunk, list(key), only_if)
            chunk, keys = [], set()
        chunk.append({**key, **values})
        keys.add(tuple(key.values()))
    if chunk:
        await _upsert_rows(session, model, chunk, list(rows[0][0]), only_if)


async def _upsert_rows(
    session: AsyncSession,
    model: type,
    rows: list[dict[str, Any]],
    key: list[str],
    only_if: Callable[[Any], ColumnElement[bool]] | None,
) -> None:
    statement = insert(model).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=key,
            set_={name: statement.excluded[name] for name in rows[0] if name not in key},
            where=only_if(statement.excluded) if only_if else None,
        )
    )


def newer(stored: Any, new: Any, *, legacy_clock: str | None = None) -> ColumnElement[bool]:
    """The ``only_if`` of a versioned replica: the incoming row carries a higher aggregate version.

    Events sent before their contract had a version carry 0; between two such rows only, the
    ``legacy_clock`` column (the producer's time) still decides, as it did before.
    """
    condition = stored.version < new.version
    if legacy_clock is not None:
        older = getattr(stored, legacy_clock) < getattr(new, legacy_clock)
        condition = condition | ((new.version == 0) & (stored.version == 0) & older)
    return condition


def newest(
    rows: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Of the ``(key, values)`` rows with one key, the one of the highest ``version`` (the first of equals).

    What a run of a versioned replica's rows leaves when upserted one by one with ``newer``, as one statement.
    """
    kept: dict[tuple, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
    for key, values in rows:
        seen = kept.get(tuple(key.values()))
        if seen is None or seen[1]["version"] < values["version"]:
            kept[tuple(key.values())] = (key, values)
    return list(kept.values())


async def insert_once(
    session: AsyncSession, model: type, key: Mapping[str, Any], values: Mapping[str, Any] | None = None
) -> None:
    """Insert the row ``key`` + ``values`` unless a row with that ``key`` is stored already."""
    await insert_many_once(session, model, [(key, values or {})])


async def insert_many_once(
    session: AsyncSession, model: type, rows: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]]
) -> None:
    """``insert_once`` of many ``(key, values)`` rows: a key already stored, or repeated, keeps its first row.

    The statement is compiled once and sent as multi-row inserts (``insertmanyvalues``, ``chassis.db``: up to
    1,000 rows and PostgreSQL's limit of parameters each): a column of marks is one round trip.
    """
    if rows:
        statement = insert(model).on_conflict_do_nothing(index_elements=list(rows[0][0]))
        await session.execute(statement, [{**key, **values} for key, values in rows])


class TranscriptCopy(Protocol):
    """What every copy of a transferred student's record carries (R-16): whom and where from."""

    student_id: UUID
    source_school_id: UUID
    source_school_name: str
    academic_year: str


async def file_transcript(
    session: AsyncSession,
    model: type,
    school_id: UUID,
    copy: TranscriptCopy,
    source_key: str,
    lines: Iterable[tuple[UUID, Mapping[str, Any]]],
) -> None:
    """R-16: file a transferred student's record sent by the sending school as this school's own rows of ``model``.

    ``lines`` are ``(id in the sending school, values)``; the row's key is the student and that id (column
    ``source_key``), so a copy sent again is the same rows, brought up to date, in one statement for all.
    """
    shared = {
        "school_id": school_id,
        "source_school_id": copy.source_school_id,
        "source_school_name": copy.source_school_name,
        "academic_year": copy.academic_year,
    }
    student = copy.student_id
    rows = [({"student_id": student, source_key: source_id}, {**shared, **values}) for source_id, values in lines]
    if rows:
        await upsert_many(session, model, rows)


async def keep_people(
    session: AsyncSession, model: type, people: Sequence[tuple[PersonRegistered | PersonChanged, Envelope]]
) -> None:
    """Roster's cards of a run (registered or changed) into a consumer's replica of people: names and ``version``,
    keyed by ``id`` (and ``school_id`` where the table's key holds it). One statement for the run; a late
    registration or an older change (a redelivery, a replay) never undoes a correction."""
    key_columns = [column.name for column in model.__table__.primary_key.columns]
    rows = []
    for event, envelope in people:
        card = {
            "school_id": envelope.schoolid,
            "id": event.person_id,
            "last_name": event.last_name,
            "first_name": event.first_name,
            "version": event.version,
        }
        rows.append(({k: card[k] for k in key_columns}, {k: v for k, v in card.items() if k not in key_columns}))
    await upsert_many(session, model, newest(rows), only_if=lambda new: newer(model, new))


async def keep_guardianships(
    session: AsyncSession, model: type, linked: Sequence[tuple[GuardianshipLinked, Envelope]]
) -> None:
    """Roster's links of a run into a consumer's replica of guardianships (a school, a guardian, a student), each
    once, in one statement; keyed as the table's primary key says."""
    key_columns = [column.name for column in model.__table__.primary_key.columns]
    rows = []
    for event, envelope in linked:
        tie = {"school_id": envelope.schoolid, "guardian_id": event.guardian_id, "student_id": event.student_id}
        rows.append(({k: tie[k] for k in key_columns}, {k: v for k, v in tie.items() if k not in key_columns}))
    await insert_many_once(session, model, rows)


async def end_guardianship(session: AsyncSession, model: Any, event: GuardianshipEnded, envelope: Envelope) -> None:
    """R-4: roster ended the tie, so it goes from the replica, and with it what the guardian could do here."""
    await session.execute(
        delete(model).where(
            model.school_id == envelope.schoolid,
            model.guardian_id == event.guardian_id,
            model.student_id == event.student_id,
        )
    )
