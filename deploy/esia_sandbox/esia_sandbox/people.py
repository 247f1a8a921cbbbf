"""Test people of the sandbox: the built-in ones and those added at run time."""

import re
from dataclasses import dataclass, field
from datetime import date

#: The one password every test person has when logging in by СНИЛС or phone.
TEST_PASSWORD = "test"


def snils_digits(text: str) -> str | None:
    """The 11 digits of a СНИЛС written as ``XXX-XXX-XXX YY`` or plainly; None if it is not one."""
    digits = re.sub(r"[\s-]", "", text)
    return digits if re.fullmatch(r"\d{11}", digits) else None


def snils_control_number(first_nine: str) -> int:
    """СНИЛС control number: Σ digit×(9−position) over the first nine digits, mod 101, 100 → 00."""
    total = sum(int(digit) * (9 - position) for position, digit in enumerate(first_nine)) % 101
    return 0 if total == 100 else total


def snils_is_valid(text: str) -> bool:
    digits = snils_digits(text)
    return digits is not None and snils_control_number(digits[:9]) == int(digits[9:])


def format_snils(digits: str) -> str:
    return f"{digits[0:3]}-{digits[3:6]}-{digits[6:9]} {digits[9:11]}"


def phone_digits(text: str) -> str:
    """A Russian mobile number reduced to ``7XXXXXXXXXX`` (``8 900 …`` and ``+7 (900) …`` alike)."""
    digits = re.sub(r"\D", "", text)
    return "7" + digits[1:] if len(digits) == 11 and digits[0] == "8" else digits


@dataclass(frozen=True)
class Person:
    oid: int
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date
    #: Formatted ``XXX-XXX-XXX YY``, as ESIA returns it.
    snils: str
    phone: str | None = None
    kids: tuple[int, ...] = ()
    #: Shown on the login page so a developer knows whom they pick.
    description: str = ""
    #: ESIA's «подтверждённая учётная запись» (identity checked in person or through a bank).
    trusted: bool = True

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.middle_name) if part)


BUILTIN_PEOPLE: tuple[Person, ...] = (
    Person(1000001, "Иванова", "Мария", "Петровна", date(1985, 3, 14), "112-233-445 95", "+79001000001",
           description="учитель"),
    Person(1000002, "Петров", "Сергей", "Иванович", date(1982, 11, 20), "123-456-701 40", "+79001000002",
           kids=(1000003,), description="родитель Петрова Алексея"),
    Person(1000003, "Петров", "Алексей", "Сергеевич", date(2014, 4, 9), "156-342-781 74", "+79001000003",
           description="ученик"),
    Person(1000004, "Сидорова", "Анна", "Викторовна", date(1986, 1, 30), "137-208-945 65", "+79001000004",
           kids=(1000005,), description="родитель Сидорова Ивана"),
    Person(1000005, "Сидоров", "Иван", "Андреевич", date(2014, 8, 17), "148-517-362 82", "+79001000005",
           description="ученик"),
    Person(1000006, "Кузнецова", "Ольга", "Николаевна", date(1979, 6, 2), "161-723-096 51", "+79001000006",
           description="администратор школы"),
    Person(1000007, "Смирнов", "Павел", "Андреевич", date(1975, 9, 8), "170-928-463 87", "+79001000007",
           description="администратор региона"),
    Person(1000008, "Орлова", "Елена", "Сергеевна", date(1980, 12, 5), "183-645-219 86", "+79001000008",
           description="инспектор"),
    Person(1000009, "Фёдоров", "Николай", "Васильевич", date(1970, 2, 17), "191-527-364 80", "+79001000009",
           description="директор школы"),
    Person(1000010, "Лебедева", "Наталья", "Александровна", date(1976, 10, 23), "202-839-175 52", "+79001000010",
           description="заместитель директора (завуч)"),
    Person(1000011, "Соколова", "Татьяна", "Игоревна", date(1988, 5, 11), "214-063-588 34", "+79001000011",
           description="учитель литературы, классный руководитель"),
)  # fmt: skip


class PersonRejected(Exception):
    """A person that cannot be added; the message says why (Russian, for the developer)."""

    def __init__(self, message: str, *, conflict: bool = False) -> None:
        super().__init__(message)
        self.conflict = conflict


@dataclass
class People:
    """The sandbox's registry of people, keyed by oid; lives as long as the process."""

    by_oid: dict[int, Person] = field(default_factory=lambda: {p.oid: p for p in BUILTIN_PEOPLE})

    def get(self, oid: int) -> Person | None:
        return self.by_oid.get(oid)

    def all(self) -> list[Person]:
        return sorted(self.by_oid.values(), key=lambda p: p.oid)

    def find_by_login(self, login: str) -> Person | None:
        """The person whose СНИЛС or phone is ``login``, as on the real login form."""
        snils = snils_digits(login)
        phone = phone_digits(login)
        for person in self.by_oid.values():
            if snils is not None and snils_digits(person.snils) == snils:
                return person
            if person.phone is not None and phone and phone_digits(person.phone) == phone:
                return person
        return None

    def add(
        self,
        *,
        oid: int | None,
        last_name: str,
        first_name: str,
        middle_name: str | None,
        birth_date: date,
        snils: str,
        phone: str | None,
        kids: list[int],
        trusted: bool = True,
    ) -> Person:
        digits = snils_digits(snils)
        if digits is None or not snils_is_valid(digits):
            raise PersonRejected("СНИЛС не прошёл проверку контрольного числа.")
        if any(snils_digits(p.snils) == digits for p in self.by_oid.values()):
            raise PersonRejected("Человек с таким СНИЛС уже есть.", conflict=True)
        if oid is not None and oid in self.by_oid:
            raise PersonRejected(f"Учётная запись с oid {oid} уже есть.", conflict=True)
        missing = [kid for kid in kids if kid not in self.by_oid]
        if missing:
            raise PersonRejected(f"Нет учётных записей детей с oid {', '.join(map(str, missing))}.")
        person = Person(
            oid=oid if oid is not None else max(self.by_oid, default=1000000) + 1,
            last_name=last_name,
            first_name=first_name,
            middle_name=middle_name,
            birth_date=birth_date,
            snils=format_snils(digits),
            phone=phone,
            kids=tuple(kids),
            trusted=trusted,
            description="добавлен во время работы",
        )
        self.by_oid[person.oid] = person
        return person
