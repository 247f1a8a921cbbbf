"""The family inbox (R-51, R-52): a notice for each guardian and the student of every mark and absence.

Roster's events keep the replicas of names and guardianships. A notice is written once
per (recipient, event): the inbox skips redeliveries, and the unique key backs it up.
Its e-mail, SMS and push deliveries are planned in the same transaction (``planning``).

A snapshot or a rebuild's replay (``chassis.snapshots.is_news``) updates the replicas and the
absence days only: nobody is told again of what they were told of when it happened. The read model
a rebuild recreates is those replicas; the notices are the record of what was sent and read.
"""

from dataclasses import dataclass
from uuid import UUID, uuid5

from sqlalchemy import ARRAY, JSON, Select, Uuid, any_, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.consumers import Consumer
from chassis.events import Envelope
from chassis.rebuild import read_model
from chassis.replicas import (
    end_guardianship,
    insert_once,
    keep_guardianships,
    keep_people,
    upsert,
    upsert_many,
)
from chassis.schooltime import follow_school_zones
from chassis.snapshots import is_news
from contracts.attendance import AbsenceCorrected, AbsenceRecorded, AbsenceWithdrawn
from contracts.gradebook import LessonRecorded, MarkChanged, MarkDeleted, MarkPosted
from contracts.roster import (
    CONSENT_PURPOSES,
    AssignmentCreated,
    AssignmentEnded,
    ClassTeacherAssigned,
    ClassTeacherRemoved,
    ConsentChanged,
    GuardianshipEnded,
    GuardianshipLinked,
    PersonChanged,
    PersonRegistered,
    StaffRoleEnded,
    StaffRoleGranted,
    StudentEnrolled,
    StudentLeftClass,
)
from notifications.domain import texts
from notifications.domain.alerts import AlertRules, absence_run_alert, failing_mark_alert
from notifications.domain.delivery import CHANNEL_CONSENTS
from notifications.domain.texts import Notice
from notifications.models import (
    AbsenceDay,
    ClassTeacher,
    Consent,
    Delivery,
    Enrolment,
    Guardianship,
    Notification,
    Person,
    SchoolAlertRules,
    StaffRole,
    TeachingAssignment,
)
from notifications.planning import Letter, Recipient, deliver, deliver_all

family = Consumer("notifications.family")
# Every "today" of a school is its own local date: keep the zones roster announces.
follow_school_zones(family)
read_model(family, ["people", "guardianships", "enrolments", "class_teachers", "absences"])


# An import's people, guardianships and enrolments arriving together are one statement for each run.
@family.on_many(PersonRegistered)
@family.on_many(PersonChanged)
async def on_people(session: AsyncSession, people: list[tuple[PersonRegistered | PersonChanged, Envelope]]) -> None:
    await keep_people(session, Person, people)


@family.on_many(GuardianshipLinked)
async def on_guardianships(session: AsyncSession, linked: list[tuple[GuardianshipLinked, Envelope]]) -> None:
    await keep_guardianships(session, Guardianship, linked)


@family.on_many(StudentEnrolled)
async def on_enrolments(session: AsyncSession, enrolled: list[tuple[StudentEnrolled, Envelope]]) -> None:
    # after a transfer the latest enrolment is the student's class, whatever order they come in.
    rows = [
        (
            {"school_id": envelope.schoolid, "student_id": event.student_id},
            {"class_id": event.class_id, "enrolled_on": event.enrolled_on},
        )
        for event, envelope in enrolled
    ]
    await upsert_many(
        session,
        Enrolment,
        rows,
        only_if=lambda new: Enrolment.enrolled_on.is_(None) | (Enrolment.enrolled_on <= new.enrolled_on),
    )


@family.on(StudentLeftClass)
async def on_left_class(session: AsyncSession, event: StudentLeftClass, envelope: Envelope) -> None:
    # Only if still there: a later enrolment elsewhere (already stored) is the student's class now.
    await session.execute(
        delete(Enrolment).where(
            Enrolment.school_id == envelope.schoolid,
            Enrolment.student_id == event.student_id,
            Enrolment.class_id == event.class_id,
        )
    )


async def _tell(session: AsyncSession, envelope: Envelope, person_id: UUID, notice: Notice) -> None:
    """R-4: the person whose role ended learns it with the reason."""
    await deliver(session, envelope.schoolid, envelope.id, "announcement", notice, [Recipient(person_id, person_id)])


@family.on(ConsentChanged)
async def on_consent(session: AsyncSession, event: ConsentChanged, envelope: Envelope) -> None:
    """R-5: a withdrawn channel stops at once (what waits to be sent by it is skipped); the administrator is told."""
    key = {"school_id": envelope.schoolid, "person_id": event.person_id, "purpose": event.purpose}
    values = {"granted": event.granted, "version": event.version}
    await upsert(session, Consent, key, values, only_if=lambda new: Consent.version < new.version)
    if event.granted:
        return
    channel = next((c for c, p in CHANNEL_CONSENTS.items() if p == event.purpose), None)
    if channel is not None:
        about = select(Notification.id).where(
            Notification.school_id == envelope.schoolid, Notification.student_id == event.person_id
        )
        await session.execute(
            update(Delivery)
            .where(
                Delivery.school_id == envelope.schoolid,
                Delivery.channel == channel,
                Delivery.state.in_(("pending", "held")),
                (Delivery.recipient_id == event.person_id) | Delivery.notification_id.in_(about),
            )
            .values(state="skipped", last_error="согласие на этот способ уведомлений отозвано")
        )
    if not is_news(session, envelope):
        return
    admins = await session.scalars(
        select(StaffRole.person_id).filter_by(school_id=envelope.schoolid, role="school_admin")
    )
    name = await _student_name(session, envelope.schoolid, event.person_id)
    notice = texts.consent_withdrawn(name, CONSENT_PURPOSES[event.purpose])
    recipients = [Recipient(admin, admin) for admin in admins]
    await deliver(session, envelope.schoolid, envelope.id, "announcement", notice, recipients)


@family.on(GuardianshipEnded)
async def on_guardianship_ended(session: AsyncSession, event: GuardianshipEnded, envelope: Envelope) -> None:
    await end_guardianship(session, Guardianship, event, envelope)
    name = await _student_name(session, envelope.schoolid, event.student_id)
    notice = texts.guardianship_ended(name, event.ended_on, event.reason)
    await deliver(
        session,
        envelope.schoolid,
        envelope.id,
        "announcement",
        notice,
        [Recipient(event.guardian_id, event.student_id)],
    )


@family.on(StaffRoleEnded)
async def on_staff_role_ended(session: AsyncSession, event: StaffRoleEnded, envelope: Envelope) -> None:
    await _tell(session, envelope, event.person_id, texts.staff_role_ended(event.role, event.ended_on, event.reason))


@family.on(AssignmentEnded)
async def on_assignment_ended(session: AsyncSession, event: AssignmentEnded, envelope: Envelope) -> None:
    notice = texts.assignment_ended(event.subject_name, event.class_name, event.ended_on, event.reason)
    await _tell(session, envelope, event.teacher_id, notice)


@family.on(ClassTeacherRemoved)
async def on_class_teacher_removed(session: AsyncSession, event: ClassTeacherRemoved, envelope: Envelope) -> None:
    await session.execute(
        delete(ClassTeacher).where(
            ClassTeacher.school_id == envelope.schoolid,
            ClassTeacher.class_id == event.class_id,
            ClassTeacher.teacher_id == event.teacher_id,
        )
    )
    notice = texts.class_teacher_removed(event.class_name, event.ended_on, event.reason)
    await _tell(session, envelope, event.teacher_id, notice)


@family.on(ClassTeacherAssigned)
async def on_class_teacher(session: AsyncSession, event: ClassTeacherAssigned, envelope: Envelope) -> None:
    key = {"school_id": envelope.schoolid, "class_id": event.class_id}
    values = {"teacher_id": event.teacher_id, "version": event.version}
    # A newer assignment wins over a late older one; events from before versions (0) apply as they come.
    await upsert(
        session,
        ClassTeacher,
        key,
        values,
        only_if=lambda new: (ClassTeacher.version < new.version) | (new.version == 0),
    )


@family.on(StaffRoleGranted)
async def on_staff_role(session: AsyncSession, event: StaffRoleGranted, envelope: Envelope) -> None:
    """R-50: staff write to anyone in the school, and the administration is reachable by every family."""
    await insert_once(
        session, StaffRole, {"school_id": envelope.schoolid, "person_id": event.person_id, "role": event.role}
    )


@family.on(AssignmentCreated)
async def on_assignment(session: AsyncSession, event: AssignmentCreated, envelope: Envelope) -> None:
    """R-50: a family writes to the teachers who teach their child's class."""
    key = {"school_id": envelope.schoolid, "assignment_id": event.assignment_id}
    values = {"teacher_id": event.teacher_id, "class_id": event.class_id, "subject_name": event.subject_name}
    await upsert(session, TeachingAssignment, key, values)


@family.on(LessonRecorded)
async def on_lesson(session: AsyncSession, event: LessonRecorded, envelope: Envelope) -> None:
    """R-51: the class's students and their guardians learn of homework (again when it is edited)."""
    if not event.homework or not is_news(session, envelope):
        return
    students = list(
        await session.scalars(
            select(Enrolment.student_id).filter_by(school_id=envelope.schoolid, class_id=event.class_id)
        )
    )
    guardians = await session.execute(
        select(Guardianship.guardian_id, Guardianship.student_id).where(
            Guardianship.school_id == envelope.schoolid, Guardianship.student_id.in_(students)
        )
    )
    recipients = [Recipient(s, s) for s in students] + [Recipient(g, s) for g, s in guardians]
    notice = texts.homework(event.subject_name, event.date, event.homework)
    await deliver(session, envelope.schoolid, envelope.id, "homework", notice, recipients)


async def _student_name(session: AsyncSession, school_id: UUID, student_id: UUID) -> str | None:
    found = await session.get(Person, (school_id, student_id))
    return texts.full_name(found.last_name, found.first_name) if found else None


async def _notify_family(
    session: AsyncSession, envelope: Envelope, student_id: UUID, kind: str, notice: Notice
) -> None:
    """R-51: the student's guardians and the student learn of it without asking anyone."""
    guardians = await session.scalars(
        select(Guardianship.guardian_id).filter_by(school_id=envelope.schoolid, student_id=student_id)
    )
    recipients = [Recipient(person, student_id) for person in [*guardians, student_id]]
    await deliver(session, envelope.schoolid, envelope.id, kind, notice, recipients)


async def alert_rules(session: AsyncSession, school_id: UUID) -> AlertRules:
    found = await session.get(SchoolAlertRules, school_id)
    return AlertRules(found.failing_mark, found.absence_days, found.window_days) if found else AlertRules()


async def _alert(session: AsyncSession, envelope: Envelope, student_id: UUID, class_id: UUID, notice: Notice) -> None:
    """R-52: the class teacher and the student's guardians are alerted (a notice of kind ``alert``)."""
    guardians = list(
        await session.scalars(
            select(Guardianship.guardian_id).filter_by(school_id=envelope.schoolid, student_id=student_id)
        )
    )
    class_teacher = await session.scalar(
        select(ClassTeacher.teacher_id).filter_by(school_id=envelope.schoolid, class_id=class_id)
    )
    recipients = _alerted(student_id, guardians, class_teacher)
    await deliver(session, envelope.schoolid, _alert_id(envelope), "alert", notice, recipients)


def _alerted(student_id: UUID, guardians: list[UUID], class_teacher: UUID | None) -> list[Recipient]:
    """R-52: who is alerted of a student: the guardians and the class teacher, not the student."""
    recipients = [Recipient(g, student_id) for g in guardians]
    if class_teacher is not None:
        recipients.append(Recipient(class_teacher, student_id))
    return recipients


def _alert_id(envelope: Envelope) -> UUID:
    # Its own event id: the same event already gave the family its plain notice.
    return uuid5(envelope.id, "alert")


async def _absence_day(
    session: AsyncSession,
    envelope: Envelope,
    event: AbsenceRecorded | AbsenceCorrected | AbsenceWithdrawn,
    *,
    counted: bool,
) -> None:
    """The absence's latest state for runs: its highest version wins (equal: the same state again)."""
    key = {"school_id": envelope.schoolid, "absence_id": event.absence_id}
    values = {"student_id": event.student_id, "date": event.date, "version": event.version, "counted": counted}
    await upsert(session, AbsenceDay, key, values, only_if=lambda new: AbsenceDay.version <= new.version)


async def _absence_alert(session: AsyncSession, envelope: Envelope, event: AbsenceRecorded | AbsenceCorrected) -> None:
    """Keeps the student's absence days and alerts when this one completes a run (R-52)."""
    await _absence_day(session, envelope, event, counted=event.reason != "late")
    if event.reason == "late" or not is_news(session, envelope):
        return
    rules = await alert_rules(session, envelope.schoolid)
    days = set(
        await session.scalars(
            select(AbsenceDay.date).filter_by(school_id=envelope.schoolid, student_id=event.student_id, counted=True)
        )
    )
    run = absence_run_alert(rules, days, event.date)
    if run is not None:
        name = await _student_name(session, envelope.schoolid, event.student_id)
        notice = texts.absence_run_alert(name, run, rules.window_days, event.date)
        await _alert(session, envelope, event.student_id, event.class_id, notice)


def _families_statement() -> Select:
    """The students' names and guardians, the school's alert rules (R-52) and the class teachers of some classes, in
    one statement: a row per student, the rules and the class teachers (JSON, class → teacher) on every row.

    Built once with bound parameters (``school_id``, ``students``, ``classes``): its cache key and SQL are computed
    once per process, not for every run of marks."""
    school_id = bindparam("school_id", type_=Uuid)
    everyone = (
        func.unnest(bindparam("students", type_=ARRAY(Uuid))).table_valued("student_id").render_derived("everyone")
    )
    student = everyone.c.student_id
    return (
        select(
            student,
            Person.last_name,
            Person.first_name,
            select(func.array_agg(Guardianship.guardian_id))
            .where(Guardianship.school_id == school_id, Guardianship.student_id == student)
            .scalar_subquery()
            .label("guardians"),
            SchoolAlertRules.failing_mark,
            SchoolAlertRules.absence_days,
            SchoolAlertRules.window_days,
            select(func.json_object_agg(ClassTeacher.class_id, ClassTeacher.teacher_id, type_=JSON))
            .where(
                ClassTeacher.school_id == school_id,
                ClassTeacher.class_id == any_(bindparam("classes", type_=ARRAY(Uuid))),
            )
            .scalar_subquery()
            .label("class_teachers"),
        )
        .select_from(everyone)
        .outerjoin(Person, (Person.school_id == school_id) & (Person.id == student))
        .outerjoin(SchoolAlertRules, SchoolAlertRules.school_id == school_id)
    )


FAMILIES = _families_statement()


@dataclass(frozen=True)
class _Families:
    """What a run of marks needs to tell: each student's name and guardians, the school's alert rules (R-52), and
    the class teachers of the run's classes."""

    names: dict[UUID, str | None]
    guardians: dict[UUID, list[UUID]]
    rules: AlertRules
    class_teachers: dict[UUID, UUID]


async def _families(session: AsyncSession, school_id: UUID, students: set[UUID], classes: set[UUID]) -> _Families:
    rows = await session.execute(
        FAMILIES, {"school_id": school_id, "students": list(students), "classes": list(classes)}
    )
    names: dict[UUID, str | None] = {}
    guardians: dict[UUID, list[UUID]] = {}
    class_teachers: dict[UUID, UUID] = {}
    rules = AlertRules()
    for row in rows:
        names[row.student_id] = texts.full_name(row.last_name, row.first_name) if row.last_name is not None else None
        guardians[row.student_id] = row.guardians or []
        if row.failing_mark is not None:
            rules = AlertRules(row.failing_mark, row.absence_days, row.window_days)
        class_teachers.update({UUID(c): UUID(t) for c, t in (row.class_teachers or {}).items()})
    return _Families(names, guardians, rules, class_teachers)


@family.on_many(MarkPosted)
async def on_marks_posted(session: AsyncSession, posted: list[tuple[MarkPosted, Envelope]]) -> None:
    """R-51, R-52: each mark to its student's family, a failing one also as an alert to the guardians and the class
    teacher; a run of marks (a lesson's column arriving together) reads the names, guardians, rules and class
    teachers once, in one statement, and writes all notices in one statement a table."""
    news = [(event, envelope) for event, envelope in posted if is_news(session, envelope)]
    if not news:
        return
    school_id = news[0][1].schoolid  # a run is one school's
    students, classes = {event.student_id for event, _ in news}, {event.class_id for event, _ in news}
    families = await _families(session, school_id, students, classes)
    names, guardians = families.names, families.guardians
    letters = []
    for event, envelope in news:
        family_of = [*guardians.get(event.student_id, []), event.student_id]
        notice = texts.mark_posted(
            names.get(event.student_id),
            event.subject_name,
            event.value,
            event.work_type,
            event.work_type_title,
            event.weight,
            event.date,
        )
        letters.append(Letter(envelope.id, "mark", notice, [Recipient(p, event.student_id) for p in family_of]))
    for event, envelope in news:
        if not failing_mark_alert(families.rules, event.value):
            continue
        name = names.get(event.student_id)
        alert = texts.failing_mark_alert(name, event.subject_name, event.value, event.date)
        teacher = families.class_teachers.get(event.class_id)
        recipients = _alerted(event.student_id, guardians.get(event.student_id, []), teacher)
        letters.append(Letter(_alert_id(envelope), "alert", alert, recipients))
    await deliver_all(session, school_id, letters)


@family.on(MarkChanged)
async def on_mark_changed(session: AsyncSession, event: MarkChanged, envelope: Envelope) -> None:
    if not is_news(session, envelope):
        return
    name = await _student_name(session, envelope.schoolid, event.student_id)
    kind = (event.work_type, event.work_type_title)
    if event.correction == "work_type":
        notice = texts.mark_retyped(name, event.subject_name, event.value, event.old_work_type or "", *kind, event.date)
    elif event.correction == "moved":
        notice = texts.mark_moved(name, event.subject_name, event.value, *kind, event.date)
    else:
        notice = texts.mark_changed(name, event.subject_name, event.old_value, event.value, *kind, event.date)
    await _notify_family(session, envelope, event.student_id, "mark", notice)


@family.on(MarkDeleted)
async def on_mark_deleted(session: AsyncSession, event: MarkDeleted, envelope: Envelope) -> None:
    if not is_news(session, envelope):
        return
    name = await _student_name(session, envelope.schoolid, event.student_id)
    kind = (event.work_type, event.work_type_title)
    notice = texts.mark_deleted(name, event.subject_name, event.value, *kind, event.date, event.reason)
    await _notify_family(session, envelope, event.student_id, "mark", notice)


@family.on(AbsenceRecorded)
async def on_absence(session: AsyncSession, event: AbsenceRecorded, envelope: Envelope) -> None:
    name = await _student_name(session, envelope.schoolid, event.student_id)
    if is_news(session, envelope):
        notice = texts.absence_recorded(name, event.subject_name, event.reason, event.date)
        await _notify_family(session, envelope, event.student_id, "absence", notice)
    await _absence_alert(session, envelope, event)


@family.on(AbsenceCorrected)
async def on_absence_corrected(session: AsyncSession, event: AbsenceCorrected, envelope: Envelope) -> None:
    name = await _student_name(session, envelope.schoolid, event.student_id)
    if is_news(session, envelope):
        if event.reason == event.previous_reason and (event.previous_lesson_id or event.previous_date):
            notice = texts.absence_moved(name, event.subject_name, event.reason, event.previous_date, event.date)
        else:
            notice = texts.absence_corrected(name, event.subject_name, event.previous_reason, event.reason, event.date)
        await _notify_family(session, envelope, event.student_id, "absence", notice)
    await _absence_alert(session, envelope, event)


@family.on(AbsenceWithdrawn)
async def on_absence_withdrawn(session: AsyncSession, event: AbsenceWithdrawn, envelope: Envelope) -> None:
    name = await _student_name(session, envelope.schoolid, event.student_id)
    if is_news(session, envelope):
        notice = texts.absence_withdrawn(name, event.subject_name, event.reason, event.date)
        await _notify_family(session, envelope, event.student_id, "absence", notice)
    await _absence_day(session, envelope, event, counted=False)
