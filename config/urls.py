"""The project's URL map; each app owns its own namespace."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from feeds.csv_export import export_csv
from feeds.views import timeline_json
from timeline.sitemaps import SITEMAPS
from timeline.views import robots_txt, set_language

handler404 = "timeline.views.page_not_found"

urlpatterns = [
    # Before the admin's addresses, whose last one answers every other address under /admin/.
    path("admin/two-step/", include("timeline.two_step_urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", include("timeline.api_urls")),
    # One sitemap for both languages: each page with its alternates (timeline/sitemaps.py).
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots-txt"),
]

# Every public page and format, German at its address and English under /en/ (see
# timeline.middleware.LanguageMiddleware).
urlpatterns += i18n_patterns(
    path("feeds/", include("feeds.urls")),
    path("export.csv", export_csv, name="export-csv"),
    # TimelineJS data where its users look for it, beside the page it mirrors.
    path("timeline.json", timeline_json, name="timeline-json"),
    path("", include("timeline.urls")),
    prefix_default_language=False,
)

if settings.BENCH_REFERENCES:
    urlpatterns += [path("", include("config.bench_urls"))]
