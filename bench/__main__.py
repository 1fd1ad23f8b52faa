"""Runs the benchmarks and prints their tables: `python -m bench [--only matching,plans,chaos,load]`."""

import argparse
import os
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated sections: core, matching, plans, chaos, load, monitoring, duplicates, names",
    )
    parser.add_argument("--carers", type=int, default=100_000)
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--requests", type=int, default=50, help="API requests per size (p50/p95 over them)")
    parser.add_argument("--load-users", type=int, default=10, help="load: concurrent locust users")
    parser.add_argument("--load-seconds", type=int, default=20, help="load: seconds of load per endpoint")
    parser.add_argument("--load-workers", type=int, default=0, help="load: gunicorn workers (default 2 x cores)")
    parser.add_argument("--load-endpoints", default="", help="load: comma-separated endpoints (default all)")
    args = parser.parse_args()

    everything = {"core", "matching", "plans", "chaos", "load", "monitoring", "duplicates", "names"}
    sections = set(filter(None, args.only.split(","))) or everything
    if "core" in sections:
        # The pure matching core on random families: no database, so before it is set up.
        from bench import core

        core.run(carers=args.carers)
        sections.discard("core")
        if not sections:
            return 0
    if "chaos" in sections:
        # Its own database and Redis, in its own process, so nothing it breaks touches the rest.
        subprocess.run([sys.executable, "-m", "bench.chaos"], check=True)
        sections.discard("chaos")
        if not sections:
            return 0
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fosterreg_bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    from bench import setup

    setup.ensure_database(os.environ["DATABASE_URL"], fresh=args.fresh)
    import django

    django.setup()
    started = time.perf_counter()
    setup.ensure_seeded(carers=args.carers, children=args.children)
    # The in-process sections measure the application as a gunicorn worker runs it: its start-up
    # objects frozen out of the garbage collector (config/gunicorn.py, post_worker_init).
    from config.gunicorn import post_worker_init

    post_worker_init(None)
    if "matching" in sections:
        from bench import matching

        matching.run(requests=args.requests)
    if "plans" in sections:
        from bench import plans

        plans.run()
    if "monitoring" in sections:
        from bench import monitoring

        monitoring.run()
    if "duplicates" in sections:
        from bench import duplicates

        duplicates.run(requests=max(args.requests, 200))
    if "names" in sections:
        from bench import names

        names.run(requests=max(args.requests, 100))
    if "load" in sections:
        from bench import load

        load.run(
            users=args.load_users,
            seconds=args.load_seconds,
            workers=args.load_workers or None,
            only=[e for e in args.load_endpoints.split(",") if e],
        )
    print(f"\nbench finished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
