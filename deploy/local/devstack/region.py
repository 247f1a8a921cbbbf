"""A deterministic region to load and measure: municipalities, schools, classes, people, weeks of journal.

The same seed gives the same region, row for row, on any machine: every id is a UUIDv5 of the
seed and the thing's place, and every choice comes from one seeded generator. Schools come in
three sizes, classes hold 20–30 students with one or two parents each (some families have two
children at the school), teachers carry a load of about 18–27 hours a week, and the weeks of
lessons carry marks and absences in plausible proportions (no marks in grade 1, R-26).

``python -m devstack.region --seed 1 --out var/region`` writes it as CSV files (UTF-8, ``;``),
one per kind of row, which is what the bulk import reads; ``generate`` gives the same rows to a
loader or a benchmark in-process.
"""

import argparse
import csv
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from pathlib import Path
from uuid import NAMESPACE_URL, UUID, uuid5

#: Weekly hours per subject by grade (a typical учебный план of the ФГОС, simplified).
CURRICULUM: dict[range, dict[str, int]] = {
    range(1, 5): {
        "Русский язык": 5,
        "Литературное чтение": 4,
        "Математика": 4,
        "Окружающий мир": 2,
        "Английский язык": 2,
        "Музыка": 1,
        "Изобразительное искусство": 1,
        "Технология": 1,
        "Физическая культура": 2,
    },
    range(5, 7): {
        "Русский язык": 5,
        "Литература": 3,
        "Математика": 5,
        "История": 2,
        "География": 1,
        "Биология": 1,
        "Английский язык": 3,
        "Музыка": 1,
        "Изобразительное искусство": 1,
        "Технология": 2,
        "Физическая культура": 2,
    },
    range(7, 10): {
        "Русский язык": 4,
        "Литература": 2,
        "Алгебра": 3,
        "Геометрия": 2,
        "Вероятность и статистика": 1,
        "Информатика": 1,
        "История": 2,
        "Обществознание": 1,
        "География": 2,
        "Биология": 2,
        "Физика": 2,
        "Химия": 2,
        "Английский язык": 3,
        "Физическая культура": 2,
    },
    range(10, 12): {
        "Русский язык": 2,
        "Литература": 3,
        "Алгебра": 3,
        "Геометрия": 2,
        "Вероятность и статистика": 1,
        "Информатика": 1,
        "История": 2,
        "Обществознание": 2,
        "География": 1,
        "Биология": 1,
        "Физика": 2,
        "Химия": 1,
        "Английский язык": 3,
        "Физическая культура": 2,
        "Основы безопасности и защиты Родины": 1,
    },
}
#: Classes per grade (parallel) by school size.
SCHOOL_SIZES = {"малая": 1, "средняя": 2, "большая": 4}
LETTERS = "АБВГ"
#: A teacher's weekly load is filled up to this many hours (ставка 18 ч plus the usual extra).
MAX_LOAD_HOURS = 27
#: Chance that a present student is asked (gets a mark) in an ordinary lesson.
ASKED_SHARE = 0.15
#: Chance that a lesson is a written test that marks every present student.
TEST_LESSON_SHARE = 0.06
#: Chance that a student misses a whole school day, and the reasons given (R-41).
ABSENT_DAY_SHARE = 0.04
ABSENCE_REASONS = (("ill", 0.55), ("excused", 0.2), ("unexcused", 0.25))

MALE_FIRST = ["Александр", "Алексей", "Андрей", "Артём", "Владимир", "Дмитрий", "Егор", "Иван", "Кирилл",
              "Максим", "Михаил", "Никита", "Павел", "Роман", "Сергей", "Тимофей", "Фёдор", "Ярослав"]  # fmt: skip
#: A father's name → the patronymic's stem (+ «ич» for a son, + «на» for a daughter).
PATRONYMIC_STEMS = {"Александр": "Александрови", "Алексей": "Алексееви", "Андрей": "Андрееви",
                    "Владимир": "Владимирови", "Дмитрий": "Дмитриеви", "Иван": "Иванови", "Михаил": "Михайлови",
                    "Павел": "Павлови", "Сергей": "Сергееви", "Юрий": "Юрьеви", "Николай": "Николаеви",
                    "Виктор": "Викторови", "Олег": "Олегови", "Игорь": "Игореви"}  # fmt: skip
FEMALE_FIRST = ["Алина", "Анастасия", "Анна", "Варвара", "Виктория", "Дарья", "Екатерина", "Елена", "Ксения",
                "Мария", "Наталья", "Ольга", "Полина", "Софья", "Татьяна", "Ульяна", "Юлия"]  # fmt: skip
#: Male surnames whose female form adds «а».
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов"]  # fmt: skip
MUNICIPALITY_NAMES = ["Городской округ Энск", "Заречный муниципальный район", "Городской округ Северск",
                      "Озёрный муниципальный округ", "Приморский муниципальный район"]  # fmt: skip


@dataclass(frozen=True)
class RegionSpec:
    seed: int = 1
    municipalities: int = 1
    schools_per_municipality: int = 3
    #: Weeks of lessons, marks and absences, ending on the Friday before ``until``.
    weeks: int = 2
    until: date = date(2026, 10, 14)
    academic_year: str = "2026/2027"


@dataclass(frozen=True)
class Municipality:
    id: UUID
    name: str


@dataclass(frozen=True)
class School:
    id: UUID
    municipality_id: UUID
    name: str
    short_name: str
    size: str


@dataclass(frozen=True)
class SchoolClass:
    id: UUID
    school_id: UUID
    grade: int
    letter: str
    academic_year: str
    class_teacher_id: UUID

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


@dataclass(frozen=True)
class Person:
    id: UUID
    school_id: UUID
    #: student, parent or teacher.
    kind: str
    last_name: str
    first_name: str
    middle_name: str
    birth_date: date
    snils: str


@dataclass(frozen=True)
class Enrolment:
    school_id: UUID
    student_id: UUID
    class_id: UUID
    enrolled_on: date


@dataclass(frozen=True)
class Guardianship:
    school_id: UUID
    guardian_id: UUID
    student_id: UUID
    relation: str


@dataclass(frozen=True)
class Assignment:
    """Учебная нагрузка: a teacher gives a subject to a class so many hours a week."""

    id: UUID
    school_id: UUID
    teacher_id: UUID
    class_id: UUID
    subject: str
    hours: int


@dataclass(frozen=True)
class Lesson:
    id: UUID
    school_id: UUID
    assignment_id: UUID
    date: date
    topic: str
    homework: str


@dataclass(frozen=True)
class Mark:
    id: UUID
    school_id: UUID
    lesson_id: UUID
    student_id: UUID
    value: str
    work_type: str


@dataclass(frozen=True)
class Absence:
    id: UUID
    school_id: UUID
    lesson_id: UUID
    student_id: UUID
    reason: str


@dataclass
class Region:
    spec: RegionSpec
    municipalities: list[Municipality] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    classes: list[SchoolClass] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    guardianships: list[Guardianship] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    absences: list[Absence] = field(default_factory=list)

    def tables(self) -> dict[str, list]:
        """Every kind of row by its file name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "spec"}


def snils_with_check(number: int) -> str:
    """A СНИЛС with its control number (the same rule roster checks)."""
    digits = f"{number:09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(digits)) % 101
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]} {0 if total == 100 else total:02d}"


def school_days(until: date, weeks: int) -> list[date]:
    """Monday to Friday of the ``weeks`` whole weeks before ``until``'s week."""
    monday = until - timedelta(days=until.weekday()) - timedelta(weeks=weeks)
    return [monday + timedelta(weeks=w, days=d) for w in range(weeks) for d in range(5)]


class _Generator:
    def __init__(self, spec: RegionSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.region = Region(spec)
        self._snils = 100_000_000 + spec.seed % 800 * 1_000_000
        #: The current school's families: surname and (guardian, relation) pairs.
        self.families: list[tuple[str, list[tuple[UUID, str]]]] = []

    def id(self, *place: object) -> UUID:
        return uuid5(NAMESPACE_URL, f"journal-region:{self.spec.seed}:" + ":".join(map(str, place)))

    def person(self, school: School, kind: str, place: str, *, male: bool, surname: str, born: date) -> Person:
        self._snils += 1 + self.rng.randrange(7)
        stem = self.rng.choice(list(PATRONYMIC_STEMS.values()))
        found = Person(
            id=self.id(school.id, kind, place),
            school_id=school.id,
            kind=kind,
            last_name=surname if male else surname + "а",
            first_name=self.rng.choice(MALE_FIRST if male else FEMALE_FIRST),
            middle_name=stem + ("ч" if male else "на"),
            birth_date=born,
            snils=snils_with_check(self._snils),
        )
        self.region.people.append(found)
        return found

    def generate(self) -> Region:
        number = 0
        for m in range(self.spec.municipalities):
            municipality = Municipality(self.id("municipality", m), MUNICIPALITY_NAMES[m % len(MUNICIPALITY_NAMES)])
            self.region.municipalities.append(municipality)
            for _ in range(self.spec.schools_per_municipality):
                number += 1
                self.school(municipality, number)
        return self.region

    def school(self, municipality: Municipality, number: int) -> None:
        size = self.rng.choice(list(SCHOOL_SIZES))
        school = School(
            self.id("school", number),
            municipality.id,
            f"МБОУ «Средняя общеобразовательная школа № {number}»",
            f"СОШ № {number}",
            size,
        )
        self.region.schools.append(school)
        self.families = []
        teachers: dict[str, list[tuple[Person, int]]] = {}
        led: set[UUID] = set()
        year_start = int(self.spec.academic_year[:4])
        for grade in range(1, 12):
            for letter in LETTERS[: SCHOOL_SIZES[size]]:
                class_id = self.id(school.id, "class", grade, letter)
                students = self.students(school, class_id, grade, letter, year_start)
                hours = next(h for grades, h in CURRICULUM.items() if grade in grades)
                assignments = [self.assign(school, teachers, class_id, subject, n) for subject, n in hours.items()]
                # Each class has its own class teacher, one of those who teach it.
                class_teacher = next(
                    (a.teacher_id for a in assignments if a.teacher_id not in led), assignments[0].teacher_id
                )
                led.add(class_teacher)
                self.region.classes.append(
                    SchoolClass(class_id, school.id, grade, letter, self.spec.academic_year, class_teacher)
                )
                self.journal(school, grade, assignments, students)

    def students(self, school: School, class_id: UUID, grade: int, letter: str, year_start: int) -> list[Person]:
        students = []
        for i in range(self.rng.randint(20, 30)):
            male = self.rng.random() < 0.5
            born = date(year_start - 6 - grade, 1, 1) + timedelta(days=self.rng.randrange(365))
            # Some families already have a child at the school: the new one shares their name and parents.
            family = self.rng.choice(self.families) if self.families and self.rng.random() < 0.12 else None
            surname = family[0] if family else self.rng.choice(SURNAMES)
            student = self.person(school, "student", f"{grade}{letter}:{i}", male=male, surname=surname, born=born)
            students.append(student)
            self.region.enrolments.append(Enrolment(school.id, student.id, class_id, date(year_start, 9, 1)))
            if family:
                for guardian_id, relation in family[1]:
                    self.region.guardianships.append(Guardianship(school.id, guardian_id, student.id, relation))
            else:
                self.parents(school, student, surname, born)
        return students

    def parents(self, school: School, child: Person, surname: str, child_born: date) -> None:
        mother_born = child_born - timedelta(days=365 * self.rng.randint(22, 38))
        mother = self.person(school, "parent", f"{child.id}:mother", male=False, surname=surname, born=mother_born)
        guardians = [(mother.id, "мать")]
        if self.rng.random() < 0.75:
            father_born = mother_born - timedelta(days=self.rng.randrange(5 * 365))
            father = self.person(school, "parent", f"{child.id}:father", male=True, surname=surname, born=father_born)
            guardians.append((father.id, "отец"))
        for guardian_id, relation in guardians:
            self.region.guardianships.append(Guardianship(school.id, guardian_id, child.id, relation))
        self.families.append((surname, guardians))

    def assign(
        self, school: School, teachers: dict[str, list[tuple[Person, int]]], class_id: UUID, subject: str, hours: int
    ) -> Assignment:
        """The subject's teacher with room in their load, or a new teacher of that subject."""
        staff = teachers.setdefault(subject, [])
        for i, (teacher, load) in enumerate(staff):
            if load + hours <= MAX_LOAD_HOURS:
                staff[i] = (teacher, load + hours)
                break
        else:
            born = date(1960, 1, 1) + timedelta(days=self.rng.randrange(40 * 365))
            male = self.rng.random() < 0.2
            teacher = self.person(
                school, "teacher", f"{subject}:{len(staff)}", male=male, surname=self.rng.choice(SURNAMES), born=born
            )
            staff.append((teacher, hours))
        assignment = Assignment(self.id(class_id, subject), school.id, teacher.id, class_id, subject, hours)
        self.region.assignments.append(assignment)
        return assignment

    def journal(self, school: School, grade: int, assignments: list[Assignment], students: list[Person]) -> None:
        days = school_days(self.spec.until, self.spec.weeks)
        away = {(s.id, d) for s in students for d in days if self.rng.random() < ABSENT_DAY_SHARE}
        reasons, weights = zip(*ABSENCE_REASONS, strict=True)
        for a in assignments:
            # A subject's weekly hours fall on different weekdays, as a timetable spreads them.
            weekdays = sorted(self.rng.sample(range(5), min(a.hours, 5)))
            dated = [d for d in days if d.weekday() in weekdays]
            for n, day in enumerate(dated, start=1):
                topic, homework = f"{a.subject}: тема {n}", f"§ {n}, упр. {n * 3}"
                lesson = Lesson(self.id(a.id, day), school.id, a.id, day, topic, homework)
                self.region.lessons.append(lesson)
                is_test = grade > 1 and self.rng.random() < TEST_LESSON_SHARE
                for student in students:
                    if (student.id, day) in away:
                        reason = self.rng.choices(reasons, weights)[0]
                        self.region.absences.append(
                            Absence(self.id(lesson.id, student.id, "absence"), school.id, lesson.id, student.id, reason)
                        )
                    elif grade > 1 and (is_test or self.rng.random() < ASKED_SHARE):
                        self.region.marks.append(
                            Mark(
                                self.id(lesson.id, student.id, "mark"),
                                school.id,
                                lesson.id,
                                student.id,
                                self.mark_value(student),
                                "test" if is_test else "answer",
                            )
                        )

    def mark_value(self, student: Person) -> str:
        """Around the student's own level: most marks are 4 and 5, few are 2."""
        level = 3.3 + (student.id.int % 1000) / 1000 * 1.6
        return str(min(5, max(2, round(self.rng.gauss(level, 0.7)))))


def generate(spec: RegionSpec) -> Region:
    return _Generator(spec).generate()


def _rows(items: list) -> Iterator[dict]:
    for item in items:
        row = asdict(item)
        if isinstance(item, SchoolClass):
            row["name"] = item.name
        yield row


def write_csv(region: Region, directory: Path) -> list[Path]:
    """One ``<kind>.csv`` per kind of row (UTF-8, ``;``, a header line), the bulk import's input."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, items in region.tables().items():
        path = directory / f"{name}.csv"
        rows = list(_rows(items))
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else [], delimiter=";")
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a generated region as CSV files.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--municipalities", type=int, default=1)
    parser.add_argument("--schools", type=int, default=3, help="schools per municipality")
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("var/region"))
    args = parser.parse_args()
    region = generate(RegionSpec(args.seed, args.municipalities, args.schools, args.weeks))
    for path in write_csv(region, args.out):
        print(path)
    counts = ", ".join(f"{name}: {len(items)}" for name, items in region.tables().items())
    print(counts)


if __name__ == "__main__":
    main()
