"""The test suite. SQLite and in-process defaults unless DATABASE_URL / REDIS_URL are set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# Fast hashing: tests create many users; nothing here protects real passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests exercise lockout themselves and log in often from one address; the login throttle's own
# tests (tests/security/test_login_throttle.py) set the rates they test.
LOGIN_THROTTLE_RATE_PER_ADDRESS = "10000/minute"
LOGIN_THROTTLE_RATE_PER_USERNAME = "10000/minute"
# Unit tests run tasks in-process; integration tests start a real worker and switch this off.
# A worker process started by an integration test sets CELERY_EAGER=0 so that it consumes the queue.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Plain static names whatever a developer's `collectstatic` left in staticfiles/: the live test
# server serves the source files (tests/browser/test_offline_visits.py collects and serves hashed
# ones on a server of its own, to measure what a phone downloads).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}  # noqa: F405
# A fresh clone has no collected files: whitenoise serves the source files found by the finders
# (its documented setting for tests and development), whatever staticfiles/ holds.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Each test builds its own register; a figure kept by an earlier test (in Redis, across runs too)
# must never answer for it. The indicators' cache has its own tests, which turn it on.
MONITORING_CACHE_SECONDS = 0
