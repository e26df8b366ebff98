from django.conf import settings
from django.utils import translation


class DefaultLanguageMiddleware:
    """Chinese for everyone unless they chose English with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which on
    many office machines is English; the product's rule is Chinese by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = dict(settings.LANGUAGES)

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
