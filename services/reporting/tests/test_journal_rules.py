"""The journal page (R-64) and the journal as it stood at a moment, from the states of its records."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from reporting.domain.journal import JournalAbsence, JournalLesson, JournalMark, as_of, journal_page
from reporting.domain.sheets import ClassStudent

ANNA, BORIS = ClassStudent(uuid4(), "Абрамова Анна"), ClassStudent(uuid4(), "Яковлев Борис")
FIRST = JournalLesson(uuid4(), date(2026, 10, 5), "Дроби", "№ 12")
SECOND = JournalLesson(uuid4(), date(2026, 10, 6), "Сложение дробей", None)


def test_the_page_shows_marks_and_absence_codes_by_lesson_date():
    page = journal_page(
        [BORIS, ANNA],
        [SECOND, FIRST],
        [
            JournalMark(FIRST.lesson_id, ANNA.student_id, "5"),
            JournalMark(FIRST.lesson_id, ANNA.student_id, "4"),
            JournalMark(SECOND.lesson_id, BORIS.student_id, "3"),
            JournalMark(uuid4(), BORIS.student_id, "2"),  # another subject's lesson
        ],
        [JournalAbsence(SECOND.lesson_id, BORIS.student_id, "late")],
        period_marks={ANNA.student_id: "5"},
    )
    assert [lesson.date.day for lesson in page.lessons] == [5, 6]
    anna, boris = page.rows
    assert anna.cells == {FIRST.lesson_id: "5 4"} and anna.average == 4.5 and anna.period_mark == "5"
    assert boris.cells == {SECOND.lesson_id: "О 3"} and boris.average == 3.0 and boris.period_mark is None


@dataclass(frozen=True)
class Told:
    mark_id: UUID
    version: int
    at: datetime
    value: str


def test_as_of_takes_each_records_last_state_told_by_then():
    mark = uuid4()
    states = [
        Told(mark, 1, datetime(2026, 10, 5, 9, tzinfo=UTC), "3"),
        Told(mark, 2, datetime(2026, 10, 7, 9, tzinfo=UTC), "4"),
        Told(uuid4(), 1, datetime(2026, 10, 8, 9, tzinfo=UTC), "5"),
    ]

    def seen(moment: datetime) -> list[str]:
        found = as_of(states, moment, key=lambda s: s.mark_id, told_at=lambda s: s.at, version=lambda s: s.version)
        return sorted(s.value for s in found)

    assert seen(datetime(2026, 10, 4, tzinfo=UTC)) == []
    assert seen(datetime(2026, 10, 6, tzinfo=UTC)) == ["3"]
    assert seen(datetime(2026, 10, 7, 9, tzinfo=UTC)) == ["4"]
    assert seen(datetime(2026, 10, 9, tzinfo=UTC)) == ["4", "5"]
    # A change that arrived out of order still loses to the higher version told earlier.
    late_copy = [*states, Told(mark, 1, datetime(2026, 10, 8, tzinfo=UTC), "3")]
    found = as_of(
        late_copy,
        datetime(2026, 10, 9, tzinfo=UTC),
        key=lambda s: s.mark_id,
        told_at=lambda s: s.at,
        version=lambda s: s.version,
    )
    assert sorted(s.value for s in found) == ["4", "5"]


def test_as_of_reads_states_in_any_order():
    mark = uuid4()
    states = [
        Told(mark, 2, datetime(2026, 10, 7, 9, tzinfo=UTC), "4"),
        Told(mark, 1, datetime(2026, 10, 5, 9, tzinfo=UTC), "3"),
    ]
    found = as_of(
        states,
        datetime(2026, 10, 6, tzinfo=UTC),
        key=lambda s: s.mark_id,
        told_at=lambda s: s.at,
        version=lambda s: s.version,
    )
    assert [s.value for s in found] == ["3"]


def test_lessons_of_one_day_and_namesakes_keep_a_stable_order():
    lessons = [JournalLesson(UUID(int=n), date(2026, 10, 5), "Дроби", None) for n in (2, 1)]
    twins = [ClassStudent(UUID(int=n), "Иванов Иван") for n in (4, 3)]
    page = journal_page(twins, lessons, [], [])
    assert [lesson.lesson_id for lesson in page.lessons] == [UUID(int=1), UUID(int=2)]
    assert [row.student for row in page.rows] == twins[::-1]
