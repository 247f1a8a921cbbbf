"""The year's mark-change report (R-25): what each entry of gradebook's log is called, and whether the log holds."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reporting.domain.mark_changes import ChainState, LoggedChange, action_title, chain_note


def test_the_mark_change_reports_note_says_whether_the_log_holds():
    moscow = ZoneInfo("Europe/Moscow")
    at = datetime(2026, 10, 14, 9, 30, tzinfo=UTC)
    change = LoggedChange(
        at, "Иванова Мария", "value", "2", "4", None, None, "5А", "Математика", "Петров Алексей", None
    )
    assert (
        chain_note(ChainState(3, True, None, None), [], moscow) == "Журнал изменений не нарушен: проверено записей — 3."
    )
    assert "Ещё не опечатано — 1" in chain_note(ChainState(3, True, None, None), [change], moscow)
    broken = chain_note(ChainState(3, False, 2, at), [change], moscow)
    assert "№ 2 от 14.10.2026 12:30" in broken and "цепочка нарушена" in broken
    assert action_title("lesson_moved") == "урок перенесён" and action_title("value") == "отметка изменена"


def test_a_broken_chain_without_its_time_and_an_unknown_action():
    assert chain_note(ChainState(3, False, 2, None), [], ZoneInfo("Europe/Moscow")) == (
        "Внимание: запись журнала изменений № 2 изменена или удалена после записи — "
        "цепочка нарушена, обратитесь к администратору безопасности."
    )
    assert action_title("period_mark") == "изменение"
