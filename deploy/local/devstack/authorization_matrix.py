"""The authorization matrix (R-1): every API route × role × (own / same school, another's / another school),
with the answer DOMAIN.md §1 («Roles and what each may see and do») expects, not today's behaviour.

A row names, per role, how far the role reaches on that route:

- ``ALL``  — anything of its school (a school-wide read, the administrator's set-up);
- ``OWN``  — only its own: a parent their children, a student themself, a teacher the classes they
  teach, a class teacher their class, a substitute the substituted lesson;
- ``NONE`` — nothing.

Region roles (inspector, region administrator) work across schools: ``ALL`` reaches every school. The
municipal administrator reaches what the inspector does unless a row says otherwise, in the schools of
their municipality only: «another school» is one of another municipality (R-10).
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
    "municipal_admin",
)
REGION_ROLES = frozenset({"inspector", "region_admin"})
#: Rows about one's own inbox and delivery settings, not the school's records: the read-only roles write there.
OWN_INBOX_AND_SETTINGS = frozenset(
    {
        "/schools/{school_id}/notifications/{notification_id}/read",
        "/schools/{school_id}/notifications/read-all",
        "/schools/{school_id}/conversations/{conversation_id}/read",
        "/schools/{school_id}/notification-preferences",
        "/schools/{school_id}/notification-preferences/test",
        "/schools/{school_id}/push-subscriptions",
        "/unsubscribe/{token}",
    }
)


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
    if "inspector" in merged:
        merged.setdefault("municipal_admin", merged["inspector"])
    return Row(service, method, path, merged, rule)


#: Everyone signed in reaches their own (the municipal administrator as the inspector, ``row``).
EVERYONE = {role: OWN for role in ROLES if role != "municipal_admin"}
#: Everyone of a school reaches their own (a former parent is no longer of it, R-4).
PEOPLE = {role: OWN for role in ROLES if role not in ("former_parent", "municipal_admin")}
#: One's own inbox (marking read) is everyone's (``PEOPLE``): it is not the journal, so the read-only roles (the
#: director, the inspector) keep theirs too (docs/security.md, «One's own inbox and settings»).
#: One's own delivery settings (preferences, push subscriptions) in a school one belongs to: the director
#: too; the region's roles hold no settings in a school.
OWN_SETTINGS = {**PEOPLE, "inspector": NONE, "region_admin": NONE}

#: An e-mail's unsubscribe link: no session, its signature names whose choice it changes; whoever received it —
#: a former parent too — may stop the mail it came with (R-51). «Another's» is a link not signed for its holder.
SIGNED_LINK = {role: OWN for role in ROLES}
SIGNED_LINKS = frozenset({"/unsubscribe/{token}"})


#: Who reads a whole school's journal and contingent (§1: director, deputy, administrator, inspector).
SCHOOL_READERS = {"school_admin": ALL, "director": ALL, "deputy": ALL, "inspector": ALL}
#: The journal's own people: those who keep a class's records, and the administration reading them.
JOURNAL_READERS = {**SCHOOL_READERS, "teacher": OWN, "substitute": OWN, "class_teacher": OWN}
#: A family reads only its own (R-1); a former parent nothing (R-4).
FAMILY = {"parent": OWN, "student": OWN}
#: Internal mail (R-50): everyone of the school writes within the rules; the region's roles hold no mail there.
MAIL = {**PEOPLE, "inspector": NONE, "region_admin": NONE}
#: Writing it: not the director, who reads only (§1). Marking one's own conversation read is one's inbox (``MAIL``).
MAIL_WRITING = {**MAIL, "director": NONE}
#: School set-up: only the school's administrator writes it (§1), the region administrator creates schools.
SETUP = {"school_admin": ALL}
#: The school's administration reading its own workings (not the region's inspector).
ADMINISTRATION = {"school_admin": ALL, "director": ALL, "deputy": ALL}
#: The timetable and its changes: the administrator and the deputy (§1, `000 §4.6.2`).
PLANNERS = {"school_admin": ALL, "deputy": ALL}
#: The school's structure (calendar, rooms, bells, groups, timetable): everyone of the school reads it.
SCHOOL_STRUCTURE = {**JOURNAL_READERS, **FAMILY, "secretary": ALL, "region_admin": ALL}

#: Destruction of personal data past its terms (152-ФЗ ст. 21): the school's administrator or the region's.
DESTROYERS = {"school_admin": ALL, "region_admin": ALL}

ROWS = [
    # every service: the internal destruction routes the gateway calls as the confirming administrator
    *(
        row(service, method, path, "R-5, 152-ФЗ ст. 21: the administrator confirms", DESTROYERS)
        for service in ("roster", "gradebook", "attendance", "notifications", "reporting")
        for method, path in (
            ("POST", "/internal/retention/schools/{school_id}/held"),
            ("PUT", "/internal/retention/schools/{school_id}/destructions/{run_id}"),
        )
    ),
    # roster
    row("roster", "POST", "/schools", "§1 region administrator", region_admin=ALL),
    row("roster", "POST", "/municipalities", "R-10 region administrator", region_admin=ALL),
    row("roster", "PATCH", "/municipalities/{municipality_id}", "R-10 region administrator", region_admin=ALL),
    row("roster", "PUT", "/schools/{school_id}/municipality", "R-10 region administrator", region_admin=ALL),
    # Region-level: «own» is the municipal administrator's municipality; the region's roles read them all.
    row("roster", "GET", "/municipalities", "R-10", region_admin=ALL, inspector=ALL, municipal_admin=OWN),
    row(
        "roster",
        "GET",
        "/municipalities/{municipality_id}/schools",
        "R-10",
        region_admin=ALL,
        inspector=ALL,
        municipal_admin=OWN,
    ),
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
    row(
        "roster",
        "GET",
        "/schools/{school_id}/classes/{class_id}",
        "R-12 a class's card (name, grade, its class teacher): the school's structure; a family its own class",
        JOURNAL_READERS,
        FAMILY,
        teacher=ALL,
        substitute=ALL,
        class_teacher=ALL,
        secretary=ALL,
        region_admin=ALL,
    ),
    row(
        "roster",
        "POST",
        "/schools/{school_id}/classes/{class_id}/class-teacher",
        "§1 set-up; the deputy arranges the teaching (`000 §4.6.2`)",
        PLANNERS,
    ),
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
    row(
        "roster",
        "POST",
        "/schools/{school_id}/people",
        "§1 users, R-15; secretary: a new pupil of the contingent",
        SETUP,
        class_teacher=OWN,
        secretary=ALL,
    ),
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
    row(
        "roster",
        "POST",
        "/schools/{school_id}/guardianships",
        "R-15; secretary: the contingent's parents",
        SETUP,
        class_teacher=OWN,
        secretary=ALL,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/guardianships",
        "R-15; secretary: contingent",
        SCHOOL_READERS,
        class_teacher=OWN,
        secretary=ALL,
    ),
    row(
        "roster",
        "POST",
        "/schools/{school_id}/assignments",
        "R-13 teaching load: the administrator, and the deputy who builds the timetable on it (`000 §4.6.2`)",
        PLANNERS,
    ),
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
    # roster: people through the years: the office records movement and endings
    row("roster", "POST", "/schools/{school_id}/movements/transfer", "R-16, secretary: movement", SETUP, secretary=ALL),
    row("roster", "POST", "/schools/{school_id}/movements/leave", "R-16, secretary: movement", SETUP, secretary=ALL),
    row("roster", "GET", "/schools/{school_id}/movements", "R-16, R-61", ADMINISTRATION, secretary=ALL),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/students/{student_id}/movements",
        "R-16",
        ADMINISTRATION,
        secretary=ALL,
    ),
    row("roster", "GET", "/schools/{school_id}/incoming-transfers", "R-16", SETUP, secretary=ALL),
    row(
        "roster",
        "POST",
        "/schools/{school_id}/incoming-transfers/{transfer_id}/accept",
        "R-16",
        SETUP,
        secretary=ALL,
    ),
    row("roster", "POST", "/schools/{school_id}/promotion/preview", "R-16", PLANNERS, secretary=ALL),
    row("roster", "POST", "/schools/{school_id}/promotion", "R-16 §1 closing the year", SETUP),
    row("roster", "POST", "/schools/{school_id}/staff-roles/end", "R-4 §1 users", SETUP),
    row("roster", "POST", "/schools/{school_id}/guardianships/end", "R-4, R-15", SETUP, secretary=ALL),
    row("roster", "POST", "/schools/{school_id}/assignments/{assignment_id}/end", "R-4, R-13", PLANNERS),
    row("roster", "POST", "/schools/{school_id}/classes/{class_id}/class-teacher/end", "R-4", PLANNERS),
    row("roster", "GET", "/schools/{school_id}/people/{person_id}/ended", "R-4", ADMINISTRATION, secretary=ALL),
    row("roster", "PATCH", "/schools/{school_id}/people/{person_id}", "R-15", SETUP, secretary=ALL, class_teacher=OWN),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/people/{person_id}/history",
        "R-5, R-15",
        SETUP,
        secretary=ALL,
        class_teacher=OWN,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/people/{person_id}/consents",
        "R-5: the office, the person, a child's parents, the class teacher of the class",
        SCHOOL_READERS,
        FAMILY,
        secretary=ALL,
        class_teacher=OWN,
    ),
    row(
        "roster",
        "POST",
        "/schools/{school_id}/people/{person_id}/consents",
        "R-5: the office records papers; the person or a child's parent withdraws",
        SETUP,
        FAMILY,
        secretary=ALL,
    ),
    row(
        "roster",
        "PUT",
        "/schools/{school_id}/people/{student_id}/e-service-refusal",
        "R-54",
        SETUP,
        secretary=ALL,
        class_teacher=OWN,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/classes/{class_id}/personal-data-check",
        "R-15 monthly check (000 §4.3.5)",
        SETUP,
        secretary=ALL,
        class_teacher=OWN,
    ),
    # roster: bulk import and export: the administrator and the secretary load files
    row("roster", "POST", "/schools/{school_id}/imports", "R-15 bulk import", SETUP, secretary=ALL),
    row("roster", "GET", "/schools/{school_id}/imports", "R-15 bulk import", SETUP, secretary=ALL),
    row("roster", "GET", "/schools/{school_id}/imports/{job_id}", "R-15 bulk import", SETUP, secretary=ALL),
    row("roster", "POST", "/schools/{school_id}/imports/{job_id}/apply", "R-15 bulk import", SETUP, secretary=ALL),
    row("roster", "GET", "/schools/{school_id}/exports/{kind}", "R-15 export", ADMINISTRATION, secretary=ALL),
    # roster: OneRoster 1.2 rostering, read by the school's administration for other systems
    row(
        "roster",
        "GET",
        "/schools/{school_id}/ims/oneroster/rostering/v1p2/orgs",
        "R-15 OneRoster read",
        ADMINISTRATION,
        secretary=ALL,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/ims/oneroster/rostering/v1p2/academicSessions",
        "R-15 OneRoster read",
        ADMINISTRATION,
        secretary=ALL,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/ims/oneroster/rostering/v1p2/courses",
        "R-15 OneRoster read",
        ADMINISTRATION,
        secretary=ALL,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/ims/oneroster/rostering/v1p2/classes",
        "R-15 OneRoster read",
        ADMINISTRATION,
        secretary=ALL,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/ims/oneroster/rostering/v1p2/users",
        "R-15 OneRoster read",
        ADMINISTRATION,
        secretary=ALL,
    ),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/ims/oneroster/rostering/v1p2/enrollments",
        "R-15 OneRoster read",
        ADMINISTRATION,
        secretary=ALL,
    ),
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
    row("roster", "GET", "/schools/{school_id}/buildings", "R-10", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/buildings", "R-10 set-up", PLANNERS),
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
    row("roster", "GET", "/schools/{school_id}/electives", "R-14 electives and clubs", SCHOOL_STRUCTURE),
    row("roster", "POST", "/schools/{school_id}/electives", "R-14 set-up", PLANNERS),
    row(
        "roster",
        "GET",
        "/schools/{school_id}/electives/{elective_id}/members",
        "R-14: the school's readers and the group's teacher",
        SCHOOL_READERS,
        secretary=ALL,
        teacher=OWN,
    ),
    *(
        row("roster", "POST", f"/schools/{{school_id}}/electives/{{elective_id}}/{path}", rule, PLANNERS, teacher=OWN)
        for path, rule in (("members", "R-14: joins from a date"), ("leave", "R-14: leaves from a date"))
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
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/teacher-day",
        "R-14 the teacher's day (a class teacher is a teacher too)",
        teacher=OWN,
        substitute=OWN,
        class_teacher=OWN,
    ),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/plan", "R-30", JOURNAL_READERS),
    row("gradebook", "PUT", "/schools/{school_id}/courses/{course_id}/plan", "R-30 teacher writes", teacher=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/plan/xlsx", "R-30", JOURNAL_READERS),
    row("gradebook", "POST", "/schools/{school_id}/courses/{course_id}/plan/xlsx", "R-30 import", teacher=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/students", "§1", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/averages", "R-22, R-28", JOURNAL_READERS),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/work-types",
        "R-22 a reference list (titles, weights): a family reads a mark's work type too",
        SCHOOL_STRUCTURE,
    ),
    row("gradebook", "PUT", "/schools/{school_id}/work-types", "R-22 the school's list", SETUP),
    row("gradebook", "GET", "/schools/{school_id}/pass-fail-subjects", "R-22", JOURNAL_READERS),
    row("gradebook", "PUT", "/schools/{school_id}/pass-fail-subjects", "R-22 the school's list", SETUP),
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
    # the school's whole log, for the administration all year and the region's inspectors.
    row("gradebook", "GET", "/schools/{school_id}/mark-changes", "R-25", SCHOOL_READERS),
    row("gradebook", "DELETE", "/schools/{school_id}/marks/{mark_id}", "R-24, R-25", teacher=OWN, substitute=OWN),
    row(
        "gradebook",
        "PATCH",
        "/schools/{school_id}/marks/{mark_id}/work-type",
        "R-22, R-25",
        teacher=OWN,
        substitute=OWN,
    ),
    row(
        "gradebook", "DELETE", "/schools/{school_id}/lessons/{lesson_id}", "R-25 the teacher's own lesson", teacher=OWN
    ),
    row(
        "gradebook",
        "POST",
        "/schools/{school_id}/lessons/{lesson_id}/move",
        "R-25 the teacher's own lesson",
        teacher=OWN,
    ),
    row("gradebook", "GET", "/schools/{school_id}/corrections", "R-25 change log", SCHOOL_READERS),
    # only the gateway's compromise revert reaches it, with the administrator's grant; no session carries one.
    row("gradebook", "POST", "/schools/{school_id}/compromise-reverts", "R-3 the gateway's grant"),
    row("gradebook", "POST", "/schools/{school_id}/lessons/{lesson_id}/homework", "R-21", teacher=OWN, substitute=OWN),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/homework", "R-21", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/homework/late", "R-21 late, for the deputy", SCHOOL_READERS),
    row("gradebook", "PUT", "/schools/{school_id}/policy/homework-deadline", "R-21 the school's deadline", SETUP),
    row("gradebook", "POST", "/schools/{school_id}/marks/{mark_id}/disputes", "004 app.8", FAMILY),
    row(
        "gradebook",
        "POST",
        "/schools/{school_id}/disputes/{dispute_id}/answer",
        "004 app.8",
        teacher=OWN,
        substitute=OWN,
    ),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/disputes", "004 app.8", JOURNAL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/students/{student_id}/disputes", "004 app.8", SCHOOL_READERS, FAMILY),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/policy/edit-windows",
        "R-24 the list of windows to choose from, no school's data",
        SCHOOL_STRUCTURE,
    ),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/policy",
        "R-24: the school's rule, read by every member (no person's data)",
        SCHOOL_STRUCTURE,
    ),
    row("gradebook", "PUT", "/schools/{school_id}/policy", "§1 edit-window policy", SETUP),
    # gradebook: period marks and their close, checks, forecasts, deadlines
    row("gradebook", "GET", "/schools/{school_id}/period-policy", "R-23, R-26 … R-29 school rules", SCHOOL_STRUCTURE),
    row("gradebook", "PUT", "/schools/{school_id}/period-policy", "§1 set-up: attestation rules", SETUP),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/exemptions", "R-27", JOURNAL_READERS),
    row("gradebook", "POST", "/schools/{school_id}/courses/{course_id}/exemptions", "R-27 no attestation", SETUP),
    row("gradebook", "DELETE", "/schools/{school_id}/exemptions/{exemption_id}", "R-27 no attestation", SETUP),
    row("gradebook", "GET", "/schools/{school_id}/courses/{course_id}/periods", "R-27", JOURNAL_READERS),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}",
        "R-27, R-28, R-29",
        JOURNAL_READERS,
    ),
    row(
        "gradebook",
        "PUT",
        "/schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/marks/{student_id}",
        "R-27 the course's teacher",
        teacher=OWN,
    ),
    row(
        "gradebook",
        "PUT",
        "/schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/marks",
        "R-27 a column of period marks",
        teacher=OWN,
    ),
    row(
        "gradebook",
        "POST",
        "/schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/close",
        "R-27 the course's teacher",
        teacher=OWN,
    ),
    row(
        "gradebook",
        "POST",
        "/schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/reopen",
        "R-27 the administrator reopens",
        SETUP,
    ),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/courses/{course_id}/periods/{kind}/{period_id}/log",
        "R-27 closes logged",
        JOURNAL_READERS,
    ),
    row("gradebook", "GET", "/schools/{school_id}/attestation-risks", "R-28 the deputy's list", SCHOOL_READERS),
    row("gradebook", "GET", "/schools/{school_id}/late-entries", "R-23 the deputy's list", SCHOOL_READERS),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/students/{student_id}/forecast",
        "R-29 family and class teacher",
        SCHOOL_READERS,
        FAMILY,
        class_teacher=OWN,
    ),
    row(
        "attendance",
        "GET",
        "/schools/{school_id}/students/{student_id}/transcript",
        "R-16 absences copied from the former school: the student, the class's teachers and class teacher",
        SCHOOL_READERS,
        student=OWN,
        teacher=OWN,
        class_teacher=OWN,
    ),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/students/{student_id}/transcript",
        "R-16 marks and period marks copied from the former school: family, the class's teachers and class teacher",
        SCHOOL_READERS,
        FAMILY,
        teacher=OWN,
        class_teacher=OWN,
    ),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/courses/{course_id}/transcripts",
        "R-16 the course's newcomers and what they brought in its subject, for its journal",
        JOURNAL_READERS,
    ),
    row(
        "gradebook",
        "GET",
        "/schools/{school_id}/classes/{class_id}/forecast",
        "R-29 the class teacher's list",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
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
    # only the gateway's compromise revert reaches it, with the administrator's grant; no session carries one.
    row("attendance", "POST", "/schools/{school_id}/compromise-reverts", "R-3 the gateway's grant"),
    row(
        "attendance",
        "PATCH",
        "/schools/{school_id}/absences/{absence_id}/lesson",
        "R-40, R-41 a wrong lesson",
        teacher=OWN,
        class_teacher=OWN,
    ),
    row(
        "attendance",
        "POST",
        "/schools/{school_id}/classes/{class_id}/absence-reasons",
        "R-41 a class and a date range",
        class_teacher=OWN,
    ),
    row("attendance", "GET", "/schools/{school_id}/classes/{class_id}/attendance", "R-42, R-28", JOURNAL_READERS),
    row("attendance", "GET", "/schools/{school_id}/absence-changes", "R-25, R-41 change log", SCHOOL_READERS),
    row("attendance", "GET", "/schools/{school_id}/students/{student_id}/summary", "R-42", JOURNAL_READERS, FAMILY),
    # notifications: one's own inbox and settings (families' notices, staff's alerts and announcements, R-50 … R-53)
    row("notifications", "GET", "/schools/{school_id}/notifications", "R-51, R-52 one's own inbox", PEOPLE),
    row("notifications", "GET", "/schools/{school_id}/notifications/unread-count", "R-51 one's own", PEOPLE),
    # The municipal administrator holds no inbox in a school: their transaction there is read only.
    row(
        "notifications",
        "POST",
        "/schools/{school_id}/notifications/{notification_id}/read",
        "§1",
        PEOPLE,
        municipal_admin=NONE,
    ),
    row("notifications", "GET", "/schools/{school_id}/notification-preferences", "R-51 one's own", PEOPLE),
    row(
        "notifications",
        "PUT",
        "/schools/{school_id}/notification-preferences",
        "R-51 one's own in a school one belongs to",
        OWN_SETTINGS,
    ),
    # notifications: delivery, announcements and alerts (R-51 … R-53)
    row(
        "notifications",
        "POST",
        "/schools/{school_id}/notifications/read-all",
        "R-51 one's own",
        PEOPLE,
        municipal_admin=NONE,
    ),
    row("notifications", "POST", "/schools/{school_id}/notification-preferences/test", "R-51", OWN_SETTINGS),
    row("notifications", "GET", "/push/vapid-public-key", "R-51 the key of those who may subscribe", OWN_SETTINGS),
    row("notifications", "POST", "/schools/{school_id}/push-subscriptions", "R-51 one's browser", OWN_SETTINGS),
    row("notifications", "DELETE", "/schools/{school_id}/push-subscriptions", "R-51 one's browser", OWN_SETTINGS),
    row("notifications", "GET", "/unsubscribe/{token}", "R-51 the signed link's owner", SIGNED_LINK),
    row("notifications", "POST", "/unsubscribe/{token}", "R-51 the signed link's owner", SIGNED_LINK),
    row("notifications", "GET", "/schools/{school_id}/announcements", "R-53", PEOPLE),
    row(
        "notifications",
        "POST",
        "/schools/{school_id}/announcements",
        "R-53 the school's, a class teacher's class; not the director's (§1: approvals only)",
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
    # notifications: internal mail, «own»: the conversations one is a member of, the people one may write to
    row("notifications", "GET", "/schools/{school_id}/conversations", "R-50", MAIL),
    row("notifications", "POST", "/schools/{school_id}/conversations", "R-50 who may write to whom", MAIL_WRITING),
    row("notifications", "GET", "/schools/{school_id}/conversations/contacts", "R-50 who may write to whom", MAIL),
    row("notifications", "GET", "/schools/{school_id}/conversations/{conversation_id}", "R-50 a member", MAIL),
    row("notifications", "POST", "/schools/{school_id}/conversations/{conversation_id}/messages", "R-50", MAIL_WRITING),
    row(
        "notifications",
        "POST",
        "/schools/{school_id}/conversations/{conversation_id}/read",
        "R-50 one's own inbox: the director too",
        MAIL,
    ),
    row("notifications", "POST", "/schools/{school_id}/class-letters", "R-51 the class teacher", class_teacher=OWN),
    row("notifications", "POST", "/schools/{school_id}/messages/{message_id}/hide", "R-50 moderation", SETUP),
    row("notifications", "GET", "/schools/{school_id}/moderation-log", "R-50 moderation", SETUP),
    # reporting
    row("reporting", "GET", "/schools/{school_id}/my/students", "R-1", FAMILY),
    row("reporting", "GET", "/schools/{school_id}/students/{student_id}/diary", "R-1", JOURNAL_READERS, FAMILY),
    row("reporting", "GET", "/schools/{school_id}/students/{student_id}/summary", "R-1", JOURNAL_READERS, FAMILY),
    row("reporting", "GET", "/schools/{school_id}/students/{student_id}/period-marks", "R-27", JOURNAL_READERS, FAMILY),
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
    row("reporting", "GET", "/schools/{school_id}/reports/mark-changes", "R-25", SCHOOL_READERS),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/family-summary",
        "R-54",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/preliminary",
        "R-60",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row("reporting", "GET", "/schools/{school_id}/reports/movement", "R-61", SCHOOL_READERS),
    row("reporting", "GET", "/schools/{school_id}/reports/class-fill", "R-61", SCHOOL_READERS),
    row("reporting", "GET", "/schools/{school_id}/reports/diary-activity", "R-62", SCHOOL_READERS),
    row(
        "reporting",
        "GET",
        "/schools/{school_id}/classes/{class_id}/reports/diary-activity",
        "R-62",
        SCHOOL_READERS,
        class_teacher=OWN,
    ),
    row("reporting", "POST", "/schools/{school_id}/report-jobs", "R-61: long reports", school_admin=ALL, deputy=ALL),
    row("reporting", "GET", "/schools/{school_id}/report-jobs", "R-61", SCHOOL_READERS),
    row("reporting", "GET", "/schools/{school_id}/report-jobs/{job_id}", "R-61", SCHOOL_READERS),
    row("reporting", "GET", "/schools/{school_id}/report-jobs/{job_id}/file", "R-61", SCHOOL_READERS),
    # The authority's figures across schools, read only (R-61, R-66; §1: the inspector reads every school);
    # the municipal administrator their municipality's schools.
    row("reporting", "GET", "/region/indicators", "R-61, R-66", inspector=ALL, region_admin=ALL, municipal_admin=ALL),
    # 152-ФЗ art. 14: each service's rows about a family, for the gateway's export token alone; no person's role.
    *[
        row(service, "GET", "/internal/schools/{school_id}/personal-data", "R-5: the gateway's export only")
        for service in ("roster", "gradebook", "attendance", "notifications", "reporting")
    ],
    # the gateway's own API
    row("gateway", "GET", "/api/v1/me", "everyone signed in", EVERYONE),
    # The e-mail's unsubscribe link: no session; the signed link says whose choice it changes.
    row("gateway", "GET", "/api/v1/notifications/unsubscribe/{token}", "R-51 the signed link", EVERYONE),
    row("gateway", "POST", "/api/v1/notifications/unsubscribe/{token}", "R-51 the signed link", EVERYONE),
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
    row("gateway", "POST", "/api/v1/compromise/{person_id}/revert", "R-3", SETUP),
    row(
        "gateway", "GET", "/api/v1/schools/{school_id}/access-log", "R-5: the school's administrator", school_admin=ALL
    ),
    *(
        row("gateway", method, f"/api/v1/destruction/schools/{{school_id}}{path}", "R-5, 152-ФЗ ст. 21", DESTROYERS)
        for method, path in (
            ("GET", "/proposals"),
            ("POST", "/runs"),
            ("GET", "/runs"),
            ("POST", "/runs/{run_id}/retry"),
            ("GET", "/runs/{run_id}/act.pdf"),
        )
    ),
    row("gateway", "DELETE", "/api/v1/compromise/{person_id}", "R-3", SETUP),
    # 152-ФЗ: a family's requests about its own data (arts. 14, 20, 21); the school's answers and breach register.
    row("gateway", "POST", "/api/v1/privacy/requests", "R-5, 152-ФЗ arts. 14, 20: oneself and one's children", FAMILY),
    row("gateway", "GET", "/api/v1/privacy/requests", "R-5: one's own requests", FAMILY),
    row("gateway", "GET", "/api/v1/privacy/requests/{request_id}", "R-5: one's own request", FAMILY),
    row("gateway", "GET", "/api/v1/privacy/requests/{request_id}/export.{kind}", "R-5: the requester alone", FAMILY),
    row("gateway", "GET", "/api/v1/privacy/schools/{school_id}/requests", "R-5: the school's office", SETUP),
    row(
        "gateway",
        "POST",
        "/api/v1/privacy/schools/{school_id}/requests/{request_id}/answer",
        "R-5, 152-ФЗ art. 21: the office corrects a card",
        SETUP,
    ),
    row("gateway", "POST", "/api/v1/privacy/schools/{school_id}/breaches", "152-ФЗ art. 21 part 3.1", SETUP),
    row("gateway", "GET", "/api/v1/privacy/schools/{school_id}/breaches", "152-ФЗ art. 21 part 3.1", SETUP),
    row("gateway", "GET", "/api/v1/privacy/schools/{school_id}/breaches/{incident_id}", "art. 21 part 3.1", SETUP),
    row(
        "gateway",
        "GET",
        "/api/v1/privacy/schools/{school_id}/breaches/{incident_id}/notice.pdf",
        "152-ФЗ art. 21 part 3.1",
        SETUP,
    ),
]


def cases() -> list[tuple[Row, str, Scope, bool]]:
    """Every (route, role, scope) with its expected answer: allowed or refused."""
    return [(r, role, scope, r.expected(role, scope)) for r in ROWS for role in ROLES for scope in Scope]
