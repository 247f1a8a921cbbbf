"""Thematic plans as Excel workbooks (R-30): teachers prepare them in Excel, so they come and go as XLSX.

A sheet has a header row naming the columns «Тема» and «Часы» (a «№» column is optional);
each following non-empty row is a topic, in order.
"""

from collections.abc import Sequence
from io import BytesIO
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from chassis.problems import Invalid
from gradebook.domain.thematic_plan import RowError, Topic, check_topic

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A plan has at most a few hundred topics; a bigger sheet is not a plan.
MAX_ROWS = 1000


def _hours(value: object) -> object:
    """Excel keeps typed numbers as numbers; a number typed as text is taken too."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def read_plan(data: bytes) -> tuple[list[Topic], list[RowError]]:
    """The topics of the first sheet in order, and every row that is not a topic, by its Excel row number."""
    try:
        sheet = load_workbook(BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError) as error:
        raise Invalid("Файл не читается как книга Excel (.xlsx).") from error
    rows = sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)
    header = [str(cell or "").strip().lower() for cell in next(rows, ())]
    if "тема" not in header or "часы" not in header:
        raise Invalid("В первой строке листа нужны столбцы «Тема» и «Часы».")
    title_at, hours_at = header.index("тема"), header.index("часы")
    topics, errors = [], []
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS:
            raise Invalid(f"В плане больше {MAX_ROWS} строк.")
        cells = list(row) + [None] * (max(title_at, hours_at) + 1 - len(row))
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        checked = check_topic(str(cells[title_at] or ""), _hours(cells[hours_at]))
        if isinstance(checked, Topic):
            topics.append(checked)
        else:
            errors.append(RowError(number, checked))
    return topics, errors


def write_plan(topics: Sequence[Topic], title: str) -> bytes:
    """A workbook the teacher opens, edits and imports back."""
    book = Workbook()
    sheet = book.active
    sheet.title = "КТП"
    sheet.append(["№", "Тема", "Часы"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for position, topic in enumerate(topics, start=1):
        sheet.append([position, topic.title, topic.hours])
    sheet.column_dimensions["B"].width = 70
    # The course's name goes into the sheet's properties, not a row: the file imports back unchanged.
    book.properties.title = f"Тематический план: {title}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
