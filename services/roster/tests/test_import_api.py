"""Bulk import over HTTP against real PostgreSQL (R-15): dry run, apply all or the valid rows, progress,
resumption of a job left applying, no half-applied chunk, and an export that imports back the same."""

from uuid import UUID

from sqlalchemy import select, update

from chassis.tenancy import Tenant
from chassis.testing import eventually, person, refused
from contracts.roster import CONSENT_PURPOSES
from roster import imports
from roster.models import Consent, ImportJob, Person

CLASSES = "Класс;Учебный год\n5А;\n5Б;\n"
STUDENTS = (
    "Фамилия;Имя;Отчество;Дата рождения;СНИЛС;Класс;Дата зачисления\r\n"
    "Иванова;Мария;Петровна;03.04.2015;112-233-445 95;5А;01.09.2026\r\n"
    "Петров;Иван;;42097;001-001-998 12;5Б;01.09.2026\r\n"
    "Сидоров;Олег;;31.02.2015;;5А;\r\n"
    "Орлова;Анна;;01.05.2015;;7В;\r\n"
)
PARENTS = (
    "Фамилия,Имя,Дата рождения,Идентификатор ЕСИА,Телефон,СНИЛС обучающегося,Кем приходится\n"
    "Иванов,Пётр,12.03.1985,2000001,+7 900 111-22-33,11223344595,отец\n"
)
STAFF = "Фамилия;Имя;Дата рождения;oid;Роли\nКузнецова;Ольга;02.06.1979;2000002;учитель, классный руководитель\n"


async def new_school(client, as_, region_admin, name):
    body = {"name": name, "short_name": name, "municipality": "Город"}
    created = await client.post("/schools", json=body, headers=as_(region_admin))
    school_id = UUID(created.json()["id"])
    return school_id, person(school_id, "secretary")


async def load(client, as_, school_id, secretary, kind, content: bytes, mode="valid"):
    checked = await client.post(
        f"/schools/{school_id}/imports",
        params={"kind": kind, "filename": f"{kind}.csv"},
        content=content,
        headers=as_(secretary),
    )
    assert checked.status_code == 201, checked.text
    job = checked.json()
    applied = await client.post(
        f"/schools/{school_id}/imports/{job['id']}/apply", json={"mode": mode, "consent": True}, headers=as_(secretary)
    )
    assert applied.status_code == 202, applied.text
    return await finished(client, as_, school_id, secretary, job["id"])


async def finished(client, as_, school_id, secretary, job_id):
    async def done():
        job = (await client.get(f"/schools/{school_id}/imports/{job_id}", headers=as_(secretary))).json()
        return job if job["status"] in ("done", "failed") else None

    return await eventually(done, timeout=10)


async def test_dry_run_reports_rows_then_the_valid_rows_are_applied(client, as_, region_admin, outbox_events, app):
    school_id, secretary = await new_school(client, as_, region_admin, "Школа импорта")
    await load(client, as_, school_id, secretary, "classes", CLASSES.encode("cp1251"))
    # The same classes again (and one more): those already there are not made twice.
    await load(client, as_, school_id, secretary, "classes", "Класс\n5А\n5Б\n6А\n".encode())

    checked = await client.post(
        f"/schools/{school_id}/imports",
        params={"kind": "students", "filename": "ученики.csv"},
        content=STUDENTS.encode("cp1251"),
        headers=as_(secretary),
    )
    job = checked.json()
    assert job["status"] == "checked" and job["total_rows"] == 4 and job["valid_rows"] == 2
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(4, "Дата рождения"), (5, "Класс")]
    assert job["errors"][1]["message"] == "Класса 7В нет в школе в этом учебном году."
    all_rows = await client.post(
        f"/schools/{school_id}/imports/{job['id']}/apply", json={"mode": "all", "consent": True}, headers=as_(secretary)
    )
    refused(all_rows, 409, "В файле 2 ошибок")
    started = await client.post(
        f"/schools/{school_id}/imports/{job['id']}/apply",
        json={"mode": "valid", "consent": True},
        headers=as_(secretary),
    )
    assert started.status_code == 202
    done = await finished(client, as_, school_id, secretary, job["id"])
    assert done["status"] == "done" and done["applied_rows"] == 2
    again = await client.post(
        f"/schools/{school_id}/imports/{job['id']}/apply",
        json={"mode": "valid", "consent": True},
        headers=as_(secretary),
    )
    refused(again, 409, "уже выполняется или выполнена")

    parents = await load(client, as_, school_id, secretary, "parents", PARENTS.encode("utf-8-sig"), mode="all")
    staff = await load(client, as_, school_id, secretary, "staff", STAFF.encode())
    assert (parents["applied_rows"], staff["applied_rows"]) == (1, 1)
    # each person entered with the consent the school confirmed, every purpose given, numbered in order.
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        consents = await session.execute(
            select(Consent.person_id, Consent.version, Consent.purpose, Consent.action)
            .where(Consent.school_id == school_id)
            .order_by(Consent.person_id, Consent.version)
        )
        by_person: dict[UUID, list[tuple[int, str, str]]] = {}
        for person_id, version, purpose, action in consents:
            by_person.setdefault(person_id, []).append((version, purpose, action))
    assert len(by_person) == 4
    assert all(rows == [(n, p, "given") for n, p in enumerate(CONSENT_PURPOSES, 1)] for rows in by_person.values())
    told = [(e["type"], e["data"]) for e in await outbox_events(school_id)]
    assert sorted(d["name"] for t, d in told if t == "roster.class.created.v1") == ["5А", "5Б", "6А"]
    # Each person is told as a registration tells them (roster.events), with the birth date and ESIA account the
    # file gave, so the gateway matches their Госуслуги login.
    registered = [d for t, d in told if t == "roster.person.registered.v1"]
    assert sorted((d["last_name"], d["snils"], d["birth_date"], d["esia_oid"]) for d in registered) == [
        ("Иванов", None, "1985-03-12", "2000001"),
        ("Иванова", "112-233-445 95", "2015-04-03", None),
        ("Кузнецова", None, "1979-06-02", "2000002"),
        ("Петров", "001-001-998 12", "2015-04-03", None),
    ]
    # An account already in the school is nobody else's.
    taken = await client.post(
        f"/schools/{school_id}/imports",
        params={"kind": "staff"},
        content="Фамилия;Имя;Идентификатор ЕСИА;Роли\nОрлов;Пётр;2000002;учитель\n".encode(),
        headers=as_(secretary),
    )
    assert taken.json()["errors"] == [
        {
            "row": 2,
            "column": "Идентификатор ЕСИА",
            "message": "Идентификатор ЕСИА 2000002 уже принадлежит другому человеку школы.",
        }
    ]

    # The same students again: matched by СНИЛС, nobody entered twice.
    repeat = await client.post(
        f"/schools/{school_id}/imports",
        params={"kind": "students"},
        content=STUDENTS.encode("cp1251"),
        headers=as_(secretary),
    )
    assert repeat.json()["existing_rows"] == 2
    students = (await client.get(f"/schools/{school_id}/classes", headers=as_(secretary))).json()
    assert {c["name"] for c in students} == {"5А", "5Б", "6А"}

    teacher = person(school_id, "teacher")
    refused(
        await client.post(
            f"/schools/{school_id}/imports", params={"kind": "staff"}, content=b"x", headers=as_(teacher)
        ),
        403,
    )
    empty = await client.post(
        f"/schools/{school_id}/imports", params={"kind": "staff"}, content=b"", headers=as_(secretary)
    )
    refused(empty, 422, "Файл пустой")


async def test_an_export_imports_back_into_another_school_as_the_same_roster(client, as_, region_admin):
    source, secretary = await new_school(client, as_, region_admin, "Школа-источник")
    await load(client, as_, source, secretary, "classes", CLASSES.encode())
    await load(client, as_, source, secretary, "students", STUDENTS.encode())
    await load(client, as_, source, secretary, "parents", PARENTS.encode())
    await load(client, as_, source, secretary, "staff", STAFF.encode())
    target, target_secretary = await new_school(client, as_, region_admin, "Школа-приёмник")

    exported = {}
    for kind in ("classes", "students", "parents", "staff"):
        for fmt in ("csv", "xlsx"):
            response = await client.get(
                f"/schools/{source}/exports/{kind}", params={"format": fmt}, headers=as_(secretary)
            )
            assert response.status_code == 200
            exported[kind, fmt] = response.content
    for kind in ("classes", "students", "parents", "staff"):
        fmt = "xlsx" if kind in ("students", "staff") else "csv"
        job = await load(client, as_, target, target_secretary, kind, exported[kind, fmt], mode="all")
        assert job["status"] == "done", job
    for kind in ("classes", "students", "parents", "staff"):
        again = await client.get(f"/schools/{target}/exports/{kind}", headers=as_(target_secretary))
        assert again.content == exported[kind, "csv"], kind


async def test_a_job_left_applying_is_resumed_and_a_failing_chunk_leaves_nothing_half_done(
    app, client, as_, region_admin, monkeypatch
):
    school_id, secretary = await new_school(client, as_, region_admin, "Школа перезапуска")
    await load(client, as_, school_id, secretary, "classes", CLASSES.encode())
    lines = "".join(f"Ученик;Имя{chr(0x430 + n)};;;;5А;\n" for n in range(7))
    checked = await client.post(
        f"/schools/{school_id}/imports",
        params={"kind": "students"},
        content=f"Фамилия;Имя;Отчество;Дата рождения;СНИЛС;Класс;Дата зачисления\n{lines}".encode(),
        headers=as_(secretary),
    )
    job_id = UUID(checked.json()["id"])
    assert checked.json()["valid_rows"] == 7
    monkeypatch.setattr(imports, "CHUNK", 3)
    # As if a process had started it and died: the job is applying, two rows in, nobody working on it.
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        await session.execute(update(ImportJob).where(ImportJob.id == job_id).values(status="applying", mode="valid"))
    app.state.imports.wake.set()
    done = await finished(client, as_, school_id, secretary, job_id)
    assert done["status"] == "done" and done["applied_rows"] == 7

    # A row that no longer fits when applied (its class gone): the chunk that holds it is rolled back whole.
    students = await client.post(
        f"/schools/{school_id}/imports",
        params={"kind": "students"},
        content=(
            "Фамилия;Имя;Отчество;Дата рождения;СНИЛС;Класс;Дата зачисления\n"
            + "".join(f"Другой;Имя{chr(0x430 + n)};;;;5Б;\n" for n in range(5))
        ).encode(),
        headers=as_(secretary),
    )
    job_id = UUID(students.json()["id"])
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        rows = await session.scalar(select(ImportJob.rows).where(ImportJob.id == job_id))
        rows[3]["data"]["class_name"] = "9Я"  # the fourth row, in the second chunk of three
        await session.execute(update(ImportJob).where(ImportJob.id == job_id).values(rows=rows))
    await client.post(
        f"/schools/{school_id}/imports/{job_id}/apply", json={"mode": "valid", "consent": True}, headers=as_(secretary)
    )
    failed = await finished(client, as_, school_id, secretary, job_id)
    assert failed["status"] == "failed" and failed["applied_rows"] == 3
    assert "после 3 строк" in failed["message"]
    async with app.state.db.transaction(Tenant(school_id=school_id)) as session:
        written = await session.scalars(select(Person.first_name).where(Person.last_name == "Другой"))
        assert sorted(written) == ["Имяа", "Имяб", "Имяв"]


async def test_a_oneroster_archive_round_trip_gives_the_same_roster(client, as_, region_admin):
    source, secretary = await new_school(client, as_, region_admin, "Школа OneRoster")
    await load(client, as_, source, secretary, "classes", CLASSES.encode())
    await load(client, as_, source, secretary, "students", STUDENTS.encode())
    # OneRoster's roles say «parent», not «отец»: the relation travels as «родитель».
    await load(client, as_, source, secretary, "parents", PARENTS.replace(",отец", ",родитель").encode())
    await load(client, as_, source, secretary, "staff", "Фамилия;Имя;Роли\nКузнецова;Ольга;учитель\n".encode())
    archive = await client.get(f"/schools/{source}/exports/oneroster", headers=as_(secretary))
    assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"

    target, target_secretary = await new_school(client, as_, region_admin, "Школа-получатель OneRoster")
    checked = await client.post(
        f"/schools/{target}/imports",
        params={"kind": "oneroster"},
        content=archive.content,
        headers=as_(target_secretary),
    )
    assert checked.status_code == 201, checked.text
    assert checked.json()["errors"] == [] and checked.json()["valid_rows"] == 6
    applied = await client.post(
        f"/schools/{target}/imports/{checked.json()['id']}/apply",
        json={"mode": "all", "consent": True},
        headers=as_(target_secretary),
    )
    assert applied.status_code == 202
    assert (await finished(client, as_, target, target_secretary, checked.json()["id"]))["status"] == "done"
    for kind in ("classes", "students", "parents", "staff"):
        before = await client.get(f"/schools/{source}/exports/{kind}", headers=as_(secretary))
        after = await client.get(f"/schools/{target}/exports/{kind}", headers=as_(target_secretary))
        assert after.content == before.content, kind

    broken = await client.post(
        f"/schools/{target}/imports", params={"kind": "oneroster"}, content=b"not a zip", headers=as_(target_secretary)
    )
    refused(broken, 422, "не архив OneRoster")


async def test_the_oneroster_rest_reads_a_school_with_filter_sort_and_pages(client, as_, region_admin):
    school_id, secretary = await new_school(client, as_, region_admin, "Школа OneRoster REST")
    await load(client, as_, school_id, secretary, "classes", CLASSES.encode())
    await load(client, as_, school_id, secretary, "students", STUDENTS.encode())
    await load(client, as_, school_id, secretary, "parents", PARENTS.encode())
    base = f"/schools/{school_id}/ims/oneroster/rostering/v1p2"
    page = await client.get(f"{base}/users", params={"sort": "familyName", "limit": 2}, headers=as_(secretary))
    assert page.status_code == 200, page.text
    assert page.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in page.headers["Link"]
    users = page.json()["users"]
    assert [u["familyName"] for u in users] == ["Иванов", "Иванова"]
    parent = users[0]
    assert parent["roles"][0]["role"] == "parent" and parent["agents"][0]["type"] == "user"
    stamp = users[1]["dateLastModified"]
    later = await client.get(f"{base}/users", params={"filter": f"dateLastModified>'{stamp}'"}, headers=as_(secretary))
    assert all(u["dateLastModified"] > stamp for u in later.json()["users"])
    for collection in ("orgs", "academicSessions", "courses", "classes", "enrollments"):
        answer = await client.get(f"{base}/{collection}", headers=as_(secretary))
        assert answer.status_code == 200 and collection in answer.json(), collection
    classes = (await client.get(f"{base}/classes", headers=as_(secretary))).json()["classes"]
    assert sorted(c["title"] for c in classes) == ["5А", "5Б"]
    bad = await client.get(f"{base}/users", params={"filter": "snils='1'"}, headers=as_(secretary))
    refused(bad, 422, "не поддерживается")
    refused(await client.get(f"{base}/users", headers=as_(person(school_id, "teacher"))), 403)
