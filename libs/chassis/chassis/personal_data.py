"""Personal data in the code (152-ФЗ, R-5): each column that holds it says what it is, why, and for how long.

A model marks such a column with ``info=personal_data(...)``::

    birth_date: Mapped[date | None] = mapped_column(
        info=personal_data("дата рождения", purpose="contingent", retention="person_card")
    )

``annotated(metadata)`` lists every marked column of a service's tables: the processing register
(``docs/personal-data.md``) is generated from it, and the retention job reads ``retention`` from the
same place, so what the code stores and what the documents say cannot drift apart.

``python -m chassis.personal_data docs/personal-data.md`` (``make personal-data``) writes the register.
"""

import argparse
import importlib
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, MetaData

from chassis.retention_periods import RULES, Kind, term

#: The key under which a column's ``info`` carries its :class:`PersonalData`.
INFO_KEY = "personal_data"

#: Purposes of processing (цели обработки), as the processing register names them.
PURPOSES: dict[str, str] = {
    "contingent": "учёт контингента, сотрудников и законных представителей",
    "journal": "ведение электронного журнала успеваемости и посещаемости",
    "diary": "электронный дневник обучающегося для семьи",
    "notifications": "уведомления семьям и сотрудникам, переписка",
    "portal": "передача сведений на портал госуслуг",
    "login": "вход в систему и сессии",
    "security": "аудит доступа и защита информации",
}


@dataclass(frozen=True)
class PersonalData:
    """What a column holds (in Russian: «дата рождения»), its purpose and its term (``chassis.retention_periods``)."""

    what: str
    purpose: str
    retention: Kind


def personal_data(what: str, *, purpose: str, retention: str) -> dict[str, PersonalData]:
    """The ``info`` of a column holding personal data; unknown keys fail at import, not in the register."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    return {INFO_KEY: PersonalData(what, purpose, Kind(retention))}


def annotated(metadata: MetaData) -> list[tuple[Column, PersonalData]]:
    """Every column of ``metadata`` marked as personal data, table by table in name order."""
    return [
        (column, column.info[INFO_KEY])
        for table in sorted(metadata.tables.values(), key=lambda t: t.name)
        for column in table.columns
        if INFO_KEY in column.info
    ]


#: Each service's models, read like ``chassis.topology`` reads their apps: by name, importing nothing else.
SERVICE_MODELS = (
    "gateway.models",
    # The gateway's 152-ФЗ registers keep their models beside their code, on the same metadata.
    "gateway.privacy.models",
    "gateway.destruction.models",
    "roster.models",
    "gradebook.models",
    "attendance.models",
    "notifications.models",
    "reporting.models",
    # The reports' read model (R-54's refusals among it) shares reporting's metadata.
    "reporting.reports.models",
    "reporting.reports.school_models",
)

#: Column names that say they hold personal data: each such column must carry an annotation.
LOOKS_PERSONAL = re.compile(
    r"(last|first|middle)_name|by_name$|^by_name$|substitute_name|birth|snils|phone|e?mail|address|document|oid$|login$"
)


def looks_personal(name: str) -> bool:
    return LOOKS_PERSONAL.search(name) is not None


def unannotated(metadata: MetaData) -> list[str]:
    """``table.column`` of every column whose name looks personal but carries no annotation."""
    return [
        f"{table.name}.{column.name}"
        for table in sorted(metadata.tables.values(), key=lambda t: t.name)
        for column in table.columns
        if looks_personal(column.name) and INFO_KEY not in column.info
    ]


def service_metadata(modules: Sequence[str] = SERVICE_MODELS) -> dict[str, MetaData]:
    """Service name → the metadata of its models (``<service>.models:Base``)."""
    return {module.split(".")[0]: importlib.import_module(module).Base.metadata for module in modules}


def register(services: dict[str, MetaData]) -> str:
    """The processing register (реестр обработки персональных данных) as Markdown."""
    lines = [
        "# Персональные данные: что хранит каждая служба, зачем и сколько",
        "",
        "Реестр обработки персональных данных (152-ФЗ, R-5). Составлен из кода: столбцы моделей с пометкой",
        "`personal_data` (`chassis.personal_data`). Не правьте вручную: `make personal-data` пишет его заново,",
        "а тест не пропустит расхождения с кодом и столбцы с личными данными без пометки.",
        "",
        "## Цели обработки",
        "",
        "| код | цель |",
        "|---|---|",
        *(f"| `{key}` | {text} |" for key, text in PURPOSES.items()),
        "",
        "## Сроки хранения",
        "",
        "| код | что | срок | основание |",
        "|---|---|---|---|",
        *(f"| `{kind}` | {rule.title} | {term(kind)} | {rule.grounds} |" for kind, rule in RULES.items()),
    ]
    for service, metadata in services.items():
        lines += [
            "",
            f"## {service} (база `journal_{service}`)",
            "",
            "| таблица | столбец | что хранится | цель | срок хранения |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| `{column.table.name}` | `{column.name}` | {data.what} | {PURPOSES[data.purpose]} | "
            f"{term(data.retention)} |"
            for column, data in annotated(metadata)
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the processing register of personal data (152-ФЗ).")
    parser.add_argument("out", type=Path, help="the Markdown file, e.g. docs/personal-data.md")
    args = parser.parse_args(argv)
    args.out.write_text(register(service_metadata()), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
