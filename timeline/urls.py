from django.urls import path

from feeds.views import event_calendar

from . import event_pages, views

app_name = "timeline"

urlpatterns = [
    path("", views.timeline, name="event-list"),
    path("zeitstrahl/", views.event_scale, name="event-scale"),
    path("events/<slug:slug>/", event_pages.event_detail, name="event-detail"),
    path("events/<slug:slug>/event.ics", event_calendar, name="event-calendar"),
    path("preview/<str:token>/", event_pages.preview, name="event-preview"),
]
