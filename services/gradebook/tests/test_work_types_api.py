"""The school's виды работ and pass/fail subjects over HTTP (R-22): set by the administrator, used by marks."""

from chassis.testing import person, refused


async def test_the_administrator_sets_the_list_and_marks_follow_it(client, as_, make_journal, today):
    journal = await make_journal()
    school = journal.school_id
    admin = person(school, "school_admin")
    url = f"/schools/{school}/work-types"
    default = await client.get(url, headers=as_(journal.teacher))
    assert [k["code"] for k in default.json()][:2] == ["answer", "homework"]

    essay = {"code": "essay", "title": "Сочинение", "weight": 2.5}
    refused(await client.put(url, json=[essay], headers=as_(journal.teacher)), 403)
    chosen = await client.put(
        url,
        json=[
            {"code": "answer", "title": "Устный ответ", "weight": 1.0},
            essay,
            {"code": "credit", "title": "Зачёт", "weight": 0.0, "pass_fail": True},
        ],
        headers=as_(admin),
    )
    assert chosen.status_code == 200, chosen.text
    assert [
        (k["code"], k["title"], k["weight"], k["pass_fail"])
        for k in (await client.get(url, headers=as_(journal.teacher))).json()
    ] == [
        ("answer", "Устный ответ", 1.0, False),
        ("essay", "Сочинение", 2.5, False),
        ("credit", "Зачёт", 0.0, True),
    ]

    body = {"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Сочинение"}
    lesson = (await client.post(f"/schools/{school}/lessons", json=body, headers=as_(journal.teacher))).json()
    marks_url = f"/schools/{school}/lessons/{lesson['id']}/marks"
    student = str(journal.students[0])
    unknown = await client.post(
        marks_url, json={"student_id": student, "value": "5", "work_type": "test"}, headers=as_(journal.teacher)
    )
    refused(unknown, 422, "Неизвестный вид работы «test». Допустимые: answer, essay, credit.")
    mark = await client.post(
        marks_url, json={"student_id": student, "value": "5", "work_type": "essay"}, headers=as_(journal.teacher)
    )
    assert (mark.json()["weight"], mark.json()["work_type"]) == (2.5, "essay")

    dropped = await client.put(url, json=[{"code": "answer", "title": "Ответ", "weight": 1.0}], headers=as_(admin))
    refused(dropped, 422, "По видам работ essay уже выставлены отметки")
    assert [k["code"] for k in (await client.get(url, headers=as_(admin))).json()] == ["answer", "essay", "credit"]


async def test_a_pass_fail_subject_takes_zach_for_every_work_type(client, as_, make_journal, today):
    journal = await make_journal()
    school = journal.school_id
    admin = person(school, "school_admin")
    url = f"/schools/{school}/pass-fail-subjects"
    refused(
        await client.put(url, json={"subject_ids": [str(journal.course_id)]}, headers=as_(admin)),
        422,
        "Не все предметы",
    )
    refused(await client.put(url, json={"subject_ids": [str(journal.subject_id)]}, headers=as_(journal.teacher)), 403)
    assert (
        await client.put(url, json={"subject_ids": [str(journal.subject_id)]}, headers=as_(admin))
    ).status_code == 200
    assert (await client.get(url, headers=as_(journal.teacher))).json() == [str(journal.subject_id)]

    body = {"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Физкультура"}
    lesson = (await client.post(f"/schools/{school}/lessons", json=body, headers=as_(journal.teacher))).json()
    marks_url = f"/schools/{school}/lessons/{lesson['id']}/marks"
    student = str(journal.students[0])
    five = await client.post(
        marks_url, json={"student_id": student, "value": "5", "work_type": "answer"}, headers=as_(journal.teacher)
    )
    refused(five, 422, "Предмет оценивается зачётом")
    passed = await client.post(
        marks_url, json={"student_id": student, "value": "зач", "work_type": "answer"}, headers=as_(journal.teacher)
    )
    assert passed.status_code == 201 and passed.json()["value"] == "зач"
