"""Rules about people: SNILS, names."""

import re

_SNILS_DIGITS = re.compile(r"\D")


def normalize_snils(raw: str) -> str:
    """СНИЛС as ``XXX-XXX-XXX YY`` after checking its control number.

    The control number is Σ digit×(9−position) over the first nine digits, taken mod 101
    (100 and 101 give 00); numbers up to 001-001-998 carry no checked control number.
    """
    digits = _SNILS_DIGITS.sub("", raw)
    if len(digits) != 11:
        raise ValueError("СНИЛС должен содержать 11 цифр")
    number, control = digits[:9], int(digits[9:])
    if int(number) > 1001998:
        total = sum(int(d) * (9 - i) for i, d in enumerate(number))
        expected = total % 101 % 100
        if control != expected:
            raise ValueError("Неверная контрольная сумма СНИЛС")
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:]}"


def class_name(grade: int, letter: str) -> str:
    """«5А»: parallel and letter, as schools write it."""
    return f"{grade}{letter.strip().upper()}"
