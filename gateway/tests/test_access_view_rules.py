"""The access log in the administrator's words (R-5): actions, parts of the journal, the people a path names."""

from datetime import date
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from chassis.problems import Invalid
from gateway.domain.access_view import action, named_ids, outcome, section, span


def test_each_entry_reads_in_russian():
    assert (action("GET"), action("PATCH"), action("LOGIN"), action("TRACE")) == (
        "просмотр",
        "изменение",
        "вход в систему",
        "другое действие",
    )
    assert section("/api/v1/gradebook/schools/x/marks?y=1") == "журнал и отметки"
    assert section("/api/v1/diary/abc") == "дневник"
    assert (section("/auth/esia"), section("/auth/password"), section("/metrics")) == (
        "через Госуслуги",
        "по логину и паролю",
        "другое",
    )
    assert (outcome(200), outcome(404), outcome(500)) == ("выполнено", "отказано", "ошибка")


def test_the_people_a_path_names_in_order():
    school, pupil = uuid4(), uuid4()
    path = f"/api/v1/reporting/schools/{school}/students/{str(pupil).upper()}/diary?start={uuid4()}"
    assert named_ids(path) == [school, pupil]


def test_the_span_is_the_schools_days_and_at_most_a_quarter():
    moscow = ZoneInfo("Europe/Moscow")
    week = span(None, None, date(2026, 10, 14), moscow)
    assert (week.since.date(), week.until.date()) == (date(2026, 10, 8), date(2026, 10, 15))
    assert week.since.utcoffset().total_seconds() == 3 * 3600
    with pytest.raises(Invalid, match="раньше его начала"):
        span(date(2026, 10, 2), date(2026, 10, 1), date(2026, 10, 14), moscow)
    with pytest.raises(Invalid, match="93"):
        span(date(2026, 1, 1), date(2026, 10, 1), date(2026, 10, 14), moscow)
    assert span(date(2026, 7, 1), date(2026, 10, 1), date(2026, 10, 14), moscow).until.date() == date(2026, 10, 2)
