"""Roster's leaving events over the real broker (R-16, R-62): a student who left the school or their class is on
none of the class's lists from the day they left, on the lists of the days before it still, in any order."""

from datetime import date
from uuid import uuid4

from chassis.testing import eventually, person, publish_event
from contracts.roster import PersonRegistered, StudentEnrolled, StudentLeftClass, StudentLeftSchool

LEFT = date(2026, 10, 10)


async def test_a_student_who_left_leaves_the_class_lists_from_that_day(settings, client, as_, make_family):
    f = await make_family()
    school = f"/schools/{f.school_id}"
    admin = person(f.school_id, "school_admin", name="Кузнецова Ольга")
    # Борис leaves the school on 10 October (roster ends his enrolment in 5А too). Вера's leaving 5А on 5 October
    # comes before the enrolment it ends, and that enrolment, coming after it, does not bring her back; her name
    # comes last, so a list that names her has seen all of it.
    vera = uuid4()
    for event in [
        StudentLeftClass(student_id=f.boris.person_id, class_id=f.class_id, class_name="5А", left_on=LEFT),
        StudentLeftSchool(student_id=f.boris.person_id, left_on=LEFT, order_number="12-в", reason="переезд"),
        StudentLeftClass(student_id=vera, class_id=f.class_id, class_name="5А", left_on=date(2026, 10, 5)),
        StudentEnrolled(student_id=vera, class_id=f.class_id, class_name="5А", enrolled_on=date(2026, 9, 1)),
        PersonRegistered(person_id=vera, last_name="Волкова", first_name="Вера"),
    ]:
        await publish_event(settings, event, school_id=f.school_id)

    async def names(url: str, **params: str) -> list[str]:
        response = await client.get(f"{school}/{url}", params=params, headers=as_(admin))
        assert response.status_code == 200, response.text
        return [row[1] for row in response.json()["rows"]]

    async def class_list() -> list[str | None]:
        response = await client.get(f"{school}/classes/{f.class_id}/students", headers=as_(f.class_teacher))
        return [student["name"] for student in response.json()]

    activity = f"classes/{f.class_id}/reports/diary-activity"

    async def left() -> bool:
        # A week's list is the class at its end: on 4 October Борис and Вера were still in it.
        before = await names(activity, start="2026-09-28", end="2026-10-04")
        return before == ["Абрамова Анна", "Волкова Вера", "Яковлев Борис"]

    await eventually(left)
    assert await class_list() == ["Абрамова Анна"]
    # On 9 October Вера had left, Борис not yet; the week to the test clock's day (14 October): Анна alone.
    assert await names(activity, start="2026-10-03", end="2026-10-09") == ["Абрамова Анна", "Яковлев Борис"]
    assert await names(activity) == ["Абрамова Анна"]
    # A month's attendance keeps everyone who was in the class during it: October's has all three, November's not.
    attendance = f"classes/{f.class_id}/reports/attendance"
    assert await names(attendance, month="2026-10") == ["Абрамова Анна", "Волкова Вера", "Яковлев Борис"]
    assert await names(attendance, month="2026-11") == ["Абрамова Анна"]
    whole = await client.get(f"{school}/reports/diary-activity", headers=as_(admin))
    # One student, one family, neither seen in the diary.
    assert whole.json()["rows"] == [["5А", 1, 0, 1, 1, 0]]

    # Вера comes back to 5А on 12 October: a new enrolment, later than her leaving.
    enrolled = StudentEnrolled(student_id=vera, class_id=f.class_id, class_name="5А", enrolled_on=date(2026, 10, 12))
    await publish_event(settings, enrolled, school_id=f.school_id)

    async def back() -> bool:
        return await class_list() == ["Абрамова Анна", "Волкова Вера"]

    await eventually(back)
