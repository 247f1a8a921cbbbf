"""Roster: the school's structure and people. Composition root."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI

from chassis.app import create_app
from chassis.auth import TokenVerifier
from roster import personal_data_export, retention
from roster.api import (
    calendar,
    classes,
    consents,
    directory,
    electives,
    endings,
    imports,
    links,
    movement,
    oneroster,
    people,
    person_data,
    promotion,
    schools,
    structure,
    timetable,
)
from roster.handlers import gradebook, transfers
from roster.horizon import horizon_job
from roster.imports import import_worker
from roster.settings import RosterSettings
from roster.zone_backfill import announce_unheard_zones

MIGRATIONS = Path(__file__).parent.parent / "migrations"


@contextlib.asynccontextmanager
async def background(app: FastAPI) -> AsyncIterator[None]:
    """The schools' unheard zones announced, then the import worker and the timetable's rolling horizon."""
    await announce_unheard_zones(app.state.db)
    async with import_worker(app), horizon_job(app):
        yield


def build_app(settings: RosterSettings, verifier: TokenVerifier | None = None) -> FastAPI:
    return create_app(
        settings,
        title="Roster",
        routers=[
            retention.router,
            schools.router,
            classes.router,
            people.router,
            links.router,
            directory.router,
            calendar.router,
            structure.router,
            electives.router,
            timetable.router,
            movement.router,
            promotion.router,
            endings.router,
            person_data.router,
            consents.router,
            imports.router,
            oneroster.router,
            personal_data_export.router,
        ],
        consumers=[gradebook, transfers],
        migrations_dir=MIGRATIONS,
        verifier=verifier,
        resources=background,
    )


app = build_app(RosterSettings())
