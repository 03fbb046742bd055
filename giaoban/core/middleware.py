"""Vietnamese unless the user chose otherwise: the browser's Accept-Language is not followed,
because officials' phones are often set to English while the office works in Vietnamese."""

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RefuseNulMiddleware:
    """PostgreSQL refuses NUL in text (and SQLite stores it where no export can carry it): a request with
    one in its path or query string is refused here with a 400, not a 500 from the database. Form and JSON
    bodies are the forms', serializers' and services' business (see giaoban.core.text.clean_text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.GET.lists()
        if "\x00" in request.path_info or any("\x00" in k or any("\x00" in v for v in vs) for k, vs in query):
            message = translation.gettext("Địa chỉ chứa ký tự NUL (the address holds a NUL character).")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"message": message, "extra": {}}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
