"""Виды работ и их веса (R-22): the default table every school starts with, and the school's own list.

The school administrator keeps the school's list (codes, Russian titles, weights, зачёт or not); until
they do, the school uses the region's default below. A subject may be assessed зачёт/незачёт as a whole.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chassis.problems import Invalid


@dataclass(frozen=True)
class WorkType:
    code: str
    title: str
    weight: float
    #: Зачёт/незачёт instead of a 5-point mark; such marks are left out of averages (R-66).
    pass_fail: bool = False


WORK_TYPES: dict[str, WorkType] = {
    w.code: w
    for w in (
        WorkType("answer", "Ответ на уроке", 1.0),
        WorkType("homework", "Домашняя работа", 1.0),
        WorkType("independent", "Самостоятельная работа", 1.5),
        WorkType("test", "Контрольная работа", 2.0),
        WorkType("dictation", "Диктант", 2.0),
        WorkType("practical", "Практическая работа", 1.5),
        WorkType("lab", "Лабораторная работа", 1.5),
        # results of external diagnostics are due within a day (000 §4.4.12).
        WorkType("diagnostic", "Диагностическая работа", 2.0),
        WorkType("credit", "Зачёт", 0.0, pass_fail=True),
    )
}


def work_type(code: str, table: Mapping[str, WorkType] = WORK_TYPES) -> WorkType:
    """The work type by its code in the school's ``table``; an unknown code is bad input."""
    found = table.get(code)
    if found is None:
        known = ", ".join(table)
        raise Invalid(f"Неизвестный вид работы «{code}». Допустимые: {known}.")
    return found


#: A code is what forms and events carry: short Latin letters, digits, «_» or «-».
CODE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
#: The heaviest weight a school may give (a year's exam weighs at most this much against an answer).
WEIGHT_MAX = 10.0


def check_work_type_list(kinds: Sequence[WorkType], in_use: set[str]) -> dict[str, WorkType]:
    """The school's list as the administrator sent it, checked whole (R-22); ``in_use``: codes marks carry.

    A code marks were given for stays in the list: a mark never loses its вид работы.
    """
    if not kinds:
        raise Invalid("Список видов работ пуст: нужен хотя бы один.")
    table: dict[str, WorkType] = {}
    for kind in kinds:
        if not CODE.fullmatch(kind.code):
            raise Invalid(
                f"Код вида работы «{kind.code}» — латинские строчные буквы, цифры, «_» или «-», до 32 знаков."
            )
        if kind.code in table:
            raise Invalid(f"Код вида работы «{kind.code}» указан дважды.")
        if not kind.title.strip():
            raise Invalid(f"У вида работы «{kind.code}» нет названия.")
        if not 0 <= kind.weight <= WEIGHT_MAX:
            raise Invalid(f"Вес вида работы «{kind.title}» — от 0 до {WEIGHT_MAX:g}.")
        if kind.pass_fail and kind.weight:
            raise Invalid(f"«{kind.title}» оценивается зачётом: такие отметки в средний балл не входят, вес — 0.")
        table[kind.code] = WorkType(kind.code, kind.title.strip(), kind.weight, kind.pass_fail)
    missing = sorted(in_use - set(table))
    if missing:
        raise Invalid(
            f"По видам работ {', '.join(missing)} уже выставлены отметки: их нельзя убрать из списка.", missing=missing
        )
    return table
