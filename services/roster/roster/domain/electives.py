"""Факультативы и кружки (R-14, внеурочная деятельность, 004 app.4 #10): courses of their own.

An elective or club draws its members from any class of the school and keeps them by dates: a student
joins on any day and leaves on any day. They are not subject subgroups (R-12), whose moves wait for a
period's first day: nobody is split out of a class, so no period boundary binds them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chassis.problems import Conflict, Invalid

KIND_TITLES = {"elective": "факультатив", "club": "кружок"}


@dataclass(frozen=True)
class Place:
    """A student's time in the group: from ``starts`` to ``ends`` (its last day; None: still there)."""

    starts: date
    ends: date | None


def check_join(places: Sequence[Place], starts: date, year_starts: date, year_ends: date, year_name: str) -> None:
    """A student joins on ``starts``: inside the group's year, and not while already in it (again after leaving)."""
    if not year_starts <= starts <= year_ends:
        raise Invalid(
            f"Дата вступления {starts:%d.%m.%Y} вне {year_name} учебного года "
            f"({year_starts:%d.%m.%Y} – {year_ends:%d.%m.%Y})."
        )
    for place in places:
        if place.ends is None:
            raise Conflict(f"Ученик уже занимается в этой группе с {place.starts:%d.%m.%Y}.")
        if place.ends >= starts:
            raise Conflict(
                f"Ученик занимался в этой группе до {place.ends:%d.%m.%Y}: "
                "снова записать его можно со следующего дня или позже."
            )


def leave_place(places: Sequence[Place], left_on: date) -> date:
    """The last day in the group of a student who no longer attends from ``left_on``; refused when they are not
    in it or would leave before (or on the day) they joined."""
    current = next((p for p in places if p.ends is None), None)
    if current is None:
        raise Invalid("Ученик не занимается в этой группе.")
    if left_on <= current.starts:
        raise Invalid(
            f"Ученик записан в группу с {current.starts:%d.%m.%Y}: выйти из неё он может не раньше следующего дня."
        )
    return date.fromordinal(left_on.toordinal() - 1)
