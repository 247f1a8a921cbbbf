"""The archive's PDFs are PDF/A-2b (R-65): the conformance declared in the XMP metadata, the sRGB output intent,
every font embedded — read from the PDF's own bytes (no PDF library among the dependencies)."""

import re
import zlib
from datetime import date
from uuid import uuid4

from reporting.archive.collect import PDF_ARCHIVAL
from reporting.domain.journal import JournalLesson, JournalMark, journal_page
from reporting.domain.periods import DateRange
from reporting.domain.report_periods import ReportPeriod
from reporting.domain.sheets import ClassStudent, MarkTotals, summary_sheet
from reporting.reports.exports import html_to_pdf, to_html, to_html_template
from reporting.reports.tables import summary_sheet_table

ANNA = ClassStudent(uuid4(), "Абрамова Анна")
YEAR = ReportPeriod(None, "2026/2027 учебный год", DateRange(date(2026, 9, 1), date(2027, 6, 30)))


def pdf_objects(pdf: bytes) -> list[bytes]:
    """The PDF's objects and streams as text: each stream inflated (object streams hold the dictionaries)."""
    found = [pdf]
    for start in re.finditer(rb"stream\r?\n", pdf):
        raw = pdf[start.end() : pdf.find(b"endstream", start.end())]
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            found.append(raw)
    return found


def archival_facts(pdf: bytes) -> dict[str, object]:
    objects = pdf_objects(pdf)
    xmp = next((o for o in objects if b"<x:xmpmeta" in o), b"")
    catalog = b"".join(o for o in objects if b"/Type /Catalog" in o)
    descriptors = [d for o in objects for d in re.findall(rb"<</Type /FontDescriptor.*?>>", o)]
    return {
        "part": re.search(rb'pdfaid:part="(\d)"', xmp),
        "conformance": re.search(rb'pdfaid:conformance="(\w)"', xmp),
        "intent": b"/S /GTS_PDFA1" in catalog and b"/DestOutputProfile" in catalog,
        "fonts": len(descriptors),
        "embedded": all(re.search(rb"/FontFile[23]? ", d) for d in descriptors),
        "encrypted": b"/Encrypt" in pdf,
    }


def assert_pdf_a_2b(pdf: bytes) -> None:
    facts = archival_facts(pdf)
    assert facts["part"] and facts["part"].group(1) == b"2", facts
    assert facts["conformance"] and facts["conformance"].group(1) == b"B", facts
    assert facts["intent"], facts
    assert facts["fonts"] and facts["embedded"], facts
    assert not facts["encrypted"]


def test_the_archives_summary_sheet_is_pdf_a_2b():
    sheet = summary_sheet([ANNA], [MarkTotals(ANNA.student_id, "Математика", 2, 2, 9.0, 9.0, 2.0)], [])
    table = summary_sheet_table(sheet, "МБОУ СОШ № 7", "5А", YEAR)
    assert_pdf_a_2b(html_to_pdf(to_html(table), PDF_ARCHIVAL))


def test_the_archives_paper_copy_is_pdf_a_2b():
    lesson = JournalLesson(uuid4(), date(2026, 10, 6), "Равномерное движение", "§ 3")
    page = journal_page([ANNA], [lesson], [JournalMark(lesson.lesson_id, ANNA.student_id, "5")], [])
    html = to_html_template(
        "paper_copy.html",
        page=page,
        school="МБОУ СОШ № 7",
        class_name="5А",
        subject="Физика",
        period=f"Период: {YEAR.title}",
        final_title="Итог",
        per_spread=18,
        made_at="01.07.2027 10:00",
        title="Журнал: 5А, Физика",
    )
    assert_pdf_a_2b(html_to_pdf(html, PDF_ARCHIVAL))


def test_an_ordinary_pdf_claims_no_conformance():
    """The check tells them apart: a report downloaded from the screen is a plain PDF."""
    facts = archival_facts(html_to_pdf("<html lang='ru'><body><p>Отчёт</p></body></html>"))
    assert facts["part"] is None and not facts["intent"]
