"""Each report laid out as a ``ReportTable``: the columns and rows its JSON, XLSX, PDF and CSV share."""

from zoneinfo import ZoneInfo

from reporting.domain.indicators import PeriodIndicators
from reporting.domain.journal import JournalPage
from reporting.domain.mark_changes import ChainState, LoggedChange, action_title, chain_note
from reporting.domain.region import RegionFigures
from reporting.domain.report_periods import ReportPeriod
from reporting.domain.sheets import AttendanceSheet, JournalFill, SummarySheet
from reporting.reports.exports import Cell, Column, ReportTable
from reporting.reports.models import JournalRead

#: The region's time, as the journal's users read times.
MOSCOW = ZoneInfo("Europe/Moscow")

NUMBER = Column("№", "int", 4)
STUDENT = Column("Обучающийся", "text", 28)
ABSENCE_COLUMNS = [
    Column("Пропущено уроков", "int", 10),
    Column("в т. ч. по болезни (Б)", "int", 10),
    Column("по уважит. причине (У)", "int", 10),
    Column("без уважит. причины (Н)", "int", 10),
    Column("Опозданий (О)", "int", 9),
]


def summary_sheet_table(sheet: SummarySheet, school: str, class_name: str, period: ReportPeriod) -> ReportTable:
    """Сводная ведомость успеваемости и посещаемости класса за период (R-60)."""
    with_finals = any(cell.period_mark for row in sheet.rows for cell in row.cells.values())
    columns = [NUMBER, STUDENT]
    for subject in sheet.subjects:
        columns.append(Column(f"{subject}: ср. взв.", "decimal", 9))
        if with_finals:
            columns.append(Column(f"{subject}: итог", "text", 7))
    columns += [Column("Средний балл", "decimal", 9), *ABSENCE_COLUMNS]

    rows: list[list[Cell]] = []
    for number, row in enumerate(sheet.rows, start=1):
        values: list[Cell] = [number, row.student.name or "—"]
        for subject in sheet.subjects:
            cell = row.cells[subject]
            values.append(cell.weighted_average)
            if with_finals:
                values.append(cell.period_mark)
        a = row.absences
        rows.append([*values, row.average, a.missed, a.ill, a.excused, a.unexcused, a.lates])

    def foot_row(title: str, per_subject, final=None, tail: list[Cell] | None = None) -> list[Cell]:
        values: list[Cell] = [None, title]
        for subject in sheet.subjects:
            values.append(per_subject(subject))
            if with_finals:
                values.append(final(subject) if final else None)
        return [*values, None, *(tail or [None] * len(ABSENCE_COLUMNS))]

    feet = sheet.feet
    total = sheet.absences
    foot = [
        foot_row(
            "Средний балл класса",
            lambda s: feet[s].average,
            tail=[total.missed, total.ill, total.excused, total.unexcused, total.lates],
        ),
        foot_row("Без отметок, чел.", lambda s: feet[s].without_marks),
        foot_row("С одной отметкой, чел.", lambda s: feet[s].with_one_mark),
    ]
    if with_finals:

        def indicator(name: str):
            return lambda s: _text(getattr(feet[s].indicators, name)) if feet[s].indicators else None

        foot += [
            foot_row("Успеваемость, %", lambda s: None, indicator("pass_rate")),
            foot_row("Качество знаний, %", lambda s: None, indicator("quality_rate")),
            foot_row("СОУ, %", lambda s: None, indicator("sou")),
        ]
    subtitle = [school, f"Класс {class_name}", f"Период: {period.title}"]
    return ReportTable(
        "svodnaya-vedomost", "Сводная ведомость успеваемости и посещаемости", subtitle, columns, rows, foot
    )


def _text(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}".replace(".", ",")


def attendance_table(sheet: AttendanceSheet, school: str, class_name: str, period: ReportPeriod) -> ReportTable:
    """Посещаемость класса за месяц (R-60): per day the codes of lessons missed, totals by reason."""
    columns = [NUMBER, STUDENT, *(Column(str(day.day), "text", 4) for day in sheet.days), *ABSENCE_COLUMNS]
    rows: list[list[Cell]] = []
    for number, row in enumerate(sheet.rows, start=1):
        c = row.counts
        days = [row.days.get(day) for day in sheet.days]
        rows.append([number, row.student.name or "—", *days, c.missed, c.ill, c.excused, c.unexcused, c.lates])
    t = sheet.counts
    foot = [[None, "Итого", *([None] * len(sheet.days)), t.missed, t.ill, t.excused, t.unexcused, t.lates]]
    legend = "Б — болезнь, У — уважительная причина, Н — без уважительной причины, О — опоздание"
    subtitle = [school, f"Класс {class_name}", f"Месяц: {period.name}", legend]
    return ReportTable("poseshchaemost", "Посещаемость за месяц", subtitle, columns, rows, foot)


def journal_fill_table(fill: JournalFill, school: str) -> ReportTable:
    """Контроль заполнения журнала за неделю или месяц (R-62)."""
    columns = [
        Column("Класс", "text", 8),
        Column("Уроков записано", "int", 10),
        Column("Не записано по расписанию", "int", 12),
        Column("С темой", "int", 8),
        Column("С домашним заданием", "int", 12),
        Column("Обучающихся", "int", 11),
        Column("Без отметок", "int", 9),
        Column("С одной отметкой", "int", 10),
        Column("Отметок", "int", 9),
        Column("Накопляемость, отметок на ученика", "decimal", 14),
    ]
    rows: list[list[Cell]] = [
        [
            c.class_name,
            c.lessons,
            c.unrecorded,
            c.with_topic,
            c.with_homework,
            c.students,
            c.students_without_marks,
            c.students_with_one_mark,
            c.marks,
            c.marks_per_student,
        ]
        for c in fill.classes
    ]
    share = "—" if fill.active_share is None else f"{fill.active_share:.1f}".replace(".", ",") + " %"
    subtitle = [
        school,
        f"Период: {fill.dates.start:%d.%m.%Y} – {fill.dates.end:%d.%m.%Y}",
        f"Учителей вели журнал: {fill.active_teachers} из {fill.known_teachers} ({share})",
    ]
    return ReportTable("zapolnenie-zhurnala", "Контроль заполнения журнала", subtitle, columns, rows, frozen_columns=1)


def journal_table(page: JournalPage, school: str, class_name: str, subject: str, period: str, note: str) -> ReportTable:
    """The journal page of a class and subject as a table: a column per lesson date (R-64, R-25)."""
    with_finals = any(row.period_mark for row in page.rows)
    columns = [
        NUMBER,
        STUDENT,
        *(Column(lesson.date.strftime("%d.%m"), "text", 5) for lesson in page.lessons),
        Column("Ср. балл", "decimal", 8),
    ]
    if with_finals:
        columns.append(Column("Итог", "text", 6))
    rows: list[list[Cell]] = []
    for number, row in enumerate(page.rows, start=1):
        marks = [row.cells.get(lesson.lesson_id) for lesson in page.lessons]
        values: list[Cell] = [number, row.student.name or "—", *marks]
        values.append(row.average)
        if with_finals:
            values.append(row.period_mark)
        rows.append(values)
    subtitle = [school, f"Класс {class_name} · {subject}", f"Период: {period}", note]
    return ReportTable("zhurnal", "Журнал класса", subtitle, columns, rows)


def journal_reads_table(reads: list[JournalRead], school: str, period: str) -> ReportTable:
    """Журнал просмотров: who read a class's journal and for which moment (R-5)."""
    columns = [
        Column("Когда", "text", 17),
        Column("Кто", "text", 30),
        Column("Класс (id)", "text", 38),
        Column("Предмет (id)", "text", 38),
        Column("Журнал на момент", "text", 17),
    ]
    rows: list[list[Cell]] = [
        [
            f"{read.read_at.astimezone(MOSCOW):%d.%m.%Y %H:%M}",
            read.reader_name or str(read.reader_id),
            str(read.class_id),
            str(read.subject_id),
            f"{read.as_of.astimezone(MOSCOW):%d.%m.%Y %H:%M}",
        ]
        for read in reads
    ]
    return ReportTable("prosmotry-zhurnala", "Просмотры журнала", [school, f"Период: {period}"], columns, rows, [], 1)


#: The first column's title at each level of the region's drill-down.
REGION_LEVEL_TITLES = {
    "municipality": "Муниципалитет",
    "school": "Школа",
    "parallel": "Параллель",
    "subject": "Предмет",
}


def region_table(figures: RegionFigures, subtitle: list[str]) -> ReportTable:
    """Показатели успеваемости региона (R-61, R-66): a row per municipality, school, parallel or subject."""
    columns = [
        NUMBER,
        Column(REGION_LEVEL_TITLES[figures.level], "text", 34),
        Column("Итоговых отметок", "int", 10),
        Column("Успеваемость", "percent", 11),
        Column("Качество знаний", "percent", 11),
        Column("Средний балл", "decimal", 9),
        Column("СОУ", "percent", 9),
    ]

    def values(indicators: PeriodIndicators) -> list[Cell]:
        i = indicators
        return [i.students, i.pass_rate, i.quality_rate, i.average, i.sou]

    rows: list[list[Cell]] = [
        [number, row.title, *values(row.indicators)] for number, row in enumerate(figures.rows, start=1)
    ]
    foot = [[None, "Итого", *values(figures.total)]] if figures.total else []
    return ReportTable("pokazateli-regiona", "Показатели успеваемости", subtitle, columns, rows, foot)


def mark_changes_table(changes: list[LoggedChange], chain: ChainState, school: str, period: str) -> ReportTable:
    """Журнал изменений отметок за период (R-25): who changed which mark when, from what to what, and why."""
    columns = [
        NUMBER,
        Column("Когда", "text", 16),
        Column("Кто изменил", "text", 24),
        Column("Класс", "text", 7),
        Column("Предмет", "text", 18),
        Column("Урок", "text", 10),
        Column("Обучающийся", "text", 24),
        Column("Что", "text", 18),
        Column("Было", "text", 10),
        Column("Стало", "text", 10),
        Column("Причина", "text", 30),
    ]
    rows: list[list[Cell]] = [
        [
            number,
            f"{change.changed_at.astimezone(MOSCOW):%d.%m.%Y %H:%M}",
            change.changed_by_name,
            change.class_name or "—",
            change.subject_name or "—",
            f"{change.lesson_date:%d.%m.%Y}" if change.lesson_date else "—",
            change.student_name or "—",
            action_title(change.action),
            change.old_value,
            change.new_value or "—",
            change.reason or "",
        ]
        for number, change in enumerate(changes, start=1)
    ]
    subtitle = [school, f"Период: {period}", chain_note(chain, changes, MOSCOW)]
    return ReportTable("izmeneniya-otmetok", "Журнал изменений отметок", subtitle, columns, rows)
