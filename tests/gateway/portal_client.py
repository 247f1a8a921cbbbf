"""An example state-services portal client (R-70): it keeps its copy of the journal by pulling.

How a portal is meant to use the pull API (docs/portal.md), as code the tests run:
1. take a token with its client credentials (and again when it expires: 401 ``invalid_token``);
2. load the families' schedules (``/portal/v1/Schedule/{esia_id}``) and follow the feed from where its
   retained history starts (``replay_from`` of ``/portal/v1/changes`` without ``since``);
3. follow ``/portal/v1/changes`` from the version it has, page after page, storing the last version
   only once the page is applied; after an outage it simply asks from that version again;
4. if the feed has trimmed what it missed (410 ``resync_required``), start again from step 2.
The copy it keeps is what the portal shows: per student's ESIA id, the marks and homework by lesson, and the
timetable of the students' classes by its natural keys (school, class, date, lesson number), as the feed's
timetable changes name a lesson; like a mark, a timetable lesson keeps its highest version, from the schedule
or from the feed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import httpx

MARK_EVENTS = ("public.mark.posted.v1", "public.mark.changed.v1")


@dataclass
class PortalClient:
    http: httpx.AsyncClient
    client_id: str
    secret: str
    #: The families (ESIA ids of parents or students) whose schedules this portal shows, and the range it keeps.
    families: set[str] = field(default_factory=set)
    first_day: str = ""
    last_day: str = ""
    version: int = 0
    token: str | None = None
    #: student ESIA id → mark id → (lesson id, value, version).
    marks: dict[str, dict[str, tuple[str, str, int]]] = field(default_factory=lambda: defaultdict(dict))
    #: lesson id → homework.
    homework: dict[str, str | None] = field(default_factory=dict)
    #: (school, class name) of the families' students.
    classes: set[tuple[str, str]] = field(default_factory=set)
    #: (school, class name, date, number) → (subject, room, cancelled), for the classes of the families' students.
    timetable: dict[tuple[str, str, str, int], tuple[str, str | None, bool]] = field(default_factory=dict)
    #: timetable lesson id → the highest version applied (changes of one lesson may come out of order).
    timetable_versions: dict[str, int] = field(default_factory=dict)
    resyncs: int = 0

    async def _get(self, path: str, params: dict) -> httpx.Response:
        if self.token is None:
            answer = await self.http.post(
                "/portal/v1/token", data={"grant_type": "client_credentials"}, auth=(self.client_id, self.secret)
            )
            answer.raise_for_status()
            self.token = answer.json()["access_token"]
        answer = await self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.token}"})
        if answer.status_code == 401:
            self.token = None
            return await self._get(path, params)
        return answer

    async def start(self) -> None:
        """Step 2 (and 4): the families' whole range, replacing what was kept, then the retained changes replayed
        over it — those made while the schedules were read included; each mark keeps its highest version."""
        answer = await self._get("/portal/v1/changes", {})
        answer.raise_for_status()
        self.version = answer.json()["replay_from"]
        self.marks.clear()
        self.timetable.clear()
        self.timetable_versions.clear()
        for esia_id in self.families:
            answer = await self._get(f"/portal/v1/Schedule/{esia_id}", {"start": self.first_day, "end": self.last_day})
            answer.raise_for_status()
            for student in answer.json()["students"]:
                self.classes.add((student["school_id"], student["class_name"]))
                marks: dict[str, tuple[str, str, int]] = {}
                for lesson in student["lessons"]:
                    self.homework[lesson["lesson_id"]] = lesson["homework"]
                    if lesson["number"] is not None:
                        key = (student["school_id"], student["class_name"], lesson["date"], lesson["number"])
                        self.timetable[key] = (lesson["subject"], lesson["room"], lesson["cancelled"])
                        # The state read: a replayed change of this lesson at or below it is older.
                        self.timetable_versions[lesson["timetable_lesson_id"]] = lesson["timetable_version"]
                    for mark in lesson["marks"]:
                        marks[mark["mark_id"]] = (lesson["lesson_id"], mark["value"], mark["version"])
                self.marks[student["student_esia_id"]] = marks

    def _apply(self, change: dict) -> None:
        data = change["data"]
        if change["type"] in MARK_EVENTS:
            kept = self.marks[data["student_esia_oid"]]
            version = data.get("version", 1)
            if data["mark_id"] not in kept or kept[data["mark_id"]][2] <= version:
                kept[data["mark_id"]] = (data["lesson_id"], data["value"], version)
        elif change["type"] == "public.mark.deleted.v1":
            self.marks[data["student_esia_oid"]].pop(data["mark_id"], None)
        elif change["type"] == "public.homework.assigned.v1":
            self.homework[data["lesson_id"]] = data["homework"]
        elif change["type"] == "public.timetable_lesson.changed.v1":
            self._apply_timetable(data)

    def _apply_timetable(self, data: dict) -> None:
        """A lesson's new state at its natural keys; a moved lesson leaves the place it was at. Only the classes and
        days this portal keeps, and only a newer state than the one applied."""
        place = (data["school_id"], data["class_name"])
        if place not in self.classes or self.timetable_versions.get(data["lesson_id"], 0) >= data["version"]:
            return
        self.timetable_versions[data["lesson_id"]] = data["version"]
        if data["moved_from_date"] is not None:
            self.timetable.pop((*place, data["moved_from_date"], data["moved_from_number"]), None)
        if self.first_day <= data["date"] <= self.last_day:
            key = (*place, data["date"], data["number"])
            self.timetable[key] = (data["subject_name"], data["room"], data["cancelled"])

    async def follow(self) -> None:
        """Step 3: every change after the stored version; the version moves only past applied pages."""
        while True:
            answer = await self._get("/portal/v1/changes", {"since": self.version, "limit": 50})
            if answer.status_code == 410:
                self.resyncs += 1
                await self.start()
                continue
            answer.raise_for_status()
            page = answer.json()
            for change in page["changes"]:
                self._apply(change)
            self.version = page["last_version"]
            if not page["has_more"]:
                return

    def lessons(self) -> set[tuple[str, int, str, str | None, bool]]:
        """(date, number, subject, room, cancelled) of the timetable as the portal shows it."""
        return {(day, number, *state) for (_, _, day, number), state in self.timetable.items()}

    def view(self, esia_id: str) -> set[tuple[str, str]]:
        """(lesson, mark value) as the portal shows them for a student."""
        return {(lesson, value) for lesson, value, _ in self.marks[esia_id].values()}
