import pytest

from chassis.problems import Invalid
from gradebook.domain.work_types import WORK_TYPES, WorkType, check_work_type_list, work_type


def test_default_table_weights_tests_and_dictations_double():
    assert work_type("test").weight == 2.0 and work_type("dictation").weight == 2.0
    assert work_type("answer").weight == 1.0 and work_type("homework").weight == 1.0
    assert work_type("independent").weight == work_type("practical").weight == work_type("lab").weight == 1.5


def test_only_the_credit_is_pass_fail():
    assert [w.code for w in WORK_TYPES.values() if w.pass_fail] == ["credit"]
    assert work_type("credit").title == "Зачёт"


def test_unknown_work_type_is_invalid_and_names_the_known_ones():
    with pytest.raises(Invalid, match=r"Неизвестный вид работы «essay».*answer"):
        work_type("essay")


def test_a_schools_list_is_checked_whole_and_keeps_the_codes_in_use():
    essay = WorkType("essay", " Сочинение ", 2.5)
    table = check_work_type_list([WORK_TYPES["answer"], essay], in_use={"answer"})
    assert list(table) == ["answer", "essay"] and table["essay"].title == "Сочинение"
    bad = [
        ([], {}, r"^Список видов работ пуст"),
        ([WorkType("Эссе", "Эссе", 1.0)], {}, r"^Код вида работы «Эссе» — латинские строчные буквы"),
        ([essay, essay], {}, r"^Код вида работы «essay» указан дважды\.$"),
        ([WorkType("essay", " ", 1.0)], {}, r"^У вида работы «essay» нет названия\.$"),
        ([WorkType("essay", "Сочинение", 10.5)], {}, r"^Вес вида работы «Сочинение» — от 0 до 10\.$"),
        ([WorkType("essay", "Сочинение", -1)], {}, r"^Вес вида работы «Сочинение» — от 0 до 10\.$"),
        ([WorkType("pass", "Зачёт", 1.0, pass_fail=True)], {}, r"^«Зачёт» оценивается зачётом: .* вес — 0\.$"),
        ([essay], {"answer", "test"}, r"^По видам работ answer, test уже выставлены отметки"),
    ]
    for kinds, in_use, message in bad:
        with pytest.raises(Invalid, match=message):
            check_work_type_list(kinds, set(in_use))
    assert check_work_type_list([WorkType("essay", "Сочинение", 10.0)], set())["essay"].weight == 10.0


def test_a_work_type_is_looked_up_in_the_schools_table():
    table = {"essay": WorkType("essay", "Сочинение", 2.5)}
    assert work_type("essay", table).weight == 2.5
    with pytest.raises(Invalid, match=r"^Неизвестный вид работы «answer»\. Допустимые: essay\.$"):
        work_type("answer", table)
