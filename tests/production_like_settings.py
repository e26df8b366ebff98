"""Production settings for the gunicorn processes of tests/test_client_address_behind_proxy.py and tests/faults/.

Exactly saas.settings.production, except that static files come from the finders instead of
a collected manifest (the test does not run collectstatic, which production's image does).
"""

from saas.settings.production import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
