"""The authorization matrix (R-1): every API route × role × (own / same school, another's / another school),
with the answer DOMAIN.md §1 («Roles and what each may see and do») expects, not today's behaviour.

A row names, per role, how far the role reaches on that route:

- ``ALL``  — anything of its school (a school-wide read, the administrator's set-up);
- ``OWN``  — only its own: a parent their children, a student themself, a teacher the classes they
  teach, a class teacher their class, a substitute the substituted lesson;
- ``NONE`` — nothing.

Region roles (inspector, region administrator) work across schools: ``ALL`` reaches every school.
``cases()`` turns rows into the cases a test runs; every later issue adds its routes' rows here.
"""

from dataclasses import dataclass
from enum import Enum


class Reach(Enum):
    ALL = "all"
    OWN = "own"
    NONE = "none"


class Scope(Enum):
    OWN = "own"
    SAME_SCHOOL_OTHER = "same school, another's"
    OTHER_SCHOOL = "another school"


ALL, OWN, NONE = Reach.ALL, Reach.OWN, Reach.NONE
ROLES = (
    "teacher",
    "substitute",
    "class_teacher",
    "secretary",
    "parent",
    "former_parent",
    "student",
    "school_admin",
    "director",
    "deputy",
    "inspector",
    "region_admin",
)
REGION_ROLES = frozenset({"inspector", "region_admin"})


@dataclass(frozen=True)
class Row:
    service: str
    method: str
    path: str
    #: The role's reach; roles not named reach nothing.
    reach: dict[str, Reach]
    #: Where DOMAIN.md says so.
    rule: str

    def expected(self, role: str, scope: Scope) -> bool:
        """Whether ``role`` is let through on this route for an object in ``scope``."""
        reach = self.reach.get(role, NONE)
        if reach is NONE:
            return False
        if scope is Scope.OTHER_SCHOOL:
            return role in REGION_ROLES
        return scope is Scope.OWN or reach is ALL


def row(service: str, method: str, path: str, rule: str, *reaches: dict[str, Reach], **reach: Reach) -> Row:
    """A row from shared role groups (later ones win) and single roles."""
    merged: dict[str, Reach] = {}
    for group in (*reaches, reach):
        merged.update(group)
    return Row(service, method, path, merged, rule)


#: Everyone signed in reaches their own.
EVERYONE = dict.fromkeys(ROLES, OWN)
#: Everyone of a school reaches their own (a former parent is no longer of it, R-4).
PEOPLE = {role: OWN for role in ROLES if role != "former_parent"}
#: The same for one's own settings: the read-only roles (inspector, director) write nothing, even there.
PEOPLE_WRITING = {**PEOPLE, "inspector": NONE, "director": NONE}


#: Who reads a whole school's journal and contingent (§1: director, deputy, administrator, inspector).
SCHOOL_READERS = {"school_admin": ALL, "director": ALL, "deputy": ALL, "inspector": ALL}
#: The journal's own people: those who keep a class's records, and the administration reading them.
JOURNAL_READERS = {**SCHOOL_READERS, "teacher": OWN, "substitute": OWN, "class_teacher": OWN}
#: A family reads only its own (R-1); a former parent nothing (R-4).
FAMILY = {"parent": OWN, "student": OWN}
#: School set-up: only the school's administrator writes it (§1), the region administrator creates schools.
SETUP = {"school_admin": ALL}
#: The school's administration reading its own workings (not the region's inspector).
ADMINISTRATION = {"school_admin": ALL, "director": ALL, "deputy": ALL}
#: The timetable and its changes: the administrator and the deputy (§1, `000 §4.6.2`).
PLANNERS = {"school_admin": ALL, "deputy": ALL}
#: The school's structure (calendar, rooms, bells, groups, timetable): everyone of the school reads it.
SCHOOL_STRUCTURE = {**JOURNAL_READERS, **FAMILY, "secretary": ALL, "region_admin": ALL}

ROWS = [
    # roster
    row("roster", "POST", "/schools", "§1 region administrator", region_admin=ALL),
    row("roster", "GET", "/schools/{school_id}", "§1", JOURNAL_READERS, FAMILY, secretary=ALL, region_admin=ALL),
    row("roster", "POST", "/schools/{school_id}/classes", "§1 set-up", SETUP),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/classes",
        "§1; a family its own class",
        JOURNAL_READERS,
        FAMILY,
        secretary=ALL,
        region_admin=ALL,
    ),
    row("roster", "GET", "/schools/{school_id}/classes/{class_id}", "§1", JOURNAL_READERS, secretary=ALL),
    row("roster", "POST", "/schools/{school_id}/classes/{class_id}/class-teacher", "§1 set-up", SETUP),
    row("roster", "POST", "/schools/{school_id}/subjects", "§1 set-up", SETUP),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/subjects",
        "§1; a family its timetable's",
        JOURNAL_READERS,
        FAMILY,
        secretary=ALL,
        region_admin=ALL,
    ),
    row("roster", "POST", "/schools/{school_id}/people", "§1 users, R-15", SETUP, class_teacher=OWN),
    row("roster", "GET", "/schools/{school_id}/people", "R-1, R-15", SCHOOL_READERS, secretary=ALL),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/people/{person_id}",
        "R-1: their teachers' names, never other children",
        JOURNAL_READERS,
        FAMILY,
        secretary=ALL,
    ),
    row("roster", "POST", "/schools/{school_id}/staff-roles", "§1 users", SETUP),
    row("roster", "POST", "/schools/{school_id}/enrolments", "§1, secretary: movement", SETUP, secretary=ALL),
    row("roster", "POST", "/schools/{school_id}/guardianships", "R-15", SETUP, class_teacher=OWN),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/guardianships",
        "R-15; secretary: contingent",
        SCHOOL_READERS,
        class_teacher=OWN,
        secretary=ALL,
    ),
    row("roster", "POST", "/schools/{school_id}/assignments", "§1 set-up (teaching load)", SETUP),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/assignments",
        "§1; a family its teachers (R-1)",
        JOURNAL_READERS,
        FAMILY,
        secretary=ALL,
        region_admin=ALL,
    ),
    row("roster", "GET", "/schools/{school_id}/classes/{class_id}/students", "§1", JOURNAL_READERS, secretary=ALL),
    row("roster", "GET", "/schools/{school_id}/staff", "§1", SCHOOL_READERS, secretary=ALL),
    # roster: the school year (R-10 … R-14): read by the school, planned by the administration
    row("roster", "GET", "/schools/{school_id}/settings", "§1 school settings", SCHOOL_STRUCTURE),
    row("roster", "PATCH", "/schools/{school_id}/settings", "§1 set-up", SETUP),
    row("roster", "GET", "/schools/{school_id}/years", "R-11", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/years", "§1 set-up: periods", SETUP),
    row("roster", "POST", "/schools/{school_id}/years/{year_id}/status", "§1 closing the journal", SETUP),
    row("roster", "POST", "/schools/{school_id}/years/{year_id}/holidays", "R-11", PLANNERS),
    row("roster", "POST", "/schools/{school_id}/years/{year_id}/transfers", "R-11", PLANNERS),
    row("roster", "POST", "/schools/{school_id}/years/{year_id}/schemes", "§1 set-up: periods", SETUP),
    row("roster", "GET", "/schools/{school_id}/years/{year_id}/calendar", "R-11", SCHOOL_STRUCTURE),
    row("roster", "GET", "/schools/{school_id}/years/{year_id}/curriculum", "R-13", SCHOOL_STRUCTURE),
    row("roster", "PUT", "/schools/{school_id}/years/{year_id}/curriculum", "R-13 set-up", SETUP),
    row("roster", "GET", "/schools/{school_id}/years/{year_id}/load", "R-13", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/years/{year_id}/timetable/roll", "R-14", PLANNERS),
    row("roster", "GET", "/schools/{school_id}/rooms", "R-10", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/rooms", "R-10 set-up", PLANNERS),
    row("roster", "GET", "/schools/{school_id}/bell-schedules", "R-14", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/bell-schedules", "R-14 set-up", PLANNERS),
    row("roster", "PUT", "/schools/{school_id}/bell-days", "R-14 shortened days", PLANNERS),
    row("roster", "GET", "/schools/{school_id}/groups", "R-12", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/groups", "R-12 set-up", PLANNERS),
    row("roster", "GET", "/schools/{school_id}/groups/{group_id}/members", "R-12", JOURNAL_READERS, secretary=ALL),
    row(
        "roster",
        "POST",
        "/schools/{school_id}/groups/{group_id}/members",
        "R-12: the administrator, or the class teacher for their class",
        SETUP,
        class_teacher=OWN,
    ),
    row("roster", "GET", "/schools/{school_id}/periods/{period_id}/template", "R-14", SCHOOL_STRUCTURE),
    row("roster", "PUT", "/schools/{school_id}/periods/{period_id}/template", "R-14: deputy, timetable", PLANNERS),
    row("roster", "GET", "/schools/{school_id}/timetable", "R-14; a family its own week", SCHOOL_STRUCTURE),
    row("roster", "GET", "/schools/{school_id}/timetable/today", "R-14 the teacher's day", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/timetable/lessons/{lesson_id}/cancel", "R-14 changes", PLANNERS),
    row("roster", "POST", "/schools/{school_id}/timetable/lessons/{lesson_id}/move", "R-14 changes", PLANNERS),
    row("roster", "POST", "/schools/{school_id}/timetable/lessons/{lesson_id}/room", "R-14 changes", PLANNERS),
    row(
        "roster",
        "POST",
        "/schools/{school_id}/timetable/lessons/{lesson_id}/substitute",
        "R-14 substitutions",
        PLANNERS,
    ),
    # gradebook
    row("gradebook", "GET", "/schools/{school_id}/courses", "§1", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/journal", "§1, R-14 numbered", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/teacher-day", "R-14 the teacher's day", teacher=OWN, substitute=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/plan", "R-30", JOURNAL_READERS),
    row("gradebook", "PUT", "/schools/{school_id}/courses/{course_id}/plan", "R-30 teacher writes", teacher=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/plan/xlsx", "R-30", JOURNAL_READERS),
    row("gradebook", "POST", "/schools/{school_id}/courses/{course_id}/plan/xlsx", "R-30 import", teacher=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/students", "§1", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/averages", "R-22, R-28", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/work-types", "§1", JOURNAL_READERS),
    row("gradebook", "POST", "/schools/{school_id}/lessons", "§1 teacher writes", teacher=OWN, substitute=OWN),
    row("gradebook", "PATCH", "/schools/{school_id}/lessons/{lesson_id}", "§1", teacher=OWN, substitute=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/lessons", "§1", JOURNAL_READERS),
    row("gradebook", "POST", "/schools/{school_id}/lessons/{lesson_id}/marks", "§1", teacher=OWN, substitute=OWN),
    row("gradebook", "PATCH", "/schools/{school_id}/marks/{mark_id}", "§1", teacher=OWN, substitute=OWN),
    row(
        "gradebook",
        "PUT",
        "/schools/{school_id}/lessons/{lesson_id}/marks",
        "§1, R-25 a lesson's column",
        teacher=OWN,
        substitute=OWN,
    ),
    row("gradebook", "GET", "/schools/{school_id}/marks/{mark_id}/history", "R-5 mark audit", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/policy/edit-windows", "§1", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/policy", "§1", SCHOOL_READERS),
    row("gradebook", "PUT", "/schools/{school_id}/policy", "§1 edit-window policy", SETUP),
    # attendance
    row("attendance", "POST", "/schools/{school_id}/lessons/{lesson_id}/absences", "§1", teacher=OWN, substitute=OWN),
    row("attendance", "GET", "/schools/{school_id}/lessons/{lesson_id}/absences", "§1", JOURNAL_READERS),
    row(
        "attendance",
        "PATCH",
        "/schools/{school_id}/absences/{absence_id}",
        "§1 reasons",
        teacher=OWN,
        class_teacher=OWN,
    ),
    row("attendance", "DELETE", "/schools/{school_id}/absences/{absence_id}", "§1", teacher=OWN, substitute=OWN),
    row("attendance", "GET", "/schools/{school_id}/students/{student_id}/summary", "R-42", JOURNAL_READERS, FAMILY),
    # notifications: a family's own inbox
    row("notifications", "GET", "/schools/{school_id}/notifications", "§1 parent, student", FAMILY),
    row("notifications", "GET", "/schools/{school_id}/notifications/unread-count", "§1", FAMILY),
    row("notifications", "POST", "/schools/{school_id}/notifications/{notification_id}/read", "§1", FAMILY),
    row("notifications", "GET", "/schools/{school_id}/notification-preferences", "§1 parent", FAMILY),
    row("notifications", "PUT", "/schools/{school_id}/notification-preferences", "§1 parent", FAMILY),
    # notifications: delivery, announcements and alerts (R-51 … R-53)
    row("notifications", "POST", "/schools/{school_id}/notifications/read-all", "§1", FAMILY, class_teacher=OWN),
    row("notifications", "POST", "/schools/{school_id}/notification-preferences/test", "R-51", PEOPLE_WRITING),
    row("notifications", "GET", "/push/vapid-public-key", "R-51 the push channel's public key", PEOPLE),
    row("notifications", "POST", "/schools/{school_id}/push-subscriptions", "R-51 one's browser", PEOPLE_WRITING),
    row("notifications", "DELETE", "/schools/{school_id}/push-subscriptions", "R-51 one's browser", PEOPLE_WRITING),
    row("notifications", "GET", "/unsubscribe/{token}", "R-51 the signed link's owner", PEOPLE),
    row("notifications", "POST", "/unsubscribe/{token}", "R-51 the signed link's owner", PEOPLE_WRITING),
    row("notifications", "GET", "/schools/{school_id}/announcements", "R-53", PEOPLE),
    row(
        "notifications",
        "POST",
        "/schools/{school_id}/announcements",
        "R-53 the school's, a class teacher's class",
        SETUP,
        deputy=ALL,
        class_teacher=OWN,
    ),
    row("notifications", "GET", "/schools/{school_id}/alert-rules", "R-52", ADMINISTRATION),
    row("notifications", "PUT", "/schools/{school_id}/alert-rules", "R-52 set-up", SETUP),
    row("notifications", "GET", "/schools/{school_id}/delivery-settings", "R-51", ADMINISTRATION),
    row("notifications", "PUT", "/schools/{school_id}/delivery-settings", "R-51 set-up", SETUP),
    row("notifications", "GET", "/schools/{school_id}/deliveries", "R-51 undelivered", ADMINISTRATION),
    row("notifications", "POST", "/schools/{school_id}/deliveries/{delivery_id}/retry", "R-51", SETUP),
    row("notifications", "GET", "/schools/{school_id}/sms-budget", "R-51 the SMS budget", ADMINISTRATION),
    # reporting
    row("reporting", "GET", "/schools/{school_id}/my/students", "R-1", FAMILY),
    row("reporting", "GET", "/schools/{school_id}/students/{student_id}/diary", "R-1", JOURNAL_READERS, FAMILY),
    row("reporting", "GET", "/schools/{school_id}/students/{student_id}/summary", "R-1", JOURNAL_READERS, FAMILY),
    row(
        "reporting", "GET", "/schools/{school_id}/classes/{class_id}/students", "R-1", SCHOOL_READERS, class_teacher=OWN
    ),
    row(
        "reporting", "GET", "/schools/{school_id}/classes/{class_id}/periods", "R-60", SCHOOL_READERS, class_teacher=OWN
    ),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/summary-sheet",
        "R-60",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/attendance",
        "R-60",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row("reporting", "GET", "/schools/{school_id}/reports/journal-fill", "R-62", SCHOOL_READERS),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/subjects",
        "R-64",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row(
        "reporting", "GET", "/schools/{school_id}/classes/{class_id}/journal", "R-25: for the inspector", SCHOOL_READERS
    ),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/paper-copy",
        "R-64",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row("reporting", "GET", "/schools/{school_id}/reports/journal-reads", "R-5", SCHOOL_READERS),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/family-summary",
        "R-54",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row("reporting", "POST", "/schools/{school_id}/report-jobs", "R-61: long reports", school_admin=ALL, deputy=ALL),
    row("reporting", "GET", "/schools/{school_id}/report-jobs", "R-61", SCHOOL_READERS),
    row("reporting", "GET", "/schools/{school_id}/report-jobs/{job_id}", "R-61", SCHOOL_READERS),
    row("reporting", "GET", "/schools/{school_id}/report-jobs/{job_id}/file", "R-61", SCHOOL_READERS),
    # the gateway's own API
    row("gateway", "GET", "/api/v1/me", "everyone signed in", EVERYONE),
    row("gateway", "GET", "/api/v1/diary", "R-1", FAMILY),
    row("gateway", "GET", "/api/v1/diary/{student_id}", "R-1", JOURNAL_READERS, FAMILY),
    row("gateway", "POST", "/api/v1/local-logins", "R-2 issuance policy", SETUP),
    row("gateway", "GET", "/api/v1/local-logins/{person_id}", "R-2", SETUP),
    row("gateway", "DELETE", "/api/v1/local-logins/{person_id}", "R-2, R-4", SETUP),
    row(
        "gateway",
        "POST",
        "/api/v1/compromise",
        "R-3: oneself, or the school's administrator",
        EVERYONE,
        school_admin=ALL,
    ),
    row("gateway", "GET", "/api/v1/compromise/{person_id}/operations", "R-3", SETUP),
    row("gateway", "DELETE", "/api/v1/compromise/{person_id}", "R-3", SETUP),
]


def cases() -> list[tuple[Row, str, Scope, bool]]:
    """Every (route, role, scope) with its expected answer: allowed or refused."""
    return [(r, role, scope, r.expected(role, scope)) for r in ROWS for role in ROLES for scope in Scope]
