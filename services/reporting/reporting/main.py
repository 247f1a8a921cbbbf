"""Reporting: the family diary and a student's summary, read models fed by events. Composition root."""

from pathlib import Path

from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from reporting.api import diary, reports, students
from reporting.handlers import diary as diary_consumer
from reporting.reports.handlers import reports as reports_consumer
from reporting.settings import ReportingSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: ReportingSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    return create_app(
        settings,
        title="Reporting",
        routers=[students.router, diary.router, reports.router],
        consumers=[diary_consumer, reports_consumer],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
    )


app = build_app(ReportingSettings())
