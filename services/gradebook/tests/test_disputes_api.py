"""Disputes of a mark (004 app.8): the family within 3 days, the teacher answers, both kept."""

from datetime import date, timedelta

from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import GuardianshipLinked


async def marked(client, as_, journal, day):
    school = journal.school_id
    body = {"course_id": str(journal.course_id), "date": day.isoformat(), "topic": "Дроби"}
    lesson = (await client.post(f"/schools/{school}/lessons", json=body, headers=as_(journal.teacher))).json()
    mark = await client.post(
        f"/schools/{school}/lessons/{lesson['id']}/marks",
        json={"student_id": str(journal.students[0]), "value": "2", "work_type": "answer"},
        headers=as_(journal.teacher),
    )
    return mark.json()


async def linked_parent(settings, client, as_, journal):
    parent = person(journal.school_id, "guardian", name="Абрамова Ольга")
    event = GuardianshipLinked(guardian_id=parent.person_id, student_id=journal.students[0], relation="мать")
    await publish_event(settings, event, school_id=journal.school_id)

    async def known():
        url = f"/schools/{journal.school_id}/students/{journal.students[0]}/disputes"
        return (await client.get(url, headers=as_(parent))).status_code == 200

    await eventually(known)
    return parent


async def test_a_parent_disputes_and_the_teacher_answers(settings, client, as_, make_journal, today):
    journal = await make_journal()
    school = journal.school_id
    mark = await marked(client, as_, journal, today)
    parent = await linked_parent(settings, client, as_, journal)
    url = f"/schools/{school}/marks/{mark['id']}/disputes"

    refused(await client.post(url, json={"text": " "}, headers=as_(parent)), 422, "Напишите, что не так с отметкой")
    stranger = person(school, "guardian")
    refused(await client.post(url, json={"text": "ошибка"}, headers=as_(stranger)), 404, "Отметка не найдена.")
    raised = await client.post(url, json={"text": "Сын ответил у доски на 4"}, headers=as_(parent))
    assert raised.status_code == 201, raised.text
    dispute = raised.json()
    assert (dispute["mark_value"], dispute["raised_by_name"], dispute["answer"]) == ("2", "Абрамова Ольга", None)

    answer_url = f"/schools/{school}/disputes/{dispute['id']}/answer"
    refused(await client.post(answer_url, json={"answer": "нет"}, headers=as_(person(school, "teacher"))), 403)
    answered = await client.post(answer_url, json={"answer": "Проверю по записям урока"}, headers=as_(journal.teacher))
    assert answered.status_code == 200, answered.text
    assert (answered.json()["answer"], answered.json()["answered_by_name"]) == (
        "Проверю по записям урока",
        "Иванова Мария",
    )
    refused(await client.post(answer_url, json={"answer": "ещё"}, headers=as_(journal.teacher)), 409, "уже дан ответ")

    course_list = await client.get(
        f"/schools/{school}/courses/{journal.course_id}/disputes", headers=as_(journal.teacher)
    )
    assert [d["id"] for d in course_list.json()] == [dispute["id"]]
    family = await client.get(f"/schools/{school}/students/{journal.students[0]}/disputes", headers=as_(parent))
    assert [d["answer"] for d in family.json()] == ["Проверю по записям урока"]
    refused(await client.get(f"/schools/{school}/students/{journal.students[0]}/disputes", headers=as_(stranger)), 404)


async def test_the_student_disputes_within_three_days_and_not_after(client, as_, make_journal, today, move_today):
    journal = await make_journal()
    school = journal.school_id
    mark = await marked(client, as_, journal, today)
    student = person(school, "student")
    student = type(student)(person_id=journal.students[0], name="Абрамова Анна", school_roles=student.school_roles)
    url = f"/schools/{school}/marks/{mark['id']}/disputes"

    move_today(today + timedelta(days=4))
    late = await client.post(url, json={"text": "Я отвечал на 4"}, headers=as_(student))
    last = today + timedelta(days=3)
    refused(late, 422, f"до {last:%d.%m.%Y} включительно")
    family = f"/schools/{school}/students/{journal.students[0]}/disputes"
    assert (await client.get(family, headers=as_(student))).json() == []

    move_today(last)
    assert (await client.post(url, json={"text": "Я отвечал на 4"}, headers=as_(student))).status_code == 201
    assert isinstance(
        date.fromisoformat((await client.get(family, headers=as_(student))).json()[0]["lesson_date"]), date
    )
