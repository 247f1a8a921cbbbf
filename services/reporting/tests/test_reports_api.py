"""Reports over HTTP, fed by events through the real broker: the summary sheet, attendance by month and the
journal-fill control as JSON, XLSX (read back), PDF (text extracted, a page rendered) and CSV; bad input."""

import argparse
import csv
import io
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from openpyxl import load_workbook

from chassis.events import envelope_for
from chassis.testing import eventually, person, publish_event, refused
from contracts.attendance import AbsenceRecorded
from contracts.gradebook import LessonRecorded, MarkChanged, MarkDeleted, MarkPosted, PeriodMarkSet
from contracts.roster import (
    ClassCreated,
    ElectronicServiceRefusalChanged,
    ReportingPeriod,
    ReportingPeriodsSet,
    SchoolRegistered,
)
from reporting.archive import __main__ as archive_cli

QUARTER = uuid4()
MATHS, RUSSIAN = uuid4(), uuid4()
TEACHER = uuid4()


async def school_with_records(settings, client, as_, family) -> None:
    """Школа № 7: 5А follows the quarters; Анна has 5 and 3 (контрольная) in maths, Борис a 2 and two absences."""
    school, klass = family.school_id, family.class_id
    events = [
        SchoolRegistered(school_id=school, name="МБОУ СОШ № 7", short_name="СОШ № 7", municipality="Центральный"),
        ClassCreated(class_id=klass, grade=5, letter="А", name="5А", academic_year="2026/2027"),
        ReportingPeriodsSet(
            scheme_id=uuid4(),
            version=1,
            year_id=uuid4(),
            kind="quarters",
            grades=list(range(2, 10)),
            periods=[
                ReportingPeriod(
                    period_id=QUARTER, number=1, name="1 четверть", starts=date(2026, 9, 1), ends=date(2026, 10, 25)
                )
            ],
        ),
    ]
    lessons = {}
    for day, subject_id, subject, homework in [
        (date(2026, 10, 5), MATHS, "Математика", "№ 12"),
        (date(2026, 10, 6), MATHS, "Математика", None),
        (date(2026, 10, 6), RUSSIAN, "Русский язык", "упр. 5"),
    ]:
        lesson_id = uuid4()
        lessons[day, subject] = lesson_id
        events.append(
            LessonRecorded(
                lesson_id=lesson_id,
                version=1,
                assignment_id=uuid4(),
                class_id=klass,
                subject_id=subject_id,
                subject_name=subject,
                teacher_id=TEACHER,
                date=day,
                topic="Тема урока",
                homework=homework,
            )
        )

    def mark(student, day, value, weight, subject="Математика"):
        return MarkPosted(
            mark_id=uuid4(),
            lesson_id=lessons[day, subject],
            student_id=student.person_id,
            class_id=klass,
            subject_id=MATHS,
            subject_name=subject,
            teacher_id=TEACHER,
            date=day,
            value=value,
            work_type="test" if weight > 1 else "answer",
            weight=weight,
        )

    def absence(student, day, subject, reason):
        return AbsenceRecorded(
            absence_id=uuid4(),
            lesson_id=lessons[day, subject],
            student_id=student.person_id,
            class_id=klass,
            subject_name=subject,
            date=day,
            reason=reason,
        )

    events += [
        mark(family.anna, date(2026, 10, 5), "5", 1.0),
        mark(family.anna, date(2026, 10, 6), "3", 2.0),
        mark(family.boris, date(2026, 10, 5), "2", 1.0),
        absence(family.boris, date(2026, 10, 6), "Математика", "ill"),
        absence(family.boris, date(2026, 10, 6), "Русский язык", "unexcused"),
    ]
    for event in events:
        await publish_event(settings, event, school_id=school)

    async def handled() -> bool:
        periods = await client.get(f"/schools/{school}/classes/{klass}/periods", headers=as_(family.class_teacher))
        sheet = await client.get(
            f"/schools/{school}/classes/{klass}/reports/summary-sheet",
            params={"period_id": str(QUARTER)},
            headers=as_(family.class_teacher),
        )
        return (
            periods.status_code == 200
            and len(periods.json()) == 1
            and sheet.status_code == 200
            and sheet.json()["subtitle"][0] == "МБОУ СОШ № 7"
            and sheet.json()["foot"][0][-5] == 2
            and sheet.json()["rows"][0][2] == pytest.approx(3.67)
        )

    await eventually(handled)


@pytest.fixture
async def family(settings, client, as_, make_family):
    made = await make_family()
    await school_with_records(settings, client, as_, made)
    return made


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def pdf_info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout


def pdf_metadata(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout


def pdf_page_png(pdf: Path, stem: Path) -> Path:
    """The first page rendered to PNG, as a printer would see it."""
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(stem)], check=True)
    return stem.with_name(f"{stem.name}-1.png")


def sheet_url(family) -> str:
    return f"/schools/{family.school_id}/classes/{family.class_id}/reports/summary-sheet"


async def test_summary_sheet_as_json_xlsx_and_csv(client, as_, family):
    params = {"period_id": str(QUARTER)}
    body = (await client.get(sheet_url(family), params=params, headers=as_(family.class_teacher))).json()
    assert body["title"] == "Сводная ведомость успеваемости и посещаемости"
    assert body["subtitle"] == ["МБОУ СОШ № 7", "Класс 5А", "Период: 1 четверть (01.09.2026 – 25.10.2026)"]
    titles = [c["title"] for c in body["columns"]]
    assert titles[:5] == ["№", "Обучающийся", "Математика: ср. взв.", "Русский язык: ср. взв.", "Средний балл"]
    # Анна: (5·1 + 3·2) / 3 = 3,67 weighted, 4,00 plain; Борис: 2 in maths, Б and Н.
    assert body["rows"] == [
        [1, "Абрамова Анна", pytest.approx(3.67), None, 4.0, 0, 0, 0, 0, 0],
        [2, "Яковлев Борис", 2.0, None, 2.0, 2, 1, 0, 1, 0],
    ]
    assert body["foot"][1] == [None, "Без отметок, чел.", 0, 2, None, None, None, None, None, None]

    xlsx = await client.get(sheet_url(family), params={**params, "format": "xlsx"}, headers=as_(family.class_teacher))
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "svodnaya-vedomost-20260901.xlsx" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Сводная ведомость успеваемости и посещаемости"
    assert sheet["A4"].value == "Период: 1 четверть (01.09.2026 – 25.10.2026)"
    assert sheet.freeze_panes == "C7"  # below the header row (6), right of № and the name
    assert [sheet.cell(6, c).value for c in (1, 2, 3)] == ["№", "Обучающийся", "Математика: ср. взв."]
    assert sheet["B7"].value == "Абрамова Анна"
    assert sheet["C7"].value == pytest.approx(3.67) and sheet["C7"].number_format == "0.00"
    assert sheet["B8"].value == "Яковлев Борис" and sheet["F8"].value == 2

    table = await client.get(sheet_url(family), params={**params, "format": "csv"}, headers=as_(family.class_teacher))
    rows = list(csv.reader(io.StringIO(table.text)))
    assert rows[0][:3] == ["№", "Обучающийся", "Математика: ср. взв."]
    assert rows[1][:3] == ["1", "Абрамова Анна", "3.67"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils: make report-tools")
async def test_summary_sheet_pdf_prints_in_russian(client, as_, family, tmp_path: Path):
    pdf = await client.get(
        sheet_url(family), params={"period_id": str(QUARTER), "format": "pdf"}, headers=as_(family.class_teacher)
    )
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "sheet.pdf").write_bytes(pdf.content)
    text = pdf_text(tmp_path / "sheet.pdf")
    for expected in ("Сводная ведомость успеваемости и посещаемости", "Абрамова Анна", "Яковлев Борис", "3,67"):
        assert expected in text
    assert pdf_page_png(tmp_path / "sheet.pdf", tmp_path / "page").stat().st_size > 1000


async def test_attendance_by_month_and_journal_fill(client, as_, family):
    deputy = person(family.school_id, "deputy")
    url = f"/schools/{family.school_id}/classes/{family.class_id}/reports/attendance"
    body = (await client.get(url, params={"month": "2026-10"}, headers=as_(deputy))).json()
    assert body["subtitle"][2] == "Месяц: октябрь 2026"
    boris = body["rows"][1]
    assert boris[1] == "Яковлев Борис" and boris[2 + 5] == "Б Н"  # 6 October
    assert boris[-5:] == [2, 1, 0, 1, 0]

    fill_url = f"/schools/{family.school_id}/reports/journal-fill"
    fill = (await client.get(fill_url, params={"start": "2026-10-01", "end": "2026-10-31"}, headers=as_(deputy))).json()
    assert fill["subtitle"][2] == "Учителей вели журнал: 1 из 1 (100,0 %)"
    assert fill["rows"] == [["5А", 3, 0, 3, 2, 2, 0, 1, 3, 1.5]]


async def test_bad_input_is_answered_in_russian(client, as_, family):
    teacher = as_(family.class_teacher)
    refused(
        await client.get(sheet_url(family), params={"period_id": str(uuid4())}, headers=teacher),
        404,
        "Такого отчётного периода нет",
    )
    refused(
        await client.get(sheet_url(family), params={"start": "2026-09-01", "end": "2027-10-01"}, headers=teacher),
        422,
        "не может быть длиннее 366 дней",
    )
    refused(await client.get(sheet_url(family), headers=teacher), 422, "Укажите отчётный период")
    refused(
        await client.get(
            f"/schools/{family.school_id}/classes/{family.class_id}/reports/attendance",
            params={"month": "октябрь"},
            headers=teacher,
        ),
        422,
        "ГГГГ-ММ",
    )
    deputy = as_(person(family.school_id, "deputy"))
    refused(
        await client.get(
            f"/schools/{family.school_id}/reports/journal-fill",
            params={"start": "2026-09-01", "end": "2026-10-31"},
            headers=deputy,
        ),
        422,
        "не может быть длиннее 31 дней",
    )
    # A class of another school: the inspector reads every school, yet the class is not that school's.
    inspector = as_(person(None, region_roles=("inspector",)))
    other_school = uuid4()
    refused(
        await client.get(
            f"/schools/{other_school}/classes/{family.class_id}/reports/summary-sheet",
            params={"period_id": str(QUARTER)},
            headers=inspector,
        ),
        404,
        "Класс не найден",
    )
    # Another class's teacher and a parent are told the class does not exist.
    stranger = as_(person(family.school_id, "teacher", "class_teacher"))
    refused(await client.get(sheet_url(family), params={"period_id": str(QUARTER)}, headers=stranger), 404)
    refused(
        await client.get(
            f"/schools/{family.school_id}/reports/journal-fill",
            params={"start": "2026-10-01", "end": "2026-10-07"},
            headers=stranger,
        ),
        404,
    )


async def test_the_journal_as_it_stood_and_every_read_logged(settings, client, as_, family):
    """Marks written, changed and deleted at known instants; the journal as of each instant, by hand.

    06.10 10:05 UTC Анна 3, 10:06 Борис 5; 08.10 09:00 Анна 3 → 4; 08.10 10:00 Борис's 5 deleted;
    09.10 10:00 Анна a second mark, 5 (контрольная)."""
    lesson_id = uuid4()
    physics = uuid4()
    lesson = LessonRecorded(
        lesson_id=lesson_id,
        version=1,
        assignment_id=uuid4(),
        class_id=family.class_id,
        subject_id=physics,
        subject_name="Физика",
        teacher_id=TEACHER,
        date=date(2026, 10, 6),
        topic="Равномерное движение",
        homework="§ 3",
    )

    def posted(student, value, work_type="answer") -> MarkPosted:
        return MarkPosted(
            mark_id=uuid4(),
            lesson_id=lesson_id,
            student_id=student.person_id,
            class_id=family.class_id,
            subject_id=physics,
            subject_name="Физика",
            teacher_id=TEACHER,
            date=date(2026, 10, 6),
            value=value,
            work_type=work_type,
            weight=1.0,
        )

    anna_3, boris_5, anna_test = posted(family.anna, "3"), posted(family.boris, "5"), posted(family.anna, "5", "test")
    changed = MarkChanged(
        **anna_3.model_dump(exclude={"value"}), value="4", version=2, old_value="3", changed_by=TEACHER
    )
    deleted = MarkDeleted(
        **boris_5.model_dump(),
        version=2,
        reason="Отметка поставлена не тому ученику",
        deleted_by=TEACHER,
    )
    for event, at in [
        (lesson, datetime(2026, 10, 6, 10, tzinfo=UTC)),
        (anna_3, datetime(2026, 10, 6, 10, 5, tzinfo=UTC)),
        (boris_5, datetime(2026, 10, 6, 10, 6, tzinfo=UTC)),
        (changed, datetime(2026, 10, 8, 9, tzinfo=UTC)),
        (deleted, datetime(2026, 10, 8, 10, tzinfo=UTC)),
        (anna_test, datetime(2026, 10, 9, 10, tzinfo=UTC)),
    ]:
        envelope = envelope_for(event, source="/tests", school_id=family.school_id).model_copy(update={"time": at})
        await publish_event(settings, event, school_id=family.school_id, envelope=envelope)

    inspector = person(None, region_roles=("inspector",), name="Инспектор Орлова")
    url = f"/schools/{family.school_id}/classes/{family.class_id}/journal"
    params = {"subject_id": str(physics), "period_id": str(QUARTER)}

    async def journal(**extra: str) -> dict:
        response = await client.get(url, params={**params, **extra}, headers=as_(inspector))
        assert response.status_code == 200, response.text
        return response.json()

    def table(page: dict) -> list[list]:
        return [row[1:] for row in page["rows"]]

    async def every_event_told() -> dict | None:
        now = await journal()
        return now if table(now) == [["Абрамова Анна", "4 5", 4.5], ["Яковлев Борис", None, None]] else None

    now = await eventually(every_event_told)
    assert [c["title"] for c in now["columns"]] == ["№", "Обучающийся", "06.10", "Ср. балл"]
    assert now["subtitle"][1] == "Класс 5А · Физика"
    await eventually(lambda: journal(as_of="2026-10-10T00:00:00+03:00"))

    # The three instants (Moscow time), each by hand: before the change, after the deletion, before the test.
    on_the_7th = await journal(as_of="2026-10-07T00:00:00+03:00")
    assert table(on_the_7th) == [["Абрамова Анна", "3", 3.0], ["Яковлев Борис", "5", 5.0]]
    assert on_the_7th["subtitle"][3] == "Восстановлено по журналу изменений на 07.10.2026 00:00"
    after_the_deletion = await journal(as_of="2026-10-08T13:30:00+03:00")
    assert table(after_the_deletion) == [["Абрамова Анна", "4", 4.0], ["Яковлев Борис", None, None]]
    between = await journal(as_of="2026-10-08T12:30:00+03:00")  # changed at 12:00, deleted at 13:00
    assert table(between) == [["Абрамова Анна", "4", 4.0], ["Яковлев Борис", "5", 5.0]]
    before_the_test = await journal(as_of="2026-10-09T12:59:00+03:00")
    assert table(before_the_test) == table(after_the_deletion)
    assert table(await journal(as_of="2026-10-09T13:00:00+03:00")) == table(now)
    before = await journal(as_of="2026-10-05T00:00:00+03:00")
    assert [c["title"] for c in before["columns"]] == ["№", "Обучающийся", "Ср. балл"]

    refused(
        await client.get(url, params={**params, "as_of": "2026-12-01T00:00:00+03:00"}, headers=as_(inspector)),
        422,
        "ещё не наступил",
    )
    refused(
        await client.get(url, params={**params, "subject_id": str(uuid4())}, headers=as_(inspector)),
        404,
        "Такого предмета нет",
    )
    # The class teacher keeps the class's records but the rebuilt journal is the administration's and inspector's.
    refused(await client.get(url, params=params, headers=as_(family.class_teacher)), 404)

    reads = await client.get(
        f"/schools/{family.school_id}/reports/journal-reads",
        params={"start": "2026-10-01", "end": "2026-10-31"},
        headers=as_(person(family.school_id, "director")),
    )
    logged = [row for row in reads.json()["rows"] if row[1] == "Инспектор Орлова"]
    assert len(logged) >= 8  # every read, each with its moment
    assert {"07.10.2026 00:00", "08.10.2026 13:30", "09.10.2026 12:59"} <= {row[4] for row in logged}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils: make report-tools")
async def test_paper_copy_prints_marks_then_topics(client, as_, family, tmp_path: Path):
    subjects = await client.get(
        f"/schools/{family.school_id}/classes/{family.class_id}/subjects", headers=as_(family.class_teacher)
    )
    maths = next(s for s in subjects.json() if s["name"] == "Математика")
    pdf = await client.get(
        f"/schools/{family.school_id}/classes/{family.class_id}/reports/paper-copy",
        params={"subject_id": maths["subject_id"], "period_id": str(QUARTER)},
        headers=as_(family.class_teacher),
    )
    assert pdf.headers["content-type"] == "application/pdf", pdf.text
    (tmp_path / "copy.pdf").write_bytes(pdf.content)
    pages = pdf_text(tmp_path / "copy.pdf").split("\f")
    # Cover, then the spread: marks on the left (even) page, topics and homework facing it.
    assert "Копия электронного журнала" in pages[0] and "Класс 5А · Математика" in pages[0]
    assert "отметки и посещаемость" in pages[1]
    assert "Абрамова Анна" in pages[1] and "Яковлев Борис" in pages[1]
    assert "Б" in pages[1]  # Борис ill on 6 October
    assert "темы уроков и домашние задания" in pages[2] and "№ 12" in pages[2]
    assert "05.10.2026" in pages[2] and "06.10.2026" in pages[2]
    assert pdf_page_png(tmp_path / "copy.pdf", tmp_path / "page").stat().st_size > 1000


async def test_a_schools_summary_sheets_run_as_a_job_and_download_later(client, as_, family):
    deputy = as_(person(family.school_id, "deputy"))
    url = f"/schools/{family.school_id}/report-jobs"
    started = await client.post(
        url, json={"kind": "school-summary-sheets", "format": "xlsx", "period_id": str(QUARTER)}, headers=deputy
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    assert started.json()["title"] == "Сводные ведомости школы за отчётный период"

    async def done() -> dict | None:
        job = (await client.get(f"{url}/{job_id}", headers=deputy)).json()
        return job if job["status"] == "done" else None

    job = await eventually(done)
    assert job["progress"] == 100 and job["download"] == f"{url}/{job_id}/file"
    # The director and the inspector read it too; the file comes from the file store.
    inspector = as_(person(None, region_roles=("inspector",)))
    xlsx = await client.get(job["download"], headers=inspector)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["5А"]
    assert book["5А"]["B7"].value == "Абрамова Анна"
    assert [j["job_id"] for j in (await client.get(url, headers=inspector)).json()] == [job_id]

    pdf_job = await client.post(
        url,
        json={"kind": "school-summary-sheets", "format": "pdf", "start": "2026-10-01", "end": "2026-10-31"},
        headers=deputy,
    )
    pdf_id = pdf_job.json()["job_id"]
    await eventually(lambda: done_id(client, url, pdf_id, deputy))
    pdf = await client.get(f"{url}/{pdf_id}/file", headers=deputy)
    assert pdf.content.startswith(b"%PDF")


async def done_id(client, url, job_id, headers) -> bool:
    return (await client.get(f"{url}/{job_id}", headers=headers)).json()["status"] == "done"


async def test_report_jobs_refuse_bad_input(client, as_, family):
    deputy = as_(person(family.school_id, "deputy"))
    url = f"/schools/{family.school_id}/report-jobs"
    refused(
        await client.post(
            url, json={"kind": "school-summary-sheets", "format": "xlsx", "period_id": str(uuid4())}, headers=deputy
        ),
        404,
        "Такого отчётного периода в школе нет",
    )
    refused(
        await client.post(
            url,
            json={"kind": "school-summary-sheets", "format": "xlsx", "start": "2026-01-01", "end": "2027-06-01"},
            headers=deputy,
        ),
        422,
        "не может быть длиннее 366 дней",
    )
    refused(
        await client.post(url, json={"kind": "school-summary-sheets", "format": "xlsx"}, headers=deputy),
        422,
        "Укажите отчётный период",
    )
    refused(await client.get(f"{url}/{uuid4()}", headers=deputy), 404, "Такого отчёта нет")
    # A class teacher starts no school-wide report.
    refused(
        await client.post(
            url,
            json={"kind": "school-summary-sheets", "format": "xlsx", "period_id": str(QUARTER)},
            headers=as_(family.class_teacher),
        ),
        404,
    )


FIXTURES = Path(__file__).parent / "fixtures"
#: Debian's GOST engine for OpenSSL (libengine-gost-openssl): the outside check of the archive's signature.
GOST_ENGINE = shutil.which("openssl") is not None and Path("/usr/lib/x86_64-linux-gnu/engines-3/gost.so").exists()


def openssl_gost_verifies(content: Path, signature: Path, certificate: Path) -> bool:
    done = subprocess.run(
        [
            *("openssl", "cms", "-engine", "gost", "-verify", "-binary", "-inform", "DER", "-in", str(signature)),
            *("-content", str(content), "-CAfile", str(certificate), "-purpose", "any", "-out", "/dev/null"),
        ],
        capture_output=True,
        text=True,
    )
    return done.returncode == 0 and "Verification successful" in done.stderr


async def test_the_signed_year_end_archive(settings, family, tmp_path: Path):
    """R-65: build → two stores → verify (ours and openssl's GOST engine) → one byte changed → named."""
    archive_settings = settings.model_copy(
        update={"files_dir": str(tmp_path / "primary"), "archive_mirror_dir": str(tmp_path / "mirror")}
    )
    args = argparse.Namespace(
        school=family.school_id,
        year="2026/2027",
        start=date(2026, 9, 1),
        end=date(2027, 6, 30),
        certificate=FIXTURES / "school-gost-cert.pem",
        key=FIXTURES / "school-gost-key.pem",
        sign_command=None,
    )
    assert "подписан, записан в два хранилища" in await archive_cli.build(args, archive_settings)

    for store in ("primary", "mirror"):
        intact, text = await archive_cli.verify(
            argparse.Namespace(store=tmp_path / store, school=family.school_id, year="2026/2027")
        )
        assert intact, text
        assert "Школа № 7" in text  # the certificate's subject
    folder = tmp_path / "primary" / "archive" / str(family.school_id) / "2026-2027"
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert "manifest.json" in files and "manifest.json.p7s" in files
    sheet_pdf = next(folder / f for f in files if f.endswith("svodnaya-vedomost.pdf"))
    assert "pdfaid:part" in pdf_metadata(sheet_pdf)  # PDF/A-2b
    journals = [f for f in files if "/zhurnal-matematika-" in f]
    assert len(journals) == 2  # the data (JSON) and the paper copy (PDF)
    if GOST_ENGINE:
        assert openssl_gost_verifies(
            folder / "manifest.json", folder / "manifest.json.p7s", FIXTURES / "school-gost-cert.pem"
        )

    # One byte of the summary sheet changed in the primary store: verify names the file, the mirror is intact.
    data = bytearray(sheet_pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    sheet_pdf.write_bytes(bytes(data))
    intact, text = await archive_cli.verify(
        argparse.Namespace(store=tmp_path / "primary", school=family.school_id, year="2026/2027")
    )
    assert not intact
    assert f"Файл {sheet_pdf.relative_to(folder).as_posix()} изменён" in text
    assert (
        await archive_cli.verify(
            argparse.Namespace(store=tmp_path / "mirror", school=family.school_id, year="2026/2027")
        )
    )[0]

    # The manifest itself changed: its signature no longer holds.
    manifest = folder / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b"2026/2027", b"2026/2028"))
    intact, text = await archive_cli.verify(
        argparse.Namespace(store=tmp_path / "primary", school=family.school_id, year="2026/2027")
    )
    assert not intact and "Подпись описи недействительна" in text
    if GOST_ENGINE:
        assert not openssl_gost_verifies(manifest, folder / "manifest.json.p7s", FIXTURES / "school-gost-cert.pem")

    # Retention: journals after 5 years, summary sheets after 25, never before.
    mirror = tmp_path / "mirror"
    assert "Нечего уничтожать" in await archive_cli.retention(argparse.Namespace(store=mirror, today=date(2032, 6, 29)))
    due = (await archive_cli.retention(argparse.Namespace(store=mirror, today=date(2032, 6, 30)))).splitlines()
    assert due and all("/zhurnal-" in line for line in due)
    assert len(
        (await archive_cli.retention(argparse.Namespace(store=mirror, today=date(2052, 6, 30)))).splitlines()
    ) > len(due)


def png_size(png: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    header = png.read_bytes()[16:24]
    return int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")


def refusal(student, refused_on, version) -> ElectronicServiceRefusalChanged:
    return ElectronicServiceRefusalChanged(student_id=student.person_id, version=version, refused_on=refused_on)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils: make report-tools")
async def test_the_printed_monthly_summary_for_families_without_the_service(
    settings, client, as_, family, tmp_path: Path
):
    """R-54: Борис's family refused in September, Анна's on 2 November: October prints Борис's page only,
    with his marks, absences, the class's homework and his quarter mark; November prints both."""
    url = f"/schools/{family.school_id}/classes/{family.class_id}/reports/family-summary"
    teacher = as_(family.class_teacher)
    refused(
        await client.get(url, params={"month": "2026-10"}, headers=teacher),
        404,
        "нет семей, отказавшихся от электронной услуги",
    )
    quarter_mark = PeriodMarkSet(
        period_mark_id=uuid4(),
        version=1,
        student_id=family.boris.person_id,
        assignment_id=uuid4(),
        class_id=family.class_id,
        subject_id=MATHS,
        subject_name="Математика",
        teacher_id=TEACHER,
        period_kind="quarter",
        period_id=QUARTER,
        period_name="1 четверть",
        starts=date(2026, 9, 1),
        ends=date(2026, 10, 25),
        value="3",
        visible_from=date(2026, 10, 25),
        set_by=TEACHER,
    )
    for event in [
        refusal(family.boris, date(2026, 9, 15), 1),
        refusal(family.anna, date(2026, 11, 2), 1),
        quarter_mark,
    ]:
        await publish_event(settings, event, school_id=family.school_id)

    async def printed(month: str, pages: int) -> Path | None:
        response = await client.get(url, params={"month": month}, headers=teacher)
        if response.status_code != 200:
            return None
        pdf = tmp_path / f"family-{month}.pdf"
        pdf.write_bytes(response.content)
        info, text = pdf_info(pdf), pdf_text(pdf)
        ready = f"Pages:           {pages}" in info and (month != "2026-10" or "Итоговые отметки выставлены" in text)
        return pdf if ready else None

    october = await eventually(lambda: printed("2026-10", 1), timeout=30)
    assert "(A4)" in pdf_info(october)
    (boris,) = pdf_text(october).split("\f")[:1]
    assert "Сводка успеваемости и посещаемости за октябрь 2026" in boris
    assert "Яковлев Борис" in boris and "Абрамова" not in boris
    lines = {line.split()[0]: line.split() for line in boris.splitlines() if line.strip()}
    # Предмет, отметки, средний балл, пропущено, опозданий, домашних заданий, итоговая.
    assert lines["Математика"] == ["Математика", "2", "2,00", "1", "0", "1", "3"]
    assert lines["Русский"] == ["Русский", "язык", "1", "0", "1"]
    assert "отметок — 1, пропущено уроков — 2, опозданий — 0, домашних заданий — 2" in " ".join(boris.split())
    # Printed as the family gets it: one A4 portrait page, the Cyrillic drawn (not empty boxes).
    png = pdf_page_png(october, tmp_path / "family")
    width, height = png_size(png)
    assert (width, height) == (497, 702)  # A4 (595 × 842 pt) at 60 dpi
    assert png.stat().st_size > 10_000

    november = await eventually(lambda: printed("2026-11", 2), timeout=30)
    anna, boris = pdf_text(november).split("\f")[:2]
    assert "Абрамова Анна" in anna and "Яковлев Борис" in boris
    assert "За месяц отметок, пропусков и домашних заданий нет." in anna
    # Анна's family takes the refusal back: November is Борис's page alone.
    await publish_event(settings, refusal(family.anna, None, 2), school_id=family.school_id)
    await eventually(lambda: printed("2026-11", 1), timeout=30)

    # One student's page on request, whether the family refused or not.
    one = await client.get(url, params={"month": "2026-10", "student_id": str(family.anna.person_id)}, headers=teacher)
    (tmp_path / "one.pdf").write_bytes(one.content)
    anna = pdf_text(tmp_path / "one.pdf")
    assert "Абрамова Анна" in anna and "Яковлев" not in anna and "4,00" in anna
    refused(
        await client.get(url, params={"month": "2026-10", "student_id": str(uuid4())}, headers=teacher),
        404,
        "Такого обучающегося нет в классе",
    )
    refused(await client.get(url, params={"month": "2026-13"}, headers=teacher), 422, "не понят")
    refused(await client.get(url, params={"month": "2026-10"}, headers=as_(family.anna_parent)), 404)
