"""When and how a notice leaves the inbox (R-51): channels by a person's choice, quiet hours, retries, SMS cost.

Pure functions over plain values: the sender loop and the handlers ask these, tests pin them.
"""

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

#: The ways a notice reaches a person besides the inbox (004 app.9: e-mail or SMS by their choice; push).
CHANNELS = ("email", "sms", "push")
#: The consent purpose (R-5) each channel needs: withdrawn, nothing goes that way to or about the person.
CHANNEL_CONSENTS = {channel: f"notifications_{channel}" for channel in CHANNELS}
#: What a notice is about; a person chooses channels per kind.
KINDS = ("mark", "absence", "homework", "announcement", "message", "alert")
#: Kinds a new person gets by e-mail and push once they give an address, before choosing anything.
DEFAULT_KINDS = ("mark", "absence", "homework", "announcement", "alert")

#: A delivery waits (``pending``), is held for the daily digest (``held``), went out (``sent``),
#: was folded into a digest (``digested``), failed every attempt (``failed``, the dead-letter view),
#: or was not sent on purpose (``skipped``: no address any more, the SMS budget spent).
STATES = ("pending", "held", "sent", "digested", "failed", "skipped")


@dataclass(frozen=True)
class QuietHours:
    """Тихие часы: nothing is sent between ``start`` and ``end`` in the school's time zone."""

    start: time
    end: time
    timezone: str

    def contains(self, instant: datetime) -> bool:
        local = instant.astimezone(ZoneInfo(self.timezone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def send_at(self, instant: datetime) -> datetime:
        """``instant`` itself outside quiet hours, else the moment they end (local ``end`` today or tomorrow)."""
        if not self.contains(instant):
            return instant
        zone = ZoneInfo(self.timezone)
        local = instant.astimezone(zone)
        end = datetime.combine(local.date(), self.end, tzinfo=zone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=zone)
        return end


def channels_for(chosen: dict[str, list[str]], kind: str, addresses: dict[str, bool]) -> list[str]:
    """The channels a notice of ``kind`` goes by: chosen for that kind and with an address to send to."""
    return [c for c in CHANNELS if c in chosen.get(kind, []) and addresses.get(c)]


def retry_delay(attempt: int, base_seconds: float, cap_seconds: float = 3600) -> timedelta:
    """Exponential backoff after the ``attempt``-th failure: base, 2×base, 4×base … at most ``cap``."""
    return timedelta(seconds=min(cap_seconds, base_seconds * 2 ** (attempt - 1)))


def sms_segments(text: str) -> int:
    """How many SMS a text costs: GSM-7 160 (153 per part), anything else — Cyrillic — 70 (67 per part)."""
    gsm = all(ord(ch) < 128 for ch in text)
    single, part = (160, 153) if gsm else (70, 67)
    if len(text) <= single:
        return 1
    return math.ceil(len(text) / part)


def sms_text(title: str, limit: int = 134) -> str:
    """The SMS: the notice's title, cut to two Cyrillic parts so one notice never costs more than two SMS."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def month_start(instant: datetime, timezone: str) -> datetime:
    """The first instant of the school's calendar month: the SMS budget counts from there."""
    local = instant.astimezone(ZoneInfo(timezone))
    return datetime(local.year, local.month, 1, tzinfo=ZoneInfo(timezone))


def digest_due(instant: datetime, digest_time: time, timezone: str) -> datetime:
    """The latest digest moment at or before ``instant``: held notices older than it go out together."""
    zone = ZoneInfo(timezone)
    local = instant.astimezone(zone)
    due = datetime.combine(local.date(), digest_time, tzinfo=zone)
    return due if due <= local else due - timedelta(days=1)
