"""Reporting: the family diary, a student's summary and the school's reports, read models fed by events.

Composition root; the file store keeps long reports' results; gradebook's API gives its mark-change log.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from chassis.files import DirectoryStore
from reporting import personal_data_export, retention
from reporting.api import diary, period_marks, region, report_jobs, reports, school_reports, students
from reporting.archive.auto import build_forever
from reporting.domain.activity import RecentVisits
from reporting.handlers import diary as diary_consumer
from reporting.reports.handlers import reports as reports_consumer
from reporting.settings import ReportingSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: ReportingSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    @asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        # the year's mark-change report reads gradebook's log through its API.
        async with httpx.AsyncClient(base_url=settings.gradebook_url, timeout=httpx.Timeout(20.0, connect=3.0)) as http:
            app.state.gradebook = http
            # the archives of the years roster has archived, built off the consumer.
            archives = asyncio.create_task(
                build_forever(app.state.db, settings, app.state.clock, settings.archive_poll_seconds)
            )
            try:
                yield
            finally:
                archives.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await archives

    app = create_app(
        settings,
        title="Reporting",
        routers=[
            retention.router,
            students.router,
            diary.router,
            period_marks.router,
            reports.router,
            school_reports.router,
            report_jobs.router,
            region.router,
            personal_data_export.router,
        ],
        consumers=[diary_consumer, reports_consumer],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        resources=resources,
    )
    app.state.files = DirectoryStore(settings.files_dir)
    app.state.recent_visits = RecentVisits()
    return app


app = build_app(ReportingSettings())
