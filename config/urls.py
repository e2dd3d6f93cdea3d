"""The project's URL map; each app owns its own namespace."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from feeds.csv_export import export_csv
from feeds.views import timeline_json
from timeline.views import set_language

handler404 = "timeline.views.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("feeds/", include("feeds.urls")),
    path("export.csv", export_csv, name="export-csv"),
    # TimelineJS data where its users look for it, beside the page it mirrors.
    path("timeline.json", timeline_json, name="timeline-json"),
    path("api/", include("timeline.api_urls")),
    path("", include("timeline.urls")),
]

if settings.BENCH_REFERENCES:
    urlpatterns += [path("", include("config.bench_urls"))]
