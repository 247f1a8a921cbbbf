"""What each report reads from the read model: plain functions taking the tenant's session."""

from collections import defaultdict
from datetime import date, datetime
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, Integer, and_, case, exists, func, or_, select, text, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth import Caller
from chassis.db import Database
from chassis.problems import NotFound
from chassis.tenancy import Tenant
from reporting.domain.access import DIARY_READ_ROLES, staff_reads_diary
from reporting.domain.indicators import FIVE_POINT, NOT_ATTESTED
from reporting.domain.journal import JournalAbsence, JournalLesson, JournalMark, as_of
from reporting.domain.people import full_name
from reporting.domain.periods import DateRange, academic_year_start
from reporting.domain.region import Drill, LevelCount, parallel_title
from reporting.domain.report_periods import SchemePeriods
from reporting.domain.sheets import (
    ClassStudent,
    FillClass,
    FillLesson,
    LessonHomework,
    MarkTotals,
    StudentAbsence,
    StudentMark,
    StudentPeriodMark,
)
from reporting.models import (
    Absence,
    ClassTeacher,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkCount,
    Person,
    SchoolClass,
    Student,
    TimetableLesson,
)
from reporting.reports.models import (
    AbsenceState,
    ClassGrade,
    FamilyRefusal,
    JournalRead,
    LessonState,
    LessonTeacher,
    MarkState,
    PeriodScheme,
    School,
)

CLASS_NOT_FOUND = "Класс не найден."
#: R-61, R-62: the school's administration; the region's inspectors read every school.
ADMINISTRATION_ROLES = DIARY_READ_ROLES


async def school_title(session: AsyncSession, school_id: UUID) -> str:
    school = await session.get(School, school_id)
    return school.name if school else "Школа"


async def readable_class(session: AsyncSession, caller: Caller, school_id: UUID, class_id: UUID) -> SchoolClass:
    """The class whose reports the caller may read: its class teacher, the administration, the region's
    inspectors (R-60, R-61). 404 otherwise, also for a class of another school (row-level security)."""
    class_teacher = await session.scalar(
        select(ClassTeacher.teacher_id).filter_by(school_id=school_id, class_id=class_id)
    )
    readable = caller.oversees(school_id) or staff_reads_diary(
        caller.person_id, caller.roles_in(school_id), class_teacher
    )
    school_class = await session.get(SchoolClass, (school_id, class_id)) if readable else None
    if school_class is None:
        raise NotFound(CLASS_NOT_FOUND)
    return school_class


def reads_school_reports(caller: Caller, school_id: UUID) -> bool:
    return caller.oversees(school_id) or bool(caller.roles_in(school_id) & ADMINISTRATION_ROLES)


async def class_grade(session: AsyncSession, school_id: UUID, class_id: UUID) -> int | None:
    return await session.scalar(select(ClassGrade.grade).filter_by(school_id=school_id, class_id=class_id))


async def period_schemes(session: AsyncSession, school_id: UUID) -> list[SchemePeriods]:
    rows = await session.scalars(select(PeriodScheme).filter_by(school_id=school_id))
    return [SchemePeriods(frozenset(row.grades), list(row.periods)) for row in rows]


def in_class_over(dates: DateRange) -> ColumnElement[bool]:
    """R-16: the student was in their class on a day of ``dates`` at least — one who left before them is on no
    list of theirs; a list of a single day (``DateRange(day, day)``) leaves out all who left by that day."""
    return or_(Student.left_on.is_(None), Student.left_on > dates.start)


async def class_students(
    session: AsyncSession, school_id: UUID, class_id: UUID, dates: DateRange
) -> list[ClassStudent]:
    """The class list over ``dates``: the students whose latest enrolment (R-16) is the class, unless they had
    left it before those dates (``in_class_over``)."""
    rows = await session.execute(
        select(Student.id, Person.last_name, Person.first_name)
        .outerjoin(Person, and_(Person.school_id == Student.school_id, Person.id == Student.id))
        .where(Student.school_id == school_id, Student.class_id == class_id, in_class_over(dates))
    )
    return [ClassStudent(id, full_name(last, first)) for id, last, first in rows]


async def mark_totals(
    session: AsyncSession, school_id: UUID, students: list[UUID], dates: DateRange
) -> list[MarkTotals]:
    """The students' current marks summed per subject by the database (R-22, R-66: only 5-point marks count
    in the averages, only weighted ones in the weighted average), so a whole school's sheet reads 10,000 rows,
    not 180,000 marks."""
    five_point = Mark.value.in_(FIVE_POINT)
    weighs = and_(five_point, Mark.weight > 0)
    value = func.cast(Mark.value, Integer)
    rows = await session.execute(
        select(
            Mark.student_id,
            Mark.subject_name,
            func.count(),
            func.count().filter(five_point),
            func.coalesce(func.sum(value).filter(five_point), 0),
            func.coalesce(func.sum(value * Mark.weight).filter(weighs), 0),
            func.coalesce(func.sum(Mark.weight).filter(weighs), 0),
        )
        .where(
            Mark.school_id == school_id,
            Mark.student_id.in_(students),
            Mark.date.between(dates.start, dates.end),
            # a deleted mark counts nowhere.
            Mark.deleted.is_(False),
        )
        .group_by(Mark.student_id, Mark.subject_name)
    )
    return [MarkTotals(*row) for row in rows]


async def class_absences(
    session: AsyncSession, school_id: UUID, students: list[UUID], dates: DateRange
) -> list[StudentAbsence]:
    rows = await session.execute(
        select(Absence.student_id, Absence.subject_name, Absence.date, Absence.reason).where(
            Absence.school_id == school_id,
            Absence.student_id.in_(students),
            Absence.date.between(dates.start, dates.end),
            Absence.withdrawn.is_(False),
        )
    )
    return [StudentAbsence(*row) for row in rows]


async def class_subjects(session: AsyncSession, school_id: UUID, class_id: UUID, dates: DateRange) -> list[str]:
    rows = await session.scalars(
        select(Lesson.subject_name)
        .where(Lesson.school_id == school_id, Lesson.class_id == class_id, Lesson.date.between(dates.start, dates.end))
        .distinct()
    )
    return list(rows)


async def fill_inputs(
    session: AsyncSession, school_id: UUID, dates: DateRange, today: date
) -> tuple[list[FillClass], list[FillLesson], dict[UUID, int], dict[UUID, int], set[UUID]]:
    """The journal-fill control's records: classes with their students, lessons with their teachers,
    marks per student, the timetable's lessons left unrecorded per class, and this year's teachers."""
    members: dict[UUID, list[UUID]] = defaultdict(list)
    # The classes as they stand at the end: one who left during the dates is no student without marks.
    for student_id, class_id in await session.execute(
        select(Student.id, Student.class_id).where(
            Student.school_id == school_id, in_class_over(DateRange(dates.end, dates.end))
        )
    ):
        members[class_id].append(student_id)
    classes = [
        FillClass(c.id, c.name, members.get(c.id, []))
        for c in await session.scalars(select(SchoolClass).filter_by(school_id=school_id))
    ]
    lessons = [
        FillLesson(class_id, teacher_id, day, topic, homework)
        for class_id, teacher_id, day, topic, homework in await session.execute(
            select(Lesson.class_id, LessonTeacher.teacher_id, Lesson.date, Lesson.topic, Lesson.homework)
            .outerjoin(
                LessonTeacher, and_(LessonTeacher.school_id == Lesson.school_id, LessonTeacher.lesson_id == Lesson.id)
            )
            .where(Lesson.school_id == school_id, Lesson.date.between(dates.start, dates.end))
        )
    ]
    marks = dict(
        (
            await session.execute(
                select(Mark.student_id, func.count())
                .where(Mark.school_id == school_id, Mark.date.between(dates.start, dates.end))
                .group_by(Mark.student_id)
            )
        ).all()
    )
    # a lesson that took place and has no record yet; the future is not late.
    recorded = exists().where(Lesson.school_id == school_id, Lesson.scheduled_lesson_id == TimetableLesson.id)
    unrecorded = dict(
        (
            await session.execute(
                select(TimetableLesson.class_id, func.count())
                .where(
                    TimetableLesson.school_id == school_id,
                    TimetableLesson.date.between(dates.start, min(dates.end, today)),
                    TimetableLesson.status == "scheduled",
                    ~recorded,
                )
                .group_by(TimetableLesson.class_id)
            )
        ).all()
    )
    known = set(
        await session.scalars(
            select(LessonTeacher.teacher_id)
            .join(Lesson, and_(Lesson.school_id == LessonTeacher.school_id, Lesson.id == LessonTeacher.lesson_id))
            .where(Lesson.school_id == school_id, Lesson.date.between(academic_year_start(dates.end), dates.end))
            .distinct()
        )
    )
    return classes, lessons, marks, unrecorded, known


async def class_subject_names(session: AsyncSession, school_id: UUID, class_id: UUID) -> dict[UUID, str]:
    """The subjects with lessons recorded in the class, by id."""
    rows = await session.execute(
        select(Lesson.subject_id, Lesson.subject_name).where(Lesson.school_id == school_id, Lesson.class_id == class_id)
    )
    return dict(rows.all())


async def journal_now(
    session: AsyncSession, school_id: UUID, class_id: UUID, subject_id: UUID, dates: DateRange, students: list[UUID]
) -> tuple[list[JournalLesson], list[JournalMark], list[JournalAbsence]]:
    """The class's lessons of a subject with their marks and absences as the journal holds them now."""
    lessons = [
        JournalLesson(lesson.id, lesson.date, lesson.topic, lesson.homework)
        for lesson in await session.scalars(
            select(Lesson).where(
                Lesson.school_id == school_id,
                Lesson.class_id == class_id,
                Lesson.subject_id == subject_id,
                Lesson.date.between(dates.start, dates.end),
                Lesson.deleted.is_(False),
            )
        )
    ]
    ids = [lesson.lesson_id for lesson in lessons]
    marks = [
        JournalMark(*row)
        for row in await session.execute(
            select(Mark.lesson_id, Mark.student_id, Mark.value).where(
                Mark.school_id == school_id,
                Mark.lesson_id.in_(ids),
                Mark.student_id.in_(students),
                Mark.deleted.is_(False),
            )
        )
    ]
    absences = [
        JournalAbsence(*row)
        for row in await session.execute(
            select(Absence.lesson_id, Absence.student_id, Absence.reason).where(
                Absence.school_id == school_id,
                Absence.lesson_id.in_(ids),
                Absence.student_id.in_(students),
                Absence.withdrawn.is_(False),
            )
        )
    ]
    return lessons, marks, absences


async def journal_at(
    session: AsyncSession, school_id: UUID, class_id: UUID, subject_id: UUID, dates: DateRange, moment: datetime
) -> tuple[list[JournalLesson], list[JournalMark], list[JournalAbsence]]:
    """The same as it stood at ``moment``, rebuilt from the states the events told (R-25)."""
    told = [
        LessonState.school_id == school_id,
        LessonState.class_id == class_id,
        LessonState.subject_id == subject_id,
        LessonState.date.between(dates.start, dates.end),
        LessonState.at <= moment,
    ]
    lesson_states = as_of(
        await session.scalars(select(LessonState).where(*told)),
        moment,
        key=lambda s: s.lesson_id,
        told_at=lambda s: s.at,
        version=lambda s: s.version,
    )
    lessons = [JournalLesson(s.lesson_id, s.date, s.topic, s.homework) for s in lesson_states]
    mark_states = as_of(
        await session.scalars(
            select(MarkState).where(
                MarkState.school_id == school_id,
                MarkState.class_id == class_id,
                MarkState.subject_id == subject_id,
                MarkState.date.between(dates.start, dates.end),
                MarkState.at <= moment,
            )
        ),
        moment,
        key=lambda s: s.mark_id,
        told_at=lambda s: s.at,
        version=lambda s: s.version,
    )
    marks = [JournalMark(s.lesson_id, s.student_id, s.value) for s in mark_states if not s.deleted]
    ids = {lesson.lesson_id for lesson in lessons}
    absence_states = as_of(
        await session.scalars(
            select(AbsenceState).where(
                AbsenceState.school_id == school_id,
                AbsenceState.class_id == class_id,
                AbsenceState.date.between(dates.start, dates.end),
                AbsenceState.at <= moment,
            )
        ),
        moment,
        key=lambda s: s.absence_id,
        # Absences sent before versions carry 0: their time orders them.
        told_at=lambda s: s.at,
        version=lambda s: (s.version, s.at),
    )
    absences = [
        JournalAbsence(s.lesson_id, s.student_id, s.reason)
        for s in absence_states
        if not s.withdrawn and s.lesson_id in ids
    ]
    return lessons, marks, absences


async def log_journal_read(
    db: Database,
    school_id: UUID,
    caller: Caller,
    class_id: UUID,
    subject_id: UUID,
    moment: datetime,
    read_at: datetime,
) -> None:
    """R-5: record the read in its own transaction as the school (a region reader's own may not write)."""
    async with db.transaction(Tenant(school_id=school_id)) as session:
        session.add(
            JournalRead(
                school_id=school_id,
                id=uuid4(),
                reader_id=caller.person_id,
                reader_name=caller.name or "",
                class_id=class_id,
                subject_id=subject_id,
                as_of=moment,
                read_at=read_at,
            )
        )


async def journal_reads(session: AsyncSession, school_id: UUID, dates: DateRange) -> list[JournalRead]:
    rows = await session.scalars(
        select(JournalRead)
        .where(
            JournalRead.school_id == school_id,
            func.date(JournalRead.read_at).between(dates.start, dates.end),
        )
        .order_by(JournalRead.read_at.desc())
    )
    return list(rows)


async def school_students(session: AsyncSession, school_id: UUID, dates: DateRange) -> dict[UUID, list[ClassStudent]]:
    """Every class list of the school over ``dates`` at once, by class (``class_students``)."""
    found: dict[UUID, list[ClassStudent]] = defaultdict(list)
    for id, class_id, last, first in await session.execute(
        select(Student.id, Student.class_id, Person.last_name, Person.first_name)
        .outerjoin(Person, and_(Person.school_id == Student.school_id, Person.id == Student.id))
        .where(Student.school_id == school_id, in_class_over(dates))
    ):
        found[class_id].append(ClassStudent(id, full_name(last, first)))
    return found


async def school_subjects(session: AsyncSession, school_id: UUID, dates: DateRange) -> dict[UUID, list[str]]:
    """The subjects each class had lessons in, at once, by class."""
    found: dict[UUID, list[str]] = defaultdict(list)
    for class_id, subject in await session.execute(
        select(Lesson.class_id, Lesson.subject_name)
        .where(Lesson.school_id == school_id, Lesson.date.between(dates.start, dates.end))
        .distinct()
    ):
        found[class_id].append(subject)
    return found


async def class_marks(
    session: AsyncSession, school_id: UUID, students: list[UUID], dates: DateRange
) -> list[StudentMark]:
    """The students' current marks one by one, in date order (a family's summary lists them)."""
    rows = await session.execute(
        select(Mark.student_id, Mark.subject_name, Mark.value, Mark.weight)
        .where(
            Mark.school_id == school_id,
            Mark.student_id.in_(students),
            Mark.date.between(dates.start, dates.end),
            Mark.deleted.is_(False),
        )
        .order_by(Mark.date, Mark.id)
    )
    return [StudentMark(*row) for row in rows]


async def family_refusals(session: AsyncSession, school_id: UUID, students: list[UUID]) -> dict[UUID, date | None]:
    """R-54: since when each student's family has refused the electronic service (None: took it back)."""
    rows = await session.execute(
        select(FamilyRefusal.student_id, FamilyRefusal.refused_on).where(
            FamilyRefusal.school_id == school_id, FamilyRefusal.student_id.in_(students)
        )
    )
    return dict(rows.all())


async def class_homework(
    session: AsyncSession, school_id: UUID, class_id: UUID, dates: DateRange
) -> list[LessonHomework]:
    """The class's lessons of the dates with the homework set at each (R-21)."""
    rows = await session.execute(
        select(Lesson.subject_name, Lesson.homework).where(
            Lesson.school_id == school_id,
            Lesson.class_id == class_id,
            Lesson.date.between(dates.start, dates.end),
            Lesson.deleted.is_(False),
        )
    )
    return [LessonHomework(*row) for row in rows]


async def period_marks_ended(
    session: AsyncSession, school_id: UUID, students: list[UUID], dates: DateRange
) -> list[StudentPeriodMark]:
    """The students' period marks (R-27) of the periods that ended within the dates; «н/а» for not attested."""
    value = case((PeriodMark.not_attested_reason.is_not(None), NOT_ATTESTED), else_=PeriodMark.value)
    rows = await session.execute(
        select(PeriodMark.student_id, PeriodMark.subject_name, value).where(
            PeriodMark.school_id == school_id,
            PeriodMark.student_id.in_(students),
            PeriodMark.ends.between(dates.start, dates.end),
            value.is_not(None),
        )
    )
    return [StudentPeriodMark(*row) for row in rows]


def _of_schools(schools: frozenset[UUID] | None) -> ColumnElement[bool]:
    """Period marks of these schools only; None: of every school."""
    return true() if schools is None else PeriodMark.school_id.in_(schools)


async def region_periods(session: AsyncSession, schools: frozenset[UUID] | None) -> list[tuple[date, str, date]]:
    """The periods with period marks in ``schools`` (None: anywhere in the region): (the year's 1 September, name,
    first day), by date.

    Schools' quarters start on different days; one name in one school year is one period for the region.
    A region holds a million period marks but a few hundred (name, first day) pairs: each step of the recursion
    jumps along the index ``period_marks_periods`` to the next pair, instead of reading every mark."""
    marked = or_(PeriodMark.value.is_not(None), PeriodMark.not_attested_reason.is_not(None)), _of_schools(schools)
    pair = (PeriodMark.period_name, PeriodMark.starts)
    seen = select(*pair).where(*marked).order_by(*pair).limit(1).cte("seen", recursive=True)
    following = (
        select(*pair).where(*marked, tuple_(*pair) > tuple_(seen.c.period_name, seen.c.starts)).order_by(*pair).limit(1)
    ).lateral("following")
    seen = seen.union_all(select(following.c.period_name, following.c.starts).select_from(seen).join(following, true()))
    first: dict[tuple[date, str], date] = {}
    for name, starts in await session.execute(select(seen.c.period_name, seen.c.starts)):
        key = (academic_year_start(starts), name)
        first[key] = min(starts, first.get(key, starts))
    return sorted(((year, name, starts) for (year, name), starts in first.items()), key=lambda p: (p[0], p[2], p[1]))


async def region_counts(
    session: AsyncSession, year_start: date, period_name: str, schools: frozenset[UUID] | None, where: Drill
) -> list[LevelCount]:
    """The period marks of ``schools`` (None: the region's) of one period of one school year that ``where``
    selects, counted by value per row of its level (R-61, R-66); the caller's transaction reads every school
    (region_read).

    The diary's consumer keeps the marks counted per class, subject, period and value (``PeriodMarkCount``) as
    they arrive, so a region's million period marks are some 175 000 counts to sum here, grouped straight to the
    level shown: a few hundred rows leave PostgreSQL."""
    year_end = date(year_start.year + 1, 8, 31)
    grade = func.coalesce(ClassGrade.grade, 0)
    counted = PeriodMarkCount
    level = where.level
    key, title = {
        "municipality": (School.municipality, School.municipality),
        "school": (counted.school_id, School.name),
        "parallel": (grade, grade),
        "subject": (counted.subject_name, counted.subject_name),
    }[level]
    if where.municipality is None and where.school_id is None:
        # Row-level security's policies (a setting compared per row) make the planner expect a row or two wherever
        # it looks, so it probes an index per count and sorts them all to group them; the whole region is a scan
        # of its counts, which hash joins and a hash aggregate do in one pass (a municipality or a school is a few
        # index probes, left to the planner). Local: the transaction's end resets them.
        await session.execute(
            text("SELECT set_config('enable_nestloop', 'off', true), set_config('enable_sort', 'off', true)")
        )
    total = func.sum(counted.count)
    rows = await session.execute(
        select(key, title, counted.value, total)
        .join(School, School.school_id == counted.school_id)
        .outerjoin(ClassGrade, and_(ClassGrade.school_id == counted.school_id, ClassGrade.class_id == counted.class_id))
        .where(
            counted.period_name == period_name,
            counted.starts.between(year_start, year_end),
            true() if schools is None else counted.school_id.in_(schools),
            true() if where.municipality is None else School.municipality == where.municipality,
            true() if where.school_id is None else counted.school_id == where.school_id,
            true() if where.grade is None else grade == where.grade,
        )
        .group_by(key, title, counted.value)
        # A count taken back to 0 (a mark changed or cleared) stays as a row: not a mark of its row.
        .having(total > 0)
    )
    if level == "parallel":
        return [LevelCount(str(key), parallel_title(key), value, int(count)) for key, _, value, count in rows]
    return [LevelCount(str(key), title, value, int(count)) for key, title, value, count in rows]
