"""Виды работ и их веса (R-22): the default table every school starts with."""

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


def work_type(code: str) -> WorkType:
    """The work type by its code; an unknown code is bad input."""
    found = WORK_TYPES.get(code)
    if found is None:
        known = ", ".join(WORK_TYPES)
        raise Invalid(f"Неизвестный вид работы «{code}». Допустимые: {known}.")
    return found
