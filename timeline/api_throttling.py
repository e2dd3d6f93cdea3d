"""The API's request limits (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""

from rest_framework import throttling

from .cache import CACHE_ERRORS, shared_cache_failed, shared_cache_resting
from .security import client_address


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's limit per address for anonymous readers, counted in the default cache; while that
    cache fails, requests are let through rather than refused (Redis is a cache, not a
    dependency), and for a few seconds after a failure it is not even asked (a Redis that
    hangs would cost every request its socket timeout)."""

    def get_ident(self, request) -> str | None:
        """The client's address behind the trusted proxies, as the login limits read it."""
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        if shared_cache_resting():
            return True
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as error:
            shared_cache_failed(error)
            return True


class FailedAuthenticationThrottle(AnonRateThrottle):
    """The anonymous limit, counted for a request whose credentials were refused: the same scope,
    rate and count per address as anonymous reading, so a refused token costs what a request
    costs. Asked from inside authentication, where request.user is not known yet (asking for it
    would authenticate again), so the caller counts as anonymous, which it is."""

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
