"""Middleware of the timeline app."""

from importlib import import_module

from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .cache import cache_available
from .models import SiteRevision


class HealthCheckMiddleware:
    """Answer `/healthz` before host validation, sessions or anything else that could fail.

    Load balancers probe by IP address, which ALLOWED_HOSTS rightly refuses for pages. The probe
    reports 200 when the database answers and 503 when it does not; a shared cache that does not
    answer makes it "degraded", still 200 (every surface then answers from the database).
    """

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

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
        return response


class ClientInputMiddleware:
    """Refuse what no database may be asked about: a NUL character in the path (404, as for any
    address that names nothing) or in a query parameter (400, naming the parameter); drop a
    cookie whose value holds one (a session key with NUL is no session); and answer a number
    too large for the database or for a date (OverflowError, raised only by such a value, e.g.
    an admin list filter `?id__in=99999999999999999999` on SQLite) with 400.

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"); SQLite would store
    it. Form fields and the API's fields refuse NUL already (Django's and DRF's
    ProhibitNullCharactersValidator); this covers what reaches a query without a form: path
    keys, list filters, search and cursor parameters, cookies. After LocaleMiddleware, so the
    message is in the reader's language; before anything reads the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        is_api = request.path_info.startswith("/api/")
        if "\x00" in request.path_info:
            if is_api:
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                message = _("The parameter “%(name)s” contains a NUL character.") % {"name": name.replace("\x00", "")}
                if is_api:
                    return JsonResponse({name.replace("\x00", ""): [message]}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        damaged = [name for name, value in request.COOKIES.items() if "\x00" in name or "\x00" in value]
        for name in damaged:
            del request.COOKIES[name]
        if settings.SESSION_COOKIE_NAME in damaged and hasattr(request, "session"):
            request.session = import_module(settings.SESSION_ENGINE).SessionStore()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The admin's list actions filter by the selected keys without checking them (a key
        # that is no number is a ValueError there): each is checked by the model's own key field.
        model_admin = getattr(view_func, "model_admin", None)
        if model_admin is None or request.method != "POST":
            return None
        key = model_admin.model._meta.pk
        try:
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                key.to_python(value)
        except ValidationError:
            return HttpResponseBadRequest(
                _("The selection holds an unknown key."), content_type="text/plain; charset=utf-8"
            )
        return None

    def process_exception(self, request, exception):
        if not isinstance(exception, OverflowError):
            return None
        message = _("A number in this request is too large.")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
