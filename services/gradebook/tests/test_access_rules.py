"""Who reads and writes a journal (004 app.6 §6.2), as the API's access checks decide it."""

from uuid import uuid4

import pytest

from chassis.auth import Caller
from chassis.problems import Forbidden
from gradebook.api.access import reads_course, require_course_teacher
from gradebook.models import Course

SCHOOL, OTHER_SCHOOL = uuid4(), uuid4()


def course_of(teacher_id) -> Course:
    return Course(id=uuid4(), school_id=SCHOOL, teacher_id=teacher_id, ended_on=None)


def test_a_municipal_administrator_reads_the_journals_of_their_municipalitys_schools_only():
    municipal = Caller(
        uuid4(), "Муниципалитет", region_roles=frozenset({"municipal_admin"}), municipal_schools=frozenset({SCHOOL})
    )
    assert reads_course(municipal, SCHOOL, course_of(uuid4()))
    assert not reads_course(municipal, OTHER_SCHOOL, course_of(uuid4()))


def test_only_the_courses_teacher_writes_its_journal():
    teacher, colleague = uuid4(), uuid4()
    caller = Caller(colleague, "Учитель", school_roles=frozenset({(SCHOOL, "teacher")}))
    require_course_teacher(
        Caller(teacher, "Учитель", school_roles=frozenset({(SCHOOL, "teacher")})), SCHOOL, course_of(teacher)
    )
    with pytest.raises(Forbidden) as refused:
        require_course_teacher(caller, SCHOOL, course_of(teacher))
    assert refused.value.detail == "Записи в журнал этого класса по этому предмету делает только его учитель."
