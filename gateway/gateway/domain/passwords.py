"""Passwords of local logins (R-2): scrypt hashes, temporary passwords, the password policy.

A hash is stored as ``scrypt$n=16384,r=8,p=1$<salt>$<key>`` (base64): the parameters travel
with it, so they can be raised later and old hashes are upgraded at the next login.
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SCHEME = "scrypt"
SALT_BYTES = 16
KEY_BYTES = 32
#: Min length of a password a person chooses; temporary ones are random and need fewer.
MIN_LENGTH = 10
MAX_LENGTH = 128
TEMPORARY_LENGTH = 12
#: Letters and digits that cannot be mistaken for one another when read off paper (no 0/O/o, 1/l/I/i).
UNAMBIGUOUS_LOWER = "abcdefghjkmnpqrstuvwxyz"
UNAMBIGUOUS_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
UNAMBIGUOUS_DIGITS = "23456789"
UNAMBIGUOUS = UNAMBIGUOUS_LOWER + UNAMBIGUOUS_UPPER + UNAMBIGUOUS_DIGITS


@dataclass(frozen=True)
class ScryptParams:
    n: int = 2**14
    r: int = 8
    p: int = 1

    def text(self) -> str:
        return f"n={self.n},r={self.r},p={self.p}"

    @classmethod
    def parse(cls, text: str) -> "ScryptParams":
        values = dict(part.split("=", 1) for part in text.split(","))
        return cls(n=int(values["n"]), r=int(values["r"]), p=int(values["p"]))


CURRENT = ScryptParams()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _derive(password: str, salt: bytes, params: ScryptParams) -> bytes:
    # maxmem must cover 128·n·r bytes plus scrypt's working space; twice that is ample.
    return hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        maxmem=256 * params.n * params.r,
        dklen=KEY_BYTES,
    )


def hash_password(password: str, params: ScryptParams = CURRENT) -> str:
    """A fresh random salt for every password, so equal passwords give different hashes."""
    salt = secrets.token_bytes(SALT_BYTES)
    return f"{SCHEME}${params.text()}${_b64(salt)}${_b64(_derive(password, salt, params))}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison of the derived key; a malformed stored hash matches nothing."""
    try:
        scheme, params_text, salt, key = stored.split("$")
        params = ScryptParams.parse(params_text)
        expected = base64.b64decode(key)
        derived = _derive(password, base64.b64decode(salt), params)
    except (ValueError, KeyError):
        return False
    return scheme == SCHEME and hmac.compare_digest(derived, expected)


def needs_rehash(stored: str, params: ScryptParams = CURRENT) -> bool:
    """Whether the hash was made with other parameters than today's (then it is remade at the next login)."""
    parts = stored.split("$")
    return len(parts) != 4 or parts[0] != SCHEME or parts[1] != params.text()


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
    if verify_password(new, old_hash):
        return "Новый пароль должен отличаться от прежнего."
    return None
