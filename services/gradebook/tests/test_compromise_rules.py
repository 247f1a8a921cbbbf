"""What undoing a compromised account's writes of a mark means (R-3, R-25): pure rules."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from chassis.auth import REVERT_REASON
from gradebook.domain.compromise import Delete, Kept, Restore, Write, revert_plan

SINCE = datetime(2026, 12, 1, 9, tzinfo=UTC)
THIEF, TEACHER, ADMIN = uuid4(), uuid4(), uuid4()
BEFORE, AFTER, LATER = SINCE - timedelta(hours=1), SINCE + timedelta(hours=1), SINCE + timedelta(hours=2)


def write(by, at, old, reason=None, action="value"):
    return Write(by, at, action, old, reason)


def test_a_mark_posted_under_the_account_and_touched_by_it_alone_is_deleted():
    assert revert_plan(THIEF, SINCE, THIEF, AFTER, []) == Delete()
    assert revert_plan(THIEF, SINCE, THIEF, SINCE, []) == Delete()
    assert revert_plan(THIEF, SINCE, THIEF, AFTER, [write(THIEF, LATER, "2")]) == Delete()


def test_the_accounts_own_writes_before_the_moment_and_others_marks_are_not_its_to_undo():
    assert revert_plan(THIEF, SINCE, THIEF, BEFORE, []) is None
    assert revert_plan(THIEF, SINCE, TEACHER, AFTER, [write(TEACHER, LATER, "5")]) is None
    assert revert_plan(THIEF, SINCE, THIEF, BEFORE, [write(THIEF, BEFORE, "4")]) is None


def test_changes_under_the_account_go_back_to_the_value_before_them():
    writes = [write(TEACHER, BEFORE, "3"), write(THIEF, AFTER, "5"), write(THIEF, LATER, "2")]
    assert revert_plan(THIEF, SINCE, TEACHER, BEFORE, writes) == Restore("5")


def test_a_later_change_by_someone_else_wins():
    assert revert_plan(THIEF, SINCE, THIEF, AFTER, [write(TEACHER, LATER, "2")]) == Kept("changed_since")
    writes = [write(THIEF, AFTER, "5"), write(TEACHER, LATER, "2")]
    assert revert_plan(THIEF, SINCE, TEACHER, BEFORE, writes) == Kept("changed_since")


def test_only_the_writes_after_the_last_legitimate_one_are_undone():
    # Posted under the account, corrected by a colleague, changed again under the account: the colleague's value.
    writes = [write(TEACHER, AFTER, "2"), write(THIEF, LATER, "4")]
    assert revert_plan(THIEF, SINCE, THIEF, AFTER, writes) == Restore("4")


def test_a_second_undo_finds_its_first_and_writes_nothing():
    writes = [write(THIEF, AFTER, "5"), write(ADMIN, LATER, "2", REVERT_REASON)]
    assert revert_plan(THIEF, SINCE, TEACHER, BEFORE, writes) == Kept("already_reverted")


def test_a_work_type_changed_under_the_account_is_left_for_hand():
    writes = [write(THIEF, AFTER, "answer", action="work_type")]
    assert revert_plan(THIEF, SINCE, TEACHER, BEFORE, writes) == Kept("refused")
    # A colleague's later change of the вид работы wins over a posting under the account.
    writes = [write(TEACHER, LATER, "answer", action="work_type")]
    assert revert_plan(THIEF, SINCE, THIEF, AFTER, writes) == Kept("changed_since")


def test_a_lessons_field_edited_under_the_account_gets_back_the_value_before_its_edits():
    writes = [write(TEACHER, BEFORE, "Дроби", action="topic"), write(THIEF, AFTER, "Десятичные дроби", action="topic")]
    writes.append(write(THIEF, LATER, "Чушь", action="topic"))
    assert revert_plan(THIEF, SINCE, None, None, writes, action="topic") == Restore("Десятичные дроби")
    # Homework the lesson did not have before the account's edit is emptied again.
    assert revert_plan(THIEF, SINCE, None, None, [write(THIEF, AFTER, None, action="homework")], action="homework") == (
        Restore(None)
    )


def test_a_lesson_is_never_deleted_by_undoing_its_fields():
    # Recorded under the account and edited by it alone: the record stays, with its first values.
    writes = [write(THIEF, AFTER, "Дроби", action="topic")]
    assert revert_plan(THIEF, SINCE, None, None, writes, action="topic") == Restore("Дроби")
    assert revert_plan(THIEF, SINCE, None, None, [], action="topic") is None


def test_a_lessons_field_changed_since_by_a_colleague_or_reverted_already_is_kept():
    writes = [write(THIEF, AFTER, "Дроби", action="topic"), write(TEACHER, LATER, "Чушь", action="topic")]
    assert revert_plan(THIEF, SINCE, None, None, writes, action="topic") == Kept("changed_since")
    writes = [write(THIEF, AFTER, "Дроби", action="topic"), write(ADMIN, LATER, "Чушь", REVERT_REASON, "topic")]
    assert revert_plan(THIEF, SINCE, None, None, writes, action="topic") == Kept("already_reverted")
    before = [write(THIEF, BEFORE, "Дроби", action="topic")]
    assert revert_plan(THIEF, SINCE, None, None, before, action="topic") is None
