"""URLs of the REST API and its OpenAPI description."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("events", api.EventViewSet, basename="event")
router.register("topics", api.TopicViewSet, basename="topic")
router.register("series", api.SeriesViewSet, basename="series")

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # A page to read: GET and HEAD only (DRF's OPTIONS would render it without its template).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", http_method_names=["get", "head"]),
        name="docs",
    ),
    path("", include(router.urls)),
]
