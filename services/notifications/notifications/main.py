"""Notifications: the family inbox and notification preferences. Composition root."""

from pathlib import Path

from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from notifications.api import inbox, preferences
from notifications.handlers import family
from notifications.settings import NotificationsSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: NotificationsSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    return create_app(
        settings,
        title="Notifications",
        routers=[inbox.router, preferences.router],
        consumers=[family],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
    )


app = build_app(NotificationsSettings())
