"""The production web server's access log keeps paths but never query strings, where searches put
people's names (config/gunicorn.py)."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "SokDaraSecretName"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status  # noqa: S310 (our own local server)
    except urllib.error.HTTPError as error:
        return error.code


def test_access_log_lines_have_paths_but_no_query_strings(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert get(f"{base}/healthz/?search={NAME}") == 200
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
            assert get(f"{base}/api/v1/carers/?search={NAME}&province=02") == 401
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert '"GET /healthz/ HTTP/1.1" 200' in text
    assert '"GET /api/v1/carers/ HTTP/1.1" 401' in text
    assert NAME not in text
