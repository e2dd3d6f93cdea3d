"""Deployment checks of our own, run by `manage.py check --deploy`."""

import os

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_allowed_hosts(app_configs, **kwargs):
    """With debug off and no hosts allowed, every request would be refused with 400."""
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [
            Warning(
                "DJANGO_ALLOWED_HOSTS is empty; every request would be answered 400.",
                hint="Set DJANGO_ALLOWED_HOSTS to the public host name(s), comma-separated.",
                id="timeline.W003",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_site_url(app_configs, **kwargs):
    """Feeds and structured data need a real public base URL in production."""
    site_url = getattr(settings, "SITE_URL", "")
    if not os.environ.get("SITE_URL"):
        return [
            Warning(
                "SITE_URL is not set; feeds and structured data would link to http://127.0.0.1:8000.",
                hint="Set SITE_URL to the public base URL, e.g. https://events.example.org.",
                id="timeline.W001",
            )
        ]
    if not site_url.startswith("https://"):
        return [
            Warning(
                f"SITE_URL ({site_url}) does not use https.",
                hint="Serve the site over HTTPS and set SITE_URL to its https:// address.",
                id="timeline.W002",
            )
        ]
    return []
