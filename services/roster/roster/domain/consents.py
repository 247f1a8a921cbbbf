"""Согласие на обработку персональных данных (152-ФЗ ст. 9, R-5): who may give or withdraw it for whom.

A person's consent is kept per purpose as a history of «дано» / «отозвано» records, never edited.
Who signs follows the subject's age on the day (ГК РФ ст. 26, 28): for a child under 14 a parent
(законный представитель) alone; from 14 to 18 the student together with a parent; an adult alone.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID


class Standing(Enum):
    """Who signs for the subject."""

    #: Under 14: a parent alone.
    REPRESENTATIVE = "representative"
    #: 14 to 18: the student with a parent's agreement.
    TOGETHER = "together"
    #: An adult, or a parent or staff member for themselves.
    SELF = "self"


def age_on(birth_date: date, day: date) -> int:
    """Full years on ``day``; a birthday on 29 February comes on 1 March in other years."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def standing(is_student: bool, birth_date: date | None, day: date) -> Standing:
    """Who signs for a person on ``day``; a student's birth date must be known (else ``ValueError``)."""
    if not is_student:
        return Standing.SELF
    if birth_date is None:
        raise ValueError("birth date unknown")
    age = age_on(birth_date, day)
    if age < 14:
        return Standing.REPRESENTATIVE
    return Standing.TOGETHER if age < 18 else Standing.SELF


@dataclass(frozen=True)
class Parties:
    """The subject, who signs, who agrees with the signer (a parent of a student of 14–17), the subject's parents."""

    subject: UUID
    signer: UUID
    co_signer: UUID | None
    guardians: frozenset[UUID]


def giving_refusal(parties: Parties, who: Standing) -> str | None:
    """Why these parties cannot give the consent; None: they can."""
    if who is Standing.REPRESENTATIVE:
        if parties.signer not in parties.guardians:
            return "За обучающегося младше 14 лет согласие даёт родитель (законный представитель)."
        if parties.co_signer is not None:
            return "За обучающегося младше 14 лет согласие подписывает только родитель."
        return None
    if who is Standing.TOGETHER:
        if parties.signer != parties.subject or parties.co_signer not in parties.guardians:
            return "С 14 лет согласие даёт сам обучающийся вместе с родителем (законным представителем)."
        return None
    if parties.signer != parties.subject or parties.co_signer is not None:
        return "Согласие даёт сам человек."
    return None


def withdrawal_refusal(actor: UUID, parties: Parties, who: Standing, gave: frozenset[UUID]) -> str | None:
    """Why ``actor`` cannot withdraw the subject's consent; None: they can.

    Whoever signed the standing consent may withdraw it while they still act for the subject; so may anyone
    entitled to give it now: a parent of a child under 14, the student from 14 or a parent of theirs, an adult.
    """
    entitled = {
        Standing.REPRESENTATIVE: parties.guardians,
        Standing.TOGETHER: parties.guardians | {parties.subject},
        Standing.SELF: frozenset({parties.subject}),
    }[who]
    if actor in entitled:
        return None
    if actor in gave:
        return "Согласие давали вы, но теперь отзывать его вправе только сам человек."
    return "Отозвать согласие может только тот, кто его дал, или законный представитель."
