"""The REST API over the test client: representation, permissions, validation, limits, schema."""

import datetime
import io
import json
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from timeline.models import Event, Series, Topic

SEED_ID = "5d0c2d57-3c1e-4a8e-9b8f-2a6f1f0b6a01"
FIELDS = {
    "id", "slug", "url", "title", "kind", "date", "date_entered", "date_display", "date_start", "date_end", "location",
    "countries", "participants", "topics", "series", "summary", "body", "sources", "status", "publish_at",
    "first_published_at", "updated_at", "change_note", "withdrawn_at", "withdrawal_reason", "version",
    "languages", "title_en", "summary_en", "body_en", "location_en", "change_note_en",
}  # fmt: skip


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


@pytest.fixture
def api():
    return APIClient()


def as_user(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def users(db, editor, publisher):
    return {
        "anonymous": None,
        "reader": User.objects.create_user("leserin", password="pw"),
        "editor": editor,
        "publisher": publisher,
        "superuser": User.objects.create_superuser("chefin", password="pw"),
    }


def new_event(**overrides) -> dict:
    return {
        "title": "Staatssekretär Groß empfängt Delegation aus Osaka",
        "kind": "meeting",
        "date": "Ende 2024",
        "location": "Berlin",
        "countries": ["de", "JP"],
        "participants": [
            {"name": "Haruka Satō (佐藤遥)", "role": "Generaldirektorin", "organisation": "JETRO", "country": "JP"}
        ],
        "topics": ["economic-security"],
        "series": None,
        "summary": "Gespräch über Lieferketten.",
        "body": '<p>Text</p><script>alert(1)</script><a href="www.example.org">x</a>',
        "sources": [{"url": "https://www.example.org/presse/1", "title": "Pressemitteilung", "publisher": "BMWE"}],
        "status": "draft",
        **overrides,
    }


def test_event_representation(api, seed):
    response = api.get(f"/api/events/{SEED_ID}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == FIELDS  # no internal fields for the public
    assert data["id"] == SEED_ID
    assert data["url"] == "https://events.example.org/events/reiche-trifft-kiuchi-berlin-2025/"
    assert (data["date"], data["date_display"], data["date_start"], data["date_end"]) == (
        "2025-06-26",
        "26. Juni 2025",
        "2025-06-26",
        "2025-06-26",
    )
    assert data["location"] == "Berlin"
    assert data["countries"] == ["DE", "JP"]
    assert data["participants"][1] == {
        "name": "Minoru Kiuchi",
        "original_name": "城内実",
        "original_language": "ja",
        "role": "Minister für Wirtschaftssicherheit",
        "organisation": "Regierung von Japan",
        "country": "JP",
    }
    assert data["topics"] == ["critical-raw-materials", "economic-security"]
    assert data["series"] == "german-japanese-economic-security-dialogue"
    assert data["sources"][0]["url"] == "https://www.bundeswirtschaftsministerium.de/"
    assert data["status"] == "published"


def test_event_is_found_by_slug_and_date_display_follows_the_language(api, seed):
    data = api.get("/api/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/").json()
    assert (data["date"], data["date_display"]) == ("2024-36", "4. Quartal 2024")
    english = api.get(
        "/api/events/deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert/", headers={"accept-language": "en"}
    )
    assert english.json()["date_display"] == "Q4 2024"


def test_list_is_paged_in_timeline_order_with_bounded_page_size(api, db):
    call_command("generate_events", "230", "--seed", "5", stdout=io.StringIO())
    expected = [str(uuid) for uuid in Event.objects.public().newest_first().values_list("public_id", flat=True)]
    seen, url = [], "/api/events/?page_size=1000"
    while url:
        page = api.get(url).json()
        assert len(page["results"]) <= 200
        seen.extend(event["id"] for event in page["results"])
        url = page["next"]
    assert seen == expected


def test_cursor_pages_walk_back_as_they_walk_forward(api, make_event):
    numbers = {make_event(title=f"Termin {n}", date="2025-03-10").pk: n for n in range(1, 6)}

    def walk(url, link):
        pages = []
        while url:
            page = api.get(url).json()
            pages.append([numbers[Event.objects.get(public_id=e["id"]).pk] for e in page["results"]])
            url = page[link]
        return pages

    forward = walk("/api/events/?page_size=2", "next")
    assert forward == [[5, 4], [3, 2], [1]]
    last = api.get("/api/events/?page_size=2").json()["next"]
    last = api.get(last).json()["next"]
    assert walk(api.get(last).json()["previous"], "previous") == [[3, 2], [5, 4]]


@pytest.mark.parametrize(
    "cursor",
    [
        "cD0x",  # DRF's own format, "p=1": a position that is no date
        "YTo=",  # "a:" with no position
        "YToyMDI1LTAxLTAxLngueQ==",  # "a:2025-01-01.x.y"
        "YToyMDI1LTAxLTAxLjIwMjUtMDEtMDEuOTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # an id beyond any key
        "Yjo5OTk5OS0wMS0wMQ==",  # "b:99999-01-01"
        "%FF%FE",
        "not base64!",
        "x" * 5000,
    ],
)
def test_a_forged_cursor_is_refused_as_invalid(api, make_event, cursor):
    make_event()
    response = api.get(f"/api/events/?cursor={cursor}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ungültiger Zeiger"}


# --- permissions -------------------------------------------------------------------------------

MATRIX = [
    # (user, action, on, expected status)
    ("anonymous", "list", "public", 200),
    ("anonymous", "retrieve", "public", 200),
    ("anonymous", "retrieve", "draft", 404),
    ("anonymous", "create", None, 401),
    ("anonymous", "update", "public", 401),
    ("anonymous", "patch", "draft", 401),
    ("anonymous", "delete", "public", 401),
    ("reader", "list", "public", 200),
    ("reader", "retrieve", "draft", 404),
    ("reader", "create", None, 403),
    ("reader", "update", "public", 403),
    ("reader", "delete", "public", 403),
    ("editor", "retrieve", "draft", 200),
    ("editor", "create", None, 201),
    ("editor", "update", "draft", 200),
    ("editor", "update", "public", 403),  # published events are the publisher's
    ("editor", "patch", "draft", 200),
    ("editor", "delete", "public", 403),  # nobody but a superuser deletes: withdraw instead
    ("editor", "delete", "draft", 403),
    ("publisher", "create", None, 201),
    ("publisher", "update", "public", 200),
    ("publisher", "patch", "draft", 200),
    ("publisher", "delete", "draft", 403),
    ("superuser", "retrieve", "draft", 200),
    ("superuser", "create", None, 201),
    ("superuser", "update", "draft", 200),
    ("superuser", "delete", "draft", 204),
    ("superuser", "delete", "public", 204),
]


@pytest.mark.parametrize(("who", "action", "on", "expected"), MATRIX)
def test_permission_matrix(users, make_event, who, action, on, expected):
    Topic.objects.create(name="Wirtschaftssicherheit", slug="economic-security")
    public = make_event(title="Öffentlich")
    draft = make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    target = {"public": public, "draft": draft}.get(on)
    client = as_user(users[who])
    url = f"/api/events/{target.public_id}/" if target else "/api/events/"
    response = {
        "list": lambda: client.get(url),
        "retrieve": lambda: client.get(url),
        "create": lambda: client.post(url, new_event(), format="json"),
        "update": lambda: client.put(url, new_event(title="Neu", version=target.version), format="json"),
        "patch": lambda: client.patch(url, {"title": "Geändert", "version": target.version}, format="json"),
        "delete": lambda: client.delete(url),
    }[action]()
    assert response.status_code == expected, response.content[:300]
    if action == "delete" and expected == 204:
        assert not Event.objects.filter(pk=target.pk).exists()
    if expected in (401, 403, 404) and target:
        target.refresh_from_db()
        assert target.title in ("Öffentlich", "Entwurf")


@pytest.mark.parametrize(
    ("who", "status", "expected"),
    [("anonymous", "draft", 401), ("reader", "draft", 403), ("editor", "draft", 200), ("editor", "bogus", 400)],
)
def test_only_editors_list_drafts(users, make_event, who, status, expected):
    make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    make_event(title="Öffentlich")
    response = as_user(users[who]).get(f"/api/events/?status={status}")
    assert response.status_code == expected
    if expected == 200:
        assert [event["title"] for event in response.json()["results"]] == ["Entwurf"]


def test_scheduled_events_are_listed_for_editors_and_hidden_from_the_public(users, make_event):
    make_event(title="Geplant", publish_at=timezone.now() + datetime.timedelta(days=1))
    assert as_user(None).get("/api/events/").json()["results"] == []
    scheduled = as_user(users["editor"]).get("/api/events/?status=scheduled").json()["results"]
    assert [event["title"] for event in scheduled] == ["Geplant"]


def test_editor_writes_with_a_token_made_by_drf_create_token(editor, seed):
    out = io.StringIO()
    call_command("drf_create_token", editor.username, stdout=out)
    token = re.search(r"[0-9a-f]{40}", out.getvalue()).group(0)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post("/api/events/", new_event(), format="json")
    assert response.status_code == 201, response.json()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.post("/api/events/", new_event(), format="json").status_code == 401


def test_session_writes_need_the_csrf_token(editor, seed):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)  # a session as the admin's login leaves it
    assert client.post("/api/events/", new_event(), format="json").status_code == 403
    client.get("/admin/")  # sets the CSRF cookie, as a page of the site would
    token = client.cookies["csrftoken"].value
    response = client.post("/api/events/", new_event(), format="json", headers={"x-csrftoken": token})
    assert response.status_code == 201


# --- writing and one validation ------------------------------------------------------------------


def test_created_event_is_normalised_and_sanitised_like_in_the_admin(users, seed):
    response = as_user(users["editor"]).post("/api/events/", new_event(), format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["date"], data["date_display"]) == ("2024-36", "4. Quartal 2024")
    assert data["countries"] == ["DE", "JP"]
    assert "<script" not in data["body"]
    assert 'href="https://www.example.org"' in data["body"]  # a host name is a web address, as in the admin
    assert data["slug"] == "staatssekretaer-gross-empfaengt-delegation-aus-osaka"
    assert data["participants"][0]["name"] == "Haruka Satō (佐藤遥)"
    assert data["status"] == "draft"
    assert as_user(None).get(f"/api/events/{data['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": "2024-02-30"}, "date", "hat keinen 30. Tag"),
        ({"date": "03/04/2025"}, "date", "mehrdeutig"),
        ({"title": "\u200b \u200b"}, "title", "darf nicht leer sein"),
        ({"title": "x" * 301}, "title", "300"),
        ({"topics": ["raumfahrt"]}, "topics", "raumfahrt"),
        ({"series": "gibt-es-nicht"}, "series", "gibt-es-nicht"),
        ({"countries": ["XX"]}, "countries", "XX"),
        ({"kind": "party"}, "kind", "party"),
        ({"sources": [{"url": "javascript:alert(1)", "title": "x"}]}, "sources", "http://"),
        ({"participants": [{"name": ""}]}, "participants", "leer"),
    ],
)
def test_invalid_record_gets_a_400_naming_the_field_in_the_request_language(users, seed, changes, field, message):
    client = as_user(users["editor"])
    response = client.post("/api/events/", new_event(**changes), format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body, body
    assert message in json.dumps(body[field], ensure_ascii=False), body
    assert not Event.objects.filter(title=new_event(**changes)["title"]).exists()


def test_validation_messages_are_english_when_asked(users, seed):
    client = as_user(users["editor"])
    draft = client.post("/api/events/", new_event(), format="json").json()
    for headers, query in (({"accept-language": "en"}, ""), ({}, "?lang=en")):
        response = client.patch(
            f"/api/events/{draft['id']}/{query}", {"date": "2024-02-30", "version": draft["version"]}, headers=headers
        )
        assert response.json()["date"] == ["February 2024 has no day 30; it has 29 days."]


def test_the_admin_and_the_api_give_the_same_message(users, seed, editor_client):
    admin = editor_client.post("/admin/timeline/event/add/", {"title": "x", "kind": "meeting", "date": "26.06.25"})
    api = as_user(users["editor"]).post("/api/events/", new_event(date="26.06.25"), format="json")
    assert api.json()["date"] == list(admin.context["adminform"].form.errors["date"])


def test_put_replaces_nested_rows_and_patch_keeps_them_unless_given(users, seed):
    client = as_user(users["editor"])
    created = client.post("/api/events/", new_event(), format="json").json()
    url = f"/api/events/{created['id']}/"
    client.patch(url, {"summary": "Neu."}, format="json", headers={"if-match": "*"})
    assert len(client.get(url).json()["participants"]) == 1
    client.patch(url, {"participants": [{"name": "A"}, {"name": "B"}]}, format="json", headers={"if-match": "*"})
    assert [p["name"] for p in client.get(url).json()["participants"]] == ["A", "B"]
    client.put(url, new_event(participants=[], sources=[]), format="json", headers={"if-match": "*"})
    data = client.get(url).json()
    assert data["participants"] == [] and data["sources"] == []


def test_an_events_id_cannot_change(users, seed):
    client = as_user(users["editor"])
    response = client.patch(
        f"/api/events/{SEED_ID}/",
        {"id": "00000000-0000-0000-0000-000000000001"},
        format="json",
        headers={"if-match": "*"},
    )
    assert response.status_code == 400 and "id" in response.json()
    assert client.get(f"/api/events/{SEED_ID}/").status_code == 200


MALFORMED = [
    b"{",
    b"[]",
    b'"text"',
    b"null",
    b'{"title": 5, "date": ["2024"], "kind": {}}',
    b'{"title": "x", "date": "2024", "countries": "DE"}',
    b'{"title": "x", "date": "2024", "participants": [[[[["tief"]]]]]}',
    b'{"title": "x", "date": "2024", "participants": "nein"}',
    b'{"title": "x", "date": "2024", "topics": [{"slug": "x"}]}',
    b'{"title": "x", "date": "2024", "publish_at": "gestern"}',
    b'{"title": "x", "date": "2024", "sources": [{"url": null}]}',
    b'{"title": "' + b"\xff\xfe\xfa" + b'", "date": "2024"}',  # not UTF-8
    b'{"title": "x", "date": "2024", "id": "kein-uuid"}',
    b'{"title": "x", "date": "2024", "body": "' + b"a" * 200_000 + b'"}',
    b'{"title": "x", "date": "' + b"9" * 10_000 + b'"}',
    b'{"a":' * 5000 + b"1" + b"}" * 5000,  # deep nesting
    b'{"title": "x\\u0000y", "date": "2024"}',
]


@pytest.mark.parametrize("body", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_input_never_causes_a_500(users, seed, body):
    response = as_user(users["editor"]).generic("POST", "/api/events/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]


# --- the same selection everywhere ---------------------------------------------------------------


# Page, API and every format: tests/test_same_selection.py.


def test_invalid_filter_is_a_400_in_the_api_too(api, seed):
    response = api.get("/api/events/?country=XX&from=2024-02-30")
    assert response.status_code == 400
    assert set(response.json()) == {"country", "from"}


# --- topics and series -----------------------------------------------------------------------------


def test_topics_and_series_public_events_use_are_public_and_editors_can_add_them(users, seed):
    assert {
        "slug": "economic-security",
        "languages": {"name": "de"},
        "name": "Wirtschaftssicherheit",
        "name_en": "Economic security",
    } in as_user(None).get("/api/topics/").json()
    editor = as_user(users["editor"])
    created = editor.post("/api/topics/", {"name": "Wasserstoff"}, format="json")
    assert created.status_code == 201 and created.json()["slug"] == "wasserstoff"
    assert editor.post("/api/topics/", {"name": "Wasserstoff"}, format="json").status_code == 400
    assert as_user(None).post("/api/series/", {"name": "Neu"}, format="json").status_code == 401
    assert editor.post("/api/series/", {"name": "Energiedialog"}, format="json").status_code == 201
    # Until a public event uses it, a new series is the editors' alone.
    assert editor.get("/api/series/energiedialog/").json()["name"] == "Energiedialog"
    assert as_user(None).get("/api/series/energiedialog/").status_code == 404


def test_deleting_a_series_that_still_has_events_is_refused(users, seed):
    response = as_user(users["superuser"]).delete("/api/series/german-japanese-economic-security-dialogue/")
    assert response.status_code == 409
    assert Series.objects.filter(slug="german-japanese-economic-security-dialogue").exists()
    assert as_user(users["editor"]).delete("/api/series/german-japanese-economic-security-dialogue/").status_code == 403


# --- limits --------------------------------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_retry_after(api, seed, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [api.get("/api/events/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/events/")
    assert int(response["Retry-After"]) > 0


def test_wrong_tokens_count_against_the_anonymous_limit_so_they_cannot_be_guessed_at_full_speed(api, seed, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    statuses = [api.get("/api/events/").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    guess = api.post("/api/events/", new_event(), format="json", HTTP_AUTHORIZATION="Token " + "1" * 40)
    assert guess.status_code == 429 and int(guess["Retry-After"]) > 0
    # The same count as reading without a token: the address has used up its requests.
    api.credentials()
    assert api.get("/api/events/").status_code == 429


def test_cors_allows_reading_from_other_sites_without_credentials(api, seed):
    response = api.get("/api/events/", headers={"origin": "https://research.example.edu"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    preflight = api.options(
        "/api/events/", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")


def test_openapi_schema_describes_filters_and_errors(api, db):
    response = api.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    listing = schema["paths"]["/api/events/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"country", "topic", "kind", "series", "from", "to", "q", "status", "cursor", "page_size"} <= names
    assert {"200", "400", "429"} <= set(listing["responses"])
    create = schema["paths"]["/api/events/"]["post"]
    assert {"201", "400", "401", "403"} <= set(create["responses"])


def test_openapi_schema_types_repeatable_filters_as_arrays_of_strings(api, db):
    listing = api.get("/api/schema/?format=json").json()["paths"]["/api/events/"]["get"]
    schemas = {parameter["name"]: parameter["schema"] for parameter in listing["parameters"]}
    # A generated client must send ?topic=a&topic=b, not a list of lists.
    assert schemas["topic"] == {"type": "array", "items": {"type": "string"}}
    assert schemas["country"] == {"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"}}


def test_interactive_docs_are_served_without_any_cdn(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    for host in ("cdn.", "jsdelivr", "unpkg", "cdnjs"):
        assert host not in page
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert asset.startswith("/"), asset


@pytest.mark.parametrize("method", ["options", "post", "put", "delete"])
def test_the_docs_page_answers_other_methods_with_405_not_an_error(client, db, method):
    response = getattr(client, method)("/api/docs/")
    assert response.status_code == 405
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_a_name_equal_after_cleaning_is_a_duplicate_not_a_500(users, seed):
    # Found by the schemathesis run: invisible characters made the uniqueness check pass,
    # then saving (which cleans them) hit the database constraint.
    response = as_user(users["editor"]).post("/api/topics/", {"name": "Wirtschafts\u200bsicherheit\x14"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_posting_a_corpus_of_real_and_hostile_records(users, seed, client):
    """201 for every valid record, a 400 naming the problem for every invalid one, never a 500;
    afterwards the timeline, the feed and the API agree on what is public."""
    editor = as_user(users["publisher"])
    valid = [
        new_event(title="Treffen mit dem japanischen Botschafter", date="2025-07-03", status="published"),
        new_event(
            title="Videokonferenz zur Rohstoffsicherung", date="Q3 2025", location="Videokonferenz", status="published"
        ),
        new_event(title="城内実大臣との会談", date="26.–27. Juni 2025", status="published"),
        new_event(
            title="Erklärung \u202eRTL\u202c mit Steuerzeichen\x07",
            summary="Zeile\r\n\r\n\r\n\r\nZeile",
            status="published",
        ),
        new_event(title="Noch geheim", status="draft"),
        new_event(title="Später", status="published", publish_at="2099-01-01T10:00:00+01:00"),
        new_event(title="<script>alert(1)</script> im Titel", body="<img src=x onerror=alert(1)>", status="published"),
    ]
    invalid = [
        new_event(date="morgen"),
        new_event(date="2025-06-27/2025-06-26"),
        new_event(title=""),
        new_event(countries=["ZZ"]),
        new_event(sources=[{"url": "file:///etc/passwd", "title": "x"}]),
        new_event(topics=["gibt-es-nicht"]),
        new_event(publish_at="nächste Woche"),
        new_event(status="veröffentlicht"),
        new_event(participants=[{"name": "x" * 201}]),
    ]
    for record in valid:
        response = editor.post("/api/events/", record, format="json")
        assert response.status_code == 201, (record["title"], response.json())
    for record in invalid:
        response = editor.post("/api/events/", record, format="json")
        assert response.status_code == 400, record
        assert response.json()  # names the field and says what is wrong

    public = {str(uuid) for uuid in Event.objects.public().values_list("public_id", flat=True)}
    assert len(public) == 3 + 5  # the seed, and the valid records but the draft and the scheduled one
    from_api = {event["id"] for event in as_user(None).get("/api/events/").json()["results"]}
    feed = client.get("/feeds/atom/").content.decode()
    from_feed = set(re.findall(r"<id>tag:[^<]*:event:([0-9a-f-]+)</id>", feed))
    page = client.get("/").content.decode()
    slugs = set(re.findall(r'<h4 class="event-title"[^>]*><a href="/events/([^/]+)/"', page))
    from_page = {str(uuid) for uuid in Event.objects.filter(slug__in=slugs).values_list("public_id", flat=True)}
    assert from_api == from_feed == from_page == public
    assert "<script>alert(1)</script>" not in page


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plans checked here are SQLite's")
def test_sqlite_reads_api_pages_and_counts_from_indexes(make_event):
    from timeline.api import TimelinePagination

    make_event()
    ordering = TimelinePagination.ordering
    first = Event.objects.public().order_by(*ordering)[:51].explain()
    deep = Event.objects.public().filter(date_start__lt="2000-01-01").order_by(*ordering)[:51].explain()
    count = Event.objects.public().values("pk").explain()
    for plan in (first, deep):
        assert "event_timeline_idx" in plan and "TEMP B-TREE" not in plan, plan
    assert "USING COVERING INDEX" in count, count  # the count reads the index, not the table


# --- input means what the editor meant, or is refused the same way everywhere ------------------

# The admin's message (Django's own), in German.
NOT_IN_BERLIN = "%s konnte mit der Zeitzone Europe/Berlin nicht eindeutig interpretiert werden"


@pytest.mark.parametrize(
    ("publish_at", "why"),
    [("2027-03-28T02:30:00", "skipped when clocks go forward"), ("2027-10-31T02:30:00", "passed twice")],
)
def test_a_local_time_that_does_not_exist_or_is_ambiguous_is_refused(users, seed, publish_at, why):
    client = as_user(users["publisher"])
    response = client.post("/api/events/", new_event(status="published", publish_at=publish_at), format="json")
    assert response.status_code == 400, why
    message = response.json()["publish_at"][0]
    assert message.startswith(NOT_IN_BERLIN % publish_at.replace("T", " ")), message
    assert not Event.objects.filter(title=new_event()["title"]).exists()


def test_a_time_with_an_offset_is_taken_as_given(users, seed):
    client = as_user(users["publisher"])
    response = client.post("/api/events/", new_event(publish_at="2027-03-28T02:30:00+01:00"), format="json")
    assert response.status_code == 201
    stored = Event.objects.get(public_id=response.json()["id"]).publish_at
    assert stored == datetime.datetime(2027, 3, 28, 1, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("field", "value"), [("date_precision", "year"), ("created_at", "2020-01-01T00:00:00Z"), ("titel", "Tippfehler")]
)
def test_an_unknown_field_is_refused_by_name(users, seed, field, value):
    client = as_user(users["editor"])
    response = client.post("/api/events/", new_event(**{field: value}), format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["Unbekanntes Feld."]}


def test_an_unknown_field_of_a_participant_is_refused_by_name(users, seed):
    client = as_user(users["editor"])
    response = client.post(
        "/api/events/", new_event(participants=[{"name": "A", "rolle": "Ministerin"}]), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"participants": {"0": {"rolle": ["Unbekanntes Feld."]}}}


def test_a_representation_read_can_be_written_back(users, seed):
    client = as_user(users["publisher"])
    url = f"/api/events/{SEED_ID}/"
    read = client.get(url).json()
    assert client.put(url, {**read, "summary": "Neu."}, format="json").status_code == 200


def test_a_client_cannot_choose_a_new_events_id(users, seed):
    client = as_user(users["editor"])
    response = client.post("/api/events/", new_event(id="00000000-0000-0000-0000-000000000002"), format="json")
    assert response.status_code == 400 and "id" in response.json()
    assert not Event.objects.filter(public_id="00000000-0000-0000-0000-000000000002").exists()


def test_topics_per_event_are_capped(users, seed):
    for number in range(25):
        Topic.objects.create(name=f"Thema {number}", slug=f"thema-{number}")
    client = as_user(users["editor"])
    response = client.post("/api/events/", new_event(topics=[f"thema-{n}" for n in range(21)]), format="json")
    assert response.status_code == 400
    assert response.json() == {"topics": ["Wählen Sie höchstens 20 Themen."]}
    assert (
        client.post("/api/events/", new_event(topics=[f"thema-{n}" for n in range(20)]), format="json").status_code
        == 201
    )


def test_countries_keep_the_order_they_were_given_in(users, seed):
    client = as_user(users["editor"])
    created = client.post("/api/events/", new_event(countries=["JP", "de", "FR"]), format="json").json()
    assert created["countries"] == ["JP", "DE", "FR"]
    assert client.get(f"/api/events/{created['id']}/").json()["countries"] == ["JP", "DE", "FR"]


def test_a_country_given_twice_is_refused(users, seed):
    client = as_user(users["editor"])
    response = client.post("/api/events/", new_event(countries=["de", "DE"]), format="json")
    assert response.status_code == 400
    assert response.json() == {"countries": ["Jedes Land bitte nur einmal: Deutschland doppelt angegeben."]}


def test_a_protocol_relative_source_link_is_refused(users, seed):
    client = as_user(users["editor"])
    response = client.post(
        "/api/events/", new_event(sources=[{"url": "//example.net/x", "title": "Quelle"}]), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "sources": [{"url": ["Geben Sie eine Webadresse an, die mit http:// oder https:// beginnt."]}]
    }


@pytest.mark.parametrize("field", ["topics", "series"])
def test_a_nul_or_overlong_slug_names_nothing_on_every_database(users, seed, field):
    client = as_user(users["editor"])
    for slug in ("a\x00b", "x" * 300):
        value = [slug] if field == "topics" else slug
        response = client.post("/api/events/", new_event(**{field: value}), format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()


def test_a_topic_given_twice_is_refused(users, seed):
    client = as_user(users["editor"])
    response = client.post("/api/events/", new_event(topics=["economic-security"] * 2), format="json")
    assert response.status_code == 400
    assert response.json() == {"topics": ["Jedes Thema bitte nur einmal."]}


@pytest.mark.parametrize("body", ['{"title": "\\ud800"}', '{"\\udfff": 1}', '{"participants": [{"name": "a\\ud83d"}]}'])
def test_an_unpaired_surrogate_in_json_is_a_clear_400(users, seed, body):
    client = as_user(users["editor"])
    response = client.generic("POST", "/api/events/", body, content_type="application/json")
    assert response.status_code == 400
    assert "urrogat" in response.json()["detail"]  # surrogate, Surrogat
    paired = client.post("/api/events/", new_event(title="Treffen 😀"), format="json")  # a pair is a character
    assert paired.status_code == 201


@pytest.mark.parametrize(
    "publish_at", ["0001-01-01T00:30:00+01:00", "1899-12-31T23:00:00Z", "9999-12-31T23:59:00-01:00"]
)
def test_a_publication_time_no_database_can_hold_is_refused(users, seed, publish_at):
    client = as_user(users["publisher"])
    response = client.post("/api/events/", new_event(publish_at=publish_at), format="json")
    assert response.status_code == 400
    assert "publish_at" in response.json()


@pytest.mark.parametrize(("language", "detail"), [("de", "Nicht gefunden."), ("en", "Not found.")])
def test_an_address_under_api_that_nothing_answers_is_a_json_404_in_the_readers_language(client, db, language, detail):
    response = client.get("/api/nope/", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert response.json() == {"detail": detail}


def test_a_period_whose_start_is_after_its_end_is_refused_under_the_parameter_to(client, db):
    response = client.get("/api/events/?from=2025&to=2024")
    assert response.status_code == 400
    assert list(response.json()) == ["to"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_openapi_schema_documents_the_if_match_precondition_of_changes(api, db, method):
    paths = api.get("/api/schema/?format=json").json()["paths"]
    operation = paths["/api/events/{key}/"][method]
    headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
    assert "If-Match" in headers
    assert {"412"} <= set(operation["responses"])


@pytest.mark.parametrize(
    ("language", "name", "description"),
    [("de", "Termine", "Termine. Einen findet man"), ("en", "Events", "Events. Look one up")],
)
def test_options_names_and_describes_the_list_in_the_readers_language(client, db, language, name, description):
    answer = client.options("/api/events/", headers={"Accept-Language": language}).json()
    assert answer["name"] == name
    assert answer["description"].startswith(description)


def test_a_body_that_cleaning_would_grow_past_the_limit_is_refused_and_a_stored_one_saves_again(editor):
    client = as_user(editor)
    fields = {"title": "F&E-Kooperation", "kind": "meeting", "date": "2025-04-01", "status": "draft"}
    # 96,007 characters as sent; "&" is stored as "&amp;", which would make 192,007.
    grown = client.post("/api/events/", {**fields, "body": "<p>" + "F&E " * 24000 + "</p>"}, format="json")
    assert grown.status_code == 400
    assert "192007" in grown.json()["body"][0].replace(".", "").replace(",", "")
    assert not Event.objects.filter(title="F&E-Kooperation").exists()
    kept = client.post("/api/events/", {**fields, "body": "<p>" + "F&E " * 9000 + "</p>"}, format="json")
    assert kept.status_code == 201
    again = client.patch(
        f"/api/events/{kept.json()['slug']}/", {"summary": "kurz"}, format="json", headers={"If-Match": "*"}
    )
    assert again.status_code == 200, again.json()
