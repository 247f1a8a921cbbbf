"""Which logged operations of a compromise list (R-3) each service undoes, and one word for each operation."""

from uuid import uuid4

from gateway.domain.compromise import RevertTarget, describe, operation_outcome, revert_target

SCHOOL, LESSON, MARK = uuid4(), uuid4(), uuid4()


def test_writes_of_marks_and_absences_go_to_their_owner_named_by_lesson_or_mark():
    marks = f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}/marks"
    assert revert_target("POST", marks) == RevertTarget("gradebook", SCHOOL, {"lesson_id": str(LESSON)})
    assert revert_target("PUT", marks) == RevertTarget("gradebook", SCHOOL, {"lesson_id": str(LESSON)})
    changed = f"/api/v1/gradebook/schools/{SCHOOL}/marks/{MARK}"
    assert revert_target("PATCH", changed) == RevertTarget("gradebook", SCHOOL, {"mark_id": str(MARK)})
    edited = f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}"
    assert revert_target("PATCH", edited) == RevertTarget("gradebook", SCHOOL, {"edited_lesson_id": str(LESSON)})
    absences = f"/api/v1/attendance/schools/{SCHOOL}/lessons/{LESSON}/absences?x=1"
    assert revert_target("POST", absences) == RevertTarget("attendance", SCHOOL, {"lesson_id": str(LESSON)})


def test_reads_other_writes_and_look_alike_paths_are_not_undone_here():
    assert revert_target("GET", f"/api/v1/gradebook/schools/{SCHOOL}/marks/{MARK}") is None
    assert revert_target("DELETE", f"/api/v1/gradebook/schools/{SCHOOL}/marks/{MARK}") is None
    assert revert_target("POST", f"/api/v1/gradebook/schools/{SCHOOL}/lessons") is None
    # A lesson recorded under the account stays (NOT_REVERTIBLE says what to do); its deletion is not an edit.
    assert revert_target("POST", f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}") is None
    assert revert_target("DELETE", f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}") is None
    assert revert_target("POST", f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}/marks/extra") is None
    assert revert_target("PATCH", f"/api/v1/gradebook/schools/{SCHOOL}/marks/{'-' * 36}") is None
    assert revert_target("POST", f"/api/v1/roster/schools/{SCHOOL}/lessons/{LESSON}/marks") is None


def test_a_refusal_or_a_later_change_is_what_the_operation_shows():
    assert operation_outcome([]) == "nothing_to_revert"
    assert operation_outcome(["reverted", "already_reverted"]) == "reverted"
    assert operation_outcome(["reverted", "changed_since"]) == "changed_since"
    assert operation_outcome(["changed_since", "refused", "reverted"]) == "refused"
    assert operation_outcome(["already_reverted"]) == "already_reverted"


def test_an_operation_is_described_in_russian_not_by_its_path():
    assert describe("POST", f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}/marks") == "Поставлена отметка"
    assert describe("PATCH", f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}") == (
        "Изменены тема или домашнее задание урока"
    )
    assert describe("PATCH", f"/api/v1/gradebook/schools/{SCHOOL}/marks/{MARK}/work-type") == (
        "Изменён вид работы отметки"
    )
    absences = f"/api/v1/attendance/schools/{SCHOOL}/lessons/{LESSON}/absences?x=1"
    assert describe("POST", absences) == "Отмечен пропуск урока"
    # Anything else by the access log's words: the action and the part of the journal; a login by its way in.
    assert describe("GET", f"/api/v1/diary/{LESSON}") == "Просмотр: дневник"
    assert describe("LOGIN", "/auth/esia") == "Вход в систему: через Госуслуги"
    assert describe("GET", f"/api/v1/gradebook/schools/{SCHOOL}/lessons/{LESSON}/marks") == (
        "Просмотр: журнал и отметки"
    )
