"""Period marks over HTTP (R-27): set, refused, closed and locked, reopened; checks (R-28) and forecasts (R-29)."""

from datetime import date
from uuid import uuid4

from chassis.testing import eventually, person, publish_event, refused
from contracts.attendance import AbsenceRecorded
from contracts.roster import ClassTeacherAssigned, GuardianshipEnded, GuardianshipLinked


def url(journal, period, tail=""):
    return (
        f"/schools/{journal.school_id}/courses/{journal.course_id}/periods/{period['kind']}/{period['period_id']}{tail}"
    )


async def lesson_on(client, as_, journal, day, topic="Дроби"):
    response = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "date": day.isoformat(), "topic": topic},
        headers=as_(journal.teacher),
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def mark(client, as_, journal, lesson_id, student, value, work="answer"):
    return await client.post(
        f"/schools/{journal.school_id}/lessons/{lesson_id}/marks",
        json={"student_id": str(student), "value": value, "work_type": work},
        headers=as_(journal.teacher),
    )


async def set_pm(client, as_, journal, period, student, caller=None, **body):
    return await client.put(
        url(journal, period, f"/marks/{student}"), json=body, headers=as_(caller or journal.teacher)
    )


async def test_the_period_close_flow_locks_the_journal_until_the_administrator_reopens(
    client, as_, make_journal, school_year, outbox_events
):
    journal = await make_journal()
    periods = await school_year(journal)
    q1, q2 = periods["1 четверть"], periods["2 четверть"]
    assert (q1["starts"], q1["deadline"], q1["closed"]) == ("2026-09-01", "2026-11-01", False)
    anna, boris = journal.students
    lesson = await lesson_on(client, as_, journal, date(2026, 10, 12))
    for student, value, work in ((anna, "5", "test"), (anna, "4", "answer"), (boris, "3", "answer")):
        assert (await mark(client, as_, journal, lesson, student, value, work)).status_code == 201

    sheet = (await client.get(url(journal, q1), headers=as_(journal.teacher))).json()
    first = sheet["rows"][0]
    assert (first["name"], first["marks"], first["average"], first["weighted_average"], first["forecast"]) == (
        "Абрамова Анна",
        2,
        4.5,
        4.67,
        5,
    )
    # (3 + 4) / 2 = 3.5: one 4 lifts a 3 to a 4.
    assert sheet["rows"][1]["needed"][0] == {"target": 4, "values": [4]}
    assert [f["code"] for f in first["flags"]] == ["few_marks"]

    refused(await set_pm(client, as_, journal, q1, anna, value="н/а"), 422, "не отметка")
    refused(await set_pm(client, as_, journal, q2, anna, value="5"), 422, "ставить рано")
    refused(await set_pm(client, as_, journal, q1, anna, caller=person(journal.school_id, "teacher"), value="5"), 403)
    refused(
        await client.post(url(journal, q1, "/close"), headers=as_(journal.teacher)), 422, "нет итоговой отметки у 2"
    )
    set_anna = await set_pm(client, as_, journal, q1, anna, value="5")
    assert set_anna.status_code == 200, set_anna.text
    assert (set_anna.json()["text"], set_anna.json()["visible_from"]) == ("5", "2026-10-17")
    assert (await set_pm(client, as_, journal, q1, boris, not_attested_reason="Пропуски по болезни")).json()[
        "text"
    ] == "не аттестован"
    changed = await set_pm(client, as_, journal, q1, boris, value="3")
    assert changed.json()["version"] == 2

    closed = await client.post(url(journal, q1, "/close"), headers=as_(journal.teacher))
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed"] is True
    refused(await client.post(url(journal, q1, "/close"), headers=as_(journal.teacher)), 409, "уже закрыт")
    # The journal of the closed quarter no longer changes: marks, lessons, period marks.
    refused(await mark(client, as_, journal, lesson, boris, "4", "test"), 409, "закрыт", slug="period-closed")
    mark_id = (
        await client.get(
            f"/schools/{journal.school_id}/courses/{journal.course_id}/lessons", headers=as_(journal.teacher)
        )
    ).json()[0]["marks"][0]["id"]
    patch = await client.patch(
        f"/schools/{journal.school_id}/marks/{mark_id}", json={"value": "2"}, headers=as_(journal.teacher)
    )
    refused(patch, 409, slug="period-closed")
    refused(
        await client.post(
            f"/schools/{journal.school_id}/lessons",
            json={"course_id": str(journal.course_id), "date": "2026-10-13", "topic": "Повторение"},
            headers=as_(journal.teacher),
        ),
        409,
        slug="period-closed",
    )
    refused(await set_pm(client, as_, journal, q1, boris, value="4"), 409, slug="period-closed")

    admin = person(journal.school_id, "school_admin")
    refused(
        await client.post(url(journal, q1, "/reopen"), json={"reason": "Ошибка"}, headers=as_(journal.teacher)), 403
    )
    reopened = await client.post(url(journal, q1, "/reopen"), json={"reason": "Исправить отметку"}, headers=as_(admin))
    assert reopened.status_code == 200 and reopened.json()["closed"] is False
    assert (await mark(client, as_, journal, lesson, boris, "4", "test")).status_code == 201
    log = (await client.get(url(journal, q1, "/log"), headers=as_(admin))).json()
    assert [(e["action"], e["reason"]) for e in log] == [("close", None), ("reopen", "Исправить отметку")]

    events = [e["type"] for e in await outbox_events(journal.school_id)]
    assert events.count("gradebook.period_mark.set.v1") == 3
    assert events.index("gradebook.period.closed.v1") < events.index("gradebook.period.reopened.v1")
    closed_event = next(e for e in await outbox_events(journal.school_id) if e["type"] == "gradebook.period.closed.v1")
    assert closed_event["data"]["starts"] == "2026-09-01" and closed_event["data"]["version"] == 1


async def test_no_attestation_subjects_and_the_extension_regime(client, as_, make_journal, school_year, move_today):
    journal = await make_journal()
    q1 = (await school_year(journal))["1 четверть"]
    anna, boris = journal.students
    admin = person(journal.school_id, "school_admin")
    exemption = await client.post(
        f"/schools/{journal.school_id}/courses/{journal.course_id}/exemptions",
        json={"student_id": str(boris), "reason": "Освобождён по заключению врача"},
        headers=as_(admin),
    )
    assert exemption.status_code == 201, exemption.text
    refused(await set_pm(client, as_, journal, q1, boris, value="5"), 422, "не аттестуется")

    policy = await client.put(
        f"/schools/{journal.school_id}/period-policy", json={"non_attestation": "extended"}, headers=as_(admin)
    )
    assert policy.json()["rules"]["non_attestation"] == "extended"
    refused(await set_pm(client, as_, journal, q1, anna, not_attested_reason="болезнь"), 422, "продление срока")
    extended = await set_pm(client, as_, journal, q1, anna, extended_to="2026-11-20")
    assert extended.json()["text"] == "продлено до 20.11.2026"
    assert (await client.post(url(journal, q1, "/close"), headers=as_(journal.teacher))).status_code == 200
    # The extended term stays open after the close, until its date (000 §5.3).
    move_today(date(2026, 11, 20))
    late = await set_pm(client, as_, journal, q1, anna, value="4")
    assert late.status_code == 200 and late.json()["late_days"] == 19
    refused(await set_pm(client, as_, journal, q1, anna, value="5"), 409, slug="period-closed")


async def test_grade_two_has_no_marks_nor_homework_in_the_first_half_year(client, as_, make_journal, school_year):
    journal = await make_journal(grade=2)
    await school_year(journal, grade=2)
    lesson = await lesson_on(client, as_, journal, date(2026, 10, 12))
    refused(await mark(client, as_, journal, lesson, journal.students[0], "5"), 422, "втором классе в первом полугодии")
    homework = await client.post(
        f"/schools/{journal.school_id}/lessons",
        json={"course_id": str(journal.course_id), "date": "2026-10-13", "topic": "Счёт", "homework": "№ 5"},
        headers=as_(journal.teacher),
    )
    refused(homework, 422, "домашние задания не задаются")
    admin = person(journal.school_id, "school_admin")
    await client.put(
        f"/schools/{journal.school_id}/period-policy", json={"marks_in_grade_2_first_half": True}, headers=as_(admin)
    )
    assert (await mark(client, as_, journal, lesson, journal.students[0], "5")).status_code == 201


async def test_late_marks_and_attestation_risks_for_the_deputy(
    settings, client, as_, make_journal, school_year, move_today
):
    journal = await make_journal()
    q1 = (await school_year(journal))["1 четверть"]
    anna, boris = journal.students
    lessons = [await lesson_on(client, as_, journal, date(2026, 10, day)) for day in (5, 6, 7)]
    for lesson in lessons[:2]:
        await publish_event(
            settings,
            AbsenceRecorded(
                absence_id=uuid4(),
                lesson_id=lesson,
                student_id=boris,
                class_id=journal.class_id,
                subject_name="Математика",
                date=date(2026, 10, 5),
                reason="ill",
                version=1,
            ),
            school_id=journal.school_id,
        )
    # A test written on 5 October and marked on the 14th: two days past the 7-day deadline.
    assert (await mark(client, as_, journal, lessons[0], anna, "4", "test")).status_code == 201
    deputy = person(journal.school_id, "deputy")
    late = (await client.get(f"/schools/{journal.school_id}/late-entries", headers=as_(deputy))).json()
    assert [(e["kind"], e["student_name"], e["teacher_name"], e["days_late"]) for e in late] == [
        ("mark", "Абрамова Анна", None, 2)
    ]
    assert late[0]["what"] == "4 (Контрольная работа)"
    refused(await client.get(f"/schools/{journal.school_id}/late-entries", headers=as_(journal.teacher)), 403)

    async def boris_flagged():
        response = await client.get(
            f"/schools/{journal.school_id}/attestation-risks",
            params={"period_id": q1["period_id"]},
            headers=as_(deputy),
        )
        rows = {r["name"]: [f["code"] for f in r["flags"]] for r in response.json()}
        return rows.get("Яковлев Борис") == ["few_marks", "missed_half"] and rows

    rows = await eventually(boris_flagged)
    assert rows["Абрамова Анна"] == ["few_marks"]


async def test_forecasts_for_the_family_and_the_class_teacher(settings, client, as_, make_journal, school_year):
    journal = await make_journal()
    await school_year(journal)
    anna, boris = journal.students
    lesson = await lesson_on(client, as_, journal, date(2026, 10, 12))
    await mark(client, as_, journal, lesson, anna, "4")
    parent, class_teacher = person(journal.school_id, "guardian"), person(journal.school_id, "class_teacher")
    await publish_event(
        settings,
        GuardianshipLinked(guardian_id=parent.person_id, student_id=anna, relation="мать"),
        school_id=journal.school_id,
    )
    await publish_event(
        settings,
        ClassTeacherAssigned(class_id=journal.class_id, class_name="5А", teacher_id=class_teacher.person_id, version=1),
        school_id=journal.school_id,
    )

    async def family_reads():
        response = await client.get(f"/schools/{journal.school_id}/students/{anna}/forecast", headers=as_(parent))
        return response.status_code == 200 and response.json()

    forecast = await eventually(family_reads)
    course = forecast["courses"][0]
    assert (course["subject_name"], course["period"]["name"], course["forecast"]) == ("Математика", "1 четверть", 4)
    assert course["needed"] == [{"target": 5, "values": [5]}]
    refused(await client.get(f"/schools/{journal.school_id}/students/{boris}/forecast", headers=as_(parent)), 404)

    async def class_list():
        response = await client.get(
            f"/schools/{journal.school_id}/classes/{journal.class_id}/forecast", headers=as_(class_teacher)
        )
        return response.status_code == 200 and response.json()

    listed = await eventually(class_list)
    assert listed["due_from"] == "2026-10-15"
    assert [(s["name"], [c["forecast"] for c in s["courses"]]) for s in listed["students"]] == [
        ("Абрамова Анна", [4]),
        ("Яковлев Борис", [None]),
    ]
    refused(
        await client.get(
            f"/schools/{journal.school_id}/classes/{journal.class_id}/forecast", headers=as_(journal.teacher)
        ),
        403,
    )


async def test_the_school_policy_refuses_what_the_rules_do_not_allow(client, as_, make_journal):
    journal = await make_journal()
    admin = person(journal.school_id, "school_admin")
    policy_url = f"/schools/{journal.school_id}/period-policy"
    refused(await client.put(policy_url, json={"forecast_threshold": 30}, headers=as_(admin)), 422, "от 50 до 99")
    refused(await client.put(policy_url, json={"family_delay_days": 0}, headers=as_(journal.teacher)), 403)
    read = (await client.get(policy_url, headers=as_(journal.teacher))).json()
    assert read["rules"]["forecast_threshold"] == 50 and read["updated_at"] is None


async def test_a_column_of_period_marks_is_saved_whole_or_not_at_all(
    client, as_, make_journal, school_year, outbox_events
):
    journal = await make_journal()
    q1 = (await school_year(journal))["1 четверть"]
    anna, boris = journal.students
    column = url(journal, q1, "/marks")
    bad = await client.put(
        column,
        json={"marks": [{"student_id": str(anna), "value": "5"}, {"student_id": str(boris), "value": "н/а"}]},
        headers=as_(journal.teacher),
    )
    body = refused(bad, 422, "исправьте отмеченные строки")
    assert [(e["row"], "не отметка" in e["detail"]) for e in body["errors"]] == [(1, True)]
    assert not [e for e in await outbox_events(journal.school_id) if e["type"] == "gradebook.period_mark.set.v1"]
    twice = await client.put(
        column,
        json={"marks": [{"student_id": str(anna), "value": "5"}, {"student_id": str(anna), "value": "4"}]},
        headers=as_(journal.teacher),
    )
    assert refused(twice, 422)["errors"][0]["detail"] == "Обучающийся указан в столбце дважды."
    saved = await client.put(
        column,
        json={"marks": [{"student_id": str(anna), "value": "5"}, {"student_id": str(boris), "value": "4"}]},
        headers=as_(journal.teacher),
    )
    assert saved.status_code == 200, saved.text
    assert sorted(m["text"] for m in saved.json()) == ["4", "5"]
    assert (await client.post(url(journal, q1, "/close"), headers=as_(journal.teacher))).status_code == 200


# A single mark reads its rules in one statement on every request (nothing cached): a change of any of them binds
# the very next mark, so no mark slips past a period just closed, a narrower edit window, a changed
# вид работы or a subject made зачёт/незачёт a moment before.
async def test_every_rule_a_single_mark_reads_binds_the_next_mark_at_once(client, as_, make_journal, school_year):
    journal = await make_journal()
    school, (anna, boris) = journal.school_id, journal.students
    admin = person(school, "school_admin")
    q1 = (await school_year(journal))["1 четверть"]
    # Today is 14 October: a lesson of 5 October is 9 days back, inside the default two weeks.
    lesson = await lesson_on(client, as_, journal, date(2026, 10, 5))
    assert (await mark(client, as_, journal, lesson, anna, "5", "test")).status_code == 201

    # a week's window from now on.
    narrower = await client.put(f"/schools/{school}/policy", json={"edit_window": "7d"}, headers=as_(admin))
    assert narrower.status_code == 200, narrower.text
    refused(await mark(client, as_, journal, lesson, anna, "4", "answer"), 422, "Окно редактирования закрыто")
    await client.put(f"/schools/{school}/policy", json={"edit_window": "14d"}, headers=as_(admin))

    # the weight the administrator sets is the next mark's.
    kinds = [{"code": "answer", "title": "Ответ", "weight": 1.5}, {"code": "test", "title": "Контрольная", "weight": 2}]
    assert (await client.put(f"/schools/{school}/work-types", json=kinds, headers=as_(admin))).status_code == 200
    answer = await mark(client, as_, journal, lesson, anna, "4", "answer")
    assert answer.status_code == 201 and answer.json()["weight"] == 1.5

    # The subject assessed зачёт/незачёт: a digit is no longer a mark of it.
    pass_fail_url = f"/schools/{school}/pass-fail-subjects"
    made = await client.put(pass_fail_url, json={"subject_ids": [str(journal.subject_id)]}, headers=as_(admin))
    assert made.status_code == 200, made.text
    refused(await mark(client, as_, journal, lesson, boris, "5", "answer"), 422, "Предмет оценивается зачётом")
    assert (await client.put(pass_fail_url, json={"subject_ids": []}, headers=as_(admin))).status_code == 200

    # closed, the quarter takes no mark from the next request on; reopened, it takes one at once.
    for student in (anna, boris):
        assert (await set_pm(client, as_, journal, q1, student, value="5")).status_code == 200
    assert (await client.post(url(journal, q1, "/close"), headers=as_(journal.teacher))).status_code == 200
    refused(await mark(client, as_, journal, lesson, boris, "4", "test"), 409, slug="period-closed")
    reopened = await client.post(url(journal, q1, "/reopen"), json={"reason": "Исправить"}, headers=as_(admin))
    assert reopened.status_code == 200
    assert (await mark(client, as_, journal, lesson, boris, "4", "test")).status_code == 201


async def test_a_guardianship_ended_closes_the_childs_forecast_to_the_former_guardian(
    settings, client, as_, make_journal, school_year
):
    """R-4: access ends in every service; gradebook's copy of the tie goes with roster's ending."""
    journal = await make_journal()
    await school_year(journal)
    anna = journal.students[0]
    parent = person(journal.school_id, "guardian")
    linked = GuardianshipLinked(guardian_id=parent.person_id, student_id=anna, relation="мать")
    await publish_event(settings, linked, school_id=journal.school_id)
    forecast = f"/schools/{journal.school_id}/students/{anna}/forecast"

    async def reads(status: int) -> bool:
        return (await client.get(forecast, headers=as_(parent))).status_code == status

    assert await eventually(lambda: reads(200))
    ended = GuardianshipEnded(
        guardian_id=parent.person_id, student_id=anna, ended_on=date(2026, 10, 20), reason="решение суда"
    )
    await publish_event(settings, ended, school_id=journal.school_id)
    assert await eventually(lambda: reads(404))
