#!/bin/sh
# Entry point of the ParkHub image. One image serves every role; the first argument
# picks it. Anything that is not a role name runs as given (the default command is
# gunicorn, see the Dockerfile), so `docker run parkhub python manage.py shell` works.
set -eu

case "${1:-}" in
    migrate)
        # Migrate public and every tenant schema, ensure hub, template and spare pool.
        # Safe to run again: each step only does what is missing.
        shift
        exec python manage.py parkhub_setup "$@"
        ;;
    worker)
        shift
        exec celery -A saas worker -l info "$@"
        ;;
    beat)
        # Exactly one beat may run at a time, or every scheduled task is sent twice.
        shift
        exec celery -A saas beat -l info "$@"
        ;;
    gunicorn)
        # Django's checks before serving: a static file the pages need but the image lacks
        # (parkhub.E001) stops the container here with its name, not as a 500 on a page.
        python manage.py check --deploy --fail-level ERROR
        exec "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
