"""What every API request gets, whatever view answers it.

- The language the client asks for with Accept-Language (English or Chinese), Chinese when
  it asks for neither or for nothing; a language chosen with the site's switch (its cookie)
  comes first. The pages keep their own rule (Chinese unless the visitor chose English,
  every_schema.accounts.middleware), since office browsers often send English; an API client has no
  switch to click, so its header is its choice.
- On the unversioned /api/... paths, kept as an alias of /api/v1/... for one release:
  `Deprecation: true`, the day they go (`Sunset`, RFC 8594) and a Link to the v1 path.
- The API's error shape for a URL no API route matches, instead of the HTML 404 page.
"""

from django.conf import settings
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from .exceptions import error_body

API_PREFIX = "/api/"
CURRENT_PREFIX = "/api/v1/"


def api_language(request) -> str:
    """The language chosen on this site with the switch (a cookie), else the first supported one of
    Accept-Language, else the site's default (Chinese)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def is_unversioned(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(CURRENT_PREFIX)


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = api_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if response.status_code == 404 and getattr(response, "accepted_renderer", None) is None:
            response = JsonResponse(
                error_body(
                    code="not_found",
                    message=_("No API endpoint at this address. The list of endpoints is at /api/v1/docs/."),
                ),
                status=404,
            )
        response["Content-Language"] = language
        patch_vary_headers(response, ["Accept-Language"])
        if is_unversioned(request.path_info):
            successor = CURRENT_PREFIX + request.path_info[len(API_PREFIX) :]
            response["Deprecation"] = "true"
            response["Sunset"] = settings.API_UNVERSIONED_SUNSET
            response["Link"] = f'<{successor}>; rel="successor-version"'
        return response
