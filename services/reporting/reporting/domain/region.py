"""The region's figures (R-61, R-66): the indicators of period marks across schools and municipalities.

Each period mark (a student's mark in a subject for a period) counts once, so a subject's
figures are exactly DOMAIN.md's formulas over its students, and a school's or a municipality's
are the same formulas over all their marks. The drill-down goes region → municipality →
school → parallel → subject; each level's rows carry the key the next level filters on.
The database counts the marks per row of the level shown (``LevelCount``), so a region's million
period marks arrive as a few hundred counts and the formulas run over those.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from chassis.auth import MUNICIPAL_ROLE, Caller
from chassis.problems import Invalid, NotFound
from chassis.russian import collation_key
from reporting.domain.indicators import PeriodIndicators, counted_indicators

#: The region's roles that read every school's figures.
REGION_READERS = frozenset({"inspector", "region_admin"})
LEVELS = ("municipality", "school", "parallel", "subject")


@dataclass(frozen=True)
class LevelCount:
    """How many period marks of one ``value`` one row of a level holds (``key`` the next level filters on)."""

    key: str
    title: str
    value: str
    count: int


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
    #: Every school of the region (or of the municipality) a row each, skipping the municipalities' level.
    by_school: bool = False

    @property
    def level(self) -> str:
        """The level whose rows are shown next."""
        if self.municipality is None and self.school_id is None and not self.by_school:
            return "municipality"
        if self.school_id is None:
            return "school"
        return "parallel" if self.grade is None else "subject"


def readable_schools(caller: Caller) -> frozenset[UUID] | None:
    """Whose figures the caller reads (R-10, R-61): the region's inspector and administrator every school (None),
    a municipal administrator their municipality's schools only; anyone else none of them (404: not theirs)."""
    if caller.region_roles & REGION_READERS:
        return None
    if MUNICIPAL_ROLE in caller.region_roles and caller.municipality_id is not None:
        return caller.municipal_schools
    raise NotFound("Отчёт не найден.")


def drill(municipality: str | None, school_id: UUID | None, grade: int | None, *, by_school: bool = False) -> Drill:
    if grade is not None and school_id is None:
        raise Invalid("Параллель выбирается внутри школы: укажите школу.")
    return Drill(municipality, school_id, grade, by_school)


def parallel_title(grade: int) -> str:
    return f"{grade} классы"


@dataclass(frozen=True)
class RegionFigures:
    level: str
    total: PeriodIndicators | None
    rows: list[RegionRow]


def level_figures(level: str, counts: Iterable[LevelCount]) -> RegionFigures:
    """The indicators (R-66) of a level's rows from their marks counted by value, and of all of them together.

    Rows in Russian alphabetical order of their titles (parallels by number), as the authority reads lists.
    """
    grouped: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    every: Counter[str] = Counter()
    for count in counts:
        grouped[count.key, count.title][count.value] += count.count
        every[count.value] += count.count
    rows = []
    for (key, title), counts in grouped.items():
        indicators = counted_indicators(counts)
        assert indicators is not None  # a group holds at least one mark
        rows.append(RegionRow(key, title, indicators))
    order = (lambda r: (int(r.key),)) if level == "parallel" else (lambda r: collation_key(r.title))
    return RegionFigures(level, counted_indicators(every), sorted(rows, key=order))
