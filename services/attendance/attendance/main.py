"""Attendance: absences and lates per lesson, their reasons and counts. Composition root."""

from pathlib import Path

from fastapi import FastAPI

from attendance import personal_data_export, retention
from attendance.api import absences, compromise, corrections, counts, transcripts
from attendance.handlers import events, transcript_copies
from attendance.settings import AttendanceSettings
from chassis.app import create_app
from chassis.auth import TokenVerifier

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: AttendanceSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    return create_app(
        settings,
        title="Attendance",
        routers=[
            retention.router,
            absences.router,
            corrections.router,
            compromise.router,
            counts.router,
            transcripts.router,
            personal_data_export.router,
        ],
        consumers=[events, transcript_copies],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
    )


app = build_app(AttendanceSettings())
