"""Middleware of the timeline app."""

from django.db import DatabaseError
from django.http import JsonResponse

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
