"""Переход на новый учебный год (R-11): what a promoted class takes into the new year besides its pupils.

A class promoted to the next grade keeps its subgroups by subject (R-12: same subject and name, with the pupils
who moved on with it) and its teaching loads (R-13: same teacher and subject). What the administration has
already made for the new class stays and is not made twice; a graduating class and the repeaters carry nothing.
Part of the promotion's plan, so the preview shows what the run will make.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from roster.domain.movement import Outcome, PromotionPlan

#: A new year's class by (grade, letter), as the promotion plan names it.
ClassKey = tuple[int, str]


@dataclass(frozen=True)
class OldGroup:
    """A subgroup of an old year's class."""

    id: UUID
    class_id: UUID
    subject_id: UUID
    name: str


@dataclass(frozen=True)
class Load:
    """A teaching load in force: the teacher teaches the subject in the class."""

    teacher_id: UUID
    subject_id: UUID
    class_id: UUID


@dataclass(frozen=True)
class CarriedGroup:
    to: ClassKey
    subject_id: UUID
    name: str
    #: The new class has the subgroup already (made by hand): the pupils join it, it is not made again.
    exists: bool
    members: tuple[UUID, ...]


@dataclass(frozen=True)
class CarriedLoad:
    to: ClassKey
    teacher_id: UUID
    subject_id: UUID


@dataclass(frozen=True)
class ClassCarry:
    """What one new class gets: subgroups made, places in subgroups, loads made."""

    subgroups: int = 0
    members: int = 0
    loads: int = 0


@dataclass
class Carry:
    groups: list[CarriedGroup] = field(default_factory=list)
    loads: list[CarriedLoad] = field(default_factory=list)

    def per_class(self) -> dict[ClassKey, ClassCarry]:
        counts: dict[ClassKey, ClassCarry] = {}
        for group in self.groups:
            now = counts.get(group.to, ClassCarry())
            counts[group.to] = ClassCarry(
                now.subgroups + (not group.exists), now.members + len(group.members), now.loads
            )
        for load in self.loads:
            now = counts.get(load.to, ClassCarry())
            counts[load.to] = ClassCarry(now.subgroups, now.members, now.loads + 1)
        return counts


def plan_carry(
    plan: PromotionPlan,
    groups: Iterable[OldGroup],
    places: Iterable[tuple[UUID, UUID]],
    loads: Iterable[Load],
    new_groups: Iterable[tuple[ClassKey, UUID, str]],
    new_places: Iterable[tuple[ClassKey, UUID, str, UUID]],
    new_loads: Iterable[tuple[ClassKey, UUID, UUID]],
) -> Carry:
    """The subgroups, places and loads the promotion makes in the new year's classes.

    ``places`` are the open (group, student) places of the old classes; ``new_groups`` the (class, subject, name)
    of subgroups the new year has, ``new_places`` its (class, subject, name, student) open places and
    ``new_loads`` its (class, teacher, subject) loads, ended or not: an ended one was the administration's choice.
    """
    # Only a class that goes on carries: its successor is the new class the plan continues it into.
    successor: dict[UUID, ClassKey] = {
        c.from_class.id: (c.grade, c.letter) for c in plan.new_classes if c.from_class is not None
    }
    # Who moved on with their class: promoted (conditionally or not) into its successor.
    moved_on = {
        (m.from_class.id, m.student_id)
        for m in plan.moves
        if m.outcome in (Outcome.PROMOTED, Outcome.CONDITIONAL) and m.to == successor.get(m.from_class.id)
    }
    members_of: dict[UUID, list[UUID]] = {}
    for group_id, student_id in places:
        members_of.setdefault(group_id, []).append(student_id)
    have_groups, have_places, have_loads = set(new_groups), set(new_places), set(new_loads)
    carry = Carry()
    for group in sorted(groups, key=lambda g: (g.class_id, g.subject_id, g.name)):
        to = successor.get(group.class_id)
        if to is None:
            continue
        members = tuple(
            sorted(
                s
                for s in members_of.get(group.id, [])
                if (group.class_id, s) in moved_on and (to, group.subject_id, group.name, s) not in have_places
            )
        )
        exists = (to, group.subject_id, group.name) in have_groups
        if not exists or members:
            carry.groups.append(CarriedGroup(to, group.subject_id, group.name, exists, members))
    for load in sorted(loads, key=lambda x: (x.class_id, x.subject_id, x.teacher_id)):
        to = successor.get(load.class_id)
        if to is not None and (to, load.teacher_id, load.subject_id) not in have_loads:
            carry.loads.append(CarriedLoad(to, load.teacher_id, load.subject_id))
    return carry
