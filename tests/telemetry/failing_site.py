"""A park's site with one more page that fails, for the Sentry test (run as a separate process).

`python -m tests.telemetry.failing_site <host> <email>` signs that user in, posts personal data
to /boom/, whose view raises with the user's e-mail in the message and the password in a
local variable, and flushes Sentry's queue before exiting.
"""

import sys


def main(host: str, email: str) -> None:
    import django

    django.setup()
    import sentry_sdk
    from django.conf import settings
    from django.test import Client
    from django_tenants.utils import schema_context

    from every_schema.accounts.models import User

    settings.ROOT_URLCONF = "tests.telemetry.failing_urls"
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    with schema_context(host.split(".", 1)[0]):
        client.force_login(User.objects.get(email=email))
    response = client.post(
        "/boom/", {"email": email, "password": "correct-horse-battery-9", "phone": "13912345678"}
    )
    print(f"status {response.status_code} request {response.get('X-Request-ID')}")
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    main(*sys.argv[1:3])
