"""A local SMTP server (aiosmtpd) that keeps every message it accepts, to be read back by tests and people."""

import asyncio
import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    #: The message exactly as it arrived (DKIM is verified over these bytes).
    raw: bytes

    def parsed(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]

    def text(self) -> str:
        body = self.parsed().get_body(("plain",))
        return body.get_content() if body is not None else ""


@dataclass
class MailSink:
    """The aiosmtpd handler: stores what arrives; ``down`` makes it refuse like a broken relay (451)."""

    received: list[ReceivedMail] = field(default_factory=list)
    down: bool = False
    #: Domains whose mailboxes do not exist: their recipients are refused for good (550).
    unknown_domains: set[str] = field(default_factory=lambda: {"nowhere.example"})

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.rpartition("@")[2].lower() in self.unknown_domains:
            return "550 5.1.1 Такого почтового ящика нет"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.down:
            return "451 4.3.0 Временный сбой почтового сервера"
        raw = envelope.original_content or b""
        self.received.append(ReceivedMail(envelope.mail_from or "", tuple(envelope.rcpt_tos), raw))
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.received if address in m.rcpt_tos]


async def serve_smtp(sink: MailSink, host: str, port: int) -> asyncio.Server:
    """An SMTP server on the running loop (no thread), so tests and ``make run`` share one way."""
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(sink, hostname="sandbox.local", decode_data=False, data_size_limit=10 * 1024 * 1024),
        host,
        port,
    )
