"""Local logins (R-2): for people without an ESIA account, issued by the school's administrator.

The login is the transliterated surname with initials; a lockout stops password guessing;
staff change their passwords yearly (``000 §3.3``).
"""

import re
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

#: Russian → Latin as in Russian passports (приказ МИД № 2113 / ICAO Doc 9303).
TRANSLITERATION = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "ie", "ы": "y", "ь": "",
    "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
LOGIN_MAX = 40
#: Longest login a person may type; anything longer is no login of ours.
LOGIN_INPUT_MAX = 64
FAILURE_LIMIT = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
#: R-2: staff change their passwords yearly (000 §3.3).
STAFF_PASSWORD_LIFETIME = timedelta(days=365)
#: Roles that are not staff: their passwords do not expire.
FAMILY_ROLES = frozenset({"student", "guardian"})
#: The school's administration: a school administrator does not issue them logins (see ``issuance_refusal``).
ADMINISTRATION_ROLES = frozenset({"school_admin", "director", "deputy"})


def transliterate(text: str) -> str:
    """Lower-case Latin letters and digits only; other characters (hyphens, spaces, apostrophes) are dropped."""
    latin = "".join(TRANSLITERATION.get(c, c) for c in text.casefold())
    return re.sub(r"[^a-z0-9]", "", latin)


def login_base(last_name: str, first_name: str, middle_name: str | None) -> str:
    """«Иванова Мария Петровна» → ``ivanova.mp``."""
    surname = transliterate(last_name)[:LOGIN_MAX] or "user"
    initials = "".join(transliterate(name)[:1] for name in (first_name, middle_name or ""))
    return f"{surname}.{initials}" if initials else surname


def unique_login(base: str, taken: Collection[str]) -> str:
    """The base itself, or the base with the smallest number from 2 that nobody holds."""
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def normalized_login(text: str) -> str:
    """What a person types, as logins are stored: case and surrounding spaces do not matter."""
    return text.strip().casefold()[:LOGIN_INPUT_MAX]


def locked_until(failures: Sequence[datetime], now: datetime) -> datetime | None:
    """R-2: 5 failed attempts within 15 minutes lock the login for 15 minutes from the fifth.

    Attempts while locked are refused unchecked and not counted, so a lock does not extend itself.
    """
    ordered = sorted(failures)
    ends = [
        ordered[i] + LOCKOUT
        for i in range(FAILURE_LIMIT - 1, len(ordered))
        if ordered[i] - ordered[i - FAILURE_LIMIT + 1] <= FAILURE_WINDOW
    ]
    latest = max(ends, default=None)
    return latest if latest is not None and latest > now else None


def rate_window(now: datetime) -> tuple[datetime, int]:
    """Rate limits count per minute (password attempts, R-2; a portal client's calls, R-70): the minute's start
    and the seconds left of it."""
    start = now.replace(second=0, microsecond=0)
    return start, max(1, 60 - now.second)


def failures_that_matter(now: datetime) -> datetime:
    """Failures older than this can no longer lock anything and may be forgotten."""
    return now - FAILURE_WINDOW - LOCKOUT


def is_staff(roles: Collection[str]) -> bool:
    return any(role not in FAMILY_ROLES for role in roles)


def must_change_password(*, temporary: bool, password_set_at: datetime, staff: bool, now: datetime) -> bool:
    """A temporary password is changed at the first login; staff passwords expire after a year (R-2)."""
    return temporary or (staff and now - password_set_at >= STAFF_PASSWORD_LIFETIME)


def issuance_refusal(
    admin_schools: Collection[object], roles: Collection[tuple[object, str]], *, esia_bound: bool
) -> str | None:
    """Why a school administrator may not issue (or reset) this person's local login, or None (R-2).

    Only to people of the administrator's own schools, who do not log in through ESIA (a login
    must never be a way into an ESIA user's account) and who are not of the administration
    (the director, deputies, another administrator): a password they would hand over would let
    them act as their superior or peer. Those log in through ESIA.
    """
    if esia_bound:
        return "Этот человек входит через Госуслуги: логин и пароль ему не выдаются."
    if any(school not in admin_schools for school, _ in roles):
        return "У этого человека есть роли в другой школе: логин ему выдаёт только вход через Госуслуги."
    if any(role in ADMINISTRATION_ROLES for _, role in roles):
        return "Директору, заместителям и администраторам ЭЖ логин не выдаётся: они входят через Госуслуги."
    return None
