"""Notifications: the family inbox, delivery by e-mail, SMS and Web Push, preferences. Composition root."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from notifications import personal_data_export, retention
from notifications.api import (
    alerts,
    announcements,
    conversations,
    deliveries,
    inbox,
    letters,
    moderation,
    preferences,
    push,
    unsubscribe,
)
from notifications.delivery.channels import Mailer, SmscSms, WebPush
from notifications.delivery.keys import load_keys
from notifications.delivery.sender import DeliverySender
from notifications.handlers import family
from notifications.settings import NotificationsSettings

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def build_app(settings: NotificationsSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    @contextlib.asynccontextmanager
    async def delivery(app: FastAPI) -> AsyncIterator[None]:
        """The provider adapters and the sender loop, for as long as the service runs."""
        keys = load_keys(settings.keys_dir)
        async with httpx.AsyncClient(timeout=10) as http:
            sender = DeliverySender(
                app.state.db,
                app.state.clock,
                settings,
                keys,
                Mailer(settings, keys.dkim_private_pem),
                SmscSms(settings, http),
                WebPush(settings, keys.vapid_private_pem),
            )
            app.state.keys, app.state.sender = keys, sender
            task = asyncio.create_task(sender.run(), name="delivery-sender")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                await sender.mailer.close()
                await sender.push.close()

    return create_app(
        settings,
        title="Notifications",
        routers=[
            retention.router,
            inbox.router,
            preferences.router,
            push.router,
            deliveries.router,
            announcements.router,
            alerts.router,
            unsubscribe.router,
            conversations.router,
            letters.router,
            moderation.router,
            personal_data_export.router,
        ],
        consumers=[family],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        resources=delivery,
    )


app = build_app(NotificationsSettings())
