"""The diary orders an absence's states by the version in the event, not by the producer's clock."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from chassis.events import envelope_for
from chassis.testing import publish_event
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn

from .test_diary_api import MONDAY, TUESDAY, absence_fields, diary, lessons_of, marker_seen


async def test_absence_states_follow_their_versions_whatever_the_clocks_say(settings, client, as_, make_family):
    family = await make_family()
    first, second, corrected_by = uuid4(), uuid4(), uuid4()
    now = datetime.now(UTC)

    def at(event, minutes: int):
        return envelope_for(event, source="/tests", school_id=family.school_id).model_copy(
            update={"time": now + timedelta(minutes=minutes)}
        )

    recorded = AbsenceRecorded(**absence_fields(family, family.anna, first, MONDAY, "unexcused"), version=1)
    correction = AbsenceCorrected(
        **{
            **recorded.model_dump(),
            "reason": "ill",
            "previous_reason": "unexcused",
            "corrected_by": corrected_by,
            "version": 2,
        }
    )
    # The correction's clock is behind the record's, and it arrives first: its version still wins.
    await publish_event(settings, correction, school_id=family.school_id, envelope=at(correction, 0))
    await publish_event(settings, recorded, school_id=family.school_id, envelope=at(recorded, 5))

    mistaken = AbsenceRecorded(**absence_fields(family, family.anna, second, TUESDAY, "late"), version=1)
    withdrawal = AbsenceWithdrawn(**{**mistaken.model_dump(), "withdrawn_by": corrected_by, "version": 2})
    await publish_event(settings, withdrawal, school_id=family.school_id, envelope=at(withdrawal, 0))
    await publish_event(settings, mistaken, school_id=family.school_id, envelope=at(mistaken, 5))

    await marker_seen(settings, client, as_, family, TUESDAY)
    body = (await diary(client, as_, family, family.anna, family.anna)).json()
    absences = {le["lesson_id"]: le["absence"] for le in lessons_of(body) if le["absence"]}
    assert absences == {str(first): {"reason": "ill", "code": "Б"}}
