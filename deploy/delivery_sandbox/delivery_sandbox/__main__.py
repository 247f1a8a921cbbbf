"""``python -m delivery_sandbox``: serve it on ``DELIVERY_SANDBOX_HTTP_PORT`` and ``DELIVERY_SANDBOX_SMTP_PORT``."""

import asyncio
import os

from delivery_sandbox.main import DeliverySandbox


async def main() -> None:
    sandbox = DeliverySandbox(
        http_port=int(os.environ.get("DELIVERY_SANDBOX_HTTP_PORT", "8025")),
        smtp_port=int(os.environ.get("DELIVERY_SANDBOX_SMTP_PORT", "8026")),
    )
    async with sandbox.running():
        await asyncio.Event().wait()


asyncio.run(main())
