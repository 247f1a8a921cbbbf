"""Start and stop the whole journal as local processes against PostgreSQL and RabbitMQ on localhost.

The same runner serves ``make run`` (ports 8000–8010, databases ``journal_*``) and the
end-to-end tests (their own ports, databases, exchange and queue names).
"""

import asyncio
import contextlib
import json
import os
import random
import secrets
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chassis.publishers import PORTAL, broker_admin, provision
from chassis.settings import ServiceSettings
from chassis.topology import apply_all, apply_policies
from devstack.balancer import Balancer

SERVICES = ["roster", "gradebook", "attendance", "notifications", "reporting"]
#: Offsets from the stack's base port (the gateway's).
PORT_OFFSETS = {
    "gateway": 0,
    "roster": 1,
    "gradebook": 2,
    "attendance": 3,
    "notifications": 4,
    "reporting": 5,
    "esia_sandbox": 10,
}
#: The local stand-ins notifications delivers to, one process serving HTTP (SMSC.ru's API, Web
#: Push) and SMTP: outside systems, so not parts of the journal's own.
SANDBOX_OFFSETS = {"delivery_sandbox": 8, "delivery_smtp": 9}
ESIA_CLIENT_ID = "JOURNAL"
#: Parts ``make run SCALE=N`` runs N instances of, behind a round-robin balancer on the part's
#: own port; instance k listens on the base port + SCALED_OFFSETS[part] + 2k.
SCALED_OFFSETS = {"gateway": 12, "gradebook": 13}
MAX_SCALE = 4


def default_workers(cores: int | None = None) -> dict[str, int]:
    """Worker processes for the machine: the gateway carries every request, gradebook every mark.

    One core per worker at most, and the other parts (one process each) keep a share.
    """
    cores = cores or os.cpu_count() or 1
    per_part = max(1, min(4, cores // 2))
    return {"gateway": max(per_part, min(2, cores)), "gradebook": per_part}


def free_base_port() -> int:
    """A base port whose every offset is free now (tests pick one, so two runs never collide)."""
    rng = random.SystemRandom()
    for _ in range(200):
        # Below Linux's ephemeral range (32768–60999): a probe of a port in that range can connect to
        # itself, and an outgoing connection can take the port between the check and the start.
        base = rng.randrange(20000, 32740, 20)
        try:
            for offset in [*PORT_OFFSETS.values(), *SANDBOX_OFFSETS.values(), *range(12, 12 + 2 * MAX_SCALE)]:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no free range of ports found for the stack")


@dataclass
class Stack:
    var_dir: Path
    base_port: int = 8000
    db_prefix: str = "journal_"
    exchange: str = "school.events"
    public_exchange: str = "public.events"
    queue_prefix: str = ""
    #: Write each process's output to ``var_dir/logs/<name>.log`` instead of the terminal.
    log_to_files: bool = False
    log_level: str = "INFO"
    #: Tests only: the services start their clocks at this instant (``chassis.clock``).
    test_clock: datetime | None = None
    #: Instances of each part in SCALED_OFFSETS (the gateway, gradebook); the others run once.
    scale: int = 1
    #: uvicorn worker processes per part (absent: one). Each worker runs the part whole: the relay
    #: (``FOR UPDATE SKIP LOCKED``), the consumers (competing, with the inbox), the sealer (an advisory
    #: lock) and retention are safe in several; the part's migrations run once, before its workers.
    workers: dict[str, int] = field(default_factory=dict)
    #: Seconds ``start`` waits for each wave of processes to answer.
    ready_timeout: float = 90.0
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)
    _log_tasks: list[asyncio.Task] = field(default_factory=list)
    _balancers: list[Balancer] = field(default_factory=list)
    #: Each part logs in to RabbitMQ as its own user and consumers check the publisher (the demo, where the
    #: broker's management API answers); otherwise every part shares the broker's default user.
    broker_users: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.scale <= MAX_SCALE:
            raise ValueError(f"SCALE must be 1 to {MAX_SCALE}, not {self.scale}")

    def instances(self, name: str) -> dict[str, int]:
        """Process name → port of each instance of a part (the part's own port when it runs once)."""
        if self.scale == 1 or name not in SCALED_OFFSETS:
            return {name: self.port(name)}
        return {f"{name}-{k + 1}": self.base_port + SCALED_OFFSETS[name] + 2 * k for k in range(self.scale)}

    def port(self, name: str) -> int:
        return self.base_port + {**PORT_OFFSETS, **SANDBOX_OFFSETS}[name]

    def today(self) -> date:
        """The school's today as the services see it."""
        timezone = ZoneInfo(ServiceSettings().timezone)
        return (self.test_clock or datetime.now(timezone)).astimezone(timezone).date()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port(name)}"

    @property
    def esia_client_key(self) -> Path:
        return self.var_dir / "esia" / "client-key.pem"

    @property
    def signing_key(self) -> Path:
        return self.var_dir / "gateway" / "signing-key.pem"

    def database_url(self, name: str) -> str:
        """The part's database; no user in it: each part connects as its own role ``journal_<part>``."""
        return f"postgresql+asyncpg://{ServiceSettings().db_server}/{self.db_prefix}{name}"

    def secret_file(self, name: str) -> Path:
        """A generated password kept in ``var/secrets`` (mode 600, never committed): the same at every start."""
        path = self.var_dir / "secrets" / f"{name}.password"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.parent.chmod(0o700)
            path.touch(mode=0o600)
            path.write_text(secrets.token_hex(24))
        return path

    @property
    def broker_user_template(self) -> str:
        """``journal_<part>``, behind the stack's queue prefix: a benchmark's stack beside ``make run`` has users of
        its own, or each start would give the other stack's users its own passwords and queues."""
        return f"{self.queue_prefix}journal_{{service}}"

    def broker_url(self, name: str) -> str:
        """The part's own RabbitMQ user on the stack's broker."""
        base = urlsplit(ServiceSettings().amqp_url)
        user = quote(self.broker_user_template.format(service=name), safe="")
        password = self.secret_file(f"broker-{name}").read_text().strip()
        return base._replace(netloc=f"{user}:{password}@{base.hostname}:{base.port or 5672}").geturl()

    def provision_broker_users(self) -> bool:
        """Each part's RabbitMQ user with only its own permissions (``chassis.publishers``), and the state
        portal's (its password in ``var/secrets/broker-portal.password``); False where the broker's management
        API cannot make them, and the parts keep the default user."""
        if self.test_clock is not None:
            return False
        passwords = {
            name: self.secret_file(f"broker-{name}").read_text().strip() for name in ["gateway", *SERVICES, PORTAL]
        }
        settings = ServiceSettings(
            exchange=self.exchange,
            public_exchange=self.public_exchange,
            broker_user_template=self.broker_user_template,
        )
        try:
            provision(settings.broker_management_url, broker_admin(settings), passwords, settings, self.queue_prefix)
        except httpx.HTTPError as error:
            print(f"RabbitMQ users not made ({error}); every part uses the default user", file=sys.stderr)
            return False
        return True

    def env_for(self, name: str) -> dict[str, str]:
        env = dict(os.environ)
        if name == "esia_sandbox":
            return {
                **env,
                "ESIA_SANDBOX_PORT": str(self.port(name)),
                "ESIA_SANDBOX_CLIENTS_FILE": str(self.var_dir / "esia" / "clients.json"),
                "ESIA_SANDBOX_ADMIN_API": "1",
            }
        if name == "delivery_sandbox":
            return {
                **env,
                "DELIVERY_SANDBOX_HTTP_PORT": str(self.port(name)),
                "DELIVERY_SANDBOX_SMTP_PORT": str(self.port("delivery_smtp")),
            }
        env.update(
            {
                "JOURNAL_PORT": str(self.port(name)),
                "JOURNAL_DATABASE_URL": self.database_url(name),
                "JOURNAL_EXCHANGE": self.exchange,
                "JOURNAL_PUBLIC_EXCHANGE": self.public_exchange,
                "JOURNAL_QUEUE_PREFIX": self.queue_prefix,
                "JOURNAL_JWKS_URL": f"{self.url('gateway')}/.well-known/jwks.json",
                "JOURNAL_LOG_LEVEL": self.log_level,
                # The file store (reports, the archive's two copies) lives with the stack's other state.
                "JOURNAL_FILES_DIR": str(self.var_dir / "files" / name),
                "JOURNAL_ARCHIVE_MIRROR_DIR": str(self.var_dir / "archive-mirror" / name),
            }
        )
        if self.test_clock is None:
            # The demo's roles get passwords (loopback trusts them anyway; a test stack shares the
            # roles and leaves their passwords alone).
            env["JOURNAL_DB_PASSWORD_FILE"] = str(self.secret_file(f"db-{name}"))
            env["JOURNAL_DB_OWNER_PASSWORD_FILE"] = str(self.secret_file(f"db-{name}-owner"))
        if self.broker_users:
            env["JOURNAL_AMQP_URL"] = self.broker_url(name)
            env["JOURNAL_VERIFY_PUBLISHERS"] = "true"
            if self.queue_prefix:  # ``make run``'s users are the settings' default, as in compose and Kubernetes
                env["JOURNAL_BROKER_USER_TEMPLATE"] = self.broker_user_template
        if self.test_clock is not None:
            env.update(
                {
                    "JOURNAL_PROFILE": "test",
                    "JOURNAL_TEST_CLOCK": self.test_clock.isoformat(),
                    "JOURNAL_DB_POOL_SIZE": "2",
                    "JOURNAL_DB_MAX_OVERFLOW": "4",
                }
            )
        if name == "notifications":
            env.update(
                {
                    "JOURNAL_KEYS_DIR": str(self.var_dir / "notifications"),
                    "JOURNAL_PUBLIC_URL": self.url("gateway"),
                    "JOURNAL_SMTP_PORT": str(self.port("delivery_smtp")),
                    "JOURNAL_SMSC_URL": f"{self.url('delivery_sandbox')}/sys/send.php",
                    "JOURNAL_SMSC_LOGIN": "journal",
                    "JOURNAL_SMSC_PASSWORD": "sandbox",
                }
            )
        if name == "reporting":
            # The year's mark-change report reads gradebook's log through its API.
            env["JOURNAL_GRADEBOOK_URL"] = self.url("gradebook")
        if name == "gateway":
            env.update({f"JOURNAL_{s.upper()}_URL": self.url(s) for s in SERVICES})
            env.update(
                {
                    "JOURNAL_PUBLIC_URL": self.url("gateway"),
                    "JOURNAL_ESIA_URL": self.url("esia_sandbox"),
                    "JOURNAL_ESIA_CLIENT_ID": ESIA_CLIENT_ID,
                    "JOURNAL_ESIA_CLIENT_KEY_PATH": str(self.esia_client_key),
                    "JOURNAL_SIGNING_KEY_PATH": str(self.signing_key),
                }
            )
            if self.test_clock is not None:
                # Tests wait for an entry's seal (the destruction of a person's log): a second, not half a minute.
                env["JOURNAL_ACCESS_LOG_SEAL_SECONDS"] = "1"
        return env

    def prepare_keys(self) -> None:
        """The gateway's ESIA client key and the sandbox's registration of it (made once, kept in var/)."""
        esia_dir = self.esia_client_key.parent
        esia_dir.mkdir(parents=True, exist_ok=True)
        if not self.esia_client_key.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            self.esia_client_key.write_bytes(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
            self.esia_client_key.chmod(0o600)
            (esia_dir / "client-key.pub.pem").write_bytes(
                key.public_key().public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        (esia_dir / "clients.json").write_text(
            json.dumps(
                [
                    {
                        "client_id": ESIA_CLIENT_ID,
                        "redirect_uri_prefixes": [f"{self.url('gateway')}/"],
                        "public_key_pem_path": str(esia_dir / "client-key.pub.pem"),
                    }
                ],
                indent=2,
            )
        )
        self.signing_key.parent.mkdir(parents=True, exist_ok=True)

    async def drop_databases(self) -> None:
        """Start from empty databases (the parts create and migrate them again on start)."""
        admin = await asyncpg.connect(ServiceSettings().admin_database_url)
        try:
            for name in ["gateway", *SERVICES]:
                await admin.execute(f'DROP DATABASE IF EXISTS "{self.db_prefix}{name}" WITH (FORCE)')
        finally:
            await admin.close()

    def check_ports_free(self) -> None:
        """Fail at once, not with a confusing half-start, when something already listens on our ports."""
        for name in PORT_OFFSETS:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port(name))) == 0:
                    raise RuntimeError(f"port {self.port(name)} ({name}) is taken: is another journal already running?")

    async def start(self) -> None:
        self.check_ports_free()
        self.prepare_keys()
        (self.var_dir / "logs").mkdir(parents=True, exist_ok=True)
        settings = ServiceSettings(
            exchange=self.exchange, public_exchange=self.public_exchange, queue_prefix=self.queue_prefix
        )
        # Every queue exists before any service publishes, so no event is published into the void.
        topology = await apply_all(settings)
        # The policies are tunables (the delivery limit): set while the services start, not before.
        policies = asyncio.create_task(asyncio.to_thread(apply_policies, topology, settings))
        self.broker_users = await asyncio.to_thread(self.provision_broker_users)
        apps = {
            "esia_sandbox": "esia_sandbox.main:app",
            "gateway": "gateway.main:app",
            **{s: f"{s}.main:app" for s in SERVICES},
        }
        try:
            # The first instance of a part migrates its database; its siblings start once it is ready.
            for name, target in apps.items():
                process, port = next(iter(self.instances(name).items()))
                await self._launch(name, target, process, port)
            sandbox = "delivery_sandbox"
            await self._spawn(sandbox, [sys.executable, "-m", sandbox], env=self.env_for(sandbox))
            await self.wait_ready(self.ready_timeout)
            if self.scale > 1:
                for name in SCALED_OFFSETS:
                    for process, port in list(self.instances(name).items())[1:]:
                        await self._launch(name, apps[name], process, port)
                await self.wait_ready(self.ready_timeout)
                for name in SCALED_OFFSETS:
                    balancer = Balancer(self.port(name), list(self.instances(name).values()))
                    await balancer.start()
                    self._balancers.append(balancer)
            await policies
        except BaseException:
            # A start that failed half-way leaves no process behind to hold ports and databases.
            await self.stop()
            raise

    async def _launch(self, name: str, target: str, process: str, port: int) -> None:
        argv = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
        env = {**self.env_for(name), "JOURNAL_PORT": str(port)}
        workers = self.workers.get(name, 1)
        if workers > 1 and name != "esia_sandbox":
            migration = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "chassis.migrations", target, env=env
            )
            if await migration.wait() != 0:
                raise RuntimeError(f"the migrations of {name} failed")
            argv += ["--workers", str(workers)]
            env["JOURNAL_MIGRATE_ON_START"] = "false"
        await self._spawn(process, argv, env=env)

    async def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        if self.log_to_files:
            log = (self.var_dir / "logs" / f"{name}.log").open("ab")
            process = await asyncio.create_subprocess_exec(*argv, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT)
        else:
            process = await asyncio.create_subprocess_exec(
                *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
            )
            self._log_tasks.append(asyncio.create_task(_prefix_output(name, process)))
        self.processes[name] = process

    async def wait_ready(self, timeout: float = 90.0) -> None:
        probes = {
            process: f"http://127.0.0.1:{port}/readyz"
            for name in ["gateway", *SERVICES]
            for process, port in self.instances(name).items()
            if process in self.processes
        }
        probes["esia_sandbox"] = f"{self.url('esia_sandbox')}/sandbox/esia.pem"
        probes["delivery_sandbox"] = f"{self.url('delivery_sandbox')}/sandbox/sms"
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as client:
            for name, url in probes.items():
                while True:
                    process = self.processes.get(name)
                    if process is not None and process.returncode is not None:
                        raise RuntimeError(f"{name} exited with code {process.returncode}; see its log")
                    with contextlib.suppress(httpx.HTTPError):
                        if (await client.get(url)).status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{name} is not ready at {url} after {timeout:.0f}s")
                    await asyncio.sleep(0.3)

    async def stop(self) -> None:
        for balancer in self._balancers:
            await balancer.stop()
        self._balancers.clear()
        for process in self.processes.values():
            if process.returncode is None:
                process.terminate()
        for process in self.processes.values():
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()
        self.processes.clear()


async def _prefix_output(name: str, process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    async for line in process.stdout:
        sys.stdout.write(f"{name:>14} | {line.decode(errors='replace')}")
        sys.stdout.flush()
