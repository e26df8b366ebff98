"""Production settings: every secret must come from the environment.

A missing SECRET_KEY or DATABASE_URL stops start-up with django-environ's
ImproperlyConfigured, which names the variable.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PARKHUB_PRODUCTION = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"

# --- Secrets and the trusted proxy (issue 14; owned by the edge work) -----------------------
# A published secret is no secret: the placeholders of deploy/.env.example (they all say
# "replace-me") and Django's generated "django-insecure-" keys are refused at start-up, naming
# the variable, and so is a SECRET_KEY under 50 characters or of fewer than 5 different ones
# (Django's security.W009), which would sign sessions, password links and CSRF tokens with
# almost nothing.
from django.core.exceptions import ImproperlyConfigured  # noqa: E402

_PLACEHOLDER_MARKS = ("replace-me", "change-me", "changeme", "django-insecure")
for _variable in ("SECRET_KEY", "DATABASE_URL", "EMAIL_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"):
    if any(mark in env.str(_variable, default="").lower() for mark in _PLACEHOLDER_MARKS):
        raise ImproperlyConfigured(
            f"The {_variable} environment variable still holds a placeholder of deploy/.env.example: "
            "set the real value."
        )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:  # noqa: F405
    raise ImproperlyConfigured(
        "Set the SECRET_KEY environment variable to a random value of at least 50 characters: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

# Behind nginx or an ingress every request comes from the proxy: the client address is read
# from X-Forwarded-For, one proxy deep unless said otherwise (saas.client_address).
PARKHUB_TRUSTED_PROXY_COUNT = env.int("PARKHUB_TRUSTED_PROXY_COUNT", default=1)
# --- end of secrets and the trusted proxy --------------------------------------------------

# Logs are JSON objects, one a line, with request id, tenant schema and user id (saas.logs).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "tenant_context"  # noqa: F405
