"""R-3 end to end: a teacher's account is reported compromised; the school's administrator picks operations from its
list and the gateway has each undone by the service that owns it — a mark posted under the account is deleted in the
gradebook with the reason in its change log; a lesson's topic and homework edited under it come back, in the family's
diary too; a lesson recorded under it is left to be corrected by hand; a second revert does nothing more; the access
log holds both. The teacher is one of the test's own: a compromise ends her sessions, and the browser tests keep the
demo people's."""

import asyncio
import time
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from devstack.browser import Browser, new_teacher
from devstack.stack import Stack

ADMIN_OID, PARENT_OID = "1000006", "1000002"
#: How long the test looks for the diary to follow (a loaded machine may starve the test itself).
PATIENCE_SECONDS = 20.0


async def test_the_administrator_reverts_chosen_operations_once(stack: Stack, demo_school):
    admin, parent = Browser(stack.url("gateway")), Browser(stack.url("gateway"))
    teacher = None
    try:
        await admin.login(ADMIN_OID)
        school = admin.school_of("school_admin")
        teacher, course = await new_teacher(stack, admin, school, ("Громова", "Вера"), "История", "5А")
        lessons_url = f"/gradebook/schools/{school}/lessons"
        # Her lesson of before the moment: its topic and homework are hers.
        topic, homework = f"Древний Египет ({str(uuid4().int)[:6]})", "§ 5, вопросы 1–3"
        day = stack.today().isoformat()
        body = {"course_id": course["id"], "date": day, "topic": topic, "homework": homework}
        earlier = await teacher.api("POST", lessons_url, json=body)
        assert earlier.status_code == 201, earlier.text
        edited_url = f"{lessons_url}/{earlier.json()['id']}"
        since = datetime.now(UTC)
        edit = await teacher.api("PATCH", edited_url, json={"topic": "Чужая тема", "homework": "Чужое задание"})
        assert edit.status_code == 200, edit.text
        body = {"course_id": course["id"], "date": day, "topic": "Проверка отмены"}
        lesson = await teacher.api("POST", lessons_url, json=body)
        assert lesson.status_code == 201, lesson.text
        pupil = (await teacher.api("GET", f"/gradebook/schools/{school}/courses/{course['id']}/students")).json()[0]
        marks_url = f"/gradebook/schools/{school}/lessons/{lesson.json()['id']}/marks"
        mark = await teacher.api(
            "POST", marks_url, json={"student_id": pupil["student_id"], "value": "2", "work_type": "answer"}
        )
        assert mark.status_code == 201, mark.text

        person = teacher.me["person_id"]
        reported = await admin.api("POST", "/compromise", json={"person_id": person, "since": since.isoformat()})
        assert reported.status_code == 201, reported.text
        listed = (await admin.api("GET", f"/compromise/{person}/operations")).json()["operations"]
        by_call = {(o["method"], o["path"]): o["id"] for o in listed}
        posted = by_call[("POST", f"/api/v1{marks_url}")]
        recorded = by_call[("POST", f"/api/v1{lessons_url}")]
        edited = by_call[("PATCH", f"/api/v1{edited_url}")]
        shown = {o["id"]: (o["description"], o["revertible"]) for o in listed}
        assert shown[edited] == ("Изменены тема или домашнее задание урока", True)
        assert shown[recorded] == ("Записан урок", False)

        unknown = 2**63 - 1
        chosen = {"operations": [posted, recorded, edited, unknown]}
        reverted = await admin.api("POST", f"/compromise/{person}/revert", json=chosen)
        assert reverted.status_code == 200, reverted.text
        answer = {o["id"]: o for o in reverted.json()}
        assert answer[posted]["outcome"] == "reverted"
        assert [(r["id"], r["outcome"]) for r in answer[posted]["records"]] == [(mark.json()["id"], "reverted")]
        assert answer[recorded]["outcome"] == "not_revertible"
        assert answer[edited]["outcome"] == "reverted"
        assert [r["detail"] for r in answer[edited]["records"]] == [
            f"Тема урока снова «{topic}».",
            f"Домашнее задание снова «{homework}».",
        ]
        assert (answer[unknown]["outcome"], answer[unknown]["detail"]) == (
            "refused",
            "Этой операции нет в списке действий под учётной записью.",
        )
        log = (await admin.api("GET", f"/gradebook/schools/{school}/corrections")).json()
        [undone] = [r for r in log if r["mark_id"] == mark.json()["id"]]
        assert (undone["action"], undone["reason"], undone["changed_by"]) == (
            "mark_deleted",
            "Отмена действий под скомпрометированной учётной записью",
            admin.me["person_id"],
        )

        again = await admin.api("POST", f"/compromise/{person}/revert", json={"operations": [posted, edited]})
        assert [(o["outcome"], len(o["records"])) for o in again.json()] == [
            ("nothing_to_revert", 0),
            ("already_reverted", 2),
        ]

        # The family's diary follows the gradebook's event: the lesson reads as the teacher left it.
        await parent.login(PARENT_OID)
        [child] = (await parent.api("GET", "/diary")).json()
        started = time.monotonic()
        while True:
            diary = (await parent.api("GET", f"/diary/{child['student_id']}", params={"start": day, "end": day})).json()
            shown = [
                (x["topic"], x["homework"])
                for d in diary["days"]
                for x in d["lessons"]
                if x["lesson_id"] == earlier.json()["id"]
            ]
            if shown == [(topic, homework)]:
                break
            assert time.monotonic() - started < PATIENCE_SECONDS, shown
            await asyncio.sleep(0.05)
        # The log is written by the database's clock; the stack's journal runs on a pinned day: the real days.
        days = [(datetime.now(UTC) + timedelta(days=d)).date().isoformat() for d in (-1, 1)]
        query = {"person_id": admin.me["person_id"], "about_id": person, "start": days[0], "end": days[1]}
        audited = (await admin.api("GET", f"/schools/{school}/access-log", params=query)).json()["entries"]
        assert [e["method"] for e in audited if e["path"] == f"/api/v1/compromise/{person}/revert"] == ["POST", "POST"]
    finally:
        if teacher is not None:
            await admin.api("DELETE", f"/compromise/{teacher.me['person_id']}")
            await teacher.close()
        await admin.close()
        await parent.close()
