"""The benchmark database: PostgreSQL, migrated and seeded once with `seed_demo` (kept between runs)."""

import os
import time
from urllib.parse import urlparse

import psycopg


def ensure_database(url: str, *, fresh: bool = False) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise SystemExit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def ensure_seeded(*, carers: int, children: int) -> None:
    from django.core.management import call_command

    from register.models import Carer, Child

    call_command("migrate", verbosity=0)
    have = (Carer.objects.count(), Child.objects.count())
    if have == (carers, children):
        print(f"register: {carers:,} carers and {children:,} children (seeded before)")
        return
    if have != (0, 0):
        raise SystemExit(
            f"the bench database has {have[0]:,} carers and {have[1]:,} children, not the sizes asked for: "
            "run `python -m bench --fresh` to start again from an empty database"
        )
    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command(
            "seed_demo",
            "--carers",
            str(carers),
            "--children",
            str(children),
            "--institutions",
            "300",
            verbosity=0,
            stdout=quiet,
        )
    # Fresh statistics: until autovacuum gets to the new rows, PostgreSQL plans for empty tables.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed_demo --carers {carers:,} --children {children:,}: {time.perf_counter() - started:.0f} s")


def table(title: str, header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))
    print(line)
