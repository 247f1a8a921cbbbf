"""Averages of current marks and the usual Russian performance indicators (R-22, R-63, R-66)."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FIVE_POINT = ("5", "4", "3", "2", "1")
#: A period mark meaning the student was not attested (н/а).
NOT_ATTESTED = "н/а"
#: Степень обученности по В. П. Симонову: the share of knowledge each mark stands for.
SOU_SHARES = {"5": 1.00, "4": 0.64, "3": 0.36, "2": 0.16, "1": 0.16, NOT_ATTESTED: 0.08}


@dataclass(frozen=True)
class ScoredMark:
    """A current mark as the averages see it: its value and the weight of its work type."""

    value: str
    weight: float


def counts_in_average(value: str) -> bool:
    """R-66: only 5-point marks count; зачёт/незачёт are left out."""
    return value in FIVE_POINT


def average(marks: Iterable[ScoredMark]) -> float | None:
    """Средний балл of current marks, to two decimals; None when there is none to count."""
    values = [int(m.value) for m in marks if counts_in_average(m.value)]
    if not values:
        return None
    return round(sum(values) / len(values), 2)


def weighted_average(marks: Iterable[ScoredMark]) -> float | None:
    """Средневзвешенный балл (R-66): Σ(mark × weight) / Σ(weight), to two decimals."""
    counted = [(int(m.value), m.weight) for m in marks if counts_in_average(m.value) and m.weight > 0]
    if not counted:
        return None
    return round(sum(v * w for v, w in counted) / sum(w for _, w in counted), 2)


@dataclass(frozen=True)
class PeriodIndicators:
    """Показатели успеваемости of a set of students by their period marks (R-66)."""

    students: int
    pass_rate: float
    quality_rate: float
    average: float | None
    sou: float


def period_indicators(period_marks: Iterable[str]) -> PeriodIndicators | None:
    """успеваемость, качество знаний, средний балл and СОУ of period marks ("5".."1" or "н/а").

    None for an empty set: a percentage of nobody means nothing.
    """
    return counted_indicators(Counter(period_marks))


def counted_indicators(counts: Mapping[str, int]) -> PeriodIndicators | None:
    """The same from how many of each period mark there are (n5, n4, n3, n2, nна): what a database counts."""
    unknown = [m for m, n in counts.items() if n and m not in SOU_SHARES]
    if unknown:
        raise ValueError(f"not a period mark: {unknown[0]!r}")
    total = sum(counts.values())
    if total == 0:
        return None
    passed = sum(counts.get(m, 0) for m in ("5", "4", "3"))
    good = sum(counts.get(m, 0) for m in ("5", "4"))
    attested = total - counts.get(NOT_ATTESTED, 0)
    attested_sum = sum(int(m) * n for m, n in counts.items() if m != NOT_ATTESTED)
    return PeriodIndicators(
        students=total,
        pass_rate=round(passed / total * 100, 2),
        quality_rate=round(good / total * 100, 2),
        # The average is over attested students only: (N − nна) in the denominator.
        average=round(attested_sum / attested, 2) if attested else None,
        sou=round(sum(SOU_SHARES[m] * n for m, n in counts.items()) / total * 100, 2),
    )
