"""When and how a notice leaves the inbox (R-51): the pure rules the sender loop asks."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from notifications.domain.delivery import (
    QuietHours,
    channels_for,
    digest_due,
    month_start,
    retry_delay,
    sms_segments,
    sms_text,
)

MOSCOW = ZoneInfo("Europe/Moscow")
NIGHT = QuietHours(time(22), time(7), "Europe/Moscow")


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant given in Moscow time, handed over in UTC as the database gives it."""
    return datetime(2026, 11, day, hour, minute, tzinfo=MOSCOW).astimezone(UTC)


def test_night_quiet_hours_hold_from_their_start_to_before_their_end_in_the_schools_time():
    assert [NIGHT.contains(moscow(24, h, m)) for h, m in ((21, 59), (22, 0), (0, 0), (6, 59), (7, 0))] == [
        False,
        True,
        True,
        True,
        False,
    ]


def test_day_quiet_hours_hold_between_their_bounds_only():
    lunch = QuietHours(time(13), time(14), "Europe/Moscow")
    assert [lunch.contains(moscow(24, h, m)) for h, m in ((12, 59), (13, 0), (13, 59), (14, 0))] == [
        False,
        True,
        True,
        False,
    ]


def test_equal_bounds_are_no_quiet_hours():
    never = QuietHours(time(22), time(22), "Europe/Moscow")
    assert not never.contains(moscow(24, 22)) and not never.contains(moscow(24, 3))


def test_a_notice_in_quiet_hours_goes_when_they_end():
    assert NIGHT.send_at(moscow(24, 12)) == moscow(24, 12)
    assert NIGHT.send_at(moscow(24, 23, 30)) == moscow(25, 7)
    assert NIGHT.send_at(moscow(25, 3)) == moscow(25, 7)
    lunch = QuietHours(time(13), time(14), "Europe/Moscow")
    assert lunch.send_at(moscow(24, 13, 15)) == moscow(24, 14)


def test_a_notice_goes_by_the_channels_chosen_for_its_kind_that_have_an_address():
    chosen = {"mark": ["sms", "email", "push"], "absence": ["email"]}
    addresses = {"email": True, "sms": True, "push": False}
    assert channels_for(chosen, "mark", addresses) == ["email", "sms"]
    assert channels_for(chosen, "absence", addresses) == ["email"]
    assert channels_for(chosen, "homework", addresses) == []
    assert channels_for(chosen, "mark", {}) == []


def test_retries_back_off_exponentially_up_to_an_hour():
    assert [retry_delay(n, 30).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(20, 30) == timedelta(hours=1)
    assert retry_delay(3, 30, cap_seconds=100) == timedelta(seconds=100)


@pytest.mark.parametrize(
    ("text", "segments"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("\x7f" * 161, 2),
        ("я" * 70, 1),
        ("я" * 71, 2),
        ("я" * 134, 2),
        ("я" * 135, 3),
        ("\x80" * 71, 2),
        # One Cyrillic letter makes the whole text Cyrillic-priced.
        ("Оценка 5" + "a" * 63, 2),
    ],
)
def test_an_sms_costs_by_its_alphabet_and_length(text, segments):
    assert sms_segments(text) == segments


def test_an_sms_is_the_title_cut_to_two_cyrillic_parts():
    assert sms_text("я" * 134) == "я" * 134
    assert sms_text("я" * 135) == "я" * 133 + "…"
    assert sms_segments(sms_text("я" * 500)) == 2


def test_the_sms_budget_counts_from_the_schools_month():
    # 1 December 01:00 in Moscow is still 30 November in UTC.
    assert month_start(moscow(30, 23) + timedelta(hours=2), "Europe/Moscow") == datetime(2026, 12, 1, tzinfo=MOSCOW)
    assert month_start(moscow(30, 23), "Europe/Moscow") == datetime(2026, 11, 1, tzinfo=MOSCOW)


def test_the_digest_moment_is_the_latest_at_or_before_now():
    evening = time(19)
    assert digest_due(moscow(24, 19), evening, "Europe/Moscow") == moscow(24, 19)
    assert digest_due(moscow(24, 18, 59), evening, "Europe/Moscow") == moscow(23, 19)
    assert digest_due(moscow(24, 23), evening, "Europe/Moscow") == moscow(24, 19)


def test_the_digest_moment_is_in_the_schools_day_where_utcs_is_still_yesterday():
    # 09:00 in Vladivostok is 23:00 UTC of the day before: the morning's digest is today's, not yesterday's.
    vladivostok = ZoneInfo("Asia/Vladivostok")
    now = datetime(2026, 11, 25, 9, tzinfo=vladivostok)
    assert digest_due(now, time(8), "Asia/Vladivostok") == datetime(2026, 11, 25, 8, tzinfo=vladivostok)
