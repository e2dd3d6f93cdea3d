"""How the API knows its callers (REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]); a module of its
own, as settings import it before any view."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied, Throttled

from .api_throttling import FailedAuthenticationThrottle


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, where every refused token counts as a request of its address
    against the anonymous limit (API_ANON_RATE): DRF refuses it (401) before any throttle runs, so
    tokens could otherwise be guessed at full speed. Past the limit the answer is 429 with
    Retry-After, as for anonymous reading."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle = FailedAuthenticationThrottle()
            if not throttle.allow_request(request, None):
                raise Throttled(wait=throttle.wait()) from None
            raise


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, for sessions that passed the second step where the account
    needs one (as the admin asks; timeline/two_step.py); a change without the session's CSRF token
    is refused in the reader's language (DRF passes on Django's reason, which is English only)."""

    def authenticate(self, request):
        from .two_step import two_step_passed  # here: settings import this module before the apps load

        found = super().authenticate(request)
        if found is not None and not two_step_passed(found[0]):
            return None  # the password alone, where a second step is needed: not logged in here
        return found

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except PermissionDenied as error:
            raise PermissionDenied(
                _(
                    "A change made with a logged-in session needs its CSRF token: send the value of "
                    "the csrftoken cookie in the X-CSRFToken header, or authenticate with a token."
                )
            ) from error
