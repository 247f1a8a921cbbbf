"""The region's figures over HTTP (R-61, R-66): period marks of two schools through the real broker, the drill-down
from a municipality's schools to a parallel's subjects, the XLSX read back, and who may read them."""

import io
from datetime import date
from uuid import UUID, uuid4

from openpyxl import load_workbook
from sqlalchemy import and_, func, select

from chassis.auth import Caller
from chassis.events import envelope_for
from chassis.tenancy import Tenant
from chassis.testing import eventually, person, publish_event, refused
from contracts.gradebook import PeriodMarkSet
from contracts.roster import (
    ClassCreated,
    PersonRegistered,
    SchoolRegistered,
    SchoolSettingsChanged,
    StudentEnrolled,
    StudentLeftClass,
)
from reporting.handlers import diary
from reporting.models import PeriodMark, PeriodMarkCount, Student
from reporting.region_counts import COUNTED_VALUE
from reporting.reports import queries

from .test_period_marks_read import period_mark


def region_person(role: str) -> Caller:
    return Caller(person_id=uuid4(), name="Орлова Елена", region_roles=frozenset({role}))


async def school_with_quarter(settings, municipality: str, name: str, marks: str) -> uuid4:
    """A school of ``municipality`` whose 5А has one pupil per mark of ``marks`` with that quarter mark in maths."""
    school, klass = uuid4(), uuid4()
    events = [
        SchoolRegistered(school_id=school, name=name, short_name=name, municipality=municipality),
        ClassCreated(class_id=klass, grade=5, letter="А", name="5А", academic_year="2026/2027"),
    ]
    for value in marks.split():
        pupil = uuid4()
        events += [
            PersonRegistered(person_id=pupil, last_name="Ученик", first_name=value),
            StudentEnrolled(student_id=pupil, class_id=klass, class_name="5А", enrolled_on=date(2026, 9, 1)),
            quarter_mark(
                pupil,
                uuid4(),
                1,
                None if value == "н/а" else value,
                class_id=klass,
                not_attested_reason="болезнь" if value == "н/а" else None,
            ),
        ]
    for event in events:
        await publish_event(settings, event, school_id=school)
    return school


async def test_the_authority_drills_from_schools_to_subjects(settings, client, as_):
    municipality = f"Район {uuid4().hex[:6]}"
    first = await school_with_quarter(settings, municipality, "Школа № 1", "5 4 4 3 2")
    await school_with_quarter(settings, municipality, "Школа № 9", "н/а")
    await school_with_quarter(settings, municipality, "Ёлочка, гимназия", "5 5")
    inspector = as_(region_person("inspector"))
    params = {"year": "2026/2027", "period": "1 четверть", "municipality": municipality, "by_school": "true"}

    async def both_schools() -> dict | None:
        answer = await client.get("/region/indicators", params=params, headers=inspector)
        body = answer.json() if answer.status_code == 200 else {}
        return body if len(body.get("rows", [])) == 3 and body["foot"][0][2] == 8 else None

    schools = await eventually(both_schools)
    assert schools["level"] == "school"
    # Russian order: Ё with Е, before Ш.
    assert [row[1] for row in schools["rows"]] == ["Ёлочка, гимназия", "Школа № 1", "Школа № 9"]
    # DOMAIN.md's worked example is the first school: 80 %, 60 %, 3,6, СОУ 56 %.
    assert schools["rows"][1][2:] == [5, 80.0, 60.0, 3.6, 56.0]
    # «Не аттестован» counts among the students, not in the average (N − nна), and adds 0,08 to the СОУ.
    assert schools["rows"][2][2:] == [1, 0.0, 0.0, None, 8.0]
    assert schools["foot"][0][2:] == [8, 75.0, 62.5, 4.0, 61.0]
    assert {"year": "2026/2027", "name": "1 четверть", "starts": "2026-09-01"} in schools["periods"]

    school_key = schools["keys"][1]
    assert school_key == str(first)
    parallels = await client.get("/region/indicators", params={**params, "school_id": school_key}, headers=inspector)
    assert parallels.json()["level"] == "parallel" and parallels.json()["rows"][0][1] == "5 классы"
    subjects = await client.get(
        "/region/indicators", params={**params, "school_id": school_key, "grade": 5}, headers=inspector
    )
    assert [row[1] for row in subjects.json()["rows"]] == ["Математика"]

    download = await client.get(
        "/region/indicators", params={**params, "format": "xlsx"}, headers=as_(region_person("region_admin"))
    )
    assert download.status_code == 200
    assert "pokazateli-regiona-20260901.xlsx" in download.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(download.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["№", "Школа", "Итоговых отметок", "Успеваемость", "Качество знаний", "Средний балл", "СОУ"] in cells
    assert [2, "Школа № 1", 5, 0.8, 0.6, 3.6, 0.56] in cells


async def test_a_municipal_administrator_reads_their_municipalitys_schools_only(settings, client, as_):
    ours, theirs = f"Район {uuid4().hex[:6]}", f"Район {uuid4().hex[:6]}"
    first = await school_with_quarter(settings, ours, "Школа № 4", "5 4")
    second = await school_with_quarter(settings, ours, "Школа № 5", "3")
    away = await school_with_quarter(settings, theirs, "Школа № 6", "2 2 2")
    # As the gateway signs them: the municipality and the schools it has heard of in it.
    admin = Caller(
        person_id=uuid4(),
        name="Администратор Муниципалитета",
        region_roles=frozenset({"municipal_admin"}),
        municipality_id=uuid4(),
        municipal_schools=frozenset({first, second}),
    )
    params = {"year": "2026/2027", "period": "1 четверть"}
    inspector = as_(region_person("inspector"))

    async def all_three() -> bool:
        answer = await client.get("/region/indicators", params={**params, "by_school": "true"}, headers=inspector)
        return answer.status_code == 200 and {str(first), str(second), str(away)} <= set(answer.json()["keys"])

    await eventually(all_three)
    municipalities = (await client.get("/region/indicators", params=params, headers=as_(admin))).json()
    assert municipalities["level"] == "municipality"
    assert [row[1] for row in municipalities["rows"]] == [ours]
    assert municipalities["foot"][0][2] == 3
    schools = await client.get("/region/indicators", params={**params, "by_school": "true"}, headers=as_(admin))
    assert schools.json()["keys"] == [str(first), str(second)]
    parallels = await client.get("/region/indicators", params={**params, "school_id": str(first)}, headers=as_(admin))
    assert parallels.json()["rows"][0][1] == "5 классы"
    # Another municipality's school answers as if it did not exist; naming its municipality shows nothing of it.
    refused(await client.get("/region/indicators", params={**params, "school_id": str(away)}, headers=as_(admin)), 404)
    named = await client.get("/region/indicators", params={**params, "municipality": theirs}, headers=as_(admin))
    assert named.json()["rows"] == []


async def test_a_school_moved_or_renamed_is_counted_in_its_new_municipality(settings, client, as_):
    old, new = f"Район {uuid4().hex[:6]}", f"Городской округ {uuid4().hex[:6]}"
    moved = await school_with_quarter(settings, old, "Школа № 7", "4")
    # Reordered: the move comes before a redelivered registration, which names the old municipality again.
    change = SchoolSettingsChanged(
        school_id=moved, version=1, timezone="Europe/Moscow", days_per_week=5, municipality_id=uuid4(), municipality=new
    )
    await publish_event(settings, change, school_id=moved)
    again = SchoolRegistered(school_id=moved, name="Школа № 7", short_name="Школа № 7", municipality=old)
    await publish_event(settings, again, school_id=moved)
    inspector = as_(region_person("inspector"))
    params = {"year": "2026/2027", "period": "1 четверть", "municipality": new, "by_school": "true"}

    async def counted() -> bool:
        answer = await client.get("/region/indicators", params=params, headers=inspector)
        return answer.status_code == 200 and answer.json()["keys"] == [str(moved)]

    await eventually(counted)
    # The name stays the registration's: a settings change does not touch it.
    assert (await client.get("/region/indicators", params=params, headers=inspector)).json()["rows"][0][
        1
    ] == "Школа № 7"


async def test_only_the_region_reads_it_and_bad_input_is_explained(settings, client, as_):
    school = uuid4()
    refused(await client.get("/region/indicators", headers=as_(person(school, "school_admin"))), 404)
    refused(await client.get("/region/indicators", headers=as_(person(school, "director"))), 404)
    inspector = as_(region_person("inspector"))
    no_parallel = await client.get("/region/indicators", params={"grade": 5}, headers=inspector)
    assert no_parallel.status_code == 422 and "укажите школу" in no_parallel.json()["detail"]
    no_period = await client.get(
        "/region/indicators", params={"year": "2026/2027", "period": "5 четверть"}, headers=inspector
    )
    assert no_period.status_code == 404 and "нет итоговых отметок" in no_period.json()["detail"]
    bad_year = await client.get("/region/indicators", params={"year": "2026"}, headers=inspector)
    assert bad_year.status_code in (400, 422) and bad_year.headers["content-type"] == "application/problem+json"


async def test_the_periods_are_every_name_and_first_day_with_marks(app, client):
    # Schools' quarters start on different days; a term not yet marked (no value, no reason) is no period yet.
    schools = [uuid4(), uuid4(), uuid4()]
    rows = [
        (schools[0], "1 четверть", date(2026, 9, 1), "5"),
        (schools[0], "1 четверть", date(2026, 9, 1), "4"),
        (schools[1], "1 четверть", date(2026, 9, 2), "3"),
        (schools[1], "2 четверть", date(2026, 11, 5), None),
        (schools[2], "1 полугодие", date(2026, 9, 1), "2"),
        (schools[2], "1 четверть", date(2025, 9, 1), "5"),
    ]
    for school, name, starts, value in rows:
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            session.add(
                PeriodMark(
                    school_id=school,
                    id=uuid4(),
                    version=1,
                    student_id=uuid4(),
                    subject_name="Математика",
                    period_kind="quarter",
                    period_name=name,
                    starts=starts,
                    ends=starts,
                    value=value,
                    visible_from=starts,
                )
            )
    async with app.state.db.transaction(Tenant(region_read=True)) as session:
        everywhere = await queries.region_periods(session, None)
        two = await queries.region_periods(session, frozenset(schools[1:]))
    year, last = date(2026, 9, 1), date(2025, 9, 1)
    assert {(year, "1 четверть", date(2026, 9, 1)), (year, "1 полугодие", date(2026, 9, 1))} <= set(everywhere)
    assert (last, "1 четверть", last) in everywhere
    # By first day: the half-year of the third school began before the second school's quarter.
    assert two == [(last, "1 четверть", last), (year, "1 полугодие", year), (year, "1 четверть", date(2026, 9, 2))]


def quarter_mark(pupil: UUID, mark_id: UUID, version: int, value: str | None = None, **term) -> PeriodMarkSet:
    """A version of one pupil's period mark, shown to families after the quarter (the region counts it at once)."""
    return period_mark(
        pupil, period_mark_id=mark_id, version=version, value=value, visible_from=date(2026, 10, 27), **term
    )


async def test_the_counts_equal_a_recount_whatever_order_and_replays_the_events_come_in(app, client):
    school, a, b = uuid4(), uuid4(), uuid4()
    changed, moved, withdrawn, replayed, left = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()
    marks = {name: uuid4() for name in ("changed", "moved", "withdrawn", "replayed", "left")}

    def enrolled(pupil, klass, on: date) -> StudentEnrolled:
        return StudentEnrolled(student_id=pupil, class_id=klass, class_name="5А", enrolled_on=on)

    first_state = quarter_mark(changed, marks["changed"], 1, "5")
    # Each step is one delivery, or a list: a run of enrolments arriving together (one call of the handler).
    steps: list = [
        enrolled(changed, a, date(2026, 9, 1)),
        first_state,
        quarter_mark(changed, marks["changed"], 2, "3"),
        first_state,  # a late replay of the first state: the change stands
        # The mark before the enrolment (counted once the class is known), then a transfer to another class.
        quarter_mark(moved, marks["moved"], 1, "2"),
        [
            enrolled(moved, a, date(2026, 9, 1)),
            enrolled(moved, b, date(2026, 10, 1)),
            enrolled(moved, a, date(2026, 9, 1)),  # the old enrolment replayed: stays in b
            # «Не аттестован», then the term extended instead: no mark for the period yet.
            enrolled(withdrawn, a, date(2026, 9, 1)),
        ],
        quarter_mark(withdrawn, marks["withdrawn"], 1, not_attested_reason="болезнь"),
        quarter_mark(withdrawn, marks["withdrawn"], 2, extended_to=date(2026, 11, 15)),
        enrolled(replayed, b, date(2026, 9, 1)),
        quarter_mark(replayed, marks["replayed"], 1, "4"),
        quarter_mark(replayed, marks["replayed"], 1, "4"),
        # Left the class before its enrolment arrived: counted in the class it left.
        StudentLeftClass(student_id=left, class_id=a, class_name="5А", left_on=date(2026, 10, 1)),
        quarter_mark(left, marks["left"], 1, not_attested_reason="болезнь"),
        enrolled(left, a, date(2026, 9, 1)),
    ]
    for step in steps:
        async with app.state.db.transaction(Tenant(school_id=school)) as session:
            if isinstance(step, list):
                run = [(event, envelope_for(event, source="/tests", school_id=school)) for event in step]
                await diary.many[StudentEnrolled](session, run)
            else:
                envelope = envelope_for(step, source="/tests", school_id=school)
                await diary.handlers[type(step)](session, step, envelope)

    async with app.state.db.transaction(Tenant(school_id=school)) as session:
        kept = await session.execute(
            # Every row, zeros included: none may stay, or a rebuilt diary (a recount) would differ from the live one.
            select(PeriodMarkCount.class_id, PeriodMarkCount.value, PeriodMarkCount.count).where(
                PeriodMarkCount.school_id == school
            )
        )
        recounted = await session.execute(
            select(Student.class_id, COUNTED_VALUE, func.count())
            .join(Student, and_(Student.school_id == PeriodMark.school_id, Student.id == PeriodMark.student_id))
            .where(PeriodMark.school_id == school, COUNTED_VALUE.is_not(None))
            .group_by(Student.class_id, COUNTED_VALUE)
        )
        counts = {(klass, value): count for klass, value, count in kept}
        assert counts == {(klass, value): count for klass, value, count in recounted}
    assert counts == {(a, "3"): 1, (b, "2"): 1, (b, "4"): 1, (a, "н/а"): 1}
