"""Settings for the test run: the real PostgreSQL and Redis, with their own database numbers."""

import os

os.environ.setdefault("SECRET_KEY", "parkhub-test-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parkhub")
# Redis database 13 keeps test keys and queues away from a developer's running demo.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", "parkhub-test")
# Three spares: the most any one test provisions inside its transaction (tests/hub's seeded parks).
os.environ.setdefault("PARKHUB_SPARE_POOL_SIZE", "3")
os.environ.setdefault("PARKHUB_URL_SCHEME", "http")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Outgoing mail: in memory for in-process tests; a worker process writes files to EMAIL_FILE_PATH.
if os.environ.get("EMAIL_URL", "").startswith("smtp://"):
    pass  # a test's own SMTP server (tests/mail): base.py read EMAIL_URL
elif os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Every test client posts from 127.0.0.1: the limits are tested with their own rates and addresses.
PARKHUB_RATES = {name: "100000/h" for name in PARKHUB_RATES}  # noqa: F405
