"""The project's URL map; each app owns its own namespace."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("feeds/", include("feeds.urls")),
    path("api/", include("timeline.api_urls")),
    path("", include("timeline.urls")),
]

if settings.BENCH_REFERENCES:
    urlpatterns += [path("", include("config.bench_urls"))]
