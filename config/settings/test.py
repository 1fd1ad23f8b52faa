"""The test suite. SQLite and in-process defaults unless DATABASE_URL / REDIS_URL are set."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = False
# Fast hashing: tests create many users; nothing here protects real passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests exercise lockout themselves; the login throttle would only make them flaky.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "10000/minute"}}
# Unit tests run tasks in-process; integration tests start a real worker and switch this off.
# A worker process started by an integration test sets CELERY_EAGER=0 so that it consumes the queue.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
