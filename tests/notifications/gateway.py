"""A stand-in SMS gateway: a real HTTP server on 127.0.0.1 that records what it receives, can be told
to fail, and delivers a message once per `reference` (as real gateways do with a client reference)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self):
        self.requests: list[dict] = []
        self.delivered: dict[str, dict] = {}  # reference -> message, once each
        self.fail_next: list[int] = []  # status codes to answer before succeeding
        self.always: int | None = None  # answer this status every time
        self.delays: list[float] = []  # seconds to wait before answering the next requests
        self.received = threading.Event()  # set when a request arrives
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                gateway.received.set()
                with gateway.lock:
                    delay = gateway.delays.pop(0) if gateway.delays else 0.0
                if delay:
                    time.sleep(delay)
                with gateway.lock:
                    gateway.requests.append(
                        {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                    )
                    code = gateway.always or (gateway.fail_next.pop(0) if gateway.fail_next else 200)
                    if code == 200:
                        gateway.delivered.setdefault(body.get("reference") or str(len(gateway.requests)), body)
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"ok": code == 200}).encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
