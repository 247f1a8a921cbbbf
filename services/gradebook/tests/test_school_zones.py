"""Every "today" of a school is its own local date (issue 8): the journal follows roster's zones."""

from datetime import UTC, date, datetime

from chassis.clock import Clock
from chassis.testing import eventually, publish_event
from contracts.roster import SchoolRegistered, SchoolSettingsChanged

#: 15:30 UTC: already 01:30 of the 15th in Владивосток (UTC+10), still 17:30 of the 14th in Калининград (UTC+2).
INSTANT = datetime(2026, 10, 14, 15, 30, tzinfo=UTC)
VLADIVOSTOK_TODAY = date(2026, 10, 15)


async def test_a_lesson_of_vladivostoks_today_is_tomorrow_in_kaliningrad(app, client, as_, settings, make_journal):
    journal = await make_journal()
    pinned, app.state.clock = app.state.clock, Clock.starting_at(INSTANT)
    try:
        await lessons_follow_the_zone(client, as_, settings, journal)
    finally:
        app.state.clock = pinned


async def lessons_follow_the_zone(client, as_, settings, journal):
    registered = SchoolRegistered(
        school_id=journal.school_id,
        name="МАОУ СОШ № 7",
        short_name="СОШ № 7",
        municipality="Калининград",
        timezone="Europe/Kaliningrad",
    )
    await publish_event(settings, registered, school_id=journal.school_id)
    body = {"course_id": str(journal.course_id), "date": VLADIVOSTOK_TODAY.isoformat(), "topic": "Дроби"}
    url = f"/schools/{journal.school_id}/lessons"

    async def refused_as_future() -> bool:
        response = await client.post(url, json=body, headers=as_(journal.teacher))
        return response.status_code == 422 and "будущей датой" in response.json()["detail"]

    await eventually(refused_as_future)
    moved = SchoolSettingsChanged(school_id=journal.school_id, version=1, timezone="Asia/Vladivostok", days_per_week=5)
    await publish_event(settings, moved, school_id=journal.school_id)

    async def recorded() -> bool:
        response = await client.post(url, json=body, headers=as_(journal.teacher))
        return response.status_code == 201

    await eventually(recorded)
