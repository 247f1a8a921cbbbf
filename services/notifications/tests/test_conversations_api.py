"""Internal mail (R-50) over HTTP: the rules fed by roster's events, read receipts, search, the class letter,
moderation, and a new message by e-mail to a parent who chose it (R-51)."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from chassis.auth import Caller
from chassis.testing import eventually, person, publish_event, refused
from contracts.roster import (
    AssignmentCreated,
    ClassTeacherAssigned,
    GuardianshipLinked,
    PersonRegistered,
    StaffRoleGranted,
    StudentEnrolled,
)

DAY = date(2026, 9, 1)


@dataclass
class School:
    id: UUID
    class_id: UUID
    director: Caller
    class_teacher: Caller
    teacher: Caller
    #: A teacher of another class only.
    other_teacher: Caller
    anna: Caller
    boris: Caller
    mother: Caller
    father: Caller
    #: Борис's mother: another family.
    other_parent: Caller
    email: str


async def arrived(value):
    return value


async def make_school(settings, client, as_) -> School:
    school_id, class_id = uuid4(), uuid4()
    director = person(school_id, "director", name="Директорова Дарья")
    class_teacher = person(school_id, "teacher", "class_teacher", name="Классная Клавдия")
    teacher = person(school_id, "teacher", name="Математиков Михаил")
    other_teacher = person(school_id, "teacher", name="Чужой Чеслав")
    anna, boris = person(school_id, "student", name="Абрамова Анна"), person(school_id, "student", name="Борисов Борис")
    mother = person(school_id, "guardian", name="Абрамова Мария")
    father = person(school_id, "guardian", name="Абрамов Павел")
    other_parent = person(school_id, "guardian", name="Борисова Вера")
    email = f"mother-{uuid4().hex[:8]}@mail.ru"
    saved = await client.put(
        f"/schools/{school_id}/notification-preferences",
        json={"email_address": email, "phone": None, "channels": {"message": ["email"]}, "digest": False},
        headers=as_(mother),
    )
    assert saved.status_code == 200, saved.text
    people = (director, class_teacher, teacher, other_teacher, anna, boris, mother, father, other_parent)
    events = [
        PersonRegistered(person_id=p.person_id, last_name=p.name.split()[0], first_name=p.name.split()[1])
        for p in people
    ]
    events += [
        StaffRoleGranted(person_id=director.person_id, role="director"),
        *(StaffRoleGranted(person_id=t.person_id, role="teacher") for t in (class_teacher, teacher, other_teacher)),
        StudentEnrolled(student_id=anna.person_id, class_id=class_id, class_name="5А", enrolled_on=DAY),
        StudentEnrolled(student_id=boris.person_id, class_id=class_id, class_name="5А", enrolled_on=DAY),
        GuardianshipLinked(guardian_id=mother.person_id, student_id=anna.person_id, relation="мать"),
        GuardianshipLinked(guardian_id=father.person_id, student_id=anna.person_id, relation="отец"),
        GuardianshipLinked(guardian_id=other_parent.person_id, student_id=boris.person_id, relation="мать"),
        AssignmentCreated(
            assignment_id=uuid4(),
            teacher_id=teacher.person_id,
            subject_id=uuid4(),
            subject_name="Математика",
            class_id=class_id,
            class_name="5А",
        ),
        ClassTeacherAssigned(class_id=class_id, class_name="5А", teacher_id=class_teacher.person_id, version=1),
    ]
    for event in events:
        await publish_event(settings, event, school_id=school_id)
    school = School(school_id, class_id, director, class_teacher, teacher, other_teacher, anna, boris, mother, father,
                    other_parent, email)  # fmt: skip

    async def replicated() -> bool:
        names = {c["name"] for c in await contacts(client, as_, school, mother)}
        return {"Классная Клавдия", "Математиков Михаил"} <= names

    await eventually(replicated)
    return school


async def contacts(client, as_, school: School, caller: Caller, q: str | None = None) -> list[dict]:
    params = {"q": q} if q else {}
    response = await client.get(f"/schools/{school.id}/conversations/contacts", params=params, headers=as_(caller))
    assert response.status_code == 200, response.text
    return response.json()


async def write(
    client, as_, school: School, sender: Caller, recipients: list[Caller], body: str = "Здравствуйте!", **extra
):
    payload = {"recipients": [str(r.person_id) for r in recipients], "subject": "Контрольная", "body": body, **extra}
    return await client.post(f"/schools/{school.id}/conversations", json=payload, headers=as_(sender))


async def unread(client, as_, school: School, caller: Caller) -> dict:
    response = await client.get(f"/schools/{school.id}/notifications/unread-count", headers=as_(caller))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_picker_offers_only_whom_the_rules_allow(settings, client, as_):
    school = await make_school(settings, client, as_)
    mother = {c["name"]: c["role"] for c in await contacts(client, as_, school, school.mother)}
    # Her daughter's teachers, class teacher, the administration and her own family; not Борис's family.
    assert mother == {
        "Директорова Дарья": "директор",
        "Классная Клавдия": "классный руководитель, учитель",
        "Математиков Михаил": "учитель",
        "Абрамова Анна": "обучающийся",
        "Абрамов Павел": "родитель",
    }
    assert [c["name"] for c in await contacts(client, as_, school, school.anna)] == [
        "Абрамов Павел",
        "Абрамова Мария",
        "Классная Клавдия",
        "Математиков Михаил",
    ]
    # Staff write to anyone; the search narrows by name.
    assert [c["name"] for c in await contacts(client, as_, school, school.other_teacher, q="борис")] == [
        "Борисов Борис",
        "Борисова Вера",
    ]


async def test_a_forbidden_recipient_is_answered_as_nobody(settings, client, as_):
    school = await make_school(settings, client, as_)
    other_family = refused(await write(client, as_, school, school.mother, [school.other_parent]), 404)
    stranger = refused(await write(client, as_, school, school.mother, [person(school.id, "guardian")]), 404)
    assert other_family["detail"] == stranger["detail"] == "Получатель не найден."
    refused(await write(client, as_, school, school.anna, [school.other_teacher]), 404, "Получатель не найден.")
    # The director reads only (§1): receives, and writes nothing.
    refused(await write(client, as_, school, school.director, [school.mother]), 403, "только читает")
    assert await contacts(client, as_, school, school.director) == []
    # A teacher may write to both families, but not in one conversation where each would see the other.
    refused(
        await write(client, as_, school, school.teacher, [school.mother, school.other_parent]),
        422,
        "напишите каждой семье отдельно",
    )


async def test_a_conversation_with_receipts_unread_counts_and_search(settings, app, client, as_, sandbox):
    school = await make_school(settings, client, as_)
    started = await write(
        client,
        as_,
        school,
        school.teacher,
        [school.mother, school.father],
        "Анна не сдала контрольную работу по дробям.",
        attachments=[{"ref": "files/2026/kr-5a.pdf", "name": "Контрольная.pdf", "size": 120_000}],
    )
    assert started.status_code == 201, started.text
    conversation = started.json()
    assert [m["name"] for m in conversation["members"]] == ["Абрамов Павел", "Абрамова Мария", "Математиков Михаил"]
    [first] = conversation["messages"]
    assert first["attachments"] == [{"ref": "files/2026/kr-5a.pdf", "name": "Контрольная.pdf", "size": 120_000}]
    assert first["read_by"] == []
    assert await unread(client, as_, school, school.mother) == {"unread": 1, "notifications": 0, "messages": 1}
    assert (await unread(client, as_, school, school.teacher))["unread"] == 0

    # The mother chose e-mail for messages: the letter says who wrote and what.
    await eventually(lambda: arrived(sandbox.mail.to(school.email)))
    [letter] = sandbox.mail.to(school.email)
    assert letter.parsed()["Subject"] == "Новое сообщение: Контрольная"
    assert "Математиков Михаил: Анна не сдала контрольную работу по дробям." in letter.text()

    url = f"/schools/{school.id}/conversations/{conversation['id']}"
    assert (await client.post(f"{url}/read", headers=as_(school.mother))).json() == {"marked": 1}
    answer = await client.post(f"{url}/messages", json={"body": "Пересдаст в пятницу."}, headers=as_(school.mother))
    assert answer.status_code == 201, answer.text
    shown = (await client.get(url, headers=as_(school.teacher))).json()
    assert [r["name"] for r in shown["messages"][0]["read_by"]] == ["Абрамова Мария"]
    assert shown["unread"] == 1
    [listed] = (await client.get(f"/schools/{school.id}/conversations", headers=as_(school.father))).json()
    assert listed["unread"] == 2

    # Search by a word in any form (Russian stemming) and by the subject; others' conversations stay hidden.
    found = await client.get(f"/schools/{school.id}/conversations", params={"q": "дробь"}, headers=as_(school.father))
    assert [c["id"] for c in found.json()] == [conversation["id"]]
    nothing = await client.get(
        f"/schools/{school.id}/conversations", params={"q": "сочинение"}, headers=as_(school.father)
    )
    assert nothing.json() == []
    refused(await client.get(url, headers=as_(school.other_parent)), 404, "Переписка не найдена.")
    refused(
        await client.post(f"{url}/messages", json={"body": "Я тоже"}, headers=as_(school.other_parent)),
        404,
        "Переписка не найдена.",
    )

    # «Отметить все как прочитанные» reads the messages too: one counter, one button.
    read_all = await client.post(f"/schools/{school.id}/notifications/read-all", headers=as_(school.father))
    assert read_all.json() == {"marked": 2}
    assert (await unread(client, as_, school, school.father))["unread"] == 0


async def test_oversized_and_empty_messages_and_attachments_are_refused(settings, client, as_):
    school = await make_school(settings, client, as_)
    refused(await write(client, as_, school, school.mother, [school.teacher], "я" * 10_001), 422, "слишком длинное")
    refused(await write(client, as_, school, school.mother, [school.teacher], "   "), 422, "Сообщение пустое")
    huge = [{"ref": "files/video", "name": "Видео.mp4", "size": 200 * 1024 * 1024}]
    refused(
        await write(client, as_, school, school.mother, [school.teacher], attachments=huge), 422, "«Видео.mp4» больше"
    )
    # Nothing of a refused message was kept.
    assert (await client.get(f"/schools/{school.id}/conversations", headers=as_(school.mother))).json() == []


async def test_the_class_letter_reaches_each_family_apart(settings, client, as_):
    school = await make_school(settings, client, as_)
    # A late copy of an older class-teacher assignment changes nothing (the replica keeps the higher version);
    # a newcomer registered after it on the same queue shows that it was handled.
    stale = ClassTeacherAssigned(
        class_id=school.class_id, class_name="5А", teacher_id=school.teacher.person_id, version=1
    )
    newcomer = person(school.id, "student", name="Новикова Нина")
    for event in (
        stale,
        PersonRegistered(person_id=newcomer.person_id, last_name="Новикова", first_name="Нина"),
        StudentEnrolled(student_id=newcomer.person_id, class_id=school.class_id, class_name="5А", enrolled_on=DAY),
    ):
        await publish_event(settings, event, school_id=school.id)

    async def newcomer_known() -> bool:
        return any(c["name"] == "Новикова Нина" for c in await contacts(client, as_, school, school.teacher))

    await eventually(newcomer_known)
    letter = {"class_id": str(school.class_id), "subject": "Итоги недели", "body": "Неделя прошла хорошо."}
    refused(
        await client.post(f"/schools/{school.id}/class-letters", json=letter, headers=as_(school.teacher)),
        403,
        "классный руководитель",
    )
    sent = await client.post(f"/schools/{school.id}/class-letters", json=letter, headers=as_(school.class_teacher))
    assert sent.status_code == 201, sent.text
    assert sent.json()["families"] == 2
    assert sent.json()["parents"] == 3
    for parent, family in (
        (school.mother, {"Абрамов Павел", "Абрамова Мария"}),
        (school.other_parent, {"Борисова Вера"}),
    ):
        [conversation] = (await client.get(f"/schools/{school.id}/conversations", headers=as_(parent))).json()
        assert {m["name"] for m in conversation["members"]} == family | {"Классная Клавдия"}
        assert conversation["unread"] == 1
    assert len((await client.get(f"/schools/{school.id}/conversations", headers=as_(school.class_teacher))).json()) == 2


async def test_the_administration_hides_a_message_and_the_log_keeps_it(settings, client, as_):
    school = await make_school(settings, client, as_)
    started = (await write(client, as_, school, school.mother, [school.teacher, school.director], "Грубость")).json()
    message_id = started["messages"][0]["id"]
    admin = person(school.id, "school_admin")
    hide = f"/schools/{school.id}/messages/{message_id}/hide"
    refused(
        await client.post(hide, json={"reason": "Грубость"}, headers=as_(school.teacher)), 403, "администратор школы"
    )
    hidden = await client.post(hide, json={"reason": "Оскорбление учителя"}, headers=as_(admin))
    assert hidden.status_code == 200, hidden.text
    refused(await client.post(hide, json={"reason": "Ещё раз"}, headers=as_(admin)), 409, "уже скрыто")
    shown = (
        await client.get(f"/schools/{school.id}/conversations/{started['id']}", headers=as_(school.teacher))
    ).json()
    [message] = shown["messages"]
    assert (message["hidden"], message["body"], message["attachments"]) == (True, "", [])
    assert (await unread(client, as_, school, school.teacher))["messages"] == 0
    log = (await client.get(f"/schools/{school.id}/moderation-log", headers=as_(admin))).json()
    assert [(e["message_id"], e["reason"], e["moderator_id"]) for e in log] == [
        (message_id, "Оскорбление учителя", str(admin.person_id))
    ]
    refused(await client.get(f"/schools/{school.id}/moderation-log", headers=as_(school.director)), 403)
