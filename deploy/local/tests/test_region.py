"""The region generator: the same seed gives the same region, and the region looks like real schools."""

import csv
from collections import Counter
from datetime import date

import pytest

from devstack.region import MAX_LOAD_HOURS, Region, RegionSpec, generate, school_days, snils_with_check, write_csv

SPEC = RegionSpec(seed=7, municipalities=2, schools_per_municipality=1, weeks=2, until=date(2026, 10, 14))


@pytest.fixture(scope="module")
def region() -> Region:
    return generate(SPEC)


def test_the_same_seed_writes_the_same_files_and_another_seed_does_not(tmp_path, region):
    first = write_csv(region, tmp_path / "a")
    again = write_csv(generate(SPEC), tmp_path / "b")
    other = write_csv(generate(RegionSpec(seed=8, schools_per_municipality=1, weeks=1)), tmp_path / "c")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]


def test_the_files_read_back_as_the_rows(tmp_path, region):
    write_csv(region, tmp_path)
    with (tmp_path / "people.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == len(region.people)
    assert rows[0]["snils"] == region.people[0].snils
    with (tmp_path / "classes.csv").open(encoding="utf-8") as f:
        assert {r["name"] for r in csv.DictReader(f, delimiter=";")} >= {"1А", "11А"}


def test_classes_are_full_and_every_student_has_parents(region):
    per_class = Counter(e.class_id for e in region.enrolments)
    assert all(20 <= n <= 30 for n in per_class.values())
    assert set(per_class) == {c.id for c in region.classes}
    guardians = Counter(g.student_id for g in region.guardianships)
    students = [p.id for p in region.people if p.kind == "student"]
    assert all(1 <= guardians[s] <= 2 for s in students)
    # Some families have two children at one school.
    children = Counter(g.guardian_id for g in region.guardianships)
    assert max(children.values()) >= 2


def test_schools_with_every_grade_in_each_municipality(region):
    assert len(region.schools) == 2
    assert len(region.municipalities) == 2
    assert len({s.municipality_id for s in region.schools}) == 2
    for school in region.schools:
        grades = {c.grade for c in region.classes if c.school_id == school.id}
        assert grades == set(range(1, 12))


def test_snils_are_valid_and_unique(region):
    snils = [p.snils for p in region.people]
    assert len(set(snils)) == len(snils)
    assert snils_with_check(112233445) == "112-233-445 95"
    assert all(snils_with_check(int(s[:11].replace("-", ""))) == s for s in snils)


def test_teachers_loads_and_class_teachers(region):
    load = Counter()
    for a in region.assignments:
        load[a.teacher_id] += a.hours
    assert 0 < max(load.values()) <= MAX_LOAD_HOURS
    teachers = {p.id for p in region.people if p.kind == "teacher"}
    assert set(load) == teachers
    class_teachers = [c.class_teacher_id for c in region.classes]
    assert set(class_teachers) <= teachers
    assert len(set(class_teachers)) == len(class_teachers)


def test_lessons_follow_the_weekly_hours_on_school_days(region):
    days = set(school_days(SPEC.until, SPEC.weeks))
    assert all(d.weekday() < 5 for d in days) and max(days) < SPEC.until
    per_assignment = Counter(lesson.assignment_id for lesson in region.lessons)
    for a in region.assignments:
        assert per_assignment[a.id] == min(a.hours, 5) * SPEC.weeks
    assert {lesson.date for lesson in region.lessons} <= days


def test_marks_and_absences_are_plausible(region):
    grade_of_class = {c.id: c.grade for c in region.classes}
    class_of_assignment = {a.id: a.class_id for a in region.assignments}
    grade_of_lesson = {les.id: grade_of_class[class_of_assignment[les.assignment_id]] for les in region.lessons}
    # no marks in grade 1.
    assert all(grade_of_lesson[m.lesson_id] > 1 for m in region.marks)
    values = Counter(m.value for m in region.marks)
    assert set(values) <= {"2", "3", "4", "5"}
    assert values["4"] + values["5"] > values["2"] + values["3"] > values["2"] > 0
    absent = {(a.lesson_id, a.student_id) for a in region.absences}
    assert not absent & {(m.lesson_id, m.student_id) for m in region.marks}
    share = len(region.absences) / sum(1 for _ in region.enrolments) / len(school_days(SPEC.until, SPEC.weeks))
    assert 0.05 < share < 0.5  # absences per student-day, counted by lessons missed
