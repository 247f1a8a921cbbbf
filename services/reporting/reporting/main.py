"""Reporting: the family diary, a student's summary and the school's reports, read models fed by events.

Composition root; the file store keeps long reports' results.
"""

from pathlib import Path

from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from chassis.files import DirectoryStore
from reporting import retention
from reporting.api import diary, period_marks, report_jobs, reports, students
from reporting.handlers import diary as diary_consumer
from reporting.reports.handlers import reports as reports_consumer
from reporting.settings import ReportingSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: ReportingSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    app = create_app(
        settings,
        title="Reporting",
        routers=[
            retention.router,
            students.router,
            diary.router,
            period_marks.router,
            reports.router,
            report_jobs.router,
        ],
        consumers=[diary_consumer, reports_consumer],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
    )
    app.state.files = DirectoryStore(settings.files_dir)
    return app


app = build_app(ReportingSettings())
