"""A small demo school, loaded through the services' own APIs as an operator would: its people through the bulk
import (R-15), as a secretary loads a school.

The people are the ESIA sandbox's test people (matched to accounts by their ESIA oid),
so each of them can log in through «Госуслуги» in the sandbox.
"""

import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

import asyncpg
import httpx

from chassis.auth import Caller, TokenSigner
from chassis.settings import ServiceSettings
from devstack.region import snils_with_check
from devstack.stack import Stack

SCHOOL = {
    "name": "МБОУ «Средняя общеобразовательная школа № 1»",
    "short_name": "СОШ № 1",
    "municipality": "Городской округ Энск",
}
SUBJECTS = ["Математика", "Русский язык", "Литература", "История", "Английский язык"]


@dataclass(frozen=True)
class DemoPerson:
    key: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date
    esia_oid: str | None
    role_text: str
    #: The same as the ESIA sandbox's person: the gateway checks a login's СНИЛС against the school's record.
    snils: str


TEACHER = DemoPerson(
    "teacher",
    "Иванова",
    "Мария",
    "Петровна",
    date(1985, 3, 14),
    "1000001",
    "учитель математики и русского языка, классный руководитель 5А",
    snils="112-233-445 95",
)
SCHOOL_ADMIN = DemoPerson(
    "school_admin",
    "Кузнецова",
    "Ольга",
    "Николаевна",
    date(1979, 6, 2),
    "1000006",
    "администратор ЭЖ",
    snils="161-723-096 51",
)
PARENT = DemoPerson(
    "parent",
    "Петров",
    "Сергей",
    "Иванович",
    date(1982, 11, 20),
    "1000002",
    "родитель Петрова Алексея (5А)",
    snils="123-456-701 40",
)
STUDENT = DemoPerson(
    "student", "Петров", "Алексей", "Сергеевич", date(2014, 4, 9), "1000003", "ученик 5А", snils="156-342-781 74"
)
PARENT_2 = DemoPerson(
    "parent_2",
    "Сидорова",
    "Анна",
    "Викторовна",
    date(1986, 1, 30),
    "1000004",
    "родитель Сидорова Ивана (5А)",
    snils="137-208-945 65",
)
STUDENT_2 = DemoPerson(
    "student_2", "Сидоров", "Иван", "Андреевич", date(2014, 8, 17), "1000005", "ученик 5А", snils="148-517-362 82"
)
DIRECTOR = DemoPerson(
    "director",
    "Фёдоров",
    "Николай",
    "Васильевич",
    date(1970, 2, 17),
    "1000009",
    "директор (журналы — только чтение)",
    snils="191-527-364 80",
)
DEPUTY = DemoPerson(
    "deputy",
    "Лебедева",
    "Наталья",
    "Александровна",
    date(1976, 10, 23),
    "1000010",
    "заместитель директора по УВР: контроль журнала, опоздания, риски неаттестации",
    snils="202-839-175 52",
)
CLASS_TEACHER = DemoPerson(
    "class_teacher",
    "Соколова",
    "Татьяна",
    "Игоревна",
    date(1988, 5, 11),
    "1000011",
    "учитель литературы, классный руководитель 5Б (30 учеников)",
    snils="214-063-588 34",
)
CLASSMATES = [
    ("Александрова", "Дарья"),
    ("Белов", "Максим"),
    ("Васильева", "Полина"),
    ("Григорьев", "Артём"),
    ("Егорова", "Виктория"),
    ("Захаров", "Никита"),
    ("Морозова", "Софья"),
    ("Николаев", "Кирилл"),
]
#: 5Б: a class of thirty, as most are (the keyboard test enters a whole column of 30 marks in it).
CLASS_5B = [
    ("Абрамов", "Егор"),
    ("Алексеева", "Анна"),
    ("Богданов", "Илья"),
    ("Борисова", "Мария"),
    ("Воробьёв", "Даниил"),
    ("Герасимова", "Алиса"),
    ("Голубев", "Матвей"),
    ("Дмитриева", "Ксения"),
    ("Ершов", "Тимофей"),
    ("Жукова", "Ева"),
    ("Зайцев", "Марк"),
    ("Иванов", "Лев"),
    ("Карпова", "Вероника"),
    ("Ковалёв", "Роман"),
    ("Комарова", "Ульяна"),
    ("Кудрявцев", "Фёдор"),
    ("Лебедев", "Глеб"),
    ("Медведева", "Василиса"),
    ("Никитин", "Арсений"),
    ("Орлов", "Михаил"),
    ("Павлова", "Алёна"),
    ("Романов", "Святослав"),
    ("Семёнова", "Милана"),
    ("Тарасов", "Ярослав"),
    ("Уварова", "Злата"),
    ("Фролов", "Семён"),
    ("Харитонова", "Таисия"),
    ("Цветков", "Платон"),
    ("Чернова", "Варвара"),
    ("Шилов", "Степан"),
]
LITERATURE_PLAN = [
    ("Устное народное творчество. Малые жанры фольклора", "Выучить три пословицы"),
    ("Сказка «Царевна-лягушка»", "Пересказ сказки"),
    ("И. А. Крылов. Басня «Волк на псарне»", "Наизусть, с. 41"),
]
REGION_ACCOUNTS = [
    ("1000007", "region_admin", "Смирнов Павел Андреевич", "администратор региона"),
    ("1000008", "inspector", "Орлова Елена Сергеевна", "инспектор (только чтение)"),
]
SCHOOL_PEOPLE = [TEACHER, CLASS_TEACHER, SCHOOL_ADMIN, DIRECTOR, DEPUTY, PARENT, STUDENT, PARENT_2, STUDENT_2]
#: The staff file's «Роли», as a secretary writes them.
STAFF_ROLES = {
    "teacher": "учитель, классный руководитель",
    "class_teacher": "учитель, классный руководитель",
    "school_admin": "администратор",
    "director": "директор",
    "deputy": "заместитель директора",
}
FAMILIES = [(PARENT, STUDENT), (PARENT_2, STUDENT_2)]
LESSON_PLAN = [
    ("Натуральные числа и шкалы", "№ 12, 15 (с. 8)"),
    ("Сложение натуральных чисел", "№ 41–43"),
    ("Вычитание натуральных чисел", "№ 58, 60; выучить правило"),
]


PUPILS = [(p, "5А") for p in (STUDENT, STUDENT_2, *CLASSMATES)] + [(p, "5Б") for p in CLASS_5B]
PERSON_COLUMNS = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Идентификатор ЕСИА", "СНИЛС"]
MOTHERS = ["Елена", "Ирина", "Наталья", "Ольга", "Светлана"]
FATHERS = ["Андрей", "Сергей", "Дмитрий", "Алексей", "Павел"]


def pupils_snils() -> dict[str, str]:
    """Every pupil's СНИЛС by full name: the named ones' own, the classmates' generated in a fixed order."""
    generated = iter(snils_with_check(200_000_001 + n) for n in range(len(PUPILS)))
    return {full_name(p): p.snils if isinstance(p, DemoPerson) else next(generated) for p, _ in PUPILS}


class DemoLoader:
    def __init__(self, stack: Stack, signer: TokenSigner) -> None:
        self.stack = stack
        self.signer = signer
        self.http = httpx.AsyncClient(timeout=10)

    def _headers(self, caller: Caller) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.signer.issue(caller)}"}

    async def _post(self, service: str, path: str, body: dict, caller: Caller, *, expected: int = 201) -> dict:
        response = await self.http.post(f"{self.stack.url(service)}{path}", json=body, headers=self._headers(caller))
        if response.status_code != expected:
            raise RuntimeError(f"demo: {service} {path} answered {response.status_code}: {response.text}")
        return response.json()

    async def load(self) -> UUID:
        region_admin = Caller(
            uuid5(NAMESPACE_URL, "devstack:region-admin"), "Загрузчик демо", region_roles=frozenset({"region_admin"})
        )
        school_id = UUID((await self._post("roster", "/schools", SCHOOL, region_admin))["id"])
        operator = Caller(
            uuid5(NAMESPACE_URL, "devstack:operator"),
            "Загрузчик демо",
            school_roles=frozenset({(school_id, "school_admin")}),
        )
        base = f"/schools/{school_id}"
        klass = await self._post("roster", f"{base}/classes", {"grade": 5, "letter": "А"}, operator)
        await self._school_year(base, operator)
        subjects = {
            name: (await self._post("roster", f"{base}/subjects", {"name": name}, operator))["id"] for name in SUBJECTS
        }
        class_5b = await self._post("roster", f"{base}/classes", {"grade": 5, "letter": "Б"}, operator)
        ids = await self._import_people(base, operator)
        students = [ids[name] for name in (full_name(STUDENT), full_name(STUDENT_2), *map(full_name, CLASSMATES))]
        students_5b = [ids[full_name(c)] for c in CLASS_5B]
        ids.update({p.key: ids[full_name(p)] for p in SCHOOL_PEOPLE})
        # She corrects absence reasons and reads diaries of 5А only: the class she leads.
        for class_, teacher in ((klass, "teacher"), (class_5b, "class_teacher")):
            await self._post(
                "roster",
                f"{base}/classes/{class_['id']}/class-teacher",
                {"teacher_id": ids[teacher]},
                operator,
                expected=200,
            )
        for subject in ("Математика", "Русский язык"):
            await self._post(
                "roster",
                f"{base}/assignments",
                {"teacher_id": ids["teacher"], "subject_id": subjects[subject], "class_id": klass["id"]},
                operator,
            )
        await self._post(
            "roster",
            f"{base}/assignments",
            {"teacher_id": ids["class_teacher"], "subject_id": subjects["Литература"], "class_id": class_5b["id"]},
            operator,
        )
        teacher = Caller(
            UUID(ids["teacher"]),
            "Иванова Мария Петровна",
            school_roles=frozenset({(school_id, "teacher"), (school_id, "class_teacher")}),
        )
        await self._record_recent_lessons(school_id, teacher, students)
        class_teacher = Caller(
            UUID(ids["class_teacher"]),
            "Соколова Татьяна Игоревна",
            school_roles=frozenset({(school_id, "teacher"), (school_id, "class_teacher")}),
        )
        await self._record_literature(school_id, class_teacher, students_5b)
        return school_id

    async def _import_people(self, base: str, operator: Caller) -> dict[str, str]:
        """The school's people through the bulk import, as a secretary loads them (R-15): staff with their roles,
        students with their classes, parents with their children's СНИЛС; each file checked, then applied whole.
        Their ids by full name."""
        staff = [(p, STAFF_ROLES[p.key]) for p in SCHOOL_PEOPLE if p.key in STAFF_ROLES]
        snils = pupils_snils()
        files = {
            "staff": [[*PERSON_COLUMNS, "Роли"], *[[*_card(p), p.snils, roles] for p, roles in staff]],
            "students": [
                [*PERSON_COLUMNS, "Класс"],
                *[[*_card(p), snils[full_name(p)], class_name] for p, class_name in PUPILS],
            ],
            "parents": [
                [*PERSON_COLUMNS, "СНИЛС обучающегося"],
                *[[*_card(p), p.snils, snils[full_name(child)]] for p, child in FAMILIES],
            ],
        }
        for kind, rows in files.items():
            await self._import(base, operator, kind, rows)
        response = await self.http.get(f"{self.stack.url('roster')}{base}/people", headers=self._headers(operator))
        response.raise_for_status()
        return {
            " ".join(filter(None, (p["last_name"], p["first_name"], p["middle_name"]))): p["id"]
            for p in response.json()
        }

    async def _import(self, base: str, operator: Caller, kind: str, rows: list[list[str]]) -> None:
        text = "\n".join(";".join(row) for row in rows) + "\n"
        response = await self.http.post(
            f"{self.stack.url('roster')}{base}/imports",
            params={"kind": kind, "filename": f"{kind}.csv"},
            content=text.encode(),
            headers=self._headers(operator),
        )
        job = response.json()
        if response.status_code != 201 or job["errors"]:
            raise RuntimeError(f"demo: the {kind} file did not pass its check: {response.text}")
        await self._post(
            "roster", f"{base}/imports/{job['id']}/apply", {"mode": "all", "consent": True}, operator, expected=202
        )
        for _ in range(300):
            found = await self.http.get(
                f"{self.stack.url('roster')}{base}/imports/{job['id']}", headers=self._headers(operator)
            )
            if found.json()["status"] == "done":
                return
            if found.json()["status"] == "failed":
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"demo: the {kind} import did not finish: {found.text}")

    async def _school_year(self, base: str, operator: Caller) -> None:
        """The current school year with four back-to-back quarters for grade 5, so period marks have periods (R-27)."""
        today = self.stack.today()
        first = today.year if today.month >= 9 else today.year - 1
        year = await self._post(
            "roster", f"{base}/years", {"starts": f"{first}-09-01", "ends": f"{first + 1}-05-31"}, operator
        )
        quarters = [
            (f"{first}-09-01", f"{first}-10-31"),
            (f"{first}-11-01", f"{first}-12-31"),
            (f"{first + 1}-01-01", f"{first + 1}-03-31"),
            (f"{first + 1}-04-01", f"{first + 1}-05-31"),
        ]
        await self._post(
            "roster",
            f"{base}/years/{year['id']}/schemes",
            {"kind": "quarters", "grades": [5], "periods": [{"starts": s, "ends": e} for s, e in quarters]},
            operator,
        )

    async def _record_recent_lessons(self, school_id: UUID, teacher: Caller, students: list[str]) -> None:
        """A few past maths lessons with marks and an absence, so the diary is not empty on day one."""
        base = f"/schools/{school_id}"
        courses = await self._wait_for_courses(base, teacher)
        maths = next(c for c in courses if c["subject_name"] == "Математика")
        days = _recent_school_days(len(LESSON_PLAN), self.stack.today())
        for (topic, homework), day in zip(LESSON_PLAN, days, strict=True):
            lesson = await self._post(
                "gradebook",
                f"{base}/lessons",
                {"course_id": maths["id"], "date": day.isoformat(), "topic": topic, "homework": homework},
                teacher,
            )
            # Сидоров Иван (students[1]) is absent from the last lesson, so he gets no marks here.
            marked = [students[0], *students[2:5]]
            for student, value in zip(marked, ["5", "4", "4", "3"], strict=True):
                await self._post_when_known(
                    "gradebook",
                    f"{base}/lessons/{lesson['id']}/marks",
                    {"student_id": student, "value": value, "work_type": "answer"},
                    teacher,
                )
        await self._post_when_known(
            "attendance", f"{base}/lessons/{lesson['id']}/absences", {"student_id": students[1], "reason": "Н"}, teacher
        )

    async def _record_literature(self, school_id: UUID, teacher: Caller, students: list[str]) -> None:
        """5Б's literature: the first lesson's marks entered late (the deputy's list, R-23), and a pupil's dispute of
        a recent mark (004 app.8), so the class teacher and the deputy have something to act on from day one."""
        base = f"/schools/{school_id}"
        [course] = await self._wait_for_courses(base, teacher, count=1)
        earlier = _recent_school_days(8, self.stack.today())
        days = [earlier[0], *earlier[-2:]]
        for (topic, homework), day in zip(LITERATURE_PLAN, days, strict=True):
            lesson = await self._post(
                "gradebook",
                f"{base}/lessons",
                {"course_id": course["id"], "date": day.isoformat(), "topic": topic, "homework": homework},
                teacher,
            )
            marks = [
                await self._post_when_known(
                    "gradebook",
                    f"{base}/lessons/{lesson['id']}/marks",
                    {"student_id": student, "value": value, "work_type": "answer"},
                    teacher,
                )
                for student, value in zip(students[:6], ["5", "4", "3", "5", "4", "4"], strict=True)
            ]
        pupil = Caller(UUID(students[2]), "Богданов Илья", school_roles=frozenset({(school_id, "student")}))
        await self._post(
            "gradebook",
            f"{base}/marks/{marks[2]['id']}/disputes",
            {"text": "Я ответил наизусть всю басню, почему тройка?"},
            pupil,
        )

    async def _wait_for_courses(self, base: str, teacher: Caller, *, count: int = 2) -> list[dict]:
        for _ in range(100):
            response = await self.http.get(
                f"{self.stack.url('gradebook')}{base}/courses", headers=self._headers(teacher)
            )
            if response.status_code == 200 and len(response.json()) >= count:
                return response.json()
            await asyncio.sleep(0.1)
        raise RuntimeError("demo: gradebook did not receive the teaching load from roster")

    async def _post_when_known(self, service: str, path: str, body: dict, caller: Caller) -> dict:
        """Post once the service has heard of what the body refers to (a lesson, an enrolment):
        replicas follow events within milliseconds, and the service says so with 409 or 422 meanwhile."""
        for _ in range(50):
            response = await self.http.post(
                f"{self.stack.url(service)}{path}", json=body, headers=self._headers(caller)
            )
            if response.status_code == 201:
                return response.json()
            if response.status_code not in (409, 422):
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"demo: {service} {path} answered {response.status_code}: {response.text}")


def full_name(person: DemoPerson | tuple[str, str]) -> str:
    return " ".join(filter(None, _names(person)))


def _names(person: DemoPerson | tuple[str, str]) -> list[str]:
    if isinstance(person, tuple):
        return [*person, ""]
    return [person.last_name, person.first_name, person.middle_name or ""]


def _card(person: DemoPerson | tuple[str, str]) -> list[str]:
    """Name, birth date and ESIA oid as the file has them (a classmate has only a name)."""
    if isinstance(person, tuple):
        return [*_names(person), "", ""]
    return [*_names(person), f"{person.birth_date:%d.%m.%Y}", person.esia_oid or ""]


def _recent_school_days(count: int, today: date) -> list[date]:
    """The last ``count`` weekdays before today, oldest first."""
    day, days = today - timedelta(days=1), []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day -= timedelta(days=1)
    return sorted(days)


async def grant_region_roles(stack: Stack) -> None:
    for oid, role, name, _ in REGION_ACCOUNTS:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "gateway.admin",
            "grant-region-role",
            "--oid",
            oid,
            "--role",
            role,
            "--name",
            name,
            env=stack.env_for("gateway"),
            stdout=asyncio.subprocess.DEVNULL,
        )
        if await process.wait() != 0:
            raise RuntimeError(f"demo: could not grant {role} to {name}")


async def signer_of(stack: Stack) -> TokenSigner:
    """The gateway's own signing key, so the operator's requests carry tokens services accept."""
    async with httpx.AsyncClient() as http:
        jwks = (await http.get(f"{stack.url('gateway')}/.well-known/jwks.json")).json()
    defaults = ServiceSettings()
    return TokenSigner.from_pem(
        stack.signing_key.read_bytes(),
        issuer=defaults.token_issuer,
        audience=defaults.token_audience,
        kid=jwks["keys"][0]["kid"],
    )


async def loaded_demo_school(stack: Stack) -> UUID | None:
    """The demo school recorded in var/demo.json, if the roster database really holds it."""
    marker = stack.var_dir / "demo.json"
    if not marker.exists():
        return None
    school_id = UUID(json.loads(marker.read_text())["school_id"])
    settings = ServiceSettings()
    try:
        # The admin role is not bound by row-level security, and no service needs to run yet.
        server = settings.admin_database_url.rsplit("/", 1)[0]
        connection = await asyncpg.connect(f"{server}/{stack.db_prefix}roster")
    except asyncpg.InvalidCatalogNameError:
        return None
    try:
        found = await connection.fetchval("SELECT 1 FROM schools WHERE id = $1", school_id)
    except asyncpg.UndefinedTableError:
        found = None
    finally:
        await connection.close()
    return school_id if found else None


async def ensure_demo(stack: Stack) -> UUID:
    """Load the demo school once; later runs find it and leave it as it is."""
    if school_id := await loaded_demo_school(stack):
        return school_id
    await grant_region_roles(stack)
    loader = DemoLoader(stack, await signer_of(stack))
    try:
        school_id = await loader.load()
    finally:
        await loader.http.aclose()
    (stack.var_dir / "demo.json").write_text(json.dumps({"school_id": str(school_id)}))
    return school_id


async def give_5b_parents(stack: Stack, school_id: UUID) -> None:
    """A parent for each pupil of 5Б, the class of thirty, through the same import: the load benchmark's column is a
    whole class whose every mark reaches a family. Not in the demo itself, whose 5Б needs no families."""
    snils = pupils_snils()
    parents = [
        [
            surname,
            (MOTHERS if surname.endswith(("а", "я")) else FATHERS)[n % 5],
            "",
            "",
            "",
            snils_with_check(300_000_001 + n),
        ]
        for n, (surname, _) in enumerate(CLASS_5B)
    ]
    rows = [[*PERSON_COLUMNS, "СНИЛС обучающегося"]]
    rows += [[*parent, snils[full_name(child)]] for parent, child in zip(parents, CLASS_5B, strict=True)]
    operator = Caller(
        uuid5(NAMESPACE_URL, "devstack:operator"),
        "Загрузчик демо",
        school_roles=frozenset({(school_id, "school_admin")}),
    )
    loader = DemoLoader(stack, await signer_of(stack))
    try:
        await loader._import(f"/schools/{school_id}", operator, "parents", rows)
    finally:
        await loader.http.aclose()


def demo_logins() -> list[tuple[str, str]]:
    logins = [(f"{p.last_name} {p.first_name} {p.middle_name or ''}".strip(), p.role_text) for p in SCHOOL_PEOPLE]
    return logins + [(name, text) for _, _, name, text in REGION_ACCOUNTS]
