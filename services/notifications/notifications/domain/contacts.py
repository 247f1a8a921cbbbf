"""Where a parent wants notices delivered (R-51: e-mail or SMS by their choice)."""

import re

from chassis.problems import Invalid

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_PHONE_SEPARATORS = re.compile(r"[\s()\-]")


def normalize_email(raw: str) -> str:
    address = raw.strip()
    if len(address) > 254 or not _EMAIL.match(address):
        raise ValueError("Некорректный адрес электронной почты")
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_phone(raw: str) -> str:
    """A Russian mobile number as ``+7XXXXXXXXXX``; spaces, dashes, brackets and a leading 8 are accepted."""
    digits = _PHONE_SEPARATORS.sub("", raw.strip())
    if digits.startswith("8") and len(digits) == 11:
        digits = "+7" + digits[1:]
    if not re.fullmatch(r"\+7\d{10}", digits):
        raise ValueError("Телефон должен быть российским номером в формате +7XXXXXXXXXX")
    return digits


def check_channels(channels: dict[str, list[str]], email_address: str | None, phone: str | None) -> None:
    """A chosen channel needs its address."""
    chosen = {channel for kinds in channels.values() for channel in kinds}
    if "email" in chosen and not email_address:
        raise Invalid("Для уведомлений по электронной почте укажите адрес (email_address).")
    if "sms" in chosen and not phone:
        raise Invalid("Для уведомлений по SMS укажите номер телефона (phone).")
