import pytest

from chassis.problems import Invalid
from gradebook.domain.work_types import WORK_TYPES, work_type


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
