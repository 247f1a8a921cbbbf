"""Personal data in the code (152-ФЗ, R-5): each column that holds it says what it is, why, and for how long.

A model marks such a column with ``info=personal_data(...)``::

    birth_date: Mapped[date | None] = mapped_column(
        info=personal_data("дата рождения", purpose="contingent", retention="person_card")
    )

``annotated(metadata)`` lists every marked column of a service's tables: the processing register
(``docs/personal-data.md``) is generated from it, and the retention job reads ``retention`` from the
same place, so what the code stores and what the documents say cannot drift apart.
"""

from dataclasses import dataclass

from sqlalchemy import Column, MetaData

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
    "reports": "отчётность и архив школы",
}

#: Retention classes (сроки хранения): a key per kind of data, the period as the register states it.
RETENTION: dict[str, str] = {
    "person_card": "пока человек связан со школой, затем 5 лет",
    "journal": "5 лет после окончания учебного года",
    "summary_sheets": "25 лет",
    "messages": "3 года после отправки",
    "notifications": "1 год после создания",
    "sessions": "до выхода или истечения сессии",
    "access_log": "1 год",
    "imports": "30 дней после загрузки",
    "consents": "5 лет после отзыва согласия или выбытия",
}


@dataclass(frozen=True)
class PersonalData:
    """What a column holds (in Russian: «дата рождения»), its purpose and retention keys."""

    what: str
    purpose: str
    retention: str


def personal_data(what: str, *, purpose: str, retention: str) -> dict[str, PersonalData]:
    """The ``info`` of a column holding personal data; unknown keys fail at import, not in the register."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if retention not in RETENTION:
        raise ValueError(f"unknown retention {retention!r}")
    return {INFO_KEY: PersonalData(what, purpose, retention)}


def annotated(metadata: MetaData) -> list[tuple[Column, PersonalData]]:
    """Every column of ``metadata`` marked as personal data, table by table in name order."""
    return [
        (column, column.info[INFO_KEY])
        for table in sorted(metadata.tables.values(), key=lambda t: t.name)
        for column in table.columns
        if INFO_KEY in column.info
    ]
