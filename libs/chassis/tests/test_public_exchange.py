"""R-70: the portal's exchange gets the ``public.*`` events of the events exchange and nothing else."""

import json
from datetime import date
from uuid import UUID, uuid4

from aio_pika.abc import AbstractQueue

from chassis.broker import Broker
from chassis.settings import ServiceSettings
from chassis.testing import eventually, publish_event
from contracts.public import PublicStudentEnrolled
from contracts.roster import StudentEnrolled


async def types_of_school(queue: AbstractQueue, school_id: UUID, seen: list[str]) -> list[str]:
    """Drain the queue into ``seen``, keeping the types of this school's events."""
    while message := await queue.get(no_ack=True, fail=False):
        envelope = json.loads(message.body)
        if envelope["schoolid"] == str(school_id):
            seen.append(envelope["type"])
    return seen


async def test_the_public_exchange_routes_public_events_only(probe_settings: ServiceSettings):
    broker = await Broker.connect(probe_settings)
    try:
        queue = await broker.channel.declare_queue(exclusive=True)
        await queue.bind(probe_settings.public_exchange, routing_key="#")
        school, student, class_id = uuid4(), uuid4(), uuid4()
        await publish_event(
            probe_settings,
            StudentEnrolled(student_id=student, class_id=class_id, class_name="5А", enrolled_on=date(2026, 9, 1)),
            school_id=school,
        )
        public = PublicStudentEnrolled(
            student_esia_oid="1000123", school_id=school, class_id=class_id, enrolled_on=date(2026, 9, 1)
        )
        await publish_event(probe_settings, public, school_id=school)

        seen: list[str] = []
        # Each publish is confirmed (routed to every bound queue) before the next starts, so a queue
        # holds the first before the second: once the public one is here, a misrouted one would be too.
        await eventually(lambda: types_of_school(queue, school, seen))
        assert await types_of_school(queue, school, seen) == ["public.student.enrolled.v1"]
    finally:
        await broker.close()
