"""Bulk import (R-15): reading the files schools really have and checking every row before anything is written.

Files come from Excel and from other journals: XLSX, or CSV in UTF-8 (with or without a BOM) or
cp1251, separated by ``;`` or ``,``; dates as 01.09.2026, 2026-09-01 or an Excel day number. Each
row is checked on its own and every problem is reported as (row, column, what is wrong) in Russian,
with row numbers as Excel shows them (the header is row 1).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from roster.domain.people import normalize_snils

KINDS = ("students", "parents", "staff", "classes", "enrolments")
KIND_TITLES = {
    "students": "обучающиеся",
    "parents": "родители (законные представители)",
    "staff": "сотрудники",
    "classes": "классы",
    "enrolments": "зачисления",
    "oneroster": "OneRoster 1.2 (классы, обучающиеся, родители, сотрудники)",
}

#: Excel counts days from 30 December 1899 (its day 60, 29.02.1900, never existed).
EXCEL_EPOCH = date(1899, 12, 30)

#: Staff roles as a secretary writes them.
ROLE_NAMES = {
    "администратор": "school_admin",
    "директор": "director",
    "заместитель директора": "deputy",
    "завуч": "deputy",
    "учитель": "teacher",
    "классный руководитель": "class_teacher",
    "секретарь": "secretary",
    "психолог": "psychologist",
    "педагог-психолог": "psychologist",
}
ROLE_TITLES = {
    "school_admin": "администратор",
    "director": "директор",
    "deputy": "заместитель директора",
    "teacher": "учитель",
    "class_teacher": "классный руководитель",
    "secretary": "секретарь",
    "psychologist": "педагог-психолог",
}


@dataclass(frozen=True)
class Column:
    field: str
    title: str
    required: bool = False
    #: Other spellings met in files (compared after ``header_key``).
    aliases: tuple[str, ...] = ()


NAME_COLUMNS = (
    Column("last_name", "Фамилия", True, ("last name", "lastname", "familyname", "family name")),
    Column("first_name", "Имя", True, ("first name", "firstname", "givenname", "given name")),
    Column("middle_name", "Отчество", False, ("middle name", "middlename", "patronymic")),
)
BIRTH_DATE = Column("birth_date", "Дата рождения", False, ("birth date", "birthdate", "др"))
#: R-2: the person's ESIA account, so they log in through Госуслуги without a first-time match.
ESIA_OID = Column("esia_oid", "Идентификатор ЕСИА", False, ("oid", "esia oid", "esia", "есиа oid", "oid есиа", "есиа"))
COLUMNS: dict[str, tuple[Column, ...]] = {
    "students": (
        *NAME_COLUMNS,
        BIRTH_DATE,
        Column("snils", "СНИЛС", False, ("snils",)),
        ESIA_OID,
        Column("class_name", "Класс", False, ("class",)),
        Column("enrolled_on", "Дата зачисления", False, ("enrolled on",)),
    ),
    "parents": (
        *NAME_COLUMNS,
        BIRTH_DATE,
        Column("snils", "СНИЛС", False, ("snils",)),
        ESIA_OID,
        Column("phone", "Телефон", False, ("phone",)),
        Column("email", "Электронная почта", False, ("email", "e-mail", "почта")),
        Column("child_snils", "СНИЛС обучающегося", True, ("снилс ребенка", "child snils")),
        Column("relation", "Кем приходится", False, ("relation", "степень родства")),
    ),
    "staff": (
        *NAME_COLUMNS,
        BIRTH_DATE,
        Column("snils", "СНИЛС", False, ("snils",)),
        ESIA_OID,
        Column("phone", "Телефон", False, ("phone",)),
        Column("email", "Электронная почта", False, ("email", "e-mail", "почта")),
        Column("roles", "Роли", True, ("роль", "roles", "role", "должность")),
    ),
    "classes": (
        Column("class_name", "Класс", True, ("class",)),
        Column("academic_year", "Учебный год", False, ("academic year", "год")),
    ),
    "enrolments": (
        Column("snils", "СНИЛС", True, ("snils",)),
        Column("class_name", "Класс", True, ("class",)),
        Column("enrolled_on", "Дата зачисления", False, ("enrolled on",)),
    ),
}


class FileProblem(ValueError):
    """The file as a whole cannot be read (not a row of it): a message for the secretary."""


def header_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", str(text).replace("\ufeff", "").strip().lower().replace("ё", "е"))


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped) or, failing that, cp1251 — what Russian Excel saves as «CSV (разделители — запятые)»."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def sniff_delimiter(text: str) -> str:
    """``;`` (Russian Excel), ``,`` or a tab: whichever the header line has most of."""
    first = text.split("\n", 1)[0]
    return max((";", ",", "\t"), key=first.count)


@dataclass
class Table:
    header: list[str]
    #: (row number as Excel shows it, cells).
    rows: list[tuple[int, list[Any]]]


def is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_csv(text: str) -> Table:
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    lines = list(reader)
    if not lines:
        raise FileProblem("Файл пустой.")
    return _table(lines)


def read_xlsx(data: bytes) -> Table:
    """The first sheet; date cells come as dates, numbers as numbers."""
    from openpyxl import load_workbook  # a heavy import, needed only for XLSX files

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as exc:
        raise FileProblem("Файл XLSX повреждён или это не книга Excel.") from exc
    try:
        lines = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    if not lines:
        raise FileProblem("В первом листе книги нет строк.")
    return _table(lines)


def _table(lines: list[list[Any]]) -> Table:
    header = ["" if cell is None else str(cell).strip() for cell in lines[0]]
    rows = [
        (number, line)
        for number, line in enumerate(lines[1:], start=2)
        if any(cell is not None and str(cell).strip() for cell in line)
    ]
    return Table(header, rows)


def read_table(data: bytes) -> Table:
    if not data.strip():
        raise FileProblem("Файл пустой.")
    return read_xlsx(data) if is_xlsx(data) else read_csv(decode(data))


def parse_date(value: Any) -> date:
    """A date as files carry it: a date cell, 01.09.2026, 2026-09-01, 01/09/2026 or an Excel day number."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) or (isinstance(value, str) and re.fullmatch(r"\d{1,5}(\.0+)?", value.strip())):
        serial = int(float(value))
        if not 1 <= serial <= 80000:
            raise ValueError
        return EXCEL_EPOCH + timedelta(days=serial)
    text = str(value).strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError


CLASS_NAME = re.compile(r"^(\d{1,2})\s*[-«\"]?\s*([А-ЯЁA-Z])\s*[»\"]?$")


def parse_class(value: str) -> tuple[int, str]:
    """«5А», «5 а», «5-А», «11«Б»» → (grade, letter)."""
    found = CLASS_NAME.match(str(value).strip().upper())
    if not found or not 1 <= int(found.group(1)) <= 11:
        raise ValueError
    return int(found.group(1)), found.group(2)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d.%m.%Y")
    return str(value).strip()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportRow:
    row: int
    data: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    #: The СНИЛС matched a person already in the school: they are added to, not entered twice.
    existing: bool = False


@dataclass
class Known:
    """What the school already has, for matching and references."""

    #: СНИЛС → whether that person is a student of the school.
    snils: Mapping[str, bool] = field(default_factory=dict)
    #: Class names of the year rows go into («5А»).
    classes: frozenset[str] = frozenset()
    #: ESIA oid → the СНИЛС of the person of the school who holds it (None: a person without СНИЛС).
    esia_oids: Mapping[str, str | None] = field(default_factory=dict)
    #: The school's today: no one is born after it.
    today: date | None = None


@dataclass
class Checked:
    kind: str
    rows: list[ImportRow]
    #: Problems with the file's columns: they stop the whole file.
    file_errors: list[RowError]

    @property
    def errors(self) -> list[RowError]:
        return [*self.file_errors, *(e for r in self.rows for e in r.errors)]

    @property
    def valid(self) -> list[ImportRow]:
        return [] if self.file_errors else [r for r in self.rows if not r.errors]


def map_columns(kind: str, header: list[str]) -> tuple[dict[str, int], list[RowError]]:
    """Which column of the file holds each field; a required one missing is a file error."""
    positions: dict[str, int] = {}
    errors = []
    keys = [header_key(h) for h in header]
    for column in COLUMNS[kind]:
        names = {header_key(column.title), *map(header_key, column.aliases)}
        found = next((i for i, key in enumerate(keys) if key in names), None)
        if found is not None:
            positions[column.field] = found
        elif column.required:
            errors.append(RowError(1, column.title, f"В файле нет обязательного столбца «{column.title}»."))
    return positions, errors


def check_table(kind: str, table: Table, known: Known) -> Checked:
    """Every row checked, nothing written: the dry run's report."""
    if kind not in COLUMNS:
        raise FileProblem(f"Неизвестный вид импорта «{kind}».")
    positions, file_errors = map_columns(kind, table.header)
    titles = {c.field: c.title for c in COLUMNS[kind]}
    rows = []
    seen_snils: dict[str, int] = {}  # by СНИЛС (a parent's: with the child's)
    seen_classes: dict[str, int] = {}
    seen_oids: dict[str, tuple[int, str | None]] = {}  # oid → its first row and СНИЛС
    held_oids = {snils: oid for oid, snils in known.esia_oids.items() if snils}
    for number, cells in table.rows:
        row = ImportRow(number, {})

        def error(field_name: str, message: str, row: ImportRow = row, number: int = number) -> None:
            row.errors.append(RowError(number, titles[field_name], message))

        raw = {f: (cells[i] if i < len(cells) else None) for f, i in positions.items()}
        for column in COLUMNS[kind]:
            value = raw.get(column.field)
            text = cell_text(value)
            if not text:
                if column.required:
                    error(column.field, "Не заполнено обязательное поле.")
                continue
            _check_cell(kind, column.field, value, text, row, error, known)
        snils = row.data.get("snils")
        if snils and kind != "enrolments":
            # A parent of two children comes in two rows: one person, two ties.
            key = f"{snils} {row.data.get('child_snils', '')}" if kind == "parents" else snils
            if key in seen_snils:
                error("snils", f"СНИЛС {snils} повторяется: он уже есть в строке {seen_snils[key]}.")
            else:
                seen_snils[key] = number
                row.existing = snils in known.snils
        oid = row.data.get("esia_oid")
        if oid:
            # One account, one person: a parent of two children repeats their oid with their СНИЛС only.
            first = seen_oids.get(oid)
            if first and not (kind == "parents" and snils and first[1] == snils):
                error("esia_oid", f"Идентификатор ЕСИА {oid} повторяется: он уже есть в строке {first[0]}.")
            elif oid in known.esia_oids and (snils is None or known.esia_oids[oid] != snils):
                error("esia_oid", f"Идентификатор ЕСИА {oid} уже принадлежит другому человеку школы.")
            elif snils and held_oids.get(snils, oid) != oid:
                error(
                    "esia_oid",
                    f"У человека со СНИЛС {snils} в школе другой идентификатор ЕСИА ({held_oids[snils]}): "
                    "исправьте его в карточке человека.",
                )
            else:
                seen_oids.setdefault(oid, (number, snils))
        if kind == "classes" and "class_name" in row.data:
            key = f"{row.data['class_name']} {row.data.get('academic_year', '')}"
            if key in seen_classes:
                error(
                    "class_name",
                    f"Класс {row.data['class_name']} повторяется: он уже есть в строке {seen_classes[key]}.",
                )
            else:
                seen_classes[key] = number
        if kind in ("students", "enrolments") and "class_name" in row.data and known.today:
            # Left empty, «Дата зачисления» is the day the file is checked, in the school's own calendar.
            row.data.setdefault("enrolled_on", known.today)
        rows.append(row)
    return Checked(kind, rows, file_errors)


def _check_cell(kind: str, name: str, value: Any, text: str, row: ImportRow, error, known: Known) -> None:
    if name in ("last_name", "first_name", "middle_name"):
        if len(text) > 100:
            error(name, "Слишком длинное значение (больше 100 знаков).")
        elif not re.fullmatch(r"[А-ЯЁа-яёA-Za-z\- ']+", text):
            error(name, f"«{text}» — в имени допустимы только буквы, дефис и пробел.")
        else:
            row.data[name] = text
    elif name in ("birth_date", "enrolled_on"):
        try:
            day = parse_date(value)
        except ValueError:
            error(name, f"«{text}» — не дата. Пишите ДД.ММ.ГГГГ, например 01.09.2026.")
            return
        if name == "birth_date" and (day.year < 1900 or (known.today is not None and day > known.today)):
            error(name, f"«{text}» — такой даты рождения не бывает: проверьте год.")
            return
        row.data[name] = day
    elif name == "esia_oid":
        if not re.fullmatch(r"\d{1,64}", text):
            error(name, f"«{text}» — не идентификатор ЕСИА: он состоит только из цифр, например 1000123456.")
        else:
            row.data[name] = text
    elif name in ("snils", "child_snils"):
        try:
            row.data[name] = normalize_snils(text)
        except ValueError as exc:
            error(name, f"«{text}»: {exc}.")
            return
        if name == "child_snils" and not known.snils.get(row.data[name]):
            error(name, f"Обучающегося со СНИЛС {row.data[name]} нет в школе: сначала загрузите обучающихся.")
            del row.data[name]
        if kind == "enrolments" and name == "snils" and not known.snils.get(row.data[name]):
            error(name, f"Обучающегося со СНИЛС {row.data[name]} нет в школе.")
    elif name == "class_name":
        try:
            grade, letter = parse_class(text)
        except ValueError:
            error(name, f"«{text}» — не класс. Пишите параллель и литеру, например 5А.")
            return
        row.data[name] = f"{grade}{letter}"
        if kind != "classes" and row.data[name] not in known.classes:
            error(name, f"Класса {row.data[name]} нет в школе в этом учебном году.")
    elif name == "academic_year":
        if not re.fullmatch(r"(\d{4})/(\d{4})", text) or int(text[5:]) != int(text[:4]) + 1:
            error(name, f"«{text}» — не учебный год. Пишите, например, 2026/2027.")
        else:
            row.data[name] = text
    elif name == "phone":
        if not re.fullmatch(r"\+?[\d\s()-]{5,32}", text):
            error(name, f"«{text}» — не номер телефона.")
        else:
            row.data[name] = text
    elif name == "email":
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
            error(name, f"«{text}» — не адрес электронной почты.")
        else:
            row.data[name] = text
    elif name == "roles":
        roles = []
        for part in re.split(r"[,;/]", text):
            key = header_key(part)
            if not key:
                continue
            if key not in ROLE_NAMES:
                error(name, f"Неизвестная роль «{part.strip()}». Допустимы: {', '.join(sorted(set(ROLE_NAMES)))}.")
                return
            roles.append(ROLE_NAMES[key])
        row.data[name] = sorted(set(roles))
    elif name == "relation":
        row.data[name] = text[:40]


def export_rows(kind: str, records: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """A table in the import's own columns (header first), so an export imports back as it was."""
    columns = COLUMNS[kind]
    lines = [[c.title for c in columns]]
    for record in records:
        line = []
        for c in columns:
            value = record.get(c.field)
            if c.field == "roles":
                value = ", ".join(ROLE_TITLES[r] for r in value or [])
            line.append(cell_text(value))
        lines.append(line)
    return lines


def write_csv(lines: list[list[str]]) -> bytes:
    """UTF-8 with a BOM and ``;``: Russian Excel opens it as it is."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(lines)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def write_xlsx(lines: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
