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
    #: Bound by a login that matched (the only way an oid is bound).
    esia_oid: str | None
    school_id: UUID | None = None
    #: The oid the school typed in: a hint, never a binding by itself.
    stated_oid: str | None = None


@dataclass(frozen=True)
class EsiaIdentity:
    """What ESIA says about the person logging in."""

    oid: str
    last_name: str
    first_name: str
    birth_date: date | None
    snils: str | None
    #: ESIA's «подтверждённая учётная запись»: identity checked in person or through a bank.
    trusted: bool


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


def vouched_by_school(account: Account, identity: EsiaIdentity) -> bool:
    """The school stated this oid and ESIA's person has the account's names and birth date (and СНИЛС where
    both have it): a typed-in oid alone binds nobody, so a mistyped or planted oid opens no one's account."""
    esia_snils = snils_digits(identity.snils)
    return (
        account.stated_oid == identity.oid
        and account.birth_date is not None
        and account.birth_date == identity.birth_date
        and _name_key(account.last_name) == _name_key(identity.last_name)
        and _name_key(account.first_name) == _name_key(identity.first_name)
        and (account.snils_digits is None or account.snils_digits == esia_snils)
    )


class NoMatch(Enum):
    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    #: A match, but the ESIA account is not confirmed: it cannot be bound yet.
    UNTRUSTED = "untrusted"


def match_account(identity: EsiaIdentity, bound: list[Account], candidates: list[Account]) -> frozenset[UUID] | NoMatch:
    """The accounts an ESIA identity logs in as: one per school (R-2).

    Accounts already bound to the oid count. Others are bound now only for a confirmed
    (``trusted``) ESIA account, when not bound to another oid and their СНИЛС, names and birth
    date equal ESIA's, or their school stated this oid and the names and birth date equal
    ESIA's. Two accounts in one school are left to the school to sort out, never guessed.
    """
    known = [a for a in bound if a.esia_oid == identity.oid]
    known_ids = {a.person_id for a in known}
    new = [
        a
        for a in candidates
        if a.person_id not in known_ids
        and a.esia_oid in (None, identity.oid)
        and (same_person(a, identity) or vouched_by_school(a, identity))
    ]
    if new and not identity.trusted:
        return NoMatch.UNTRUSTED if not known else frozenset(known_ids)
    accounts = known + new
    if not accounts:
        return NoMatch.UNKNOWN
    schools = [a.school_id for a in accounts]
    if len(set(schools)) != len(schools):
        return NoMatch.AMBIGUOUS
    return frozenset(a.person_id for a in accounts)


def confirmed_children(kids: list[EsiaIdentity], children: list[Account]) -> set[UUID]:
    """R-2: the school's links a parent's ESIA confirms: children ESIA lists as theirs, by СНИЛС, names and
    birth date (the same facts as a first login)."""
    return {child.person_id for child in children if any(same_person(child, kid) for kid in kids)}
