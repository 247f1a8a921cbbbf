"""Announcements (R-53: 000 §3.8, 003): who may announce to whom, and for which dates."""

from datetime import date
from uuid import UUID

from chassis.problems import Forbidden, Invalid

#: The administration announces to the whole school and to any class: the administrator and the deputy. The
#: director writes nothing but approvals (DOMAIN §1), so publishes none.
ANNOUNCERS = frozenset({"school_admin", "deputy"})
#: Who sees every class's announcements, not only the school's: the staff, the director among them.
SEE_EVERY_CLASS = ANNOUNCERS | {"director", "teacher", "class_teacher"}
#: An announcement is shown for at most a school term's worth of days.
LONGEST_DAYS = 120


def check_announcer(roles: frozenset[str], person_id: UUID, class_teacher_id: UUID | None, to_class: bool) -> None:
    """R-53: the administration announces to the school and classes; a class teacher to their own class."""
    if roles & ANNOUNCERS:
        return
    if to_class and class_teacher_id == person_id:
        return
    if "director" in roles:
        raise Forbidden(
            "Директор в журнале только читает и утверждает: объявление публикует администратор школы "
            "или заместитель директора."
        )
    if to_class:
        raise Forbidden("Объявление для класса публикует его классный руководитель или администрация школы.")
    raise Forbidden("Объявление для всей школы публикует администрация школы.")


def check_dates(starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        raise Invalid("Дата окончания показа объявления раньше даты начала.")
    if ends_on < today:
        raise Invalid("Объявление уже закончилось: дата окончания показа в прошлом.")
    if (ends_on - starts_on).days > LONGEST_DAYS:
        raise Invalid(f"Объявление показывается не дольше {LONGEST_DAYS} дней.")
