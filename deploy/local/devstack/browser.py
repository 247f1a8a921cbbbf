"""A person at a browser: logs in through the gateway and the ESIA sandbox's form, then calls /api/v1.

The end-to-end tests and the benchmark use it to go exactly the way a person goes.
"""

import asyncio
import random
import re
from typing import Any

import httpx

from devstack.region import snils_with_check
from devstack.stack import Stack

REQUEST_ID = re.compile(r'name="request_id" value="([^"]+)"')
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class LoginFailed(Exception):
    pass


class Browser:
    def __init__(self, gateway_url: str) -> None:
        self.http = httpx.AsyncClient(base_url=gateway_url, timeout=10)
        self.me: dict[str, Any] = {}

    async def login(self, esia_oid: str) -> dict[str, Any]:
        """Press «Войти через Госуслуги», pick the test person in the sandbox, come back with a session."""
        start = await self.http.get("/auth/esia")
        if start.status_code != 302:
            raise LoginFailed(f"the gateway did not redirect to ESIA: {start.status_code} {start.text[:200]}")
        form = await self.http.get(start.headers["location"])
        found = REQUEST_ID.search(form.text)
        if form.status_code != 200 or not found:
            raise LoginFailed(f"the ESIA login form did not open: {form.status_code} {form.text[:300]}")
        action = str(form.url.copy_with(query=None))
        chosen = await self.http.post(action, data={"request_id": found.group(1), "oid": esia_oid})
        if chosen.status_code != 302:
            raise LoginFailed(f"ESIA refused the login: {chosen.status_code} {chosen.text[:300]}")
        callback = await self.http.get(chosen.headers["location"])
        if callback.status_code not in (302, 303):
            raise LoginFailed(f"the gateway refused the login: {callback.status_code} {callback.text[:300]}")
        me = await self.http.get("/api/v1/me")
        if me.status_code != 200:
            raise LoginFailed(f"no session after login: {me.status_code} {me.text[:200]}")
        self.me = me.json()
        return self.me

    def school_of(self, *roles: str) -> str:
        return next(r["school_id"] for r in self.me["roles"] if r["role"] in roles)

    async def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if method.upper() in UNSAFE:
            headers.setdefault("X-CSRF-Token", self.me.get("csrf_token", ""))
        return await self.http.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    async def close(self) -> None:
        await self.http.aclose()


async def esia_account(stack: Stack, admin: Browser, school: str, last_name: str, first_name: str) -> tuple[str, str]:
    """A new person of the school with an ESIA sandbox account of the same data: (their roster id, their oid)."""
    person = {"last_name": last_name, "first_name": first_name, "middle_name": "Олеговна", "birth_date": "1990-02-03"}
    snils = snils_with_check(random.randrange(2_000_000, 999_999_999))
    async with httpx.AsyncClient(base_url=stack.url("esia_sandbox")) as esia:
        made = await esia.post("/sandbox/people", json=person | {"snils": snils})
    assert made.status_code == 201, made.text
    oid = str(made.json()["oid"])
    registered = await admin.api(
        "POST", f"/roster/schools/{school}/people", json=person | {"esia_oid": oid, "snils": snils, "consent": True}
    )
    assert registered.status_code == 201, registered.text
    return registered.json()["id"], oid


async def new_teacher(
    stack: Stack, admin: Browser, school: str, name: tuple[str, str], subject: str, class_name: str
) -> tuple[Browser, dict[str, Any]]:
    """A new teacher of the school (her own ESIA account, a teaching load of ``subject`` in ``class_name``), logged
    in, with her course once gradebook has heard of it: a test may block her account without touching the demo
    people's sessions. The caller closes the browser."""
    roster = f"/roster/schools/{school}"
    teacher_id, oid = await esia_account(stack, admin, school, *name)
    assert (
        await admin.api("POST", f"{roster}/staff-roles", json={"person_id": teacher_id, "role": "teacher"})
    ).is_success
    subject_id = next(s["id"] for s in (await admin.api("GET", f"{roster}/subjects")).json() if s["name"] == subject)
    class_id = next(c["id"] for c in (await admin.api("GET", f"{roster}/classes")).json() if c["name"] == class_name)
    load = {"teacher_id": teacher_id, "subject_id": subject_id, "class_id": class_id}
    assert (await admin.api("POST", f"{roster}/assignments", json=load)).status_code == 201
    teacher = Browser(stack.url("gateway"))
    for _ in range(100):  # the gateway hears of her role within milliseconds
        try:
            await teacher.login(oid)
            break
        except LoginFailed:
            await asyncio.sleep(0.1)
    for _ in range(100):  # gradebook hears of the new course within milliseconds
        courses = (await teacher.api("GET", f"/gradebook/schools/{school}/courses")).json()
        if course := next((c for c in courses if c["teacher_id"] == teacher_id), None):
            return teacher, course
        await asyncio.sleep(0.1)
    await teacher.close()
    raise AssertionError(f"gradebook has no course of the new teacher {teacher_id}")
