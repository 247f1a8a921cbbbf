"""Сводные ведомости and the journal-fill control (R-60, R-62): pure computations over a class's records.

A summary sheet (сводная ведомость успеваемости и посещаемости) has a row per student and a
column per subject: the current marks' average and weighted average, the period mark when one
is set (R-27), and the student's absences by reason (R-42). Its foot gives each subject's
class figures and, once period marks exist, the R-66 indicators of those marks.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar
from uuid import UUID

from chassis.russian import collation_key
from reporting.domain.absences import ABSENCE_CODES, is_late
from reporting.domain.indicators import PeriodIndicators, ScoredMark, counts_in_average, period_indicators
from reporting.domain.periods import DateRange
from reporting.domain.summary import SubjectSummary, subject_summary


@dataclass(frozen=True)
class ClassStudent:
    student_id: UUID
    name: str | None


@dataclass(frozen=True)
class StudentMark:
    student_id: UUID
    subject: str
    value: str
    weight: float


@dataclass(frozen=True)
class StudentAbsence:
    student_id: UUID
    subject: str
    date: date
    reason: str


@dataclass(frozen=True)
class StudentPeriodMark:
    """Четвертная (полугодовая, …) отметка of a student in a subject: "5".."2" or "н/а" (R-27)."""

    student_id: UUID
    subject: str
    value: str


@dataclass(frozen=True)
class SheetCell:
    marks: int
    average: float | None
    weighted_average: float | None
    period_mark: str | None


@dataclass(frozen=True)
class AbsenceCounts:
    """Уроки пропущено: всего, по болезни (Б), по уважительной (У), без уважительной (Н); опоздания (О)."""

    missed: int = 0
    ill: int = 0
    excused: int = 0
    unexcused: int = 0
    lates: int = 0


def absence_counts(reasons: Iterable[str]) -> AbsenceCounts:
    counted = defaultdict(int)
    for reason in reasons:
        counted[reason] += 1
    missed = sum(n for reason, n in counted.items() if not is_late(reason))
    return AbsenceCounts(missed, counted["ill"], counted["excused"], counted["unexcused"], counted["late"])


@dataclass(frozen=True)
class SheetRow:
    student: ClassStudent
    cells: dict[str, SheetCell]
    absences: AbsenceCounts
    #: Средний балл of all the student's current marks in the period.
    average: float | None


@dataclass(frozen=True)
class SubjectFoot:
    """A subject's class figures: the class's average, students with no or one mark (R-62), period-mark indicators."""

    average: float | None
    without_marks: int
    with_one_mark: int
    indicators: PeriodIndicators | None


@dataclass(frozen=True)
class SummarySheet:
    subjects: list[str]
    rows: list[SheetRow]
    feet: dict[str, SubjectFoot]
    absences: AbsenceCounts


def _ordered(students: Iterable[ClassStudent]) -> list[ClassStudent]:
    return sorted(students, key=lambda s: (collation_key(s.name), str(s.student_id)))


@dataclass(frozen=True)
class MarkTotals:
    """A student's current marks in a subject, summed (what the database adds up for a whole school at once).

    ``marks`` counts every mark; ``scored`` … ``weights`` only the 5-point ones (R-66: зачёт is left out),
    ``weighted_total`` and ``weights`` only those whose work type weighs something.
    """

    student_id: UUID
    subject: str
    marks: int = 0
    scored: int = 0
    total: float = 0
    weighted_total: float = 0
    weights: float = 0

    def __add__(self, other: "MarkTotals") -> "MarkTotals":
        return MarkTotals(
            self.student_id,
            self.subject,
            self.marks + other.marks,
            self.scored + other.scored,
            self.total + other.total,
            self.weighted_total + other.weighted_total,
            self.weights + other.weights,
        )

    @property
    def average(self) -> float | None:
        return round(self.total / self.scored, 2) if self.scored else None

    @property
    def weighted_average(self) -> float | None:
        return round(self.weighted_total / self.weights, 2) if self.weights else None


def mark_totals(marks: Iterable[StudentMark]) -> list[MarkTotals]:
    """The marks summed per student and subject, as ``average`` and ``weighted_average`` count them."""
    summed: dict[tuple[UUID, str], MarkTotals] = {}
    for mark in marks:
        key = (mark.student_id, mark.subject)
        scored = counts_in_average(mark.value)
        value = int(mark.value) if scored else 0
        weighs = scored and mark.weight > 0
        summed[key] = summed.get(key, MarkTotals(*key)) + MarkTotals(
            *key,
            marks=1,
            scored=int(scored),
            total=value,
            weighted_total=value * mark.weight if weighs else 0,
            weights=mark.weight if weighs else 0,
        )
    return list(summed.values())


#: A row of one student's: summed marks or an absence.
OfStudent = TypeVar("OfStudent", MarkTotals, StudentAbsence)


def by_class(members: dict[UUID, list[ClassStudent]], rows: Iterable[OfStudent]) -> dict[UUID, list[OfStudent]]:
    """A whole school's rows (each of a student) split by the student's class in ``members``, in one pass: each
    class's sheet then reads its own, not the school's 10,000 sums and absences once per class."""
    class_of = {student.student_id: class_id for class_id, group in members.items() for student in group}
    split: dict[UUID, list[OfStudent]] = defaultdict(list)
    for row in rows:
        if row.student_id in class_of:
            split[class_of[row.student_id]].append(row)
    return split


def summary_sheet(
    students: Iterable[ClassStudent],
    totals: Iterable[MarkTotals],
    absences: Iterable[StudentAbsence],
    period_marks: Iterable[StudentPeriodMark] = (),
    subjects: Iterable[str] = (),
) -> SummarySheet:
    """The class's summary sheet from its marks summed per student and subject (``mark_totals``);
    ``subjects`` adds subjects taught with no mark yet (they still get a column)."""
    roster = _ordered(students)
    known = {s.student_id for s in roster}
    summed = {(t.student_id, t.subject): t for t in totals if t.student_id in known}
    final = {(p.student_id, p.subject): p.value for p in period_marks if p.student_id in known}
    reasons: dict[UUID, list[str]] = defaultdict(list)
    for absence in absences:
        if absence.student_id in known:
            reasons[absence.student_id].append(absence.reason)
    names = set(subjects) | {subject for _, subject in summed} | {subject for _, subject in final}
    ordered_subjects = sorted(names, key=lambda s: s.lower())

    def of(student_id: UUID, subject: str) -> MarkTotals:
        return summed.get((student_id, subject), MarkTotals(student_id, subject))

    rows = []
    for student in roster:
        cells = {}
        every = MarkTotals(student.student_id, "")
        for subject in ordered_subjects:
            its = of(student.student_id, subject)
            every = every + its
            cells[subject] = SheetCell(
                its.marks, its.average, its.weighted_average, final.get((student.student_id, subject))
            )
        rows.append(SheetRow(student, cells, absence_counts(reasons[student.student_id]), every.average))

    feet = {}
    for subject in ordered_subjects:
        per_student = [of(s.student_id, subject) for s in roster]
        class_total = MarkTotals(UUID(int=0), subject)
        for its in per_student:
            class_total = class_total + its
        subject_finals = [final[s.student_id, subject] for s in roster if (s.student_id, subject) in final]
        feet[subject] = SubjectFoot(
            average=class_total.average,
            without_marks=sum(1 for its in per_student if its.marks == 0),
            with_one_mark=sum(1 for its in per_student if its.marks == 1),
            indicators=period_indicators(subject_finals),
        )
    every_reason = [r for s in roster for r in reasons[s.student_id]]
    return SummarySheet(ordered_subjects, rows, feet, absence_counts(every_reason))


@dataclass(frozen=True)
class AttendanceRow:
    student: ClassStudent
    #: Per day of the month: the codes of the lessons missed that day, e.g. "2Б" or "Н О".
    days: dict[date, str]
    counts: AbsenceCounts


@dataclass(frozen=True)
class AttendanceSheet:
    """Ведомость посещаемости за месяц (R-60): a row per student, a column per day, totals by reason."""

    days: list[date]
    rows: list[AttendanceRow]
    counts: AbsenceCounts


def _day_codes(reasons: list[str]) -> str:
    counted: dict[str, int] = defaultdict(int)
    for reason in reasons:
        counted[ABSENCE_CODES[reason]] += 1
    return " ".join(f"{n if n > 1 else ''}{code}" for code, n in sorted(counted.items()))


def attendance_sheet(
    students: Iterable[ClassStudent], absences: Iterable[StudentAbsence], dates: DateRange
) -> AttendanceSheet:
    roster = _ordered(students)
    by_student_day: dict[UUID, dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
    for absence in absences:
        if dates.start <= absence.date <= dates.end:
            by_student_day[absence.student_id][absence.date].append(absence.reason)
    rows = []
    for student in roster:
        days = by_student_day.get(student.student_id, {})
        reasons = [r for day_reasons in days.values() for r in day_reasons]
        rows.append(
            AttendanceRow(student, {d: _day_codes(rs) for d, rs in sorted(days.items())}, absence_counts(reasons))
        )
    every = [r for s in roster for rs in by_student_day.get(s.student_id, {}).values() for r in rs]
    return AttendanceSheet(dates.days(), rows, absence_counts(every))


@dataclass(frozen=True)
class FillLesson:
    """A lesson recorded in the journal: its class, teacher, date, and whether topic and homework were written."""

    class_id: UUID
    teacher_id: UUID | None
    date: date
    topic: str
    homework: str | None


@dataclass(frozen=True)
class FillClass:
    class_id: UUID
    class_name: str
    students: list[UUID]


@dataclass(frozen=True)
class ClassFill:
    """Заполнение журнала одного класса за неделю или месяц (R-62)."""

    class_id: UUID
    class_name: str
    lessons: int
    #: Scheduled lessons up to the end of the range with no record in the journal.
    unrecorded: int
    with_topic: int
    with_homework: int
    students: int
    students_without_marks: int
    students_with_one_mark: int
    marks: int
    #: Накопляемость: marks per student in the range.
    marks_per_student: float | None


@dataclass(frozen=True)
class JournalFill:
    dates: DateRange
    classes: list[ClassFill]
    #: Teachers who recorded a lesson in the range, of those who recorded any this year.
    active_teachers: int
    known_teachers: int

    @property
    def active_share(self) -> float | None:
        return round(self.active_teachers / self.known_teachers * 100, 1) if self.known_teachers else None


def journal_fill(
    dates: DateRange,
    classes: Iterable[FillClass],
    lessons: Iterable[FillLesson],
    marks_by_student: dict[UUID, int],
    unrecorded_by_class: dict[UUID, int],
    known_teachers: set[UUID],
) -> JournalFill:
    """The school's journal-fill control: per class, lessons with topic and homework, students with no or one
    mark, mark accumulation, lessons of the timetable left unrecorded; and the share of teachers active."""
    in_range = [lesson for lesson in lessons if dates.start <= lesson.date <= dates.end]
    by_class: dict[UUID, list[FillLesson]] = defaultdict(list)
    for lesson in in_range:
        by_class[lesson.class_id].append(lesson)
    rows = []
    for school_class in sorted(classes, key=lambda c: class_order(c.class_name)):
        its = by_class.get(school_class.class_id, [])
        counts = [marks_by_student.get(s, 0) for s in school_class.students]
        total = sum(counts)
        rows.append(
            ClassFill(
                class_id=school_class.class_id,
                class_name=school_class.class_name,
                lessons=len(its),
                unrecorded=unrecorded_by_class.get(school_class.class_id, 0),
                with_topic=sum(1 for lesson in its if lesson.topic.strip()),
                with_homework=sum(1 for lesson in its if (lesson.homework or "").strip()),
                students=len(counts),
                students_without_marks=sum(1 for n in counts if n == 0),
                students_with_one_mark=sum(1 for n in counts if n == 1),
                marks=total,
                marks_per_student=round(total / len(counts), 1) if counts else None,
            )
        )
    active = {lesson.teacher_id for lesson in in_range if lesson.teacher_id is not None}
    return JournalFill(dates, rows, len(active), len(known_teachers | active))


def class_order(name: str) -> tuple[int, str]:
    """5А before 10А: the grade's number first, then the letter."""
    digits = "".join(ch for ch in name if ch.isdigit())
    return (int(digits) if digits else 0, name)


@dataclass(frozen=True)
class FamilySummary:
    """Ежемесячная сводка for a family without the electronic service (R-54): a student's month by subject."""

    student: ClassStudent
    subjects: list[SubjectSummary]
    #: Homework set at the class's lessons of the month, per subject.
    homework: dict[str, int] = field(default_factory=dict)
    #: Period marks (R-27) of the periods that ended in the month, per subject.
    period_marks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class LessonHomework:
    subject: str
    homework: str | None


def refused_families(
    students: Iterable[ClassStudent], refused_on: dict[UUID, date | None], last_day: date
) -> list[ClassStudent]:
    """R-54: the students whose family had refused the electronic service by the month's ``last_day``."""
    return [s for s in students if (day := refused_on.get(s.student_id)) is not None and day <= last_day]


def family_summaries(
    students: Iterable[ClassStudent],
    marks: Iterable[StudentMark],
    absences: Iterable[StudentAbsence],
    homework: Iterable[LessonHomework] = (),
    period_marks: Iterable[StudentPeriodMark] = (),
) -> list[FamilySummary]:
    """Each student's marks, averages, absences and lates per subject for the month, the homework set in the
    class per subject and the period marks if a period ended, in the class list's order."""
    marks_of: dict[tuple[UUID, str], list[ScoredMark]] = defaultdict(list)
    reasons_of: dict[tuple[UUID, str], list[str]] = defaultdict(list)
    finals_of: dict[UUID, dict[str, str]] = defaultdict(dict)
    for mark in marks:
        marks_of[mark.student_id, mark.subject].append(ScoredMark(mark.value, mark.weight))
    for absence in absences:
        reasons_of[absence.student_id, absence.subject].append(absence.reason)
    for final in period_marks:
        finals_of[final.student_id][final.subject] = final.value
    tasks: dict[str, int] = defaultdict(int)
    for lesson in homework:
        if (lesson.homework or "").strip():
            tasks[lesson.subject] += 1
    found = []
    for student in _ordered(students):
        finals = finals_of.get(student.student_id, {})
        subjects = sorted(
            {s for sid, s in marks_of if sid == student.student_id}
            | {s for sid, s in reasons_of if sid == student.student_id}
            | set(tasks)
            | set(finals),
            key=str.lower,
        )
        found.append(
            FamilySummary(
                student,
                [
                    subject_summary(
                        subject,
                        0,
                        marks_of.get((student.student_id, subject), []),
                        reasons_of.get((student.student_id, subject), []),
                    )
                    for subject in subjects
                ],
                dict(tasks),
                finals,
            )
        )
    return found
