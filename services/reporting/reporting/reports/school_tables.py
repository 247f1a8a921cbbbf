"""The preliminary report, movement, class fill and diary activity laid out as ``ReportTable``s (R-60 … R-62)."""

from collections import defaultdict
from datetime import datetime
from uuid import UUID

from chassis.russian import collation_key
from reporting.domain.activity import ClassActivity
from reporting.domain.movement import ClassMovement
from reporting.domain.preliminary import PreliminaryReport
from reporting.domain.report_periods import ReportPeriod
from reporting.reports.exports import Cell, Column, ReportTable
from reporting.reports.tables import MOSCOW, NUMBER, STUDENT

#: A class of the school: its name, parallel and school year.
ClassInfo = tuple[str, int | None, str | None]


def preliminary_table(report: PreliminaryReport, school: str, class_name: str, period: ReportPeriod) -> ReportTable:
    """Предварительный отчёт (R-60): per subject the weighted average and the forecast, then each student's risks."""
    columns = [NUMBER, STUDENT]
    for subject in report.subjects:
        columns += [Column(f"{subject}: ср. взв.", "decimal", 9), Column(f"{subject}: прогноз", "text", 8)]
    columns.append(Column("Риски", "text", 48))
    rows: list[list[Cell]] = []
    for number, row in enumerate(report.rows, start=1):
        values: list[Cell] = [number, row.student.name or "—"]
        for subject in report.subjects:
            cell = row.cells[subject]
            values += [cell.weighted_average, "—" if cell.forecast is None else str(cell.forecast)]
        rows.append([*values, "; ".join(row.risks)])
    risky: list[Cell] = [None, "В зоне риска, чел."]
    for subject in report.subjects:
        risky += [None, report.at_risk_in(subject)]
    subtitle = [
        school,
        f"Класс {class_name}",
        f"Период: {period.title}",
        f"Отметки на {report.day:%d.%m.%Y}; прогноз — средневзвешенный балл, округление с 0,50",
        f"В зоне риска: {len(report.at_risk)} из {len(report.rows)} обучающихся",
    ]
    return ReportTable(
        "predvaritelny-otchet", "Предварительный отчёт об успеваемости", subtitle, columns, rows, [[*risky, None]]
    )


def _by_parallel(classes: dict[UUID, ClassInfo], shown: set[UUID]) -> list[tuple[int | None, list[UUID]]]:
    """The classes shown, grouped by parallel (an unknown one last), in Russian order within it."""
    groups: dict[int | None, list[UUID]] = defaultdict(list)
    for class_id in shown:
        groups[classes[class_id][1] if class_id in classes else None].append(class_id)
    ordered = sorted(groups, key=lambda grade: (grade is None, grade or 0))

    def name(class_id: UUID) -> str:
        return classes[class_id][0] if class_id in classes else "класс не указан"

    return [(grade, sorted(groups[grade], key=lambda c: collation_key(name(c)))) for grade in ordered]


def _class_name(classes: dict[UUID, ClassInfo], class_id: UUID) -> str:
    return classes[class_id][0] if class_id in classes else "класс не указан"


def _parallel(grade: int | None) -> str:
    return f"{grade}-е классы, итого" if grade is not None else "Без параллели, итого"


def movement_table(
    moved: dict[UUID, ClassMovement], classes: dict[UUID, ClassInfo], school: str, period: ReportPeriod
) -> ReportTable:
    """Движение обучающихся (R-61): per class and parallel, at the start, arrivals, departures, moves, at the end."""
    columns = [
        Column("Класс", "text", 22),
        Column("На начало", "int", 9),
        Column("Прибыло", "int", 9),
        Column("Выбыло", "int", 9),
        Column("Переведены из других классов", "int", 13),
        Column("Переведены в другие классы", "int", 13),
        Column("На конец", "int", 9),
    ]
    rows: list[list[Cell]] = []
    total = ClassMovement()
    for grade, class_ids in _by_parallel(classes, set(moved)):
        subtotal = ClassMovement()
        for class_id in class_ids:
            rows.append([_class_name(classes, class_id), *moved[class_id].as_tuple()])
            subtotal += moved[class_id]
        rows.append([_parallel(grade), *subtotal.as_tuple()])
        total += subtotal
    subtitle = [
        school,
        f"Период: {period.title}",
        "Прибыло — зачислены и переведены из других школ; выбыло — выбыли, переведены в другие школы, выпущены",
    ]
    foot: list[list[Cell]] = [["Всего по школе", *total.as_tuple()]]
    return ReportTable("dvizhenie", "Движение обучающихся", subtitle, columns, rows, foot, frozen_columns=1)


def fill_table(students: dict[UUID, int], classes: dict[UUID, ClassInfo], school: str, day: str) -> ReportTable:
    """Наполняемость классов (R-61): students per class, per parallel with its classes and their average."""
    columns = [
        Column("Класс", "text", 22),
        Column("Обучающихся", "int", 11),
        Column("Классов", "int", 8),
        Column("Средняя наполняемость", "decimal", 12),
    ]

    def summary(title: str, counts: list[int]) -> list[Cell]:
        return [title, sum(counts), len(counts), round(sum(counts) / len(counts), 2) if counts else None]

    rows: list[list[Cell]] = []
    every: list[int] = []
    for grade, class_ids in _by_parallel(classes, set(students)):
        counts = [students[c] for c in class_ids]
        rows += [[_class_name(classes, c), students[c], None, None] for c in class_ids]
        rows.append(summary(_parallel(grade), counts))
        every += counts
    return ReportTable(
        "napolnyaemost",
        "Наполняемость классов",
        [school, f"На {day}"],
        columns,
        rows,
        [summary("Всего по школе", every)],
        frozen_columns=1,
        landscape=False,
    )


def _moment(value: datetime | None, absent: str) -> str:
    return f"{value.astimezone(MOSCOW):%d.%m.%Y %H:%M}" if value else absent


def activity_table(activity: ClassActivity, school: str, class_name: str, period: ReportPeriod) -> ReportTable:
    """Активность родителей и обучающихся в дневнике (R-62): days with a visit, the last visit, who never came."""
    columns = [
        NUMBER,
        STUDENT,
        Column("Семья: дней с посещением", "int", 11),
        Column("Семья: последнее посещение", "text", 17),
        Column("Обучающийся: дней с посещением", "int", 13),
        Column("Обучающийся: последнее посещение", "text", 17),
    ]
    rows: list[list[Cell]] = [
        [
            number,
            row.student.name or "—",
            row.family_days if row.has_family else None,
            _moment(row.family_last, "ни разу") if row.has_family else "родители не указаны",
            row.student_days,
            _moment(row.student_last, "ни разу"),
        ]
        for number, row in enumerate(activity.rows, start=1)
    ]
    a = activity
    subtitle = [
        school,
        f"Класс {class_name}",
        f"Период: {period.title}",
        f"Семей заходили в дневник: {a.families_active} из {a.families}; ни разу не заходили: {a.families_never_seen}",
        f"Обучающихся заходили: {a.students_active} из {len(a.rows)}",
    ]
    foot: list[list[Cell]] = [[None, "Заходили, чел.", a.families_active, None, a.students_active, None]]
    return ReportTable("aktivnost-dnevnik", "Активность родителей и обучающихся", subtitle, columns, rows, foot)


def school_activity_table(
    activities: dict[UUID, ClassActivity], classes: dict[UUID, ClassInfo], school: str, period: ReportPeriod
) -> ReportTable:
    """Активность родителей и обучающихся по классам школы (R-62): per class the families and students who opened
    the diary, and the families never seen."""
    columns = [
        Column("Класс", "text", 22),
        Column("Семей", "int", 8),
        Column("Семей заходили", "int", 10),
        Column("Семей ни разу не заходили", "int", 12),
        Column("Обучающихся", "int", 11),
        Column("Обучающихся заходили", "int", 12),
    ]

    def figures(a: list[ClassActivity]) -> list[Cell]:
        return [
            sum(x.families for x in a),
            sum(x.families_active for x in a),
            sum(x.families_never_seen for x in a),
            sum(len(x.rows) for x in a),
            sum(x.students_active for x in a),
        ]

    rows: list[list[Cell]] = [
        [_class_name(classes, class_id), *figures([activities[class_id]])]
        for _, class_ids in _by_parallel(classes, set(activities))
        for class_id in class_ids
    ]
    foot: list[list[Cell]] = [["Всего по школе", *figures(list(activities.values()))]]
    subtitle = [school, f"Период: {period.title}"]
    return ReportTable(
        "aktivnost-dnevnik-shkola",
        "Активность родителей и обучающихся",
        subtitle,
        columns,
        rows,
        foot,
        frozen_columns=1,
    )
