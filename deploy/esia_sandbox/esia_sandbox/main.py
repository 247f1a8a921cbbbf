"""The ESIA sandbox application: ``build_app(settings)``, and ``app`` for uvicorn (settings from the environment)."""

from fastapi import FastAPI

from esia_sandbox import oauth, rest, sandbox_api
from esia_sandbox.settings import SandboxSettings
from esia_sandbox.state import Sandbox


def build_app(settings: SandboxSettings) -> FastAPI:
    app = FastAPI(
        title="ESIA sandbox (тестовый контур ЕСИА)", docs_url="/sandbox/docs", openapi_url="/sandbox/openapi.json"
    )
    app.state.sandbox = Sandbox.from_settings(settings)
    app.state.settings = settings
    app.include_router(oauth.router)
    app.include_router(rest.router)
    app.include_router(sandbox_api.router)
    return app


app = build_app(SandboxSettings.from_env())
