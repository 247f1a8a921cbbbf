"""Replicas order states by the aggregate's version in the event, not by the producer's clock."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from attendance.models import ClassTeacher
from chassis.events import envelope_for
from chassis.testing import eventually, publish_event
from contracts.roster import ClassTeacherAssigned

from .test_replicas import handled, replica


async def test_a_higher_assignment_version_wins_even_with_an_earlier_clock(app, settings, client):
    school, class_id, first, second = uuid4(), uuid4(), uuid4(), uuid4()
    now = datetime.now(UTC)
    assigned = ClassTeacherAssigned(class_id=class_id, class_name="5А", teacher_id=first, version=1)
    replaced = ClassTeacherAssigned(
        class_id=class_id, class_name="5А", teacher_id=second, previous_teacher_id=first, version=2
    )
    # The replacing host's clock runs behind: its event says it happened earlier.
    earlier = envelope_for(replaced, source="/roster", school_id=school).model_copy(update={"time": now})
    later = envelope_for(assigned, source="/roster", school_id=school).model_copy(
        update={"time": now + timedelta(minutes=5)}
    )
    await publish_event(settings, replaced, school_id=school, envelope=earlier)
    await eventually(lambda: handled(app, earlier))
    await publish_event(settings, assigned, school_id=school, envelope=later)
    await eventually(lambda: handled(app, later))

    stored = await replica(app, school, ClassTeacher, class_id)
    assert (stored.teacher_id, stored.version) == (second, 2)
