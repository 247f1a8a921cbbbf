"""Attendance: absences and lates per lesson, their reasons and counts. Composition root."""

from pathlib import Path

from fastapi import FastAPI

from attendance import retention
from attendance.api import absences, corrections, counts
from attendance.handlers import events
from attendance.settings import AttendanceSettings
from chassis.app import create_app
from chassis.auth import TokenVerifier

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: AttendanceSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    return create_app(
        settings,
        title="Attendance",
        routers=[retention.router, absences.router, corrections.router, counts.router],
        consumers=[events],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
    )


app = build_app(AttendanceSettings())
