"""The sitemap: the timeline and every public event page in each language, with absolute URLs
from SITE_URL.

Each address is listed once per language (German at /…, English at /en/…), each entry naming all
its languages' addresses and the German one as x-default in `<xhtml:link rel="alternate">`, as
Google reads them (developers.google.com/search/docs/specialty/international/localized-versions)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse

from .models import Event


class SiteURLSitemap(Sitemap):
    """Builds locations from SITE_URL, whatever Host header the request came with, for each
    language (Django's sitemap i18n: `location` runs with each language active in turn)."""

    i18n = True
    alternates = True
    x_default = True

    @property
    def protocol(self) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class EventSitemap(SiteURLSitemap):
    changefreq = "monthly"
    limit = 10_000

    def items(self):
        return Event.objects.public().order_by("pk").only("slug", "first_published_at", "revised_at")

    def lastmod(self, event: Event):
        # The rule of the page's "Last updated" and the feeds' <updated>: minor edits do not count.
        return event.last_significant_update


class TimelineSitemap(SiteURLSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["timeline:event-list", "timeline:event-scale"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        return Event.objects.public().aggregate(latest=Max(Coalesce("revised_at", "first_published_at")))["latest"]


SITEMAPS = {"timeline": TimelineSitemap, "events": EventSitemap}
