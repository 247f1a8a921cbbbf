"""The events that describe a person or a class as they are, built in one place.

A registration, an import, a transfer accepted from another school and a snapshot tell other
services the same fields: the gateway matches logins by the ESIA oid it carries (R-2), so a
place that left it out would make a transferred student unknown to the login until the next
snapshot.
"""

from collections.abc import Mapping
from typing import Any

from contracts.roster import AssignmentCreated, ClassCreated, GroupCreated, GroupMembershipChanged, PersonRegistered
from roster.models import Assignment, Group, GroupMember, Person, SchoolClass

#: The card's fields a registration tells.
REGISTERED = ("last_name", "first_name", "middle_name", "birth_date", "snils", "esia_oid")


def person_registered(person: Person | Mapping[str, Any]) -> PersonRegistered:
    """From the person, or from a row of ``people`` as an import writes it (no ORM object for each of thousands)."""
    if isinstance(person, Person):
        # A card not yet flushed has no version yet: it is its first.
        card = {name: getattr(person, name) for name in REGISTERED}
        return PersonRegistered(person_id=person.id, version=person.version or 1, **card)
    return PersonRegistered(
        person_id=person["id"], version=person.get("version") or 1, **{name: person.get(name) for name in REGISTERED}
    )


def class_created(school_class: SchoolClass) -> ClassCreated:
    return ClassCreated(
        class_id=school_class.id,
        grade=school_class.grade,
        letter=school_class.letter,
        name=school_class.name,
        academic_year=school_class.academic_year,
    )


def group_created(group: Group) -> GroupCreated:
    return GroupCreated(group_id=group.id, class_id=group.class_id, subject_id=group.subject_id, name=group.name)


def assignment_created(assignment: Assignment, subject_name: str, class_name: str) -> AssignmentCreated:
    """A load given, given back or carried into the new year: gradebook opens its course from it."""
    return AssignmentCreated(
        assignment_id=assignment.id,
        teacher_id=assignment.teacher_id,
        subject_id=assignment.subject_id,
        class_id=assignment.class_id,
        subject_name=subject_name,
        class_name=class_name,
    )


def membership_changed(member: GroupMember) -> GroupMembershipChanged:
    return GroupMembershipChanged(
        group_id=member.group_id,
        student_id=member.student_id,
        starts=member.starts,
        ends=member.ends,
        version=member.version,
    )
