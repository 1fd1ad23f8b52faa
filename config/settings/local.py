"""Local development and `make run`: embedded defaults, debug on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# `make screenshots` serves the demo without a worker: batch plans then run inside the request.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=False)
