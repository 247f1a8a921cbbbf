"""``python -m esia_sandbox``: serve the sandbox on its configured host and port."""

import uvicorn

from esia_sandbox.settings import SandboxSettings

settings = SandboxSettings.from_env()
uvicorn.run("esia_sandbox.main:app", host=settings.host, port=settings.port)
