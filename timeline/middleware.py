"""Middleware of the timeline app."""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import DatabaseError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from .cache import cache_available
from .languages import API_PREFIX, address_language
from .models import SiteRevision

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answer `/healthz` before host validation, sessions or anything else that could fail.

    Load balancers probe by IP address, which ALLOWED_HOSTS rightly refuses for pages. The probe
    reports 200 when the database answers and 503 when it does not; a shared cache that does not
    answer makes it "degraded", still 200 (every surface then answers from the database).
    """

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response
        # The security headers every other answer gets (HSTS, nosniff, referrer policy,
        # X-Frame-Options), from the middleware that sets them, which this answer comes before.
        self.security = SecurityMiddleware(get_response)
        self.frame_options = XFrameOptionsMiddleware(get_response)

    def __call__(self, request):
        if request.path_info.rstrip("/") != self.path:
            return self.get_response(request)
        try:
            SiteRevision.objects.exists()  # a query, so a dropped connection is noticed too
        except DatabaseError as error:
            response = JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
        else:
            cache = "ok" if cache_available() else "unavailable"
            response = JsonResponse({"status": "ok" if cache == "ok" else "degraded", "database": "ok", "cache": cache})
        response["Cache-Control"] = "no-store"
        return self.frame_options.process_response(request, self.security.process_response(request, response))


class LanguageMiddleware:
    """The language of a request, and the headers that say which it is.

    - Public pages and formats take it from the address alone: `/en/…` is English, every other
      address German, whatever `Accept-Language` or a cookie says (Django's `i18n_patterns` with
      `prefix_default_language=False`). One address has one language, so caches and search
      engines see one page per address, and no `Vary: Accept-Language` is needed.
    - The API takes `?lang=`, else `Accept-Language` (not the cookie, which a cache could not
      vary on), and answers `Vary: Accept-Language`. An unknown `lang` is a 400 naming the
      languages there are.
    - The admin takes the language cookie, else `Accept-Language`, as Django's LocaleMiddleware.

    Every response carries `Content-Language` (RFC 9110, section 8.5).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        language = address_language(path)
        negotiated = language is None
        refused = None
        if path.startswith(API_PREFIX):
            # The header alone: the request seen without its cookies.
            headers_only = type("HeadersOnly", (), {"COOKIES": {}, "META": request.META, "path_info": path})
            language = translation.get_language_from_request(headers_only)
            asked = request.GET.get("lang")
            if asked:  # empty: not given, as an empty filter filters nothing
                try:
                    # A language tag in any case, or a regional variant: "EN", "en-GB" are English.
                    language = translation.get_supported_language_variant(asked.lower())
                except LookupError:
                    refused = asked  # answered in the header's language, which the client reads
        elif negotiated:
            language = translation.get_language_from_request(request)
        # For this request only: a thread (or a test) serving the next one starts from the
        # site's language again, not from this address's.
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.unknown_language(refused) if refused is not None else self.get_response(request)
        if negotiated:
            patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response

    @staticmethod
    def unknown_language(language: str) -> JsonResponse:
        """400 for `?lang=` naming no language of the service, in the active language, in the
        shape of the API's other refused parameters."""
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        message = _("“%(language)s” is not a language of this service; choose one of: %(codes)s.")
        return JsonResponse({"lang": [message % {"language": language[:20], "codes": codes}]}, status=400)


class ClientInputMiddleware:
    """What no view should have to ask the database about, refused before it is asked.

    - A NUL character in the path: 404, as for any address that names nothing; in a query
      parameter: 400, naming it; in a cookie: the cookie is dropped (a session key with NUL is
      no session). PostgreSQL refuses NUL in text; form and API fields refuse it already
      (Django's and DRF's ProhibitNullCharactersValidator); this covers what reaches a query
      without a form: path keys, list filters, search and cursor parameters, cookies.
    - In the admin, what its list views use unchecked: the keys of a selection an action is
      applied to (checked by the model's own key field) and the date hierarchy's year, month
      and day: 400.
    - A number too large for the database or a date (OverflowError, e.g. an admin list filter
      `?id__in=99999999999999999999` on SQLite): 400, logged with its traceback.
    - A database busy beyond the wait (SQLite's "database is locked" after its timeout, say
      while a large import holds the write lock) or not answering: 503 with Retry-After, so
      clients and editors try again instead of seeing an error page.

    After LanguageMiddleware, so messages are in the reader's language; before anything reads
    the session. The API gets JSON, everything else plain text.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            if is_api(request):
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        query = request.META.get("QUERY_STRING", "")
        # A decoded parameter holds NUL only where the query string does, escaped or not: most
        # requests (a page from the cache) are spared parsing it here.
        for name, values in request.GET.lists() if "%00" in query or "\x00" in query else ():
            if "\x00" in name or any("\x00" in value for value in values):
                name = name.replace("\x00", "")
                message = _("The parameter “%(name)s” contains a NUL character.") % {"name": name}
                return refusal(request, message, field=name)
        damaged = [name for name, value in request.COOKIES.items() if "\x00" in name or "\x00" in value]
        for name in damaged:
            del request.COOKIES[name]
        if settings.SESSION_COOKIE_NAME in damaged and hasattr(request, "session"):
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        model_admin = getattr(view_func, "model_admin", None)  # set on the admin's own views
        if model_admin is None:
            return None
        if request.method == "POST":
            key = model_admin.model._meta.pk
            try:
                for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                    key.to_python(value)
            except ValidationError:
                return refusal(request, _("The selection holds an unknown key."))
        for name, value in request.GET.items():  # the date hierarchy's, or typed by hand
            highest = DATE_PARTS.get(name.rpartition("__")[2]) if "__" in name else None
            if highest is not None and not (value.isdecimal() and 1 <= int(value) <= highest):
                return refusal(request, _("The date in this list's filter does not exist."))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            # Logged: a number the request carried is the usual cause, but a computation of our
            # own overflowing (a date past 9999) must reach the operators, not only the reader.
            logger.warning("Refused as a number too large: %s", request.get_full_path(), exc_info=exception)
            return refusal(request, _("A number in this request is too large."))
        if isinstance(exception, OperationalError):
            logger.warning("Database busy or unavailable: %s", exception)
            response = refusal(request, _("The database is busy; try again in a few seconds."), status=503)
            response["Retry-After"] = str(RETRY_AFTER_BUSY)
            return response
        return None


RETRY_AFTER_BUSY = 5  # seconds
DATE_PARTS = {"year": 9999, "month": 12, "day": 31}  # admin list lookups (`created_at__year=…`) and their range


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def refusal(request, message: str, *, status: int = 400, field: str | None = None) -> HttpResponse:
    """`message` as the API (JSON, under `field` or "detail") or a page (plain text) says it."""
    if is_api(request):
        return JsonResponse({field: [message]} if field else {"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
