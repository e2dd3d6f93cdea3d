"""The API's request limits (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""

from rest_framework import throttling

from .cache import CACHE_ERRORS


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's limit per address for anonymous readers, counted in the default cache; while that
    cache fails, requests are let through rather than refused (Redis is a cache, not a
    dependency)."""

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            return True
