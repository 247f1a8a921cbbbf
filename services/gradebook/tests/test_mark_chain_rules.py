"""The mark-change log's chain (R-25): any edit, removal or swap of a sealed entry is found, and where."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from chassis.chain import GENESIS
from gradebook.domain.audit_chain import ChangeEntry, first_broken, seal

SCHOOL = uuid4()


def chained(count: int = 4) -> list[tuple[ChangeEntry, str]]:
    entries, previous = [], GENESIS
    for number in range(1, count + 1):
        entry = ChangeEntry(
            id=uuid4(),
            school_id=SCHOOL,
            seal_no=number,
            mark_id=uuid4(),
            lesson_id=uuid4(),
            action="value",
            changed_by=uuid4(),
            changed_by_name="Иванова Мария",
            changed_at=datetime(2026, 10, 14, 9, number, tzinfo=UTC),
            old_value="3",
            new_value="4",
            reason=None,
        )
        previous = seal(previous, entry)
        entries.append((entry, previous))
    return entries


def test_an_untouched_chain_is_intact():
    assert first_broken(chained()) is None
    assert first_broken([]) is None


def test_an_edited_entry_is_named():
    entries = chained()
    for change in (
        {"new_value": "5"},
        {"old_value": "2"},
        {"changed_by_name": "Петров Сергей"},
        {"changed_at": entries[2][0].changed_at + timedelta(microseconds=1)},
        {"reason": ""},
        {"mark_id": None},
        {"action": "work_type"},
    ):
        tampered = list(entries)
        tampered[2] = (replace(entries[2][0], **change), entries[2][1])
        assert first_broken(tampered) == tampered[2][0], change


def test_a_removed_or_swapped_entry_is_found_where_it_was():
    entries = chained()
    assert first_broken(entries[:1] + entries[2:]) == entries[2][0]
    # Renumbered to hide the gap, the next seal still does not follow.
    renumbered = [entries[0], *((replace(e, seal_no=e.seal_no - 1), s) for e, s in entries[2:])]
    assert first_broken(renumbered) == renumbered[1][0]
    swapped = [entries[0], entries[2], entries[1], entries[3]]
    assert first_broken(swapped) == entries[2][0]
    # A seal recomputed for an edited entry breaks the next one: the chain cannot be patched in the middle.
    edited = replace(entries[1][0], new_value="5")
    patched = [entries[0], (edited, seal(entries[0][1], edited)), *entries[2:]]
    assert first_broken(patched) == entries[2][0]
