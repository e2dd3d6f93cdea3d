"""The API's request limits (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""

from rest_framework import throttling

from .cache import CACHE_ERRORS, shared_cache_failed, shared_cache_resting


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's limit per address for anonymous readers, counted in the default cache; while that
    cache fails, requests are let through rather than refused (Redis is a cache, not a
    dependency), and for a few seconds after a failure it is not even asked (a Redis that
    hangs would cost every request its socket timeout)."""

    def allow_request(self, request, view) -> bool:
        if shared_cache_resting():
            return True
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            shared_cache_failed(error)
            return True
