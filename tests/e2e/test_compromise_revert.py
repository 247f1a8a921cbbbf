"""R-3 end to end: a teacher's account is reported compromised; the school's administrator picks operations from its
list and the gateway has each undone by the service that owns it — a mark posted under the account is deleted in the
gradebook with the reason in its change log; a lesson's record is left to be corrected by hand; a second revert does
nothing more; the access log holds both. The teacher is one of the test's own: a compromise ends her sessions, and
the browser tests keep the demo people's."""

import asyncio
from datetime import UTC, datetime, timedelta

from devstack.browser import Browser, LoginFailed, esia_account
from devstack.stack import Stack

ADMIN_OID = "1000006"


async def test_the_administrator_reverts_chosen_operations_once(stack: Stack, demo_school):
    teacher, admin = Browser(stack.url("gateway")), Browser(stack.url("gateway"))
    try:
        await admin.login(ADMIN_OID)
        school = admin.school_of("school_admin")
        roster = f"/roster/schools/{school}"
        teacher_id, oid = await esia_account(stack, admin, school, "Громова", "Вера")
        await admin.api("POST", f"{roster}/staff-roles", json={"person_id": teacher_id, "role": "teacher"})
        history = next(s for s in (await admin.api("GET", f"{roster}/subjects")).json() if s["name"] == "История")
        five_a = next(c for c in (await admin.api("GET", f"{roster}/classes")).json() if c["name"] == "5А")
        load = {"teacher_id": teacher_id, "subject_id": history["id"], "class_id": five_a["id"]}
        assert (await admin.api("POST", f"{roster}/assignments", json=load)).status_code == 201
        for _ in range(100):  # the gateway hears of her role within milliseconds
            try:
                await teacher.login(oid)
                break
            except LoginFailed:
                await asyncio.sleep(0.1)
        since = datetime.now(UTC)
        for _ in range(100):  # gradebook hears of the new course within milliseconds
            courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
            if course := next((c for c in courses if c["teacher_id"] == teacher_id), None):
                break
            await asyncio.sleep(0.1)
        assert course is not None, "gradebook has the teacher's course"
        body = {"course_id": course["id"], "date": stack.today().isoformat(), "topic": "Проверка отмены"}
        lesson = await teacher.api("POST", f"/gradebook/schools/{school}/lessons", json=body)
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
        recorded = by_call[("POST", f"/api/v1/gradebook/schools/{school}/lessons")]

        unknown = 2**63 - 1
        chosen = {"operations": [posted, recorded, unknown]}
        reverted = await admin.api("POST", f"/compromise/{person}/revert", json=chosen)
        assert reverted.status_code == 200, reverted.text
        answer = {o["id"]: o for o in reverted.json()}
        assert answer[posted]["outcome"] == "reverted"
        assert [(r["id"], r["outcome"]) for r in answer[posted]["records"]] == [(mark.json()["id"], "reverted")]
        assert answer[recorded]["outcome"] == "not_revertible"
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

        again = await admin.api("POST", f"/compromise/{person}/revert", json={"operations": [posted]})
        assert [(o["outcome"], o["records"]) for o in again.json()] == [("nothing_to_revert", [])]
        # The log is written by the database's clock; the stack's journal runs on a pinned day: the real days.
        days = [(datetime.now(UTC) + timedelta(days=d)).date().isoformat() for d in (-1, 1)]
        query = {"person_id": admin.me["person_id"], "about_id": person, "start": days[0], "end": days[1]}
        audited = (await admin.api("GET", f"/schools/{school}/access-log", params=query)).json()["entries"]
        assert [e["method"] for e in audited if e["path"] == f"/api/v1/compromise/{person}/revert"] == ["POST", "POST"]
    finally:
        await admin.api("DELETE", f"/compromise/{teacher.me['person_id']}")
        await teacher.close()
        await admin.close()
