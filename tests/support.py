"""Pieces of the real stack that integration tests and `make bench` start themselves: Celery worker
processes on the current database, a private Redis they may restart, and the reference data that
transactional tests must put back."""

import importlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]


REFERENCE_DATA = [
    ("register.migrations.0002_load_gazetteer_and_roles", ("load", "create_roles")),
    ("register.migrations.0004_default_training_modules_and_visit_policy", ("create",)),
    ("matching.migrations.0002_default_policy", ("create",)),
    ("notifications.migrations.0002_default_reminder_policy", ("create",)),
]


def restore_reference_data() -> None:
    """Transactional tests empty every table when they end, reference data included; put back what
    the data migrations load (each step is idempotent)."""
    from django.apps import apps

    for module, functions in REFERENCE_DATA:
        migration = importlib.import_module(module)
        for name in functions:
            getattr(migration, name)(apps, None)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """A `celery -A config worker` process on the test database, stoppable and killable."""

    def __init__(self, name: str = "w1", concurrency: int = 1, extra_env: dict | None = None, control=None):
        self.name = name
        self.control = control or app  # the Celery app whose broker the worker listens on
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "CELERY_EAGER": "0",
            **(extra_env or {}),
        }
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        # The worker's output, for the failure report of a test that used it.
        self.log = tempfile.NamedTemporaryFile(prefix=f"celery-{name}-", suffix=".log", delete=False)  # noqa: SIM115

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-5000:]

    def start(self, timeout: float = 30) -> "Worker":
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-n",
                f"{self.name}@%h",
                "--pool",
                "prefork",
                "--concurrency",
                str(self.concurrency),
                "-l",
                "warning",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() takes the pool children too
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = self.control.control.ping(timeout=0.5) or []
            if any(self.name in key for r in replies for key in r):
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}")
        raise TimeoutError("the Celery worker did not answer within its start timeout")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, mid-task if need be."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of the test's own, without persistence, that the test may kill and restart
    (the machine's shared Redis is never touched)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def restart(self) -> None:
        """Kill it (everything queued is lost: no persistence) and start an empty one."""
        self.proc.kill()
        self.proc.wait(10)
        self.start()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
