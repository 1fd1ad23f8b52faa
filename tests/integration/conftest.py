"""The real stack: PostgreSQL, Redis and a Celery worker started by the test as its own process."""

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from tests.support import PrivateRedis, Worker, restore_reference_data


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture
def real_stack(request):
    """PostgreSQL and Redis, with committed data (so that worker processes see it)."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL: see README, 'Running on PostgreSQL and Redis'")
    request.getfixturevalue("transactional_db")
    restore_reference_data()


@pytest.fixture
def celery_worker(real_stack, transactional_db):
    """Starts a real worker; the test process enqueues through Redis instead of running eagerly."""
    app.conf.task_always_eager = False
    app.control.purge()
    worker = Worker().start()
    try:
        yield worker
    finally:
        worker.stop()
        app.conf.task_always_eager = True


@pytest.fixture
def private_stack(real_stack, transactional_db):
    """A private Redis, a Celery app of the test's pointing at it, and a factory of workers on it."""
    from celery import Celery

    redis = PrivateRedis().start()
    # Not the current app: shared tasks resolve to the current app, and a later test would publish to
    # this Redis after it has stopped.
    client = Celery("tests", broker=redis.url, backend=redis.url, set_as_current=False)
    client.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=True)
    workers: list[Worker] = []

    def worker(name: str = "w1", concurrency: int = 1, **env) -> Worker:
        w = Worker(name, concurrency, extra_env={"REDIS_URL": redis.url, **env}, control=client).start()
        workers.append(w)
        return w

    try:
        yield redis, client, worker
    finally:
        for w in workers:
            w.kill()
        redis.stop()
        app.set_current()
