"""Who a request comes from, and how the admin's login answers guessing.

The client's address is read one way for the API's throttle (timeline/api_throttling.py) and the
login limits (django-axes, AXES_CLIENT_IP_CALLABLE): behind TRUSTED_PROXIES proxies, as DRF reads it
with REST_FRAMEWORK["NUM_PROXIES"]. A login refused for too many failures gets a page in the
reader's language (AXES_LOCKOUT_CALLABLE) and a line in the log (django-axes' user_locked_out).
The same limits hold at the second step of the login (timeline/two_step.py): a locked account or
address is refused there too, and a refused code counts as a failed login.
"""

import ipaddress
import logging

from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)


def client_address(request) -> str | None:
    """The client's IP address: REMOTE_ADDR with no trusted proxy, else with N = TRUSTED_PROXIES the
    N-th entry of X-Forwarded-For from the right, which the outermost trusted proxy appended (DRF's
    rule, REST_FRAMEWORK["NUM_PROXIES"]); REMOTE_ADDR where that entry is no IP address."""
    address = BaseThrottle().get_ident(request)
    try:
        # One spelling per address (IPv6 has many), so that one client has one count.
        return str(ipaddress.ip_address(address.strip()))
    except (AttributeError, ValueError):
        return request.META.get("REMOTE_ADDR")


def cool_off_minutes() -> int:
    """How long a lock-out lasts at most, in whole minutes (AXES_COOLOFF_TIME, a timedelta)."""
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The answer to a login refused for too many failures (AXES_LOCKOUT_CALLABLE): 429 with
    Retry-After and a page in the admin's frame, in the reader's language, that says how long the
    lock lasts and who can lift it; it names neither the account nor whether it exists. Never
    stored by a cache: it answers about one account and address, and only for now."""
    context = {
        **admin.site.each_context(request),
        "title": _("Login blocked for now"),
        "minutes": cool_off_minutes(),
        "login_url": reverse("admin:login"),
    }
    # Rendered here: it replaces the view's answer in a middleware, after responses are rendered.
    response = render(request, "admin/locked_out.html", context, status=429)
    # The lock lapses at most this long after the failure that set it.
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    patch_cache_control(response, no_store=True)
    return response


def credentials_of(username: str) -> dict:
    """The credentials django-axes reads an account from, as a login form's data names it."""
    return {settings.AXES_USERNAME_FORM_FIELD: username}


def refused_login(request, username: str) -> HttpResponse | None:
    """The lock-out answer (lockout_response, logged as log_lockout logs it) if django-axes refuses
    a login for account `username` from this request's address, else None. Axes' own rule
    (AxesProxyHandler.is_allowed, as its backend asks it of every password): for steps of a login
    after the password, where no password is checked."""
    credentials = credentials_of(username)
    if AxesProxyHandler.is_allowed(request, credentials):
        return None
    log_lockout(sender=__name__, request=request, username=username, ip_address=client_address(request))
    return lockout_response(request, credentials=credentials)


def count_failed_login(request, username: str) -> None:
    """Count a failed login for account `username` from this request's address, as a wrong
    password counts: Django's user_login_failed signal (what authenticate() sends), which django-axes
    counts, keeps (AccessFailureLog) and logs, and which locks at AXES_FAILURE_LIMIT failures."""
    user_login_failed.send(sender=__name__, credentials=credentials_of(username), request=request)


@receiver(user_locked_out, dispatch_uid="timeline-log-lockout")
def log_lockout(sender, request, username, ip_address, **kwargs) -> None:
    """Log each login refused for too many failures (django-axes' user_locked_out signal) on the
    console log, with what an operator needs to lift it. The name typed is logged only if it is an
    account: a name that is none may be a password typed into the wrong field."""
    User = get_user_model()
    known = bool(username) and User.objects.filter(**{User.USERNAME_FIELD: username}).exists()
    logger.warning(
        "Login refused: %d or more failed logins within %d minutes for account %s or from address %s. "
        "The lock lapses %d minutes after the failure that set it; a superuser lifts it sooner in the "
        "admin (Axes > Access attempts: delete them) or with manage.py axes_reset_username NAME, "
        "axes_reset_ip ADDRESS or axes_reset.",
        settings.AXES_FAILURE_LIMIT,
        cool_off_minutes(),
        repr(username) if known else "(no such account)",
        ip_address,
        cool_off_minutes(),
    )
