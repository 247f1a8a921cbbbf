"""Every report as one table, written out as JSON, XLSX, PDF and CSV from the same ``ReportTable``.

XLSX (openpyxl) as people expect it: the title and subtitle above, a bold header row, panes
frozen below the header and right of the names, number formats that Excel shows the Russian
way (decimal comma, percent). PDF: WeasyPrint from the HTML template the screen could print,
in DejaVu Sans (Cyrillic, from Debian's fonts-dejavu-core; ``make report-tools``). CSV for
machines: UTF-8, comma-separated, decimal point, one header row.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from chassis.pdf import html_to_pdf

Kind = Literal["text", "int", "decimal", "percent"]
Cell = str | int | float | None
Format = Literal["json", "xlsx", "pdf", "csv"]

MEDIA_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}
#: Excel shows these with the reader's locale: "3,67" and "80,0 %" in a Russian one.
XLSX_FORMATS: dict[str, str] = {"int": "0", "decimal": "0.00", "percent": "0.0%"}


@dataclass(frozen=True)
class Column:
    title: str
    kind: Kind = "text"
    #: Width in characters (XLSX) and a hint for the PDF's narrow columns.
    width: int = 8


@dataclass(frozen=True)
class ReportTable:
    """A report laid out as a table: what every format writes."""

    #: Names the file: ``svodnaya-vedomost``-style latin slug.
    slug: str
    title: str
    subtitle: list[str]
    columns: list[Column]
    rows: list[list[Cell]]
    foot: list[list[Cell]] = field(default_factory=list)
    #: Columns kept in view when scrolling right (№ and the name).
    frozen_columns: int = 2
    landscape: bool = True

    def as_json(self) -> dict:
        return asdict(self)


def russian_number(value: Cell, kind: Kind) -> str:
    """How a number is printed in Russian: decimal comma, «80,0 %»; empty for nothing."""
    if value is None:
        return ""
    if kind == "decimal" and isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    if kind == "percent" and isinstance(value, int | float):
        return f"{value:.1f}".replace(".", ",") + " %"
    return str(value)


def to_csv(table: ReportTable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.title for c in table.columns])
    for row in [*table.rows, *table.foot]:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode()


def to_xlsx(table: ReportTable) -> bytes:
    return to_xlsx_book([table])


def to_xlsx_book(tables: Sequence[ReportTable], sheet_names: Sequence[str] = ()) -> bytes:
    """One workbook, a worksheet per table (named by ``sheet_names`` or the table's title)."""
    book = Workbook()
    book.remove(book.active)
    # A named style binds itself to its workbook: each book gets its own.
    styles = _named_styles()
    for style in styles.values():
        book.add_named_style(style)
    for index, table in enumerate(tables):
        name = sheet_names[index] if index < len(sheet_names) else table.title
        _write_sheet(book.create_sheet(_sheet_name(name, index)), table, styles)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(name: str, index: int) -> str:
    # Excel: at most 31 characters, none of []:*?/\, unique in the book.
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:27] or "Лист"
    return f"{clean} {index + 1}" if index else clean


def _named_styles() -> dict[tuple[str, bool], NamedStyle]:
    """The cells' styles, registered once per workbook: a cell then takes its style by name. Setting a
    font, border and format on each cell made openpyxl compare style objects for every one (a school's
    sheets spent 80 % of their time there)."""
    thin = Side(style="thin", color="999999")
    border = Border(top=thin, bottom=thin, left=thin, right=thin)
    found = {
        ("header", True): NamedStyle(
            "Отчёт: шапка",
            font=Font(bold=True),
            border=border,
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        )
    }
    names = {"text": "текст", "int": "целое", "decimal": "дробное", "percent": "процент"}
    for kind, title in names.items():
        for bold in (False, True):
            found[kind, bold] = NamedStyle(
                f"Отчёт: {title}{', итог' if bold else ''}",
                font=Font(bold=bold),
                border=border,
                number_format=XLSX_FORMATS.get(kind, "General"),
            )
    return found


def _write_sheet(sheet, table: ReportTable, styles: dict[tuple[str, bool], NamedStyle]) -> None:
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in table.subtitle:
        sheet.append([line])
    sheet.append([])
    # The title, the subtitle's lines and an empty row above (max_row does not count the empty one).
    header_row = len(table.subtitle) + 3
    sheet.append([c.title for c in table.columns])
    header = styles["header", True].name
    for index, column in enumerate(table.columns, start=1):
        sheet.cell(header_row, index).style = header
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    lines = [*((r, False) for r in table.rows), *((r, True) for r in table.foot)]
    for row, (values, bold) in enumerate(lines, start=header_row + 1):
        sheet.append([_xlsx_value(v, c.kind) for v, c in zip(values, table.columns, strict=True)])
        for index, column in enumerate(table.columns, start=1):
            cell = sheet.cell(row, index)
            # A count in a column of averages (the foot's «без отметок») stays a whole number.
            whole = column.kind == "decimal" and isinstance(cell.value, int)
            cell.style = styles["int" if whole else column.kind, bold].name
    sheet.freeze_panes = sheet.cell(header_row + 1, table.frozen_columns + 1)
    sheet.page_setup.orientation = "landscape" if table.landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = f"{header_row}:{header_row}"


def _xlsx_value(value: Cell, kind: Kind) -> Cell:
    # A percent is stored as a fraction, so Excel's "%" format shows 80,0 % and sums stay right.
    if kind == "percent" and isinstance(value, int | float):
        return value / 100
    return value


_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
_templates.filters["ru"] = russian_number


def to_html_template(template: str, **values: object) -> str:
    return _templates.get_template(template).render(**values)


def to_html(table: ReportTable) -> str:
    return to_html_template("table.html", tables=[table])


def to_pdf(table: ReportTable) -> bytes:
    return html_to_pdf(to_html(table))


def to_pdf_many(tables: Sequence[ReportTable]) -> bytes:
    """One PDF, each table from a new page (a school's sheets, class by class)."""
    return html_to_pdf(to_html_template("table.html", tables=tables))


def render(table: ReportTable, format: Format) -> bytes:
    """The report's bytes in ``format`` (not JSON: that one is the table itself)."""
    writers = {"xlsx": to_xlsx, "pdf": to_pdf, "csv": to_csv}
    return writers[format](table)


def filename(table: ReportTable, format: str, parts: Sequence[str] = ()) -> str:
    return "-".join([table.slug, *parts]) + f".{format}"
