"""OneRoster 1.2 CSV bulk files (1EdTech): reading them into the import's rows, and writing a school as them.

A OneRoster file is a zip of CSV tables: ``manifest.csv``, ``orgs.csv``, ``academicSessions.csv``,
``courses.csv``, ``classes.csv``, ``users.csv`` (with ``roles.csv`` in 1.2, or a ``role`` column as
in 1.1), ``demographics.csv`` and ``enrollments.csv``. Our mapping: a class is a homeroom class
titled «5А»; a person's ``identifier`` is their СНИЛС; a parent's ``agentSourcedIds`` name their
children (or a child's name their parents); ``birthDate`` comes from the demographics; the ESIA account
is the ``{esia:…}`` entry of ``userIds``.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from roster.domain.imports import (
    ROLE_TITLES,
    Checked,
    FileProblem,
    ImportRow,
    Known,
    RowError,
    Table,
    check_table,
    decode,
)

STUDENT_ROLES = {"student"}
PARENT_ROLES = {"parent": "родитель", "guardian": "законный представитель", "relative": "родственник"}
#: OneRoster roles of staff and ours (an aide or a proctor is not a role of the journal).
STAFF_ROLES = {"teacher": "teacher", "administrator": "school_admin", "principal": "director"}
OUR_TO_ONEROSTER = {
    "teacher": "teacher",
    "class_teacher": "teacher",
    "school_admin": "administrator",
    "director": "principal",
}


def read_zip(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Each CSV of the zip as rows keyed by its header; file names without folders, as the standard has them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileProblem("Это не архив OneRoster: ожидается zip с файлами users.csv, classes.csv и другими.") from exc
    tables = {}
    with archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            if name.endswith(".csv"):
                text = decode(archive.read(info))
                tables[name] = list(csv.DictReader(io.StringIO(text)))
    for required in ("users.csv", "classes.csv", "enrollments.csv"):
        if required not in tables:
            raise FileProblem(f"В архиве OneRoster нет файла {required}.")
    return tables


@dataclass
class Converted:
    """The OneRoster tables as the import's own, kind by kind, with where each row came from."""

    tables: dict[str, Table]
    #: (kind, row index in its table) → (file, line) in the archive.
    origin: dict[tuple[str, int], tuple[str, int]]


def _active(rows: Iterable[dict[str, str]]) -> Iterable[tuple[int, dict[str, str]]]:
    for line, row in enumerate(rows, start=2):
        if (row.get("status") or "active").strip().lower() != "tobedeleted":
            yield line, row


#: OneRoster 1.2 ``userIds``: ``{type:identifier}`` entries; the ESIA account travels as ``{esia:1000123}``.
USER_ID = re.compile(r"\{\s*([^:{}]+?)\s*:\s*([^{}]*?)\s*\}")


def esia_oid(user_ids: str) -> str:
    """The ESIA oid among a user's ``userIds``, or ""."""
    return next((value for kind, value in USER_ID.findall(user_ids) if kind.lower() in ("esia", "есиа")), "")


def _user_ids(oid: str | None) -> str:
    return f"{{esia:{oid}}}" if oid else ""


def convert(tables: Mapping[str, list[dict[str, str]]]) -> Converted:
    users = {row["sourcedId"]: (line, row) for line, row in _active(tables["users.csv"])}
    roles: dict[str, set[str]] = {}
    for _, row in _active(tables.get("roles.csv", [])):
        roles.setdefault(row.get("userSourcedId", ""), set()).add(row.get("role", "").strip().lower())
    for sid, (_, row) in users.items():
        if row.get("role"):
            roles.setdefault(sid, set()).add(row["role"].strip().lower())
    births = {row["sourcedId"]: row.get("birthDate", "") for _, row in _active(tables.get("demographics.csv", []))}
    classes = {row["sourcedId"]: (line, row) for line, row in _active(tables["classes.csv"])}
    placed: dict[str, tuple[str, str]] = {}
    for _, row in _active(tables["enrollments.csv"]):
        if row.get("role", "").strip().lower() == "student" and row.get("classSourcedId") in classes:
            placed[row["userSourcedId"]] = (
                classes[row["classSourcedId"]][1].get("title", ""),
                row.get("beginDate", ""),
            )
    origin: dict[tuple[str, int], tuple[str, int]] = {}
    out: dict[str, Table] = {}

    def add(kind: str, header: list[str], line: list[Any], source: tuple[str, int]) -> None:
        table = out.setdefault(kind, Table(header, []))
        origin[(kind, len(table.rows))] = source
        table.rows.append((source[1], line))

    for line, row in classes.values():
        add("classes", ["Класс"], [row.get("title", "")], ("classes.csv", line))
    names = ["Фамилия", "Имя", "Отчество", "СНИЛС", "Дата рождения", "Идентификатор ЕСИА"]

    def person(sid: str, row: dict[str, str]) -> list[str]:
        return [
            row.get("familyName", ""),
            row.get("givenName", ""),
            row.get("middleName", ""),
            row.get("identifier", ""),
            births.get(sid, ""),
            esia_oid(row.get("userIds", "")),
        ]

    children: dict[str, set[str]] = {}
    for sid, (_, row) in users.items():
        for agent in filter(None, (a.strip() for a in row.get("agentSourcedIds", "").split(","))):
            if roles.get(sid, set()) & STUDENT_ROLES:
                children.setdefault(agent, set()).add(sid)
            else:
                children.setdefault(sid, set()).add(agent)
    for sid, (line, row) in users.items():
        held = roles.get(sid, set())
        if held & STUDENT_ROLES:
            class_title, begin = placed.get(sid, ("", ""))
            add(
                "students",
                [*names, "Класс", "Дата зачисления"],
                [*person(sid, row), class_title, begin],
                ("users.csv", line),
            )
        elif held & set(PARENT_ROLES):
            relation = PARENT_ROLES[sorted(held & set(PARENT_ROLES))[0]]
            for child in sorted(children.get(sid, ())) or [""]:
                child_snils = users[child][1].get("identifier", "") if child in users else ""
                add(
                    "parents",
                    [*names, "Телефон", "Электронная почта", "СНИЛС обучающегося", "Кем приходится"],
                    [*person(sid, row), row.get("phone", ""), row.get("email", ""), child_snils, relation],
                    ("users.csv", line),
                )
        elif held & set(STAFF_ROLES):
            ours = ", ".join(ROLE_TITLES[r] for r in sorted({STAFF_ROLES[r] for r in held & set(STAFF_ROLES)}))
            add(
                "staff",
                [*names, "Телефон", "Электронная почта", "Роли"],
                [*person(sid, row), row.get("phone", ""), row.get("email", ""), ours],
                ("users.csv", line),
            )
    return Converted(out, origin)


#: The order the kinds are applied in: each refers to those before it.
ORDER = ("classes", "students", "parents", "staff")


def check_oneroster(data: bytes, known: Known) -> list[tuple[str, Checked]]:
    """Every kind checked in order, each against the school plus the rows of the archive before it."""
    converted = convert(read_zip(data))
    results = []
    snils = dict(known.snils)
    classes = set(known.classes)
    for kind in ORDER:
        table = converted.tables.get(kind)
        if table is None:
            continue
        checked = check_table(kind, table, Known(snils=snils, classes=frozenset(classes)))
        for index, row in enumerate(checked.rows):
            file, _ = converted.origin[(kind, index)]
            row.errors = [RowError(e.row, f"{file}: {e.column}", e.message) for e in row.errors]
        checked.file_errors = [RowError(e.row, e.column, e.message) for e in checked.file_errors]
        for row in checked.valid:
            if kind == "classes":
                classes.add(row.data["class_name"])
            if kind == "students" and row.data.get("snils"):
                snils[row.data["snils"]] = True
        results.append((kind, checked))
    return results


def merged_rows(results: list[tuple[str, Checked]]) -> tuple[list[ImportRow], list[RowError], int]:
    """The valid rows of all kinds, each marked with its kind, in the order they apply; all errors; all rows."""
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    total = 0
    for kind, checked in results:
        total += len(checked.rows)
        errors.extend(checked.errors)
        for row in checked.valid:
            row.data["kind"] = kind
            rows.append(row)
    return rows, errors, total


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else str(v) for v in row] for row in rows)
    return out.getvalue()


@dataclass(frozen=True)
class ExportPerson:
    id: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date | None
    snils: str | None
    phone: str | None
    email: str | None
    #: ``student``, ``parent`` or our staff roles.
    roles: tuple[str, ...]
    agents: tuple[str, ...] = ()
    esia_oid: str | None = None


def write_zip(
    school: tuple[str, str],
    year: tuple[str, str, date, date],
    classes: list[tuple[str, int, str]],
    people: list[ExportPerson],
    enrolments: list[tuple[str, str, str, date]],
    modified: str,
) -> bytes:
    """A OneRoster 1.2 bulk archive. ``school`` (id, name); ``year`` (id, title, start, end); ``classes``
    (id, grade, title); ``enrolments`` (id, class id, student id, begin)."""
    school_id, school_name = school
    year_id, year_title, starts, ends = year
    status = ("active", modified)
    files = {
        "orgs.csv": _csv(
            ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
            [[school_id, *status, school_name, "school", "", ""]],
        ),
        "academicSessions.csv": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "type",
                "startDate",
                "endDate",
                "parentSourcedId",
                "schoolYear",
            ],
            [[year_id, *status, year_title, "schoolYear", starts, ends, "", ends.year]],
        ),
        "courses.csv": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "schoolYearSourcedId",
                "title",
                "courseCode",
                "grades",
                "orgSourcedId",
                "subjects",
                "subjectCodes",
            ],
            [
                [
                    f"{year_id}-{grade}",
                    *status,
                    year_id,
                    f"{grade} класс",
                    str(grade),
                    f"{grade:02d}",
                    school_id,
                    "",
                    "",
                ]
                for grade in sorted({g for _, g, _ in classes})
            ],
        ),
        "classes.csv": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "title",
                "grades",
                "courseSourcedId",
                "classCode",
                "classType",
                "location",
                "schoolSourcedId",
                "termSourcedIds",
                "subjects",
                "subjectCodes",
                "periods",
            ],
            [
                [
                    cid,
                    *status,
                    title,
                    f"{grade:02d}",
                    f"{year_id}-{grade}",
                    title,
                    "homeroom",
                    "",
                    school_id,
                    year_id,
                    "",
                    "",
                    "",
                ]
                for cid, grade, title in classes
            ],
        ),
        "users.csv": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "enabledUser",
                "username",
                "userIds",
                "givenName",
                "familyName",
                "middleName",
                "identifier",
                "email",
                "sms",
                "phone",
                "agentSourcedIds",
                "grades",
                "password",
                "userMasterIdentifier",
                "resourceSourcedIds",
                "preferredGivenName",
                "preferredMiddleName",
                "preferredFamilyName",
                "primaryOrgSourcedId",
                "pronouns",
            ],
            [
                [
                    p.id,
                    *status,
                    "true",
                    "",
                    _user_ids(p.esia_oid),
                    p.first_name,
                    p.last_name,
                    p.middle_name,
                    p.snils,
                    p.email,
                    "",
                    p.phone,
                    ",".join(p.agents),
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    school_id,
                    "",
                ]
                for p in people
            ],
        ),
        "roles.csv": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "userSourcedId",
                "roleType",
                "role",
                "beginDate",
                "endDate",
                "orgSourcedId",
                "userProfileSourcedId",
            ],
            [
                [f"{p.id}-{role}", *status, p.id, "primary" if i == 0 else "secondary", role, "", "", school_id, ""]
                for p in people
                for i, role in enumerate(sorted({OUR_TO_ONEROSTER.get(r, r) for r in p.roles}))
            ],
        ),
        "demographics.csv": _csv(
            ["sourcedId", "status", "dateLastModified", "birthDate", "sex"],
            [[p.id, *status, p.birth_date, ""] for p in people if p.birth_date],
        ),
        "enrollments.csv": _csv(
            [
                "sourcedId",
                "status",
                "dateLastModified",
                "classSourcedId",
                "schoolSourcedId",
                "userSourcedId",
                "role",
                "primary",
                "beginDate",
                "endDate",
            ],
            [[eid, *status, cid, school_id, sid, "student", "false", begin, ""] for eid, cid, sid, begin in enrolments],
        ),
    }
    manifest = [["manifest.version", "1.0"], ["oneroster.version", "1.2"]]
    manifest += [[f"file.{name[:-4]}", "bulk"] for name in files]
    files["manifest.csv"] = _csv(["propertyName", "value"], manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode("utf-8"))
    return out.getvalue()
