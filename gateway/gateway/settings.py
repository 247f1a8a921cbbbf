from datetime import timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import model_validator

from chassis.settings import PORTS, ServiceSettings

#: The services behind ``/api/v1/<service>/...``.
SERVICES = ("roster", "gradebook", "attendance", "notifications", "reporting")
#: The ``iss`` the ESIA sandbox writes into its tokens (real ESIA: ``http://esia.gosuslugi.ru/``).
SANDBOX_ISSUER = "http://esia-sandbox.local/"


def _local(service: str) -> str:
    return f"http://127.0.0.1:{PORTS[service]}"


class GatewaySettings(ServiceSettings):
    service_name: str = "gateway"
    #: Where browsers reach the gateway; ESIA sends them back to ``<public_url>/auth/esia/callback``.
    #: An ``https`` address makes every cookie ``Secure`` and turns HSTS on; production requires it.
    public_url: str = _local("gateway")
    roster_url: str = _local("roster")
    gradebook_url: str = _local("gradebook")
    attendance_url: str = _local("attendance")
    notifications_url: str = _local("notifications")
    reporting_url: str = _local("reporting")
    #: ESIA: its authorization, token, REST and logout endpoints live under this address.
    esia_url: str = _local("esia_sandbox")
    #: The ``iss`` ESIA writes into its tokens; a token with another issuer is refused.
    esia_issuer: str = SANDBOX_ISSUER
    esia_client_id: str = "JOURNAL"
    #: ESIA's certificate (PEM) whose GOST R 34.10-2012 key signs its tokens, as ESIA hands it to a relying party.
    #: Without it the certificate is fetched from ``esia_sandbox_certificate_path`` (only the sandbox publishes it).
    esia_certificate_path: Path | None = None
    esia_sandbox_certificate_path: str = "/sandbox/esia.pem"
    #: How ``client_secret`` is signed: ``ecdsa`` (P-256, the sandbox), ``gost`` (GOST R 34.10-2012 in
    #: pure Python: development and tests), ``command`` (an external certified signer: production).
    esia_signer: Literal["ecdsa", "gost", "command"] = "ecdsa"
    #: The key of the ``ecdsa`` and ``gost`` signers.
    esia_client_key_path: Path = Path("var/esia/client-key.pem")
    #: The relying party's certificate registered at ESIA (production: required).
    esia_client_certificate_path: Path | None = None
    #: The ``command`` signer: reads the message on stdin, writes the signature's bytes to stdout.
    esia_sign_command: str = ""
    #: The ES256 key of internal tokens; made on first use if missing.
    signing_key_path: Path = Path("var/gateway/signing-key.pem")
    #: Absolute lifetime of a session, and how long it survives without a request (shared school computers).
    session_ttl_hours: int = 12
    session_idle_minutes: int = 30
    #: Seconds a service may take to answer a proxied request.
    upstream_timeout: float = 15.0
    #: Password logins: attempts per client address and in all per minute before a 429 (R-2).
    login_attempts_per_ip_per_minute: int = 20
    login_attempts_per_minute: int = 300
    #: R-5: how often the access log's new entries are sealed into its hash chain.
    access_log_seal_seconds: float = 30.0
    #: R-5, R-65: the access log is kept as long as the journals it records (five years), then removed,
    #: each removed entry leaving its seal (``gateway.access_log``).
    access_log_retention_days: int = 5 * 365 + 1
    #: R-70: days of the portal's change feed kept; a portal further behind loads schedules afresh.
    portal_changes_retention_days: int = 90
    #: The file store of subjects' exports (152-ФЗ art. 14): ``chassis.files``.
    files_dir: str = "var/files/gateway"
    #: Addresses or networks of reverse proxies whose ``X-Forwarded-For`` names the real client.
    trusted_proxies: tuple[str, ...] = ()

    def service_url(self, service: str) -> str:
        return getattr(self, f"{service}_url")

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def cookie_secure(self) -> bool:
        return self.public_url.startswith("https://")

    @model_validator(mode="after")
    def _production_is_not_a_sandbox(self) -> "GatewaySettings":
        if self.profile == "production" and (problems := production_problems(self)):
            raise ValueError("the production profile refuses this configuration: " + "; ".join(problems))
        return self


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def points_at_sandbox(settings: GatewaySettings) -> bool:
    """Whether ESIA here is the sandbox: its issuer, its port, a local address, or keys it publishes itself."""
    address = urlsplit(settings.esia_url)
    return (
        settings.esia_issuer == SANDBOX_ISSUER
        or "sandbox" in settings.esia_url.casefold()
        or address.port == PORTS["esia_sandbox"]
        or _is_local(settings.esia_url)
        or settings.esia_certificate_path is None
    )


def production_problems(settings: GatewaySettings) -> list[str]:
    """What keeps this configuration from serving real schools (English: read by operators in the log)."""
    problems = []
    if points_at_sandbox(settings):
        problems.append(
            "ESIA points at the sandbox (set JOURNAL_ESIA_URL, JOURNAL_ESIA_ISSUER and "
            "JOURNAL_ESIA_CERTIFICATE_PATH to the real ESIA)"
        )
    if settings.esia_signer != "command" or not settings.esia_sign_command.strip():
        problems.append("client_secret must be signed by certified cryptography (JOURNAL_ESIA_SIGNER=command)")
    if settings.esia_client_certificate_path is None:
        problems.append("the relying party's certificate is missing (JOURNAL_ESIA_CLIENT_CERTIFICATE_PATH)")
    if not settings.cookie_secure:
        problems.append("the gateway must be reached over TLS (JOURNAL_PUBLIC_URL=https://...)")
    return problems
