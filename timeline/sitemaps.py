"""The sitemap: the timeline and every public event page, with absolute URLs from SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Event


class SiteURLSitemap(Sitemap):
    """Builds locations from SITE_URL, whatever Host header the request came with."""

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class EventSitemap(SiteURLSitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return Event.objects.public().order_by("pk").only("slug", "updated_at")

    def lastmod(self, event: Event):
        return event.updated_at


class TimelineSitemap(SiteURLSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["timeline:event-list"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        latest = Event.objects.public().order_by("-updated_at").values_list("updated_at", flat=True).first()
        return latest


SITEMAPS = {"timeline": TimelineSitemap, "events": EventSitemap}
