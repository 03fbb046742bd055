"""Pages are in Vietnamese unless the user chose otherwise: the browser's Accept-Language is not followed,
because officials' phones are often set to English while the office works in Vietnamese. The API
(/api/) answers in the language its client asks for with Accept-Language (Vietnamese by default)."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

API_PREFIX = "/api/"


def page_language(request) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def api_language(request) -> str:
    """The first language of Accept-Language that giaoban speaks; without the header, the page rule."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    if not header.strip():
        return page_language(request)
    for code, _quality in parse_accept_lang_header(header[:1000]):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path_info.startswith(API_PREFIX)
        language = api_language(request) if is_api else page_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if is_api:
            patch_vary_headers(response, ("Accept-Language",))
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
                from giaoban.core.api.errors import error_response

                return error_response(400, "invalid", message)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
