"""Reference endpoints for `make bench` only (BENCH_REFERENCES=1): never enabled in production.

A trivial view (the framework's ceiling on this machine), one sending a given number of bytes
(the reference for large files), and two of Django's stock syndication
feeds of the same 50 events our feeds carry, so the benchmark can print ratios measured in one
run: a thin one (title, link, summary, date) and a like-for-like one, which emits what our RSS
feed emits, computed by the same functions of feeds/builder.py.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import path
from django.utils.feedgenerator import Rss201rev2Feed

from feeds import builder
from timeline.models import Event
from timeline.structured_data import absolute_url


def trivial(request):
    return HttpResponse(b"ok")


def sized(request, size: int):
    """`size` bytes (at most 10 MB) and nothing else: the reference for a large file, whose
    copying to the client costs the same in any view."""
    return HttpResponse(bytes(min(size, 10_000_000)), content_type="application/octet-stream")


class StockFeed(Feed):
    title = "Diplomatische Termine"
    link = "/"
    description = "Reference: django.contrib.syndication"

    def items(self):
        return Event.objects.public().order_by("-first_published_at", "-pk")[:50]

    def item_title(self, event):
        return event.title

    def item_description(self, event):
        return event.summary

    def item_link(self, event):
        return absolute_url(event.get_absolute_url())

    def item_pubdate(self, event):
        return event.first_published_at


class ContentEncodedRss(Rss201rev2Feed):
    """RSS 2.0 with each item's HTML in <content:encoded>, as our RSS feed carries it."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": "http://purl.org/rss/1.0/modules/content/"}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content"])


class FullStockFeed(StockFeed):
    """The stock framework doing our feed's work: the same fields, each computed by builder's
    function of one event, so the difference left is how the feed is assembled."""

    feed_type = ContentEncodedRss
    description = "Reference: django.contrib.syndication, like for like"
    item_guid_is_permalink = False

    def items(self):
        return super().items().prefetch_related("topics")

    def item_title(self, event):
        return builder.item_title(event)

    def item_link(self, event):
        return builder.item_link(event) or absolute_url(event.get_absolute_url())

    def item_guid(self, event):
        return builder.item_guid(event)

    def item_pubdate(self, event):
        return builder.item_pubdate(event)

    def item_updateddate(self, event):
        return builder.item_updateddate(event)

    def item_description(self, event):
        return builder.item_description(event)

    def item_author_name(self, event):
        return builder.feed_text(settings.PUBLISHER_NAME)

    def item_categories(self, event):
        return [event.date, *(tag.label or tag.term for tag in builder.item_tags(event))]

    def item_extra_kwargs(self, event):
        return {"content": builder.item_content(event)}


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/bytes/<int:size>", sized),
    path("bench/stock-rss/", StockFeed()),
    path("bench/stock-rss-full/", FullStockFeed()),
]
