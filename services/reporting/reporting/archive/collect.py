"""What a school's year-end archive holds, read from the read model: per class the summary sheet for the year
(XLSX and PDF/A-2b, kept 25 years), per class and subject the journal's data (JSON) and its paper copy
(PDF/A-2b, kept 5 years)."""

import asyncio
import json
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reporting.archive.store import ArchiveFile
from reporting.domain.journal import journal_page
from reporting.domain.periods import DateRange
from reporting.domain.report_periods import ReportPeriod
from reporting.domain.sheets import class_order, summary_sheet
from reporting.models import SchoolClass
from reporting.reports import queries
from reporting.reports.exports import html_to_pdf, to_html, to_html_template, to_xlsx
from reporting.reports.tables import summary_sheet_table

#: Archival PDFs (R-65): PDF/A-2b, fonts embedded.
PDF_ARCHIVAL = "pdf/a-2b"


TRANSLIT = str.maketrans(
    dict(
        zip(
            "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
            [
                "a",
                "b",
                "v",
                "g",
                "d",
                "e",
                "e",
                "zh",
                "z",
                "i",
                "i",
                "k",
                "l",
                "m",
                "n",
                "o",
                "p",
                "r",
                "s",
                "t",
                "u",
                "f",
                "h",
                "c",
                "ch",
                "sh",
                "sch",
                "-",
                "y",
                "-",
                "e",
                "yu",
                "ya",
            ],
            strict=True,
        )
    )
)


def _safe(name: str) -> str:
    """A class's or subject's name as a key segment (the file store takes plain latin segments)."""
    clean = name.lower().translate(TRANSLIT)
    return "".join(ch if ch.isalnum() else "-" for ch in clean).strip("-") or "x"


async def archive_files(
    session: AsyncSession, school_id: UUID, year: DateRange, year_name: str, made_at: datetime
) -> tuple[str, list[ArchiveFile]]:
    school = await queries.school_title(session, school_id)
    period = ReportPeriod(None, f"{year_name} учебный год", year)
    files: list[ArchiveFile] = []
    classes = sorted(
        await session.scalars(select(SchoolClass).filter_by(school_id=school_id)), key=lambda c: class_order(c.name)
    )
    for school_class in classes:
        folder = f"{_safe(school_class.name)}-{str(school_class.id)[:8]}"
        students = await queries.class_students(session, school_id, school_class.id, year)
        ids = [s.student_id for s in students]
        sheet = summary_sheet(
            students,
            await queries.mark_totals(session, school_id, ids, year),
            await queries.class_absences(session, school_id, ids, year),
            subjects=await queries.class_subjects(session, school_id, school_class.id, year),
        )
        table = summary_sheet_table(sheet, school, school_class.name, period)
        files.append(ArchiveFile(f"{folder}/svodnaya-vedomost.xlsx", to_xlsx(table), "summary_sheet"))
        # Rendering PDFs takes long: off the event loop, so the service answers meanwhile.
        sheet_pdf = await asyncio.to_thread(html_to_pdf, to_html(table), PDF_ARCHIVAL)
        files.append(ArchiveFile(f"{folder}/svodnaya-vedomost.pdf", sheet_pdf, "summary_sheet"))
        subjects = await queries.class_subject_names(session, school_id, school_class.id)
        for subject_id, subject in sorted(subjects.items(), key=lambda s: s[1]):
            lessons, marks, absences = await queries.journal_now(
                session, school_id, school_class.id, subject_id, year, ids
            )
            name = f"{folder}/zhurnal-{_safe(subject)}-{str(subject_id)[:8]}"
            data = {
                "class": school_class.name,
                "subject": subject,
                "students": [{"id": str(s.student_id), "name": s.name} for s in students],
                "lessons": [
                    {
                        "id": str(lesson.lesson_id),
                        "date": lesson.date.isoformat(),
                        "topic": lesson.topic,
                        "homework": lesson.homework,
                    }
                    for lesson in sorted(lessons, key=lambda lesson: (lesson.date, str(lesson.lesson_id)))
                ],
                "marks": sorted(
                    ({"lesson": str(m.lesson_id), "student": str(m.student_id), "value": m.value} for m in marks),
                    key=lambda m: (m["lesson"], m["student"], m["value"]),
                ),
                "absences": sorted(
                    ({"lesson": str(a.lesson_id), "student": str(a.student_id), "reason": a.reason} for a in absences),
                    key=lambda a: (a["lesson"], a["student"]),
                ),
            }
            files.append(
                ArchiveFile(f"{name}.json", json.dumps(data, ensure_ascii=False, indent=1).encode(), "journal")
            )
            html = to_html_template(
                "paper_copy.html",
                page=journal_page(students, lessons, marks, absences),
                school=school,
                class_name=school_class.name,
                subject=subject,
                period=f"Период: {period.title}",
                final_title="Итог",
                per_spread=18,
                made_at=f"{made_at:%d.%m.%Y %H:%M}",
                title=f"Журнал: {school_class.name}, {subject}",
            )
            files.append(
                ArchiveFile(f"{name}.pdf", await asyncio.to_thread(html_to_pdf, html, PDF_ARCHIVAL), "journal")
            )
    return school, files
