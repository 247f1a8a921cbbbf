"""Gradebook: the class journal — lessons, homework, marks and their audit. Composition root."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from gradebook import audit, personal_data_export, retention
from gradebook.api import (
    compromise,
    corrections,
    courses,
    disputes,
    homework,
    lessons,
    mark_changes,
    marks,
    periods,
    plans,
    policy,
    timetable,
    transcripts,
    work_types,
)
from gradebook.handlers import attendance, roster, transcript_copies
from gradebook.settings import GradebookSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: GradebookSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    @asynccontextmanager
    async def sealing(app: FastAPI) -> AsyncIterator[None]:
        # the mark-change log is chained off the hot path (``gradebook.audit``).
        job = asyncio.create_task(audit.seal_forever(app.state.db, settings.mark_change_seal_seconds))
        try:
            yield
        finally:
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job

    return create_app(
        settings,
        title="Gradebook",
        routers=[
            retention.router,
            courses.router,
            lessons.router,
            marks.router,
            corrections.router,
            compromise.router,
            disputes.router,
            homework.router,
            work_types.router,
            policy.router,
            timetable.router,
            plans.router,
            periods.router,
            mark_changes.router,
            transcripts.router,
            personal_data_export.router,
        ],
        consumers=[roster, attendance, transcript_copies],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        resources=sealing,
    )


app = build_app(GradebookSettings())
