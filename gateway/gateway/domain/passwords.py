"""Passwords of local logins (R-2): argon2id hashes, temporary passwords, the password policy.

Hashes are argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane); the parameters travel
with each hash, so they can be raised later and old hashes (argon2 with other parameters, or
the scrypt of earlier releases) are remade at the next login. Hashing is slow on purpose:
callers run it in a thread (``asyncio.to_thread``), off the event loop.
"""

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS

#: Min length of a password a person chooses; temporary ones are random and need fewer.
MIN_LENGTH = 10
MAX_LENGTH = 128
TEMPORARY_LENGTH = 12
#: Letters and digits that cannot be mistaken for one another when read off paper (no 0/O/o, 1/l/I/i).
UNAMBIGUOUS_LOWER = "abcdefghjkmnpqrstuvwxyz"
UNAMBIGUOUS_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
UNAMBIGUOUS_DIGITS = "23456789"
UNAMBIGUOUS = UNAMBIGUOUS_LOWER + UNAMBIGUOUS_UPPER + UNAMBIGUOUS_DIGITS
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
#: The 30 000 most common passwords of leaked password lists (zxcvbn's list), as typed.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
#: A Russian keyboard typed as if it were Latin: «йцукенгшщз» is «qwertyuiop» to a guesser.
RUSSIAN_LAYOUT = str.maketrans("йцукенгшщзхъфывапролджэячсмитьбю", "qwertyuiop[]asdfghjkl;'zxcvbnm,.")


def hash_password(password: str) -> str:
    """A fresh random salt for every password, so equal passwords give different hashes."""
    return HASHER.hash(password)


def _legacy_scrypt(password: str, stored: str) -> bool:
    """Hashes of earlier releases: ``scrypt$n=..,r=..,p=..$<salt>$<key>``; upgraded at the next login."""
    try:
        _, params_text, salt, key = stored.split("$")
        params = {name: int(value) for name, value in (part.split("=", 1) for part in params_text.split(","))}
        derived = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=params["n"],
            r=params["r"],
            p=params["p"],
            maxmem=256 * params["n"] * params["r"],
            dklen=32,
        )
        return hmac.compare_digest(derived, base64.b64decode(key))
    except (ValueError, KeyError):
        return False


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check against the stored hash; a malformed stored hash matches nothing."""
    if stored.startswith("scrypt$"):
        return _legacy_scrypt(password, stored)
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether the hash was made otherwise than today (then it is remade at the next login)."""
    return not stored.startswith("$argon2id$") or HASHER.check_needs_rehash(stored)


def is_common(password: str) -> bool:
    """R-2: one of the passwords every guesser tries first, as typed or typed on a Russian keyboard."""
    typed = password.casefold()
    return typed in COMMON_PASSWORDS or typed.translate(RUSSIAN_LAYOUT) in COMMON_PASSWORDS


def temporary_password(length: int = TEMPORARY_LENGTH) -> str:
    """R-2: a random temporary password with lower and upper letters and digits, none easy to misread."""
    while True:
        password = "".join(secrets.choice(UNAMBIGUOUS) for _ in range(length))
        if all(
            any(c in group for c in password) for group in (UNAMBIGUOUS_LOWER, UNAMBIGUOUS_UPPER, UNAMBIGUOUS_DIGITS)
        ):
            return password


def new_password_problem(new: str, repeated: str, *, login: str, old_hash: str) -> str | None:
    """Why a new password is not accepted (Russian, shown on the form), or None when it is."""
    if new != repeated:
        return "Пароли не совпадают. Введите новый пароль дважды одинаково."
    if len(new) < MIN_LENGTH:
        return f"Пароль слишком короткий: нужно не меньше {MIN_LENGTH} символов."
    if len(new) > MAX_LENGTH:
        return f"Пароль слишком длинный: не больше {MAX_LENGTH} символов."
    if new.strip() != new or not new.isprintable():
        return "Пароль не должен начинаться или заканчиваться пробелом и содержать служебные символы."
    if new.casefold() == login.casefold():
        return "Пароль не должен совпадать с логином."
    if is_common(new):
        return "Этот пароль слишком распространён: его подбирают первым. Придумайте другой."
    if verify_password(new, old_hash):
        return "Новый пароль должен отличаться от прежнего."
    return None
