"""How the API knows its callers (REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]); a module of its
own, as settings import it before any view."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication
from rest_framework.exceptions import PermissionDenied


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
