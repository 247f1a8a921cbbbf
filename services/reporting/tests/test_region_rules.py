"""The region's figures with drill-down (R-61, R-66): the same formulas at every level."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID, uuid4

import pytest

from chassis.auth import Caller
from chassis.problems import Invalid, NotFound
from reporting.domain.region import (
    Drill,
    LevelCount,
    RegionFigures,
    drill,
    level_figures,
    parallel_title,
    readable_schools,
)

SCHOOL_1, SCHOOL_2, SCHOOL_3 = uuid4(), uuid4(), uuid4()


@dataclass(frozen=True)
class PeriodMarkFact:
    """One period mark where it stands: the oracle's input, counted one by one (the API counts in SQL)."""

    municipality: str
    school_id: UUID
    school_name: str
    grade: int
    subject: str
    value: str
    count: int = 1


def region_figures(facts: Iterable[PeriodMarkFact], where: Drill) -> RegionFigures:
    """The figures of the marks ``where`` selects, in total and per row of the next level, one mark at a time."""

    def key(fact: PeriodMarkFact) -> tuple[str, str]:
        return {
            "municipality": (fact.municipality, fact.municipality),
            "school": (str(fact.school_id), fact.school_name),
            "parallel": (str(fact.grade), parallel_title(fact.grade)),
            "subject": (fact.subject, fact.subject),
        }[where.level]

    held = (
        fact
        for fact in facts
        if where.municipality in (None, fact.municipality)
        and where.school_id in (None, fact.school_id)
        and where.grade in (None, fact.grade)
    )
    return level_figures(where.level, (LevelCount(*key(fact), fact.value, fact.count) for fact in held))


def facts() -> list[PeriodMarkFact]:
    # School 1 holds DOMAIN.md's worked example in 5th-grade maths: 5, 4, 4, 3, 2.
    worked = [PeriodMarkFact("Центральный район", SCHOOL_1, "Школа № 1", 5, "Математика", v) for v in "54432"]
    return [
        *worked,
        PeriodMarkFact("Центральный район", SCHOOL_1, "Школа № 1", 6, "Математика", "5"),
        PeriodMarkFact("Центральный район", SCHOOL_2, "Гимназия № 2", 5, "Математика", "н/а"),
        PeriodMarkFact("Заречный район", SCHOOL_3, "Школа № 3", 9, "Физика", "3"),
    ]


def test_region_level_by_municipality():
    figures = region_figures(facts(), drill(None, None, None))
    assert figures.level == "municipality"
    assert [r.title for r in figures.rows] == ["Заречный район", "Центральный район"]
    assert figures.total is not None and figures.total.students == 8
    assert figures.rows[1].indicators.students == 7


def test_drill_down_to_the_worked_example():
    school = region_figures(facts(), drill("Центральный район", None, None))
    assert [(r.title, r.indicators.students) for r in school.rows] == [("Гимназия № 2", 1), ("Школа № 1", 6)]
    parallels = region_figures(facts(), drill(None, SCHOOL_1, None))
    assert [r.title for r in parallels.rows] == ["5 классы", "6 классы"]
    subjects = region_figures(facts(), drill(None, SCHOOL_1, 5))
    assert subjects.level == "subject"
    (maths,) = subjects.rows
    # DOMAIN.md: успеваемость 80 %, качество 60 %, средний балл 3.6, СОУ 56 %.
    assert (maths.indicators.pass_rate, maths.indicators.quality_rate) == (80, 60)
    assert (maths.indicators.average, maths.indicators.sou) == (3.6, 56)


def test_not_attested_counts_in_the_rates():
    figures = region_figures(facts(), drill(None, SCHOOL_2, None))
    (row,) = figures.rows
    assert (row.indicators.pass_rate, row.indicators.average, row.indicators.sou) == (0, None, 8)


def test_a_parallel_needs_a_school_and_nothing_gives_no_total():
    with pytest.raises(Invalid, match="укажите школу"):
        drill(None, None, 5)
    empty = region_figures([], drill(None, None, None))
    assert (empty.total, empty.rows) == (None, [])


def test_counted_facts_give_the_same_figures_as_one_by_one():
    one_by_one = region_figures(facts(), drill(None, SCHOOL_1, 5))
    counted = [
        PeriodMarkFact("Центральный район", SCHOOL_1, "Школа № 1", 5, "Математика", value, count)
        for value, count in (("5", 1), ("4", 2), ("3", 1), ("2", 1))
    ]
    assert region_figures(counted, drill(None, SCHOOL_1, 5)) == one_by_one


def test_every_school_a_row_in_russian_order():
    schools = [
        *facts(),
        PeriodMarkFact("Заречный район", uuid4(), "Ёлочка, школа-сад", 1, "Чтение", "5"),
        PeriodMarkFact("Заречный район", uuid4(), "Жемчужина, лицей", 10, "Физика", "4"),
    ]
    figures = region_figures(schools, drill(None, None, None, by_school=True))
    assert figures.level == "school"
    # Ё sorts with Е, between Г and Ж (ICU ru-RU), not after Я as code points would put it.
    assert [r.title for r in figures.rows] == [
        "Гимназия № 2",
        "Ёлочка, школа-сад",
        "Жемчужина, лицей",
        "Школа № 1",
        "Школа № 3",
    ]
    within = region_figures(schools, drill("Заречный район", None, None, by_school=True))
    assert [r.title for r in within.rows] == ["Ёлочка, школа-сад", "Жемчужина, лицей", "Школа № 3"]


def test_the_region_reads_every_school_a_municipality_its_own_and_no_one_else_any():
    municipality = uuid4()
    assert readable_schools(Caller(uuid4(), "Инспектор", region_roles=frozenset({"inspector"}))) is None
    assert readable_schools(Caller(uuid4(), "Администратор", region_roles=frozenset({"region_admin"}))) is None
    municipal = Caller(
        uuid4(),
        "Муниципалитет",
        region_roles=frozenset({"municipal_admin"}),
        municipality_id=municipality,
        municipal_schools=frozenset({SCHOOL_1, SCHOOL_2}),
    )
    assert readable_schools(municipal) == {SCHOOL_1, SCHOOL_2}
    with pytest.raises(NotFound):
        readable_schools(Caller(uuid4(), "Без муниципалитета", region_roles=frozenset({"municipal_admin"})))
    with pytest.raises(NotFound):
        readable_schools(Caller(uuid4(), "Директор", school_roles=frozenset({(SCHOOL_1, "director")})))


def test_counts_of_a_level_give_the_worked_example():
    # What PostgreSQL hands over: DOMAIN.md's 5, 4, 4, 3, 2 as counts per value of one row.
    counts = [LevelCount("Математика", "Математика", value, count) for value, count in (("5", 1), ("4", 2), ("3", 1))]
    figures = level_figures("subject", [*counts, LevelCount("Математика", "Математика", "2", 1)])
    assert figures.total == figures.rows[0].indicators
    assert figures.total is not None and figures.total.students == 5
    assert (figures.total.pass_rate, figures.total.quality_rate) == (pytest.approx(80), pytest.approx(60))
    assert (figures.total.average, figures.total.sou) == (pytest.approx(3.6), pytest.approx(56))
    assert figures == region_figures(facts()[:5], drill(None, SCHOOL_1, 5))


def test_the_refusals_in_full():
    with pytest.raises(NotFound) as not_theirs:
        readable_schools(Caller(uuid4(), "Директор", school_roles=frozenset({(SCHOOL_1, "director")})))
    assert not_theirs.value.detail == "Отчёт не найден."
    with pytest.raises(Invalid) as no_school:
        drill(None, None, 5)
    assert no_school.value.detail == "Параллель выбирается внутри школы: укажите школу."


def test_two_schools_of_one_name_are_two_rows():
    twins = [
        PeriodMarkFact("Заречный район", school, "Школа № 1", 5, "Математика", "5") for school in (SCHOOL_1, SCHOOL_2)
    ]
    figures = region_figures(twins, drill("Заречный район", None, None))
    assert sorted(row.key for row in figures.rows) == sorted(str(s) for s in (SCHOOL_1, SCHOOL_2))


def test_parallels_go_by_their_number():
    counts = [LevelCount(str(grade), f"{grade} классы", "5", 1) for grade in (10, 5, 9)]
    assert [row.title for row in level_figures("parallel", counts).rows] == ["5 классы", "9 классы", "10 классы"]
