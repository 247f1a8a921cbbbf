"""Who a course's journal lists: its class's pupils, or an elective's or club's members (R-14).

An elective's course stands where a class stands (its ``class_id`` is its group's id), so one pair of
statements answers for both; a member of an elective counts on the days of their place in it.
"""

from datetime import date
from uuid import UUID

from sqlalchemy import ColumnElement, CompoundSelect, exists, or_, select, union

from gradebook.models import ClassMember, GroupMember


def _in_place(on: date | ColumnElement[date] | None) -> list[ColumnElement[bool]]:
    if on is None:
        return []
    return [GroupMember.starts <= on, or_(GroupMember.ends.is_(None), GroupMember.ends >= on)]


def course_students(class_id: UUID | ColumnElement[UUID], on: date | None = None) -> CompoundSelect:
    """The student ids of a course's class list; with ``on``, an elective's members of that day only."""
    return union(
        select(ClassMember.student_id).where(ClassMember.class_id == class_id),
        select(GroupMember.student_id).where(GroupMember.group_id == class_id, *_in_place(on)),
    )


def is_course_student(
    class_id: UUID | ColumnElement[UUID], student_id: UUID | ColumnElement[UUID], on: date | ColumnElement[date]
) -> ColumnElement[bool]:
    """Whether the student is on the course's class list on the day ``on``."""
    return or_(
        exists().where(ClassMember.class_id == class_id, ClassMember.student_id == student_id),
        exists().where(GroupMember.group_id == class_id, GroupMember.student_id == student_id, *_in_place(on)),
    )
