from django.urls import path

from . import views

app_name = "timeline"

urlpatterns = [
    path("", views.EventListView.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
]
