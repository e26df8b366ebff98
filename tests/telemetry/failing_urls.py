"""A park's URLs plus /boom/, which fails with personal data around (tests/telemetry/failing_site.py)."""

from django.urls import path

from saas.urls_tenants import urlpatterns as park_urlpatterns


def boom(request):
    password = request.POST["password"]  # noqa: F841  (a local variable Sentry would report)
    raise RuntimeError(f"could not file the form of {request.user.email} ({request.POST['phone']})")


urlpatterns = [path("boom/", boom), *park_urlpatterns]
