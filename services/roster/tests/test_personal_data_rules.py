from datetime import date

from roster.domain.personal_data import changes, check_line


def test_only_real_changes_count_and_dates_are_text():
    current = {"last_name": "Иванова", "birth_date": date(2012, 3, 4), "phone": None}
    wanted = {"last_name": "Петрова", "birth_date": date(2012, 3, 4), "phone": ""}
    assert changes(current, wanted) == {"last_name": ("Иванова", "Петрова")}
    assert changes(current, {"birth_date": date(2012, 3, 5)}) == {"birth_date": ("2012-03-04", "2012-03-05")}


def test_check_line_lists_changes_and_what_is_missing():
    line = check_line(
        1,
        "Петрова Анна",
        "student",
        {"birth_date": date(2012, 3, 4), "snils": None},
        [("last_name", "Иванова", "Петрова")],
    )
    assert line.changed == ["фамилия: Иванова → Петрова"]
    assert line.missing == ["СНИЛС", "вид документа", "серия и номер документа"]
    parent = check_line(2, "Петров Олег", "guardian", {"snils": "112-233-445 95"}, [])
    assert parent.missing == ["телефон"] and parent.changed == []
