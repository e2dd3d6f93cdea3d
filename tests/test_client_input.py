"""Every route, tried with what clients send when they are broken or hostile: no server error.

The routes come from the URL resolver itself (every named pattern, the admin's and the API's
included), so a route added later is tried too. Each is requested with NUL, overlong, malformed
and non-UTF-8 path segments, and with such query parameters and form fields, anonymously and as
a superuser (who reaches every admin page). Runs on whichever database the suite runs on; CI
runs it on SQLite and on PostgreSQL, which refuses NUL in text.
"""

import io
import re
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import get_resolver

from tests.conftest import log_in_verified
from timeline.models import Event, PreviewLink

# Path segments: NUL alone and inside a word, overlong, non-UTF-8 bytes, a lone "%", dot
# segments, quotes and markup, a number beyond any integer key, an unknown percent escape.
SEGMENTS = ["%00", "a%00b", "x" * 3000, "%FF%FE", "%", "..%2F..", "%27%22%3C%3E", "9" * 30, "%C0%AF"]
# Query parameter and form values of the same kinds.
VALUES = [
    "%00", "x" * 3000, "%FF%FE", "%", "-1", "9" * 30, "[]", "%E2%80%AE",
    "%C2%B2",  # "²": a digit, but no number
    "-" * 40,  # negations beyond PostgreSQL's tsquery parser stack
    "%E5%9F%8E" * 200,  # a long Japanese run: a long phrase of bigrams
    "0000-36",  # a quarter of year 0, which no calendar has
]  # fmt: skip
# The parameters the surfaces read: the timeline's filters, the API's, the admin's.
PARAMETERS = [
    "q", "country", "topic", "kind", "series", "from", "to", "status", "cursor", "page_size", "format",
    "before", "after", "lang", "e", "o", "p", "all", "_changelist_filters", "_to_field", "_popup",
    "date_start__year", "series__id__exact", "topics__id__exact", "event_public_id", "value", "next",
    "language", "id__in", "title", "year", "date_start__month", "date_start__day", "publish_at",
]  # fmt: skip


def route_paths() -> list[str]:
    """A path for every named route, each parameter filled with the placeholder "PARAM"."""
    paths = set()

    def walk(resolver, prefix: str) -> None:
        for _name, entries in resolver.reverse_dict.lists():
            for possibility, _pattern, _defaults, _converters in entries:
                for template, params in possibility:
                    paths.add("/" + prefix + template % dict.fromkeys(params, "PARAM"))
        for namespace_prefix, sub in resolver.namespace_dict.values():
            walk(sub, prefix + namespace_prefix)

    walk(get_resolver(), "")
    return sorted(re.sub(r"/+", "/", path) for path in paths)


def sample_path(path: str, event: Event) -> str:
    """The path with real values, so the route's own view runs (not a 404 before it)."""
    samples = {
        "/admin/PARAM/": "/admin/timeline/",
        "/admin/r/PARAM/PARAM/": f"/admin/r/{_content_type_id()}/{event.pk}/",
    }
    if path in samples:
        return samples[path]
    key = str(event.pk) if path.startswith("/admin/") else event.slug
    return path.replace("PARAM", key)


def _content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Event).pk


@pytest.fixture
def clients(db):
    call_command("load_seed", stdout=io.StringIO())
    superuser = User.objects.create_superuser("fuzz", password="pw-for-tests-only")
    return {"anonymous": Client(), "superuser": log_in_verified(Client(), superuser)}


def assert_no_server_error(response, what: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"


def test_the_resolver_yields_every_surface():
    paths = route_paths()
    for expected in (
        "/",
        "/events/PARAM/",
        "/feeds/atom/",
        "/api/events/PARAM/",
        "/admin/timeline/event/PARAM/change/",
    ):
        assert expected in paths
    assert "/api/events/PARAM.PARAM" in paths  # the API's format suffixes
    assert len(paths) > 60


@pytest.mark.django_db
def test_every_route_answers_hostile_path_segments_without_a_server_error(clients):
    event = Event.objects.public().first()
    PreviewLink.objects.create(event=event)
    routes = [path for path in route_paths() if "PARAM" in path]
    for path in routes:
        for segment in SEGMENTS:
            url = path.replace("PARAM", segment)
            for who, client in clients.items():
                assert_no_server_error(client.get(url), f"{who} GET {url[:120]}")
    # A NUL in a key is not found, as a key that names nothing, on every database.
    for url in ("/events/%00/", "/api/events/%00/", "/api/topics/%00/", "/preview/%00/", "/api/series/a%00b/"):
        assert clients["anonymous"].get(url).status_code == 404, url
    assert clients["superuser"].get("/admin/timeline/event/%00/change/").status_code in (302, 404)


@pytest.mark.django_db
def test_every_route_answers_hostile_parameters_without_a_server_error(clients):
    event = Event.objects.public().first()
    for path in route_paths():
        url = sample_path(path, event)
        for value in VALUES:
            query = "&".join(f"{name}={value}" for name in PARAMETERS)
            for who, client in clients.items():
                assert_no_server_error(client.get(f"{url}?{query}"), f"{who} GET {url}?…={value[:20]}")
            # Form fields of the same kinds, as an admin form or an action would post them; the
            # superuser's posts run the views' validation (deleting is confirmed with "post").
            names = ("title_de", "title_en", "date", "countries", "topics", "series", "_selected_action", "index")
            fields = dict.fromkeys(names, unquote(value))
            response = clients["superuser"].post(url, {**fields, "action": "publish"})
            assert_no_server_error(response, f"superuser POST {url} {value[:20]}")


# Lists and add forms read their parameters one by one (an admin changelist redirects on the
# first unknown one, `_to_field` refuses the whole request), so there each is also tried alone.
LISTS = [
    "/", "/feeds/atom/", "/feeds/rss/", "/api/events/", "/api/topics/", "/api/series/", "/sitemap.xml",
    "/admin/timeline/event/", "/admin/timeline/revision/", "/admin/timeline/previewlink/", "/admin/timeline/topic/",
    "/admin/timeline/series/", "/admin/auth/user/", "/admin/auth/group/", "/admin/account/",
    # Add forms take their initial values from the parameters.
    "/admin/timeline/event/add/", "/admin/timeline/topic/add/", "/admin/auth/user/add/",
]  # fmt: skip


@pytest.mark.django_db
def test_every_list_answers_each_hostile_parameter_alone_without_a_server_error(clients):
    for url in LISTS:
        client = clients["superuser" if url.startswith("/admin/") else "anonymous"]
        for name in PARAMETERS:
            for value in VALUES:
                assert_no_server_error(client.get(f"{url}?{name}={value}"), f"GET {url}?{name}={value[:20]}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["q", "country", "topic", "series", "from", "cursor", "o", "e", "%00"])
def test_a_nul_in_any_parameter_is_a_clear_400(clients, name):
    for url in ("/", "/feeds/atom/", "/api/events/", "/admin/timeline/event/"):
        response = clients["superuser" if url.startswith("/admin/") else "anonymous"].get(f"{url}?{name}=a%00b")
        assert response.status_code == 400, url
        assert "NUL" in response.content.decode(), url


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["series=99999999999999999999", "id__in=99999999999999999999"])
def test_a_number_too_large_for_the_database_is_a_clear_400(clients, query):
    response = clients["superuser"].get(f"/admin/timeline/event/?{query}")
    if response.status_code == 200:  # PostgreSQL compares a key with any number: nothing found
        assert connection.vendor == "postgresql"
        assert response.context["cl"].result_count == 0
        return
    assert response.status_code == 400
    assert response.content.decode() == "Eine Zahl in dieser Anfrage ist zu groß."


@pytest.mark.django_db
@pytest.mark.parametrize("selected", ["abc", "1\x00", "①", "²", "de"])
def test_an_admin_action_on_a_selection_that_is_no_key_is_a_clear_400(clients, selected):
    for url in ("/admin/timeline/event/", "/admin/auth/user/", "/admin/timeline/topic/"):
        response = clients["superuser"].post(url, {"action": "delete_selected", "_selected_action": [selected]})
        assert response.status_code == 400, url
        assert response.content.decode() == "Die Auswahl enthält einen unbekannten Schlüssel."


@pytest.mark.django_db
def test_a_change_form_with_a_crafted_series_and_a_refused_date_is_shown_again(clients):
    from tests.timeline.test_workflow import CHANGE, change_form_data

    event = Event.objects.public().first()
    client = clients["superuser"]
    data = change_form_data(client.get(CHANGE.format(event.pk)))
    for series, date in (("①", event.date), ("abc", event.date), ("", "0000-36")):
        response = client.post(CHANGE.format(event.pk), {**data, "series": series, "date": date})
        assert response.status_code == 200  # the form again, with what is wrong marked
        assert response.context["adminform"].form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["date_start__year=-1", "date_start__year=0", "date_start__year=2025&date_start__month=13", "date_start__year=²"],
)
def test_a_date_hierarchy_value_that_is_no_date_is_a_clear_400(clients, query):
    response = clients["superuser"].get(f"/admin/timeline/event/?{query}")
    assert response.status_code == 400
    assert response.content.decode() == "Das Datum im Filter dieser Liste gibt es nicht."


@pytest.mark.django_db
def test_a_change_form_claiming_thousands_of_rows_is_refused_not_rendered(clients, django_assert_max_num_queries):
    from tests.timeline.test_workflow import CHANGE, change_form_data

    event = Event.objects.public().first()
    client = clients["superuser"]
    data = change_form_data(client.get(CHANGE.format(event.pk))) | {"participants-TOTAL_FORMS": "2000"}
    response = client.post(CHANGE.format(event.pk), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "höchstens 100" in page  # Django's "Please submit at most 100 forms."
    rows = {int(number) for number in re.findall(r'name="participants-(\d+)-name"', page)}
    assert len(rows) <= 100  # at most the rows allowed, not 2000 empty ones


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "q=%E2%80%8B", "q=%C2%AD", 'q=""', "q=-", "q=---"])
def test_a_search_for_nothing_visible_filters_nothing_on_every_database(clients, query):
    response = clients["anonymous"].get(f"/api/events/?{query}")
    assert response.status_code == 200
    assert len(response.json()["results"]) == Event.objects.public().count()


@pytest.mark.django_db
def test_a_session_cookie_with_nul_is_no_session(clients):
    client = clients["anonymous"]
    client.cookies["sessionid"] = "\x00" * 32
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 302  # to the login page, as without a cookie
