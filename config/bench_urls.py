"""Reference endpoints for `make bench` only (BENCH_REFERENCES=1): never enabled in production.

A trivial view (the framework's ceiling on this machine) and Django's stock syndication feed of
the same 50 events our feeds carry, so the benchmark can print ratios measured in one run.
"""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import path

from timeline.models import Event
from timeline.structured_data import absolute_url


def trivial(request):
    return HttpResponse(b"ok")


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


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/stock-rss/", StockFeed()),
]
