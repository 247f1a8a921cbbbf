from pathlib import Path

from chassis.settings import PORTS, ServiceSettings

#: The services behind ``/api/v1/<service>/...``.
SERVICES = ("roster", "gradebook", "attendance", "notifications", "reporting")


def _local(service: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}"


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    #: Where browsers reach the gateway; ESIA sends them back to ``<public_url>/auth/esia/callback``.
    public_url: str = _local("gateway")
    roster_url: str = _local("roster")
    gradebook_url: str = _local("gradebook")
    attendance_url: str = _local("attendance")
    notifications_url: str = _local("notifications")
    reporting_url: str = _local("reporting")
    esia_url: str = _local("esia_sandbox")
    esia_client_id: str = "JOURNAL"
    #: Where ESIA publishes the keys of its tokens, relative to ``esia_url``.
    esia_token_keys_path: str = "/sandbox/jwks.json"
    #: The key that signs our ``client_secret`` (GOST R 34.10-2012 in production; P-256 with the sandbox).
    esia_client_key_path: Path = Path("var/esia/client-key.pem")
    #: The ES256 key of internal tokens; made on first use if missing.
    signing_key_path: Path = Path("var/gateway/signing-key.pem")
    session_ttl_hours: int = 12
    cookie_secure: bool = False
    #: Seconds a service may take to answer a proxied request.
    upstream_timeout: float = 15.0

    def service_url(self, service: str) -> str:
        return getattr(self, f"{service}_url")
