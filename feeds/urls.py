from django.urls import path

from . import views

app_name = "feeds"

urlpatterns = [
    path("rss/", views.rss, name="rss"),
    path("atom/", views.atom, name="atom"),
    path("ics/", views.icalendar, name="ics"),
    path("json/", views.json_feed, name="json"),
]
