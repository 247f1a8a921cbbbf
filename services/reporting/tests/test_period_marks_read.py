"""Итоговые отметки in the diary's read model (R-27): shown to the family from their day, latest version kept."""

from datetime import date
from uuid import UUID, uuid4

from chassis.testing import eventually, publish_event, refused
from contracts.gradebook import PeriodMarkSet


def period_mark(
    student_id: UUID,
    *,
    class_id: UUID | None = None,
    version: int = 1,
    visible_from: date = date(2026, 10, 14),
    **entry,
) -> PeriodMarkSet:
    """A first-quarter period mark in maths (``entry`` sets the value or any other field)."""
    return PeriodMarkSet(
        period_mark_id=entry.pop("period_mark_id", uuid4()),
        version=version,
        student_id=student_id,
        assignment_id=uuid4(),
        class_id=class_id or uuid4(),
        subject_id=uuid4(),
        subject_name=entry.pop("subject_name", "Математика"),
        teacher_id=uuid4(),
        period_kind="quarter",
        period_id=uuid4(),
        period_name="1 четверть",
        starts=date(2026, 9, 1),
        ends=date(2026, 10, 25),
        visible_from=visible_from,
        set_by=uuid4(),
        **entry,
    )


async def test_the_family_sees_period_marks_from_their_day(settings, client, as_, make_family):
    family = await make_family()
    school = family.school_id
    maths = period_mark(family.anna.person_id, class_id=family.class_id, value="4")
    await publish_event(settings, maths, school_id=school)
    changed = maths.model_copy(update={"version": 2, "value": "5"})
    await publish_event(settings, changed, school_id=school)
    await publish_event(settings, maths, school_id=school)
    later = period_mark(
        family.anna.person_id,
        class_id=family.class_id,
        subject_name="Физика",
        visible_from=date(2026, 10, 17),
        value="3",
    )
    await publish_event(settings, later, school_id=school)
    url = f"/schools/{school}/students/{family.anna.person_id}/period-marks"

    async def shown_now():
        response = await client.get(url, headers=as_(family.anna_parent))
        subjects = response.json()["subjects"]
        return subjects and subjects[0]["marks"][0]["text"] == "5" and subjects

    subjects = await eventually(shown_now)
    # Физика is set but not yet shown: the family sees it from 17 October (R-27: within 3 days).
    assert [s["subject"] for s in subjects] == ["Математика"]
    assert subjects[0]["marks"][0]["period_name"] == "1 четверть"
    diary = await client.get(
        f"/schools/{school}/students/{family.anna.person_id}/diary",
        params={"start": "2026-10-19", "end": "2026-10-25"},
        headers=as_(family.anna_parent),
    )
    assert [m["text"] for m in diary.json()["period_marks"]] == ["5"]
    refused(await client.get(url, headers=as_(family.boris_parent)), 404)
