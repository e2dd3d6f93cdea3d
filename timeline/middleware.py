"""Middleware of the timeline app."""

from django.db import DatabaseError, connection
from django.http import JsonResponse


class HealthCheckMiddleware:
    """Answer `/healthz` before host validation, sessions or anything else that could fail.

    Load balancers probe by IP address, which ALLOWED_HOSTS rightly refuses for pages. The probe
    reports 200 when the database answers and 503 when it does not.
    """

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.rstrip("/") != self.path:
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except DatabaseError as error:
            response = JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        response["Cache-Control"] = "no-store"
        return response
