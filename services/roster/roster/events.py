"""The events that describe a person or a class as they are, built in one place.

A registration, an import, a transfer accepted from another school and a snapshot tell other
services the same fields: the gateway matches logins by the ESIA oid it carries (R-2), so a
place that left it out would make a transferred student unknown to the login until the next
snapshot.
"""

from contracts.roster import ClassCreated, PersonRegistered
from roster.models import Person, SchoolClass


def person_registered(person: Person) -> PersonRegistered:
    return PersonRegistered(
        person_id=person.id,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        snils=person.snils,
        esia_oid=person.esia_oid,
    )


def class_created(school_class: SchoolClass) -> ClassCreated:
    return ClassCreated(
        class_id=school_class.id,
        grade=school_class.grade,
        letter=school_class.letter,
        name=school_class.name,
        academic_year=school_class.academic_year,
    )
