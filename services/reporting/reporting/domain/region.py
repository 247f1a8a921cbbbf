"""The region's figures (R-61, R-66): the indicators of period marks across schools and municipalities.

Each period mark (a student's mark in a subject for a period) counts once, so a subject's
figures are exactly DOMAIN.md's formulas over its students, and a school's or a municipality's
are the same formulas over all their marks. The drill-down goes region → municipality →
school → parallel → subject; each level's rows carry the key the next level filters on.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from chassis.problems import Invalid
from reporting.domain.indicators import PeriodIndicators, period_indicators

LEVELS = ("municipality", "school", "parallel", "subject")


@dataclass(frozen=True)
class PeriodMarkFact:
    municipality: str
    school_id: UUID
    school_name: str
    grade: int
    subject: str
    value: str


@dataclass(frozen=True)
class RegionRow:
    key: str
    title: str
    indicators: PeriodIndicators


@dataclass(frozen=True)
class Drill:
    """Where in the drill-down: the filters chosen so far (None: all)."""

    municipality: str | None = None
    school_id: UUID | None = None
    grade: int | None = None

    @property
    def level(self) -> str:
        """The level whose rows are shown next."""
        if self.municipality is None and self.school_id is None:
            return "municipality"
        if self.school_id is None:
            return "school"
        return "parallel" if self.grade is None else "subject"

    def holds(self, fact: PeriodMarkFact) -> bool:
        return (
            (self.municipality is None or fact.municipality == self.municipality)
            and (self.school_id is None or fact.school_id == self.school_id)
            and (self.grade is None or fact.grade == self.grade)
        )


def drill(municipality: str | None, school_id: UUID | None, grade: int | None) -> Drill:
    if grade is not None and school_id is None:
        raise Invalid("Параллель выбирается внутри школы: укажите школу.")
    return Drill(municipality, school_id, grade)


def _key(fact: PeriodMarkFact, level: str) -> tuple[str, str]:
    if level == "municipality":
        return fact.municipality, fact.municipality
    if level == "school":
        return str(fact.school_id), fact.school_name
    if level == "parallel":
        return str(fact.grade), f"{fact.grade} классы"
    return fact.subject, fact.subject


@dataclass(frozen=True)
class RegionFigures:
    level: str
    total: PeriodIndicators | None
    rows: list[RegionRow]


def region_figures(facts: Iterable[PeriodMarkFact], where: Drill) -> RegionFigures:
    """The indicators of the marks ``where`` selects, in total and per row of the next level, by title."""
    level = where.level
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    every: list[str] = []
    for fact in facts:
        if where.holds(fact):
            grouped[_key(fact, level)].append(fact.value)
            every.append(fact.value)
    rows = []
    for (key, title), values in grouped.items():
        indicators = period_indicators(values)
        assert indicators is not None  # a group holds at least one mark
        rows.append(RegionRow(key, title, indicators))
    order = (lambda r: int(r.key)) if level == "parallel" else (lambda r: r.title.lower())
    return RegionFigures(level, period_indicators(every), sorted(rows, key=order))
