"""Writing a movement (R-16): the record, the enrolment it changes, and the events other services follow.

Shared by the movement routes, the promotion and the acceptance of a transfer from another school,
so each kind of movement changes the same rows and tells the same events wherever it starts.
"""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.bulk import insert_rows
from chassis.events import emit_events
from contracts import Event
from contracts.roster import (
    GuardianshipEnded,
    StudentEnrolled,
    StudentLeftClass,
    StudentLeftSchool,
    StudentMovementRecorded,
)
from roster.domain.movement import day_before
from roster.events import membership_changed
from roster.models import EndedLink, Enrolment, Group, GroupMember, Guardianship, Movement, SchoolClass


class MovementWriter:
    """Collects the rows and events of one request; ``flush`` writes each table's rows and the events in one insert."""

    def __init__(self, session: AsyncSession, school_id: UUID, actor_id: UUID) -> None:
        self.session = session
        self.school_id = school_id
        self.actor_id = actor_id
        self.now = datetime.now(UTC)
        self.events: list[Event] = []
        #: Open subgroup places by (student, class), when read for many students at once (``preload_places``).
        self.places: dict[tuple[UUID, UUID], list[GroupMember]] | None = None
        #: Enrolments ended by this request, deleted in one statement by ``flush`` (a promotion ends a school's).
        self.ended_enrolments: list[UUID] = []
        #: Rows of ``enrolments`` and ``movements`` made by this request, each table one statement at ``flush``
        #: (an import's chunk or a promotion makes a thousand: ORM objects were most of their CPU).
        self.enrolments: list[dict[str, Any]] = []
        self.movements: list[dict[str, Any]] = []

    async def preload_places(self, class_ids: list[UUID]) -> None:
        """The open subgroup places of these classes in one query, for a promotion of the whole school."""
        self.places = {}
        rows = await self.session.execute(
            select(GroupMember, Group.class_id)
            .join(Group, Group.id == GroupMember.group_id)
            .where(Group.class_id.in_(class_ids), GroupMember.ends.is_(None))
        )
        for place, class_id in rows:
            self.places.setdefault((place.student_id, class_id), []).append(place)

    def record(
        self,
        student_id: UUID,
        kind: str,
        on: date,
        *,
        from_class: SchoolClass | None = None,
        to_class: SchoolClass | None = None,
        order_number: str | None = None,
        reason: str | None = None,
        other_school_id: UUID | None = None,
        other_school_name: str | None = None,
        debt_subjects: list[str] | None = None,
        debt_deadline: date | None = None,
        tell: bool = True,
    ) -> dict[str, Any]:
        """A movement record (a row of ``movements``); ``tell`` False for a copied line of another school's history,
        which moves no one."""
        movement = {
            "id": uuid4(),
            "school_id": self.school_id,
            "student_id": student_id,
            "kind": kind,
            "moved_on": on,
            "from_class_id": from_class.id if from_class else None,
            "to_class_id": to_class.id if to_class else None,
            "order_number": order_number,
            "reason": reason,
            "other_school_id": other_school_id,
            "other_school_name": other_school_name,
            "debt_subjects": debt_subjects or [],
            "debt_deadline": debt_deadline,
            "recorded_by": self.actor_id,
            "recorded_at": self.now,
        }
        self.movements.append(movement)
        if not tell:
            return movement
        self.events.append(
            StudentMovementRecorded(
                movement_id=movement["id"],
                student_id=student_id,
                kind=kind,  # type: ignore[arg-type]
                on=on,
                from_class_id=movement["from_class_id"],
                from_class_name=from_class.name if from_class else None,
                to_class_id=movement["to_class_id"],
                to_class_name=to_class.name if to_class else None,
                order_number=order_number,
                reason=reason,
                other_school_id=other_school_id,
                debt_subjects=debt_subjects or [],
                debt_deadline=debt_deadline,
            )
        )
        return movement

    def enrol(self, student_id: UUID, school_class: SchoolClass, on: date) -> None:
        self.enrolments.append(
            {
                "id": uuid4(),
                "school_id": self.school_id,
                "student_id": student_id,
                "class_id": school_class.id,
                "enrolled_on": on,
            }
        )
        self.events.append(
            StudentEnrolled(
                student_id=student_id, class_id=school_class.id, class_name=school_class.name, enrolled_on=on
            )
        )

    async def leave_class(self, enrolment: Enrolment, school_class: SchoolClass, on: date) -> None:
        """The student is out of the class from ``on``; their open subgroup places of the class end the day before."""
        self.ended_enrolments.append(enrolment.id)
        self.session.expunge(enrolment)
        self.events.append(
            StudentLeftClass(
                student_id=enrolment.student_id, class_id=school_class.id, class_name=school_class.name, left_on=on
            )
        )
        if self.places is not None:
            places = self.places.get((enrolment.student_id, school_class.id), [])
        else:
            places = list(
                await self.session.scalars(
                    select(GroupMember).where(
                        GroupMember.student_id == enrolment.student_id,
                        GroupMember.ends.is_(None),
                        GroupMember.group_id.in_(select(Group.id).where(Group.class_id == school_class.id)),
                    )
                )
            )
        for place in places:
            place.ends = max(day_before(on), place.starts)
            place.version += 1
            self.events.append(membership_changed(place))

    async def leave_school(
        self, student_id: UUID, on: date, order_number: str, reason: str, destination: UUID | None = None
    ) -> None:
        """R-4: the school serves the student no more; their guardians' ties to them and their places in electives and
        clubs end the same day."""
        self.events.append(
            StudentLeftSchool(
                student_id=student_id,
                left_on=on,
                order_number=order_number,
                reason=reason,
                destination_school_id=destination,
            )
        )
        electives = select(Group.id).where(Group.school_id == self.school_id, Group.kind != "subgroup")
        for place in await self.session.scalars(
            select(GroupMember).where(
                GroupMember.student_id == student_id, GroupMember.ends.is_(None), GroupMember.group_id.in_(electives)
            )
        ):
            place.ends = max(day_before(on), place.starts)
            place.version += 1
            self.events.append(membership_changed(place))
        ties = await self.session.scalars(
            delete(Guardianship)
            .where(Guardianship.school_id == self.school_id, Guardianship.student_id == student_id)
            .returning(Guardianship)
        )
        ending = f"Обучающийся выбыл из школы (приказ № {order_number})"
        for tie in ties:
            self.session.add(
                EndedLink(
                    school_id=self.school_id,
                    kind="guardianship",
                    person_id=tie.guardian_id,
                    detail={"student_id": str(student_id), "relation": tie.relation},
                    ended_on=on,
                    reason=ending,
                    ended_by=self.actor_id,
                    ended_at=self.now,
                )
            )
            self.events.append(
                GuardianshipEnded(guardian_id=tie.guardian_id, student_id=student_id, ended_on=on, reason=ending)
            )

    async def flush(self) -> None:
        """The session's objects (classes the rows name), then the ended enrolments, the new rows, the events.

        The ended enrolments go first: a student may come back to a class they left.
        """
        await self.session.flush()
        if self.ended_enrolments:
            await self.session.execute(delete(Enrolment).where(Enrolment.id.in_(self.ended_enrolments)))
            self.ended_enrolments = []
        await insert_rows(self.session, Enrolment.__table__, self.enrolments)
        await insert_rows(self.session, Movement.__table__, self.movements)
        self.enrolments, self.movements = [], []
        await emit_events(self.session, self.events, school_id=self.school_id)
        self.events = []
