"""A private PostgreSQL and a private RabbitMQ node for the fault suite: started, broken and removed by it alone.

The machine's shared servers are never touched: each private server has its own data directory
under a temporary directory, its own free ports and (RabbitMQ) its own node name. ``stop()`` runs
on every exit path (the fixtures' ``finally`` and ``atexit``), so a failed run leaves nothing behind.
"""

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f}s")


def _as(user: str, *argv: str, **kwargs) -> subprocess.CompletedProcess:
    """Run as ``user`` when we are root (PostgreSQL refuses root; RabbitMQ's scripts switch users anyway)."""
    command = ["runuser", "-u", user, "--", *argv] if os.geteuid() == 0 else list(argv)
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120, **kwargs)


class PrivatePostgres:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="journal-faults-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.owner = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        atexit.register(self.remove)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, self.owner)
        if not self.data.exists():
            _as(
                self.owner, str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            )
        self._pg_ctl("start", "-w", "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1")
        _wait_port(self.port, 30)

    def restart_immediately(self) -> None:
        """A crash-like restart: open connections are cut, uncommitted work is lost, recovery runs."""
        self._pg_ctl("restart", "-w", "-m", "immediate", "-o", f"-p {self.port} -k {self.root}")
        _wait_port(self.port, 30)

    def _pg_ctl(self, *args: str) -> None:
        _as(self.owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), *args)

    def remove(self) -> None:
        if self.data.exists():
            with contextlib.suppress(Exception):
                self._pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateRabbit:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="journal-faults-rmq-"))
        self.port = free_port()
        self.node = f"journalfaults{os.getpid()}@localhost"
        self.process: subprocess.Popen | None = None
        atexit.register(self.remove)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.root / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.root / "feature_flags"),
            "RABBITMQ_PID_FILE": str(self.root / "pid"),
            "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq"),
            "ERL_CRASH_DUMP": str(self.root / "erl_crash.dump"),
        }

    def start(self) -> None:
        (self.root / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "rabbitmq:rabbitmq", str(self.root)], check=True)
        self.process = subprocess.Popen(
            ["rabbitmq-server"],
            env=self._env(),
            cwd=self.root,
            stdout=(self.root / "server.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        _wait_port(self.port, 90)

    def ctl(self, *args: str) -> None:
        subprocess.run(["rabbitmqctl", "-n", self.node, *args], capture_output=True, check=True, timeout=120)

    def restart_app(self, down_seconds: float) -> None:
        """The broker goes away and comes back; its node (and durable queues) stay."""
        self.ctl("stop_app")
        time.sleep(down_seconds)
        self.ctl("start_app")
        _wait_port(self.port, 60)

    def kill_and_restart(self) -> None:
        """SIGKILL the whole node (no clean shutdown), then start it again on the same data."""
        pid = int((self.root / "pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.start()

    def remove(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(Exception):
                self.ctl("stop")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                self.process.wait(timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)
