"""config/gunicorn.py's hooks move a worker's long-lived objects out of the garbage collector's sight:
after loading the application, then after the worker's first and hundredth requests, and only then."""

import gc
from types import SimpleNamespace

import pytest

from config import gunicorn


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_freezes_after_its_first_and_hundredth_requests_only(unfrozen):
    kept = [[n] for n in range(1000)]  # long-lived objects the requests left behind
    frozen = []
    for nr in range(1, 102):
        kept.append([nr])  # each request leaves something behind
        before = gc.get_freeze_count()
        gunicorn.post_request(SimpleNamespace(nr=nr), None, {}, None)
        if gc.get_freeze_count() > before:
            frozen.append(nr)
    assert frozen == [1, 100]
    assert gc.get_freeze_count() >= len(kept)


def test_loading_the_application_freezes_too(unfrozen):
    assert gc.get_freeze_count() == 0
    gunicorn.post_worker_init(None)
    assert gc.get_freeze_count() > 0
