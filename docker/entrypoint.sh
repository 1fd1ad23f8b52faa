#!/bin/sh
# Entry point of the production image.
#   web [gunicorn args...]     apply migrations (they also load the reference data), then serve
#   worker [celery args...]    celery worker
#   beat [celery args...]      celery beat; run exactly one
#   anything else              executed as given, e.g. `python manage.py createsuperuser`
# Each process is exec'd, so it runs as PID 1 and receives the container's stop signal.
set -eu

if [ "$#" -eq 0 ]; then
    set -- web
fi

case "$1" in
    web)
        shift
        python manage.py migrate --noinput
        # Bind, workers (WEB_CONCURRENCY) and an access log without query strings: config/gunicorn.py.
        exec gunicorn --config python:config.gunicorn config.wsgi:application "$@"
        ;;
    worker)
        shift
        exec celery -A config worker -l info "$@"
        ;;
    beat)
        shift
        # The schedule file is state of this container only: /tmp is writable by the app user.
        exec celery -A config beat -l info --schedule /tmp/celerybeat-schedule "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
