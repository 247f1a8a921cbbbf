"""152-ФЗ art. 14: a subject's export from the gradebook carries their marks' change history (R-25) too."""

from chassis.subject_data import exporter


async def test_the_export_holds_a_students_mark_history_and_the_teachers_changes(client, as_, make_journal, today):
    journal = await make_journal()
    school = journal.school_id
    anna, boris = journal.students
    lesson = await client.post(
        f"/schools/{school}/lessons",
        json={"course_id": str(journal.course_id), "date": today.isoformat(), "topic": "Дроби"},
        headers=as_(journal.teacher),
    )
    assert lesson.status_code == 201, lesson.text
    posted = await client.post(
        f"/schools/{school}/lessons/{lesson.json()['id']}/marks",
        json={"student_id": str(anna), "value": "5", "work_type": "answer"},
        headers=as_(journal.teacher),
    )
    assert posted.status_code == 201, posted.text
    mark_id = posted.json()["id"]
    changed = await client.patch(
        f"/schools/{school}/marks/{mark_id}", json={"value": "4"}, headers=as_(journal.teacher)
    )
    assert changed.status_code == 200, changed.text

    async def export(person_id) -> dict[str, list[dict]]:
        answer = await client.get(
            f"/internal/schools/{school}/personal-data", params={"person_id": str(person_id)}, headers=as_(exporter())
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    of_anna = await export(anna)
    assert [(c["mark_id"], c["old_value"], c["new_value"]) for c in of_anna["mark_changes"]] == [(mark_id, "5", "4")]
    of_teacher = await export(journal.teacher.person_id)
    assert [c["changed_by_name"] for c in of_teacher["mark_changes"]] == ["Иванова Мария"]
    of_boris = await export(boris)
    assert of_boris["mark_changes"] == [] and of_boris["period_mark_changes"] == []
