"""The gateway: ESIA login, sessions, internal tokens, the /api/v1 proxy and the web UI. Composition root."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path

import aiohttp
import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from chassis.app import create_app
from chassis.files import DirectoryStore
from gateway import portal
from gateway.access_log import AccessLog, seal_forever
from gateway.api import access_view, auth, compromise, diary, home, local_logins, me, password, portal_pull, proxy
from gateway.callers import CallerCache
from gateway.destruction import api as destruction_api
from gateway.domain.portal_pull import PortalRefusal
from gateway.esia import certificate_key
from gateway.handlers import consumer
from gateway.keys import InternalTokens
from gateway.privacy import api as privacy
from gateway.privacy import page as privacy_page
from gateway.security_headers import SecurityHeaders
from gateway.settings import GatewaySettings
from gateway.upstream import Upstreams

MIGRATIONS = Path(__file__).parent.parent / "migrations"
STATIC = Path(__file__).parent / "static"


def build_app(
    settings: GatewaySettings,
    *,
    service_http: Mapping[str, httpx.AsyncClient] | None = None,
) -> FastAPI:
    """``service_http`` (per service) replaces the network to the services, e.g. with in-process apps."""
    tokens = InternalTokens(settings)

    @asynccontextmanager
    async def http_clients(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(app.state.upstreams)
            app.state.esia_http = await stack.enter_async_context(
                aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=10.0, connect=3.0),
                    # ESIA's cookies are never kept for the next person's login.
                    cookie_jar=aiohttp.DummyCookieJar(),
                )
            )
            app.state.esia = None
            # ESIA's certificate is read at start: a wrong file stops the gateway, not a login.
            certificate = settings.esia_certificate_path
            app.state.esia_certificate = certificate_key(certificate.read_bytes()) if certificate else None
            app.state.access_log = AccessLog(app.state.db)
            jobs = [
                asyncio.create_task(
                    seal_forever(
                        app.state.db,
                        settings.access_log_seal_seconds,
                        timedelta(days=settings.access_log_retention_days),
                    )
                ),
                asyncio.create_task(
                    portal.trim_changes_forever(
                        app.state.db, settings.portal_changes_retention_days, settings.retention_interval_seconds
                    )
                ),
                asyncio.create_task(app.state.callers.listen_forever(app.state.db.asyncpg_dsn)),
            ]
            try:
                yield
            finally:
                for job in jobs:
                    job.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await job
                await app.state.access_log.close()

    app = create_app(
        settings,
        title="Gateway",
        # The diary, «me» and local logins come before the catch-all proxy route.
        routers=[
            auth.router,
            password.router,
            home.router,
            me.router,
            diary.router,
            local_logins.router,
            compromise.router,
            access_view.router,
            privacy.router,
            privacy_page.router,
            portal_pull.router,
            destruction_api.router,
            proxy.router,
        ],
        consumers=[consumer, portal.consumer],
        migrations_dir=MIGRATIONS,
        verifier=tokens.verifier(),
        resources=http_clients,
    )
    proxy.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders, settings=settings)
    app.add_exception_handler(PortalRefusal, portal_pull.refusal_answer)
    app.state.tokens = tokens
    app.state.callers = CallerCache()
    app.state.upstreams = Upstreams(settings, tokens, service_http)
    app.state.files = DirectoryStore(settings.files_dir)
    return app


app = build_app(GatewaySettings())
