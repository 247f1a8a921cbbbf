"""Matching an ESIA person to an account the school entered (R-2); accounts are never created here."""

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID


def snils_digits(text: str | None) -> str | None:
    """The eleven digits of a СНИЛС however it is written («112-233-445 95», «11223344595»)."""
    if not text:
        return None
    digits = re.sub(r"[\s-]", "", text)
    return digits if re.fullmatch(r"\d{11}", digits) else None


def _name_key(name: str) -> str:
    # Ё and Е are written interchangeably in Russian documents; case and spacing carry no meaning.
    return " ".join(name.split()).casefold().replace("ё", "е")


@dataclass(frozen=True)
class Account:
    person_id: UUID
    last_name: str
    first_name: str
    birth_date: date | None
    snils_digits: str | None
    esia_oid: str | None


@dataclass(frozen=True)
class EsiaIdentity:
    """What ESIA says about the person logging in."""

    oid: str
    last_name: str
    first_name: str
    birth_date: date | None
    snils: str | None


def same_person(account: Account, identity: EsiaIdentity) -> bool:
    """R-2: the first login matches by СНИЛС + last name + first name + birth date, all four present and equal."""
    esia_snils = snils_digits(identity.snils)
    return (
        esia_snils is not None
        and account.snils_digits == esia_snils
        and account.birth_date is not None
        and account.birth_date == identity.birth_date
        and _name_key(account.last_name) == _name_key(identity.last_name)
        and _name_key(account.first_name) == _name_key(identity.first_name)
    )


class NoMatch(Enum):
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"


def match_account(identity: EsiaIdentity, by_oid: list[Account], by_snils: list[Account]) -> UUID | NoMatch:
    """The person an ESIA identity logs in as.

    An account already bound to the oid wins. Otherwise an account with the same СНИЛС,
    names and birth date that is not bound to another oid. One oid maps to one person:
    several candidates are left to the school to sort out, never guessed.
    """
    bound = {a.person_id for a in by_oid if a.esia_oid == identity.oid}
    if not bound:
        bound = {a.person_id for a in by_snils if a.esia_oid in (None, identity.oid) and same_person(a, identity)}
    if not bound:
        return NoMatch.UNKNOWN
    if len(bound) > 1:
        return NoMatch.AMBIGUOUS
    return next(iter(bound))
