"""The delivery sandbox: one process with an SMTP server and an HTTP server (SMSC.ru's API, Web Push).

``make run`` starts it beside the journal; tests start the same thing in their own event loop.
What arrived is readable at ``GET /sandbox/mail``, ``/sandbox/sms`` and ``/sandbox/push/{id}``.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from delivery_sandbox.mail import MailSink, serve_smtp
from delivery_sandbox.push import PushService, push_router
from delivery_sandbox.smsc import SmscFake, smsc_router


@dataclass
class DeliverySandbox:
    host: str = "127.0.0.1"
    http_port: int = 8025
    smtp_port: int = 8026
    mail: MailSink = field(default_factory=MailSink)
    sms: SmscFake = field(default_factory=SmscFake)
    push: PushService = field(default_factory=PushService)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def smsc_url(self) -> str:
        return f"{self.url}/sys/send.php"

    def app(self) -> FastAPI:
        app = FastAPI(title="Delivery sandbox")
        app.include_router(smsc_router(self.sms))
        app.include_router(push_router(self.push))

        @app.get("/sandbox/mail")
        async def mail() -> list[dict]:
            return [
                {"to": list(m.rcpt_tos), "subject": str(m.parsed()["Subject"]), "text": m.text()}
                for m in self.mail.received
            ]

        return app

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["DeliverySandbox"]:
        """Serve SMTP and HTTP on the running loop until the block ends."""
        self.push.origin = self.url
        smtp = await serve_smtp(self.mail, self.host, self.smtp_port)
        server = uvicorn.Server(
            uvicorn.Config(self.app(), host=self.host, port=self.http_port, log_level="warning", lifespan="off")
        )
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.02)
            yield self
        finally:
            server.should_exit = True
            await task
            smtp.close()
            await smtp.wait_closed()
