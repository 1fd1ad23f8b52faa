"""List and detail endpoints under concurrent load: gunicorn with the production settings on the
bench database, real knox tokens, locust (headless, its own process) hitting one endpoint at a time
with a fixed number of users for a fixed time. Prints p50 / p95 / requests per second per endpoint,
the queries each request makes (measured in-process with the test client, on a first and a deep page),
and whether the targets are met.

Targets on a 2-core machine (issue 18): the filtered list of carers at p95 <= 60 ms, >= 250
requests/s and <= 7 ms of server CPU a request; the placements list at p95 <= 150 ms (its default
rows, visits nested, and the lighter `?visits=none`). Printed beside what was measured, with
whether each holds.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from bench.setup import table
from register.api.carers import CarerFilter
from register.api.pagination import encode_cursor, key_values, keyset_of, order_terms
from register.models import Carer, Child, User
from register.roles import Role
from register.selectors.carers import carer_list
from register.selectors.children import child_list
from register.selectors.placements import placement_list
from register.selectors.visits import visit_list

PROVINCE = "12"  # Phnom Penh: the most children and among the most families of the seeded register
TARGET_ENDPOINT = "carers_filtered"
# (endpoint, figure, bound, "max" or "min"): each printed with what was measured and whether it holds.
TARGETS = [
    (TARGET_ENDPOINT, "p95", 60.0, "max"),
    (TARGET_ENDPOINT, "rps", 250.0, "min"),
    (TARGET_ENDPOINT, "cpu", 7.0, "max"),
    ("placements_list", "p95", 150.0, "max"),
    ("placements_list_light", "p95", 150.0, "max"),
]
UNITS = {"p95": "ms", "rps": "requests/s", "cpu": "ms of CPU a request"}
WARM_UP_S = 2.0  # the first seconds of each phase (connections, caches) are not counted
ROOT = Path(__file__).resolve().parent.parent
FILTER = {"province": PROVINCE, "status": "approved", "has_vacancy": "true"}


def run(*, users: int = 10, seconds: int = 20, workers: int | None = None, only: list[str] | None = None) -> None:
    workers = workers or 2 * (os.cpu_count() or 1)
    people = {"supervisor": _user("bench-load-supervisor", Role.SUPERVISOR, [PROVINCE]), "national": None}
    people["national"] = _user("bench-load-national", Role.NATIONAL_ADMIN, [])
    tokens = {key: _token(user) for key, user in people.items()}
    endpoints = _endpoints(people)
    if only:
        unknown = set(only) - set(endpoints)
        if unknown:
            raise SystemExit(f"no such load endpoint: {', '.join(sorted(unknown))} (known: {', '.join(endpoints)})")
        endpoints = {key: e for key, e in endpoints.items() if key in only}
    queries = {key: _query_counts(tokens[e["as"]], e["counted"]) for key, e in endpoints.items()}

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(
            json.dumps(
                {key: {"name": key, "token": tokens[e["as"]], "paths": e["paths"]} for key, e in endpoints.items()}
            )
        )
        print(
            f"\nload: gunicorn config.wsgi ({workers} sync workers, config/gunicorn.py, production settings), locust "
            f"{users} users x {seconds} s per endpoint"
        )
        results = {}
        with gunicorn(workers=workers) as (base_url, server_pid):
            for key in endpoints:
                out = Path(tmp) / f"{key}.json"
                before, client_before = _server_cpu(server_pid), _children_cpu()
                _locust(base_url, plan_file, key, out, users=users, seconds=seconds)
                used, client_used = _server_cpu(server_pid, since=before), _children_cpu() - client_before
                results[key] = _summary(json.loads(out.read_text()))
                results[key]["cpu"] = 1000 * used / max(1, results[key]["all"])
                results[key]["client_cpu"] = 1000 * client_used / max(1, results[key]["all"])
                print(f"  {key}: {results[key]['rps']:.0f} req/s", flush=True)

    rows = []
    for key, e in endpoints.items():
        r = results[key]
        rows.append(
            [
                key,
                e["as"],
                e["shape"],
                f"{r['p50']:.1f}",
                f"{r['p95']:.1f}",
                f"{r['rps']:.0f}",
                r["requests"],
                r["failures"],
                f"{r['cpu']:.1f}",
                f"{r['client_cpu']:.1f}",
                " / ".join(str(n) for n in queries[key]),
            ]
        )
    table(
        f"Load (gunicorn {workers} workers, {users} concurrent users, {seconds} s per endpoint, "
        f"province {PROVINCE} for the supervisor)",
        ["endpoint", "as", "request", "p50 ms", "p95 ms", "req/s", "requests", "failed", "cpu ms", "locust", "queries"],
        rows,
    )
    print(
        "cpu ms: CPU time of the gunicorn workers and their PostgreSQL backends per request (less sensitive\n"
        "to other work on the machine than the times above); locust: the load generator's own CPU a request,\n"
        "on the same cores; queries: per request, on the first page / on a deep page (detail: two different\n"
        "records), counted in-process with the test client"
    )
    checked = []
    for key, figure, bound, kind in TARGETS:
        if key not in results:
            continue
        value = results[key][figure]
        holds = value <= bound if kind == "max" else value >= bound
        sign = "<=" if kind == "max" else ">="
        checked.append([key, figure, f"{value:.1f}", f"{sign} {bound:g} {UNITS[figure]}", "yes" if holds else "NO"])
    if checked:
        table("Load against its targets (issue 18)", ["endpoint", "figure", "measured", "target", "holds"], checked)
    if TARGET_ENDPOINT in results and results[TARGET_ENDPOINT]["cpu"]:
        cpu = results[TARGET_ENDPOINT]["cpu"]
        cores = os.cpu_count() or 1
        print(
            f"(an estimate, not a measurement: at {cpu:.1f} ms of server CPU a request, {cores} idle "
            f"cores would serve at most about {cores * 1000 / cpu:.0f} requests/s, less locust's share)"
        )
    if {"floor_no_app", "floor_api", TARGET_ENDPOINT} <= set(results):
        floor, api, target = (results[k]["cpu"] for k in ("floor_no_app", "floor_api", TARGET_ENDPOINT))
        print(
            f"(floors: {floor:.1f} ms of server CPU for a request answered without login or database, "
            f"{api:.1f} ms for the smallest\n authenticated API list; the filtered list of families costs "
            f"{target - api:.1f} ms above that)"
        )
    failed = sum(r["failures"] for r in results.values())
    if failed:
        print(f"{failed} requests failed: {sorted({m for r in results.values() for m in r['messages']})[:5]}")


# --- The people and what they ask ---------------------------------------------------------------


def _user(name: str, role: str, provinces: list[str]) -> User:
    user, _ = User.objects.get_or_create(username=name, defaults={"is_active": True})
    user.groups.set([Group.objects.get(name=role)])
    user.provinces.set(provinces)
    for attr in ("role", "province_codes", "is_national"):
        user.__dict__.pop(attr, None)
    return user


def _token(user: User) -> str:
    """A real knox token, as the token view issues after the password (and second factor): made
    here so that the bench needs no password or code. Earlier runs' tokens go first, since knox
    reads all of a user's tokens on every request."""
    AuthToken.objects.filter(user=user).delete()
    _, token = AuthToken.objects.create(user)
    return token


def _cursor_at(queryset, fraction: float) -> str:
    """The cursor of the row `fraction` of the way down the list (its keyset order)."""
    keys = keyset_of(queryset)
    ordered = queryset.order_by(*order_terms(keys))
    total = ordered.count()
    row = ordered[max(0, min(total - 1, int(total * fraction)))]
    return encode_cursor(keys, key_values(keys, row), backwards=False)


def _deep_cursors(queryset, n: int, start: float = 0.5) -> list[str]:
    """`n` cursors spread over the deeper part of the list (from `start` of the way down)."""
    keys = keyset_of(queryset)
    values = list(queryset.order_by(*order_terms(keys)).values_list(*[f.attname for f, _ in keys]))
    picked = random.Random(7).sample(values[int(len(values) * start) :], n)
    return [encode_cursor(keys, list(v), backwards=False) for v in picked]


def _endpoints(people: dict) -> dict[str, dict]:
    supervisor, national = people["supervisor"], people["national"]
    query = urlencode(FILTER)
    filtered = CarerFilter(FILTER, queryset=carer_list(user=supervisor)).qs
    rng = random.Random(11)
    carer_ids = [str(i) for i in carer_list(user=supervisor).values_list("id", flat=True)]
    child_ids = [str(i) for i in Child.objects.filter(province_id=PROVINCE).values_list("id", flat=True)]
    deep = _deep_cursors(carer_list(user=national), 200)
    lists = {
        "children": child_list(user=supervisor).order_by("reference"),
        "placements": placement_list(user=supervisor),
        "visits": visit_list(user=supervisor),
    }
    total_filtered = filtered.count()
    endpoints = {
        # Two floors under every other line: what gunicorn and the middleware cost for a request the
        # application answers without a login or the database, and the smallest authenticated API
        # list (a token, the caller's access, one row of 25).
        "floor_no_app": {
            "as": "supervisor",
            "shape": "/healthz/ (no login, no database)",
            "paths": ["/healthz/"],
            "counted": ["/healthz/"],
        },
        "floor_api": {
            "as": "supervisor",
            "shape": "/provinces/?page_size=1 (token, access, 1 row)",
            "paths": ["/api/v1/provinces/?page_size=1"],
            "counted": ["/api/v1/provinces/?page_size=1", "/api/v1/provinces/?page_size=1&page=2"],
        },
        TARGET_ENDPOINT: {
            "as": "supervisor",
            "shape": f"?{query}&cursor= (first page)",
            "paths": [f"/api/v1/carers/?{query}&cursor="],
            "counted": [
                f"/api/v1/carers/?{query}&cursor=",
                f"/api/v1/carers/?{query}&cursor={_cursor_at(filtered, 0.9)}",
            ],
        },
        "carers_filtered_page": {
            "as": "supervisor",
            "shape": f"?{query}&page=1 (with count)",
            "paths": [f"/api/v1/carers/?{query}&page=1"],
            "counted": [
                f"/api/v1/carers/?{query}&page=1",
                f"/api/v1/carers/?{query}&page={max(1, int(total_filtered * 0.9) // 50)}",
            ],
        },
        "carer_detail": {
            "as": "supervisor",
            "shape": "/carers/{id}/, 500 families",
            "paths": [f"/api/v1/carers/{i}/" for i in rng.sample(carer_ids, min(500, len(carer_ids)))],
            "counted": [f"/api/v1/carers/{carer_ids[0]}/", f"/api/v1/carers/{_busiest_carer(carer_ids)}/"],
        },
        "carers_deep_cursor": {
            "as": "national",
            "shape": "?cursor= at 200 depths, 50-100% of 100k",
            "paths": [f"/api/v1/carers/?cursor={c}" for c in deep],
            "counted": ["/api/v1/carers/?cursor=", f"/api/v1/carers/?cursor={deep[0]}"],
        },
        "children_list": {
            "as": "supervisor",
            "shape": "?cursor= (first page, reads audited)",
            "paths": ["/api/v1/children/?cursor="],
            "counted": ["/api/v1/children/?cursor=", f"/api/v1/children/?cursor={_cursor_at(lists['children'], 0.9)}"],
        },
        "child_detail": {
            "as": "supervisor",
            "shape": "/children/{id}/, 500 children (audited)",
            "paths": [f"/api/v1/children/{i}/" for i in rng.sample(child_ids, min(500, len(child_ids)))],
            "counted": [f"/api/v1/children/{child_ids[0]}/", f"/api/v1/children/{child_ids[-1]}/"],
        },
        "placements_list": {
            "as": "supervisor",
            "shape": "?cursor= (first page, visits nested)",
            "paths": ["/api/v1/placements/?cursor="],
            "counted": [
                "/api/v1/placements/?cursor=",
                f"/api/v1/placements/?cursor={_cursor_at(lists['placements'], 0.9)}",
            ],
        },
        "placements_list_light": {
            "as": "supervisor",
            "shape": "?visits=none&cursor= (first page, no visits)",
            "paths": ["/api/v1/placements/?visits=none&cursor="],
            "counted": [
                "/api/v1/placements/?visits=none&cursor=",
                f"/api/v1/placements/?visits=none&cursor={_cursor_at(lists['placements'], 0.9)}",
            ],
        },
        "visits_list": {
            "as": "supervisor",
            "shape": "?cursor= (first page)",
            "paths": ["/api/v1/visits/?cursor="],
            "counted": ["/api/v1/visits/?cursor=", f"/api/v1/visits/?cursor={_cursor_at(lists['visits'], 0.9)}"],
        },
    }
    return endpoints


def _busiest_carer(ids: list[str]) -> str:
    """A family with many records (checks, trainings, status changes) for the detail's second count."""
    from django.db.models import Count

    carer = Carer.objects.filter(pk__in=ids[:2000]).annotate(n=Count("checks")).order_by("-n").first()
    return str(carer.pk)


def _query_counts(token: str, paths: list[str]) -> list[int]:
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    counts = []
    for path in paths:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.content[:300]!r}")
        counts.append(len(captured))
    return counts


# --- gunicorn and locust ------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _children_cpu() -> float:
    """CPU seconds of this process's finished children (locust, once it has exited)."""
    times = os.times()
    return times.children_user + times.children_system


def _server_cpu(server_pid: int, since: dict | None = None):
    """CPU seconds of gunicorn's workers and of the PostgreSQL backends serving the bench database:
    a dict by pid, or (with `since`, an earlier dict) the seconds used in between. Linux only: 0 elsewhere."""
    if not Path("/proc").is_dir():
        return {} if since is None else 0.0
    pids = [int(p) for p in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids += [row[0] for row in cursor.fetchall()]
    now = {pid: _cpu_seconds(pid) for pid in pids}
    if since is None:
        return now
    return sum(max(0.0, cpu - since.get(pid, 0.0)) for pid, cpu in now.items())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int):
    """gunicorn serving config.wsgi with the production settings (DEBUG off, HTTPS behind a proxy)
    and config/gunicorn.py, on the bench database, until the block ends; then stopped with SIGTERM
    (a graceful shutdown: workers finish their request)."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "LOG_LEVEL": "WARNING",
    }
    # As a deployment starts it (docker/entrypoint.sh): config/gunicorn.py, with its access log.
    env |= {"GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)}
    command = [
        *(sys.executable, "-m", "gunicorn", "--config", "python:config.gunicorn", "config.wsgi:application"),
        "--log-level=warning",  # not its start-up chatter between the bench's lines
    ]
    # Our own interpreter and arguments (S603). The access log (to stdout) is written, then dropped.
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, f"{base_url}/healthz/")
        yield base_url, server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_up(server: subprocess.Popen, url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (http://127.0.0.1 only)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def _locust(base_url: str, plan: Path, key: str, out: Path, *, users: int, seconds: int) -> None:
    env = {**os.environ, "BENCH_LOAD_PLAN": str(plan), "BENCH_LOAD_ENDPOINT": key, "BENCH_LOAD_OUT": str(out)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        f"--users={users}",
        f"--spawn-rate={users}",
        f"--run-time={seconds}s",
        f"--host={base_url}",
        "--only-summary",
        "--loglevel=WARNING",
        "--skip-log-setup",
    ]
    subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)  # noqa: S603
    if not out.exists():
        raise SystemExit(f"locust wrote no results for {key}")


def _summary(raw: dict) -> dict:
    samples = sorted(raw["samples"])
    if not samples:
        failures = len(raw["failures"])
        return {
            "p50": 0.0,
            "p95": 0.0,
            "rps": 0.0,
            "requests": 0,
            "all": failures,
            "failures": failures,
            "messages": [],
        }
    start = samples[0][0] + WARM_UP_S
    kept = [ms for at, ms in samples if at >= start] or [ms for _, ms in samples]
    window = max(samples[-1][0] - start, 1e-9)
    cuts = statistics.quantiles(kept, n=100, method="inclusive") if len(kept) > 1 else [kept[0]] * 99
    return {
        "p50": cuts[49],
        "p95": cuts[94],
        "rps": len(kept) / window,
        "requests": len(kept),
        "all": len(samples) + len(raw["failures"]),
        "failures": len(raw["failures"]),
        "messages": raw["failures"],
    }
