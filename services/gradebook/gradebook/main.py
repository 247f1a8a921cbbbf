"""Gradebook: the class journal — lessons, homework, marks and their audit. Composition root."""

from pathlib import Path

from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from gradebook import retention
from gradebook.api import (
    corrections,
    courses,
    disputes,
    homework,
    lessons,
    marks,
    periods,
    plans,
    policy,
    timetable,
    work_types,
)
from gradebook.handlers import attendance, roster
from gradebook.settings import GradebookSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: GradebookSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    return create_app(
        settings,
        title="Gradebook",
        routers=[
            retention.router,
            courses.router,
            lessons.router,
            marks.router,
            corrections.router,
            disputes.router,
            homework.router,
            work_types.router,
            policy.router,
            timetable.router,
            plans.router,
            periods.router,
        ],
        consumers=[roster, attendance],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
    )


app = build_app(GradebookSettings())
