from datetime import UTC, datetime, timedelta
from uuid import uuid4

from gateway.privacy.exposure import exposure, reached_by

T0 = datetime(2026, 12, 3, 9, tzinfo=UTC)


def test_a_path_names_people_and_classes():
    school, student, person, course = uuid4(), uuid4(), uuid4(), uuid4()
    assert reached_by(f"/api/v1/diary/{student}?start=2026-12-01").people == {student}
    reached = reached_by(f"/api/v1/roster/schools/{school}/people/{person}/history")
    assert reached.people == {person} and not reached.groups
    assert reached_by(f"/api/v1/gradebook/schools/{school}/courses/{course}/grid").groups == {("course", course)}
    # A school is not a person, and «me» names nobody.
    assert reached_by(f"/api/v1/roster/schools/{school}").people == set()
    assert reached_by("/api/v1/me").people == set()


def test_refused_requests_reach_nobody_and_repeats_are_counted():
    student, stranger = uuid4(), uuid4()
    found = exposure(
        [
            (T0, f"/api/v1/diary/{student}", 200),
            (T0 + timedelta(minutes=5), f"/api/v1/diary/{student}", 200),
            (T0 + timedelta(minutes=1), f"/api/v1/diary/{stranger}", 404),
        ]
    )
    assert found.people == {student: (T0, T0 + timedelta(minutes=5), 2)}
