"""Sandbox settings from the environment (``ESIA_SANDBOX_<NAME>``), with defaults for a developer machine."""

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_PREFIX = "ESIA_SANDBOX_"


class SandboxInProduction(RuntimeError):
    """The sandbox lets anyone log in as anyone: it never runs beside a production deployment."""


@dataclass(frozen=True)
class SandboxSettings:
    host: str = "127.0.0.1"
    port: int = 8010
    #: What the sandbox writes as ``iss`` into its tokens (real ESIA: ``http://esia.gosuslugi.ru/``).
    issuer: str = "http://esia-sandbox.local/"
    #: JSON list of registered clients: [{"client_id", "redirect_uri_prefixes": [...], "public_key_pem_path"}].
    clients_file: Path = Path("clients.json")
    code_lifetime_seconds: int = 60
    token_lifetime_seconds: int = 3600
    #: How far the client's ``timestamp`` may be from the sandbox's clock.
    timestamp_tolerance_seconds: int = 3600
    #: ``POST /sandbox/people`` (anyone may add a person with any oid): only for tests and ``make run``.
    admin_api: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "SandboxSettings":
        converters: dict[str, Callable[[str], Any]] = {
            "port": int,
            "clients_file": Path,
            "code_lifetime_seconds": int,
            "token_lifetime_seconds": int,
            "timestamp_tolerance_seconds": int,
            "admin_api": lambda raw: raw.strip().lower() in {"1", "true", "yes"},
        }
        if environ.get("JOURNAL_PROFILE") == "production":
            raise SandboxInProduction("the ESIA sandbox refuses to start under JOURNAL_PROFILE=production")
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(f"{ENV_PREFIX}{field.name.upper()}")
            if raw is not None:
                values[field.name] = converters.get(field.name, str)(raw)
        return cls(**values)
