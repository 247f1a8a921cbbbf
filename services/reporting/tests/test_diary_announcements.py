"""R-53: the school's and the class's announcements in the diary, replicated from notifications' events."""

from datetime import date
from uuid import uuid4

from chassis.testing import eventually, publish_event
from contracts.notifications import AnnouncementPublished

from .test_diary_api import WEEK, diary


def announcement(family, title: str, starts_on: date, ends_on: date, class_id=None) -> AnnouncementPublished:
    return AnnouncementPublished(
        announcement_id=uuid4(),
        class_id=class_id,
        title=title,
        text=f"{title}: подробности у классного руководителя.",
        starts_on=starts_on,
        ends_on=ends_on,
        author_id=uuid4(),
    )


async def test_the_week_shows_the_schools_and_the_own_classs_announcements(settings, client, as_, make_family):
    family = await make_family()
    for event in (
        announcement(family, "Родительское собрание", date(2026, 11, 25), date(2026, 11, 25), family.class_id),
        announcement(family, "День открытых дверей", date(2026, 11, 20), date(2026, 11, 23)),
        # Another class's, and one of another week: not in this week of Анна's diary.
        announcement(family, "Экскурсия 9Б", date(2026, 11, 24), date(2026, 11, 24), uuid4()),
        announcement(family, "Каникулы", date(2026, 12, 28), date(2027, 1, 8)),
    ):
        await publish_event(settings, event, school_id=family.school_id)

    async def shown() -> list[dict] | None:
        body = (await diary(client, as_, family, family.anna_parent, family.anna, **WEEK)).json()
        return body["announcements"] if len(body["announcements"]) == 2 else None

    found = await eventually(shown)
    assert [(a["title"], a["starts_on"], a["ends_on"], a["class_id"]) for a in found] == [
        ("День открытых дверей", "2026-11-20", "2026-11-23", None),
        ("Родительское собрание", "2026-11-25", "2026-11-25", str(family.class_id)),
    ]
    assert found[1]["text"] == "Родительское собрание: подробности у классного руководителя."
