"""gunicorn's settings for every deployment (docker/entrypoint.sh; `make bench` starts it the same way):
`gunicorn --config python:config.gunicorn config.wsgi:application`.

Access log lines name the path, never the query string or the referring page: a search for a family
or a child carries a person's name in `?search=`, and logs are kept and shipped far more widely than
the register itself. Paths hold only opaque ids."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
accesslog = "-"
# remote address, time, method, path without query, protocol, status, bytes, duration (ms), user agent
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


def post_worker_init(worker):
    """Once a worker has loaded the application, its objects (Django, the URL and translation tables,
    the libraries) are moved out of the garbage collector's sight: they live as long as the worker,
    and a full collection scanning the ~200,000 of them paused a request for 100 ms or more (p95 of a
    name search 144 ms against 45 ms frozen, bench/names.py)."""
    settle_long_lived()


# Requests after which a worker freezes again what they left behind (see post_request).
SETTLE_AFTER_REQUESTS = frozenset({1, 100})


def post_request(worker, req, environ, resp):
    """The first requests build what lives as long as the worker too (URL resolvers, serializer
    fields, translation catalogues: about 28,000 objects for a match request), and every full
    collection then scanned them again: 27-32 ms, against 4 ms frozen (a match request's p99 50-65 ms
    against 38-43 ms, 100,000 families, in process). So they are frozen after the first request and
    after the hundredth (`worker.nr` counts the requests the worker has handled)."""
    if worker.nr in SETTLE_AFTER_REQUESTS:
        settle_long_lived()


def settle_long_lived() -> None:
    """Collect the garbage, then move every object still alive out of the collector's sight (they
    are still freed when nothing refers to them; only cycles among them would wait for the exit)."""
    import gc

    gc.collect()
    gc.freeze()
