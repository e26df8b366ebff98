"""Settings for `make dev`: a developer's machine running the Jiaozhou demo."""

import os

os.environ.setdefault("SECRET_KEY", "parkhub-local-development-key-not-for-production")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/parkhub")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("PARKHUB_URL_SCHEME", "http")
os.environ.setdefault("PARKHUB_URL_PORT", "8000")

from .base import *  # noqa: E402,F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
