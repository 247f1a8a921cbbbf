"""Reading import files as schools have them, and the per-row report of the dry run (R-15)."""

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from roster.domain.imports import (
    FileProblem,
    Known,
    check_table,
    export_rows,
    parse_class,
    parse_date,
    read_table,
    write_csv,
    write_xlsx,
)
from roster.domain.oneroster import check_oneroster

HEADER = "Фамилия;Имя;Отчество;Дата рождения;СНИЛС;Класс"
KNOWN = Known(snils={"112-233-445 95": True}, classes=frozenset({"5А", "5Б"}))


def students(text: str, encoding: str = "utf-8", known: Known = KNOWN):
    return check_table("students", read_table(text.encode(encoding)), known)


def test_cp1251_with_semicolons_and_russian_dates():
    checked = students(f"{HEADER}\r\nИванова;Мария;Петровна;03.04.2015;;5а\r\n", "cp1251")
    assert checked.errors == []
    assert checked.rows[0].data == {
        "last_name": "Иванова",
        "first_name": "Мария",
        "middle_name": "Петровна",
        "birth_date": date(2015, 4, 3),
        "class_name": "5А",
    }


def test_utf8_with_bom_and_commas_and_an_excel_day_number():
    text = "\ufeff" + HEADER.replace(";", ",") + "\nПетров,Иван,,42097,,5Б\n"
    checked = students(text)
    assert checked.errors == []
    assert checked.rows[0].data["birth_date"] == date(2015, 4, 3)


def test_xlsx_with_date_cells_numbers_and_empty_rows():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    sheet.append(["Сидоров", "Пётр", None, datetime(2014, 2, 1), 11223344595, "5 А"])
    sheet.append([None] * 6)
    sheet.append(["Орлова", "Анна", None, 41671, None, "5Б"])
    out = io.BytesIO()
    book.save(out)
    checked = check_table("students", read_table(out.getvalue()), Known(classes=KNOWN.classes))
    assert checked.errors == []
    assert [(r.row, r.data["birth_date"], r.data.get("snils")) for r in checked.rows] == [
        (2, date(2014, 2, 1), "112-233-445 95"),
        (4, date(2014, 2, 1), None),
    ]


def test_every_bad_cell_is_reported_with_its_row_and_column():
    text = (
        f"{HEADER}\n"
        "Иванова;Мария;;31.02.2015;112-233-445 96;5А\n"
        "Ив@нов;;;01.09.2015;;9Я\n"
        "Петров;Иван;;;001-001-998 12;5А\n"
        "Сидоров;Олег;;;00100199812;5А\n"
    )
    report = [(e.row, e.column, e.message) for e in students(text).errors]
    assert (2, "Дата рождения", "«31.02.2015» — не дата. Пишите ДД.ММ.ГГГГ, например 01.09.2026.") in report
    assert (2, "СНИЛС", "«112-233-445 96»: Неверная контрольная сумма СНИЛС.") in report
    assert (3, "Фамилия", "«Ив@нов» — в имени допустимы только буквы, дефис и пробел.") in report
    assert (3, "Имя", "Не заполнено обязательное поле.") in report
    assert (3, "Класс", "Класса 9Я нет в школе в этом учебном году.") in report
    assert (5, "СНИЛС", "СНИЛС 001-001-998 12 повторяется: он уже есть в строке 4.") in report
    assert len(students(text).valid) == 1


def test_a_missing_required_column_stops_the_file():
    checked = students("Фамилия;Отчество\nИванова;Петровна\n")
    assert [(e.row, e.column) for e in checked.file_errors] == [(1, "Имя")]
    assert checked.valid == []


def test_a_known_snils_is_matched_not_entered_twice():
    checked = students(f"{HEADER}\nИванова;Мария;;;11223344595;5А\n")
    assert checked.rows[0].existing


def test_parents_need_a_known_child_and_staff_known_roles():
    parents = check_table(
        "parents",
        read_table(
            (
                "Фамилия;Имя;СНИЛС обучающегося;Телефон\n"
                "Иванов;Олег;112-233-445 95;+7 900 000-00-00\n"
                "Петров;Иван;001-001-998 12;\n"
            ).encode()
        ),
        KNOWN,
    )
    assert [(e.row, e.column) for e in parents.errors] == [(3, "СНИЛС обучающегося")]
    staff = check_table(
        "staff",
        read_table("Фамилия;Имя;Роли\nКузнецова;Ольга;учитель, классный руководитель\nОрлов;Пётр;дворник\n".encode()),
        KNOWN,
    )
    assert staff.rows[0].data["roles"] == ["class_teacher", "teacher"]
    assert "Неизвестная роль «дворник»" in staff.errors[0].message


def test_staff_and_parents_bring_their_birth_dates_and_esia_accounts():
    known = Known(
        snils={"112-233-445 95": True, "001-001-998 12": False},
        esia_oids={"3000001": "001-001-998 12", "3000009": None},
        today=date(2026, 10, 14),
    )
    staff = check_table(
        "staff",
        read_table(
            (
                "Фамилия;Имя;Дата рождения;Идентификатор ЕСИА;СНИЛС;Роли\n"
                "Кузнецова;Ольга;02.06.1979;1000006;;учитель\n"
                "Орлов;Пётр;01.01.2031;10-00;;учитель\n"
                "Смирнова;Анна;12.12.1880;1000006;;учитель\n"
                "Павлов;Олег;;3000009;;учитель\n"
                "Белова;Ирина;;3000001;001-001-998 12;учитель\n"
                "Зуева;Ирина;;3000002;001-001-998 12;учитель\n"
            ).encode()
        ),
        known,
    )
    assert staff.rows[0].data["birth_date"] == date(1979, 6, 2) and staff.rows[0].data["esia_oid"] == "1000006"
    assert [(e.row, e.column, e.message) for e in staff.errors] == [
        (3, "Дата рождения", "«01.01.2031» — такой даты рождения не бывает: проверьте год."),
        (3, "Идентификатор ЕСИА", "«10-00» — не идентификатор ЕСИА: он состоит только из цифр, например 1000123456."),
        (4, "Дата рождения", "«12.12.1880» — такой даты рождения не бывает: проверьте год."),
        (4, "Идентификатор ЕСИА", "Идентификатор ЕСИА 1000006 повторяется: он уже есть в строке 2."),
        (5, "Идентификатор ЕСИА", "Идентификатор ЕСИА 3000009 уже принадлежит другому человеку школы."),
        (7, "СНИЛС", "СНИЛС 001-001-998 12 повторяется: он уже есть в строке 6."),
        (
            7,
            "Идентификатор ЕСИА",
            "У человека со СНИЛС 001-001-998 12 в школе другой идентификатор ЕСИА (3000001): "
            "исправьте его в карточке человека.",
        ),
    ]
    # Row 6 is the person the school has, with the account it knows: matched, not an error.
    assert staff.rows[4].existing and not staff.rows[4].errors

    # A parent of two children comes in two rows with one account; two parents never share one.
    parents = check_table(
        "parents",
        read_table(
            (
                "Фамилия;Имя;СНИЛС;oid;СНИЛС обучающегося\n"
                "Иванов;Олег;156-874-512 07;4000001;112-233-445 95\n"
                "Иванов;Олег;156-874-512 07;4000001;001-001-998 12\n"
                "Иванова;Мария;;4000001;112-233-445 95\n"
            ).encode()
        ),
        Known(snils={"112-233-445 95": True, "001-001-998 12": True}),
    )
    assert [(e.row, e.column, e.message) for e in parents.errors] == [
        (4, "Идентификатор ЕСИА", "Идентификатор ЕСИА 4000001 повторяется: он уже есть в строке 2.")
    ]


def test_files_that_cannot_be_read():
    with pytest.raises(FileProblem, match="пустой"):
        read_table(b"  ")
    with pytest.raises(FileProblem, match="XLSX"):
        read_table(b"PK\x03\x04 broken")


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("01.09.2026", date(2026, 9, 1)),
        ("2026-09-01", date(2026, 9, 1)),
        ("46266", date(2026, 9, 1)),
        (46266.0, date(2026, 9, 1)),
    ],
)
def test_dates(text, day):
    assert parse_date(text) == day


def test_an_enrolment_without_its_date_is_dated_the_day_the_file_is_checked_in_the_school():
    checked_on = Known(classes=frozenset({"5А"}), today=date(2026, 10, 14))
    checked = students(
        f"{HEADER};Дата зачисления\nИванова;Мария;;;;5А;\nПетров;Олег;;;;5А;01.09.2026\nСидоров;Иван;;;;;\n",
        known=checked_on,
    )
    assert checked.errors == []
    assert [row.data.get("enrolled_on") for row in checked.rows] == [date(2026, 10, 14), date(2026, 9, 1), None]


def test_class_names():
    assert parse_class("11 «б»") == (11, "Б")
    with pytest.raises(ValueError):
        parse_class("12А")


def test_an_export_reads_back_as_the_same_rows_in_csv_and_xlsx():
    records = [
        {
            "last_name": "Иванова",
            "first_name": "Мария",
            "middle_name": None,
            "birth_date": date(2015, 4, 3),
            "snils": "112-233-445 95",
            "class_name": "5А",
            "enrolled_on": date(2026, 9, 1),
        },
    ]
    lines = export_rows("students", records)
    for content in (write_csv(lines), write_xlsx(lines, "обучающиеся")):
        checked = check_table("students", read_table(content), KNOWN)
        assert checked.errors == []
        assert checked.rows[0].data == {k: v for k, v in records[0].items() if v is not None}


def test_a_oneroster_1_1_archive_with_roles_in_users_and_agents_on_the_child():
    files = {
        "users.csv": (
            "sourcedId,status,dateLastModified,role,givenName,familyName,middleName,identifier,agentSourcedIds\n"
            "s1,active,2026-09-01,student,Мария,Иванова,,112-233-445 95,p1\n"
            "p1,active,2026-09-01,parent,Пётр,Иванов,,,\n"
            "t1,active,2026-09-01,teacher,Ольга,Кузнецова,,,\n"
            "x1,tobedeleted,2026-09-01,student,Удалённый,Ученик,,,\n"
        ),
        "classes.csv": "sourcedId,status,title\nc1,active,5А\nc2,active,Кружок\n",
        "enrollments.csv": "sourcedId,classSourcedId,userSourcedId,role,beginDate\ne1,c1,s1,student,2026-09-01\n",
        "demographics.csv": "sourcedId,birthDate\ns1,2015-04-03\n",
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"bulk/{name}", text.encode())
    results = dict(check_oneroster(out.getvalue(), Known()))
    assert [(e.row, e.column) for e in results["classes"].errors] == [(3, "classes.csv: Класс")]
    student = results["students"].rows[0].data
    assert student["birth_date"] == date(2015, 4, 3) and student["class_name"] == "5А"
    assert results["parents"].rows[0].data["child_snils"] == "112-233-445 95"
    assert results["staff"].rows[0].data["roles"] == ["teacher"]
    assert len(results["students"].rows) == 1
