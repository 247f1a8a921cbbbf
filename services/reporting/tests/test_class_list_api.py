"""The class teacher's class list with parents (R-1), fed by roster's events."""

from chassis.testing import eventually, person, publish_event
from contracts.roster import PersonRegistered


async def test_the_class_teacher_reads_the_class_with_its_parents_and_nobody_else_does(
    settings, client, as_, make_family
):
    family = await make_family()
    await publish_event(
        settings,
        PersonRegistered(person_id=family.anna_parent.person_id, last_name="Абрамова", first_name="Ольга"),
        school_id=family.school_id,
    )
    url = f"/schools/{family.school_id}/classes/{family.class_id}/students"

    async def parent_named() -> bool:
        answer = await client.get(url, headers=as_(family.class_teacher))
        return answer.status_code == 200 and answer.json()[0]["guardians"][0]["name"] == "Абрамова Ольга"

    await eventually(parent_named)
    listed = (await client.get(url, headers=as_(family.class_teacher))).json()
    assert [(s["name"], [(g["name"], g["relation"]) for g in s["guardians"]]) for s in listed] == [
        ("Абрамова Анна", [("Абрамова Ольга", "мать")]),
        # Roster has not told the name of Борис's father yet: he is listed, unnamed.
        ("Яковлев Борис", [(None, "отец")]),
    ]
    director = person(family.school_id, "director")
    assert (await client.get(url, headers=as_(director))).status_code == 200

    other_teacher = person(family.school_id, "teacher", "class_teacher")
    for stranger in (family.anna_parent, family.anna, other_teacher):
        refused = await client.get(url, headers=as_(stranger))
        assert refused.status_code == 404
        assert refused.json()["detail"] == "Класс не найден."
