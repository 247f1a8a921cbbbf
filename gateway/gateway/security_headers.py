"""Headers on every answer of the gateway: what the browser may load, frame and guess (pages hold children's data)."""

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import GatewaySettings

#: Two years, as the HSTS preload list asks; sent only over TLS (RFC 6797 §7.2).
HSTS = "max-age=63072000; includeSubDomains"


def security_headers(settings: GatewaySettings) -> dict[str, str]:
    esia = urlsplit(settings.esia_url)
    # Logout posts a form that ends at ESIA's logout page: form-action must allow that redirect.
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"form-action 'self' {esia.scheme}://{esia.netloc}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )
    headers = {
        "content-security-policy": policy,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
    }
    if settings.cookie_secure:
        headers["strict-transport-security"] = HSTS
    return headers


class SecurityHeaders:
    def __init__(self, app: ASGIApp, settings: GatewaySettings) -> None:
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)
