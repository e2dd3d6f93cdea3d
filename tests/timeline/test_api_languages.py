"""The API in German and English: the language asked for, the texts in it (or honestly German),
the English fields editors write, and the rule that keeps an English request from writing German."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from timeline import revisions
from timeline.models import Event, Revision, Series, Topic

# Ways of asking for English and for German: by header or ?lang=, which wins; neither is German.
ENGLISH = [({"Accept-Language": "en"}, ""), ({}, "?lang=en"), ({"Accept-Language": "de"}, "?lang=en")]
GERMAN = [({}, ""), ({"Accept-Language": "de"}, ""), ({"Accept-Language": "en"}, "?lang=de")]
# None: the event has no such text in any language (no change note, say).
ALL_GERMAN = {"title": "de", "summary": "de", "body": "de", "location": "de", "change_note": None}


@pytest.fixture
def translated(make_event):
    """A public event with an English title, summary and place, but its body in German only."""
    topic = Topic.objects.create(name="Wirtschaftssicherheit", name_en="Economic security")
    series = Series.objects.create(name="Wirtschaftsdialog", description="Jährlich.", description_en="Yearly.")
    return make_event(
        title="Reiche trifft Kiuchi",
        title_en="Reiche meets Kiuchi",
        summary="Gespräch über Lieferketten.",
        summary_en="Talks on supply chains.",
        place="Berlin",
        place_en="Berlin, Germany",
        body="<p>Nur auf Deutsch.</p>",
        topics=[topic],
        series=series,
    )


@pytest.fixture
def german_only(make_event):
    return make_event(title="Folgetreffen in Tokio", summary="Nur Deutsch.", date="2025-07-01")


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.force_authenticate(editor)
    return client


@pytest.fixture
def draft(make_event):
    return make_event(
        title="Entwurf eines Treffens",
        title_en="Draft of a meeting",
        body="<p>Auf Deutsch.</p>",
        status=Event.Status.DRAFT,
        publish_at=None,
    )


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "query"), ENGLISH)
def test_an_event_with_english_text_is_read_in_english_and_says_which_texts_are(translated, headers, query):
    response = APIClient().get(f"/api/events/{translated.slug}/{query}", headers=headers)
    data = response.json()
    assert (data["title"], data["summary"], data["location"]) == (
        "Reiche meets Kiuchi",
        "Talks on supply chains.",
        "Berlin, Germany",
    )
    assert data["body"] == "<p>Nur auf Deutsch.</p>"  # no English body: the German, marked so
    assert data["languages"] == {**ALL_GERMAN, "title": "en", "summary": "en", "location": "en"}
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]
    assert data["url"] == f"https://events.example.org/en/events/{translated.slug}/"


@pytest.mark.parametrize(("headers", "query"), ENGLISH)
def test_an_event_without_english_comes_back_german_and_marked_german(german_only, headers, query):
    data = APIClient().get(f"/api/events/{german_only.slug}/{query}", headers=headers).json()
    assert (data["title"], data["summary"]) == ("Folgetreffen in Tokio", "Nur Deutsch.")
    assert data["languages"] == {**ALL_GERMAN, "body": None}  # it has no body, in no language
    assert data["title_en"] is None


@pytest.mark.parametrize(("headers", "query"), GERMAN)
def test_german_requests_read_the_german_with_the_english_beside_it(translated, headers, query):
    response = APIClient().get(f"/api/events/{translated.slug}/{query}", headers=headers)
    data = response.json()
    assert (data["title"], data["summary"], data["location"]) == (
        "Reiche trifft Kiuchi",
        "Gespräch über Lieferketten.",
        "Berlin",
    )
    assert data["languages"] == ALL_GERMAN
    assert (data["title_en"], data["summary_en"], data["location_en"], data["body_en"]) == (
        "Reiche meets Kiuchi",
        "Talks on supply chains.",
        "Berlin, Germany",
        None,
    )
    assert response["Content-Language"] == "de"
    assert data["url"] == f"https://events.example.org/events/{translated.slug}/"


def test_the_cached_list_never_mixes_the_languages(translated, german_only):
    reader = APIClient()
    answers = [
        reader.get("/api/events/", headers=headers)
        for headers in ({"Accept-Language": "en"}, {}, {"Accept-Language": "en"}, {"Accept-Language": "de"})
    ]
    titles = [[event["title"] for event in answer.json()["results"]] for answer in answers]
    assert titles == [
        ["Folgetreffen in Tokio", "Reiche meets Kiuchi"],
        ["Folgetreffen in Tokio", "Reiche trifft Kiuchi"],
        ["Folgetreffen in Tokio", "Reiche meets Kiuchi"],
        ["Folgetreffen in Tokio", "Reiche trifft Kiuchi"],
    ]
    assert [answer.json()["results"][1]["languages"]["title"] for answer in answers] == ["en", "de", "en", "de"]
    assert [answer["Content-Language"] for answer in answers] == ["en", "de", "en", "de"]
    assert all("Accept-Language" in answer["Vary"] for answer in answers)


def test_topics_and_series_are_named_in_the_language_asked_for(translated):
    reader = APIClient()
    topics = reader.get("/api/topics/?lang=en").json()
    assert topics == [
        {
            "slug": "wirtschaftssicherheit",
            "languages": {"name": "en"},
            "name": "Economic security",
            "name_en": "Economic security",
        }
    ]
    series = reader.get("/api/series/wirtschaftsdialog/", headers={"Accept-Language": "en"}).json()
    assert (series["name"], series["description"]) == ("Wirtschaftsdialog", "Yearly.")
    assert series["languages"] == {"name": "de", "description": "en"}
    german = reader.get("/api/series/wirtschaftsdialog/").json()
    assert (german["name"], german["description"], german["languages"]) == (
        "Wirtschaftsdialog",
        "Jährlich.",
        {"name": "de", "description": "de"},
    )


@pytest.mark.parametrize(
    ("headers", "language", "message"),
    [
        ({}, "de", "„fr“ ist keine Sprache dieses Dienstes; zur Wahl stehen: de, en."),
        ({"Accept-Language": "en"}, "en", "“fr” is not a language of this service; choose one of: de, en."),
    ],
)
def test_an_unknown_lang_is_a_400_in_the_language_of_the_header(db, headers, language, message):
    response = APIClient().get("/api/events/?lang=fr", headers=headers)
    assert response.status_code == 400
    assert response.json() == {"lang": [message]}
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


@pytest.mark.parametrize("value", ["EN", "en-GB", "en-us"])
def test_lang_takes_a_language_tag_in_any_case_or_region_for_records_and_errors(translated, value):
    response = APIClient().get(f"/api/events/{translated.slug}/?lang={value}")
    assert (response.status_code, response["Content-Language"]) == (200, "en")
    assert response.json()["title"] == "Reiche meets Kiuchi"
    missing = APIClient().get(f"/api/events/keine-solche/?lang={value}")
    assert (missing.json(), missing["Content-Language"]) == ({"detail": "Not found."}, "en")


def test_an_empty_lang_is_as_if_not_given(translated):
    response = APIClient().get(f"/api/events/{translated.slug}/?lang=", headers={"Accept-Language": "en"})
    assert (response.status_code, response.json()["title"]) == (200, "Reiche meets Kiuchi")


# --- writing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "query"), ENGLISH)
def test_a_plain_text_in_an_english_write_is_refused_naming_the_field_and_the_way_out(
    editor_api, draft, headers, query
):
    response = editor_api.patch(
        f"/api/events/{draft.slug}/{query}",
        {"title": "Meeting", "location": "Tokyo", "version": draft.version},
        format="json",
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json() == {
        "title": [
            "“title” holds the German source text, which a request in another language does not write: "
            "send the translation as “title_en”, or the German text with “Content-Language: de” or ?lang=de."
        ],
        "location": [
            "“location” holds the German source text, which a request in another language does not write: "
            "send the translation as “location_en”, or the German text with “Content-Language: de” or "
            "?lang=de."
        ],
    }
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.title_en, stored.place_de, stored.version) == (
        "Entwurf eines Treffens",
        "Draft of a meeting",
        "Berlin",
        draft.version,
    )


def test_plain_texts_said_to_be_german_are_written_as_german_and_answered_in_the_readers_language(editor_api, draft):
    german_content = {"Accept-Language": "en", "Content-Language": "de-DE"}
    refused = editor_api.patch(
        f"/api/events/{draft.slug}/",
        {"title": "Treffen in Tokio", "date": "32.13.2025", "version": draft.version},
        format="json",
        headers=german_content,
    )
    assert refused.status_code == 400 and list(refused.json()) == ["date"]  # the title is welcome
    assert refused["Content-Language"] == "en"
    patched = editor_api.patch(
        f"/api/events/{draft.slug}/",
        {"title": "Treffen in Tokio", "version": draft.version},
        format="json",
        headers=german_content,
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Draft of a meeting"  # answered in English, the English kept
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.title_en) == ("Treffen in Tokio", "Draft of a meeting")
    said_english = editor_api.patch(
        f"/api/events/{draft.slug}/?lang=de",
        {"title": "Meeting in Tokyo", "version": stored.version},
        format="json",
        headers={"Content-Language": "en"},
    )
    assert said_english.status_code == 400 and "„title_en“" in said_english.json()["title"][0]  # in German
    assert Event.objects.get(pk=draft.pk).title_de == "Treffen in Tokio"


def test_a_plain_name_in_an_english_write_of_a_topic_or_series_is_refused(editor_api, db):
    for path in ("/api/topics/", "/api/series/"):
        response = editor_api.post(f"{path}?lang=en", {"name": "Hydrogen"}, format="json")
        assert response.status_code == 400
        assert "“name_en”" in response.json()["name"][0]
    assert not Topic.objects.exists() and not Series.objects.exists()


@pytest.mark.parametrize(("headers", "query"), [*ENGLISH, *GERMAN])
def test_english_fields_write_the_english_in_any_request_language_and_leave_the_german(
    editor_api, draft, headers, query
):
    response = editor_api.patch(
        f"/api/events/{draft.slug}/{query}",
        {
            "title_en": "Meeting in Tokyo",
            "summary_en": "  Talks.  ",
            "location_en": "Tokyo",
            "body_en": "<p>In English.</p>",
            "version": draft.version,
        },
        format="json",
        headers=headers,
    )
    assert response.status_code == 200, response.json()
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.title_en, stored.summary_en, stored.place_de, stored.place_en, stored.body_en) == (
        "Entwurf eines Treffens",
        "Meeting in Tokyo",
        "Talks.",
        "Berlin",
        "Tokyo",
        "<p>In English.</p>",
    )
    assert stored.version == draft.version + 1


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_an_empty_english_text_removes_the_english(editor_api, draft, empty):
    response = editor_api.patch(
        f"/api/events/{draft.slug}/?lang=en", {"title_en": empty, "version": draft.version}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["languages"]["title"]) == ("Entwurf eines Treffens", "de")
    assert Event.objects.get(pk=draft.pk).title_en is None


def test_a_german_write_of_plain_texts_writes_the_german_and_keeps_the_english(editor_api, draft):
    response = editor_api.patch(
        f"/api/events/{draft.slug}/", {"title": "Neuer Titel", "version": draft.version}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["title_en"]) == ("Neuer Titel", "Draft of a meeting")
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.title_en) == ("Neuer Titel", "Draft of a meeting")


def test_an_english_put_without_the_german_texts_leaves_them_as_they_are(editor_api, draft):
    record = editor_api.get(f"/api/events/{draft.slug}/?lang=en").json()
    # What an English client may send back: its record without the plain texts.
    sent = {name: value for name, value in record.items() if name not in record["languages"]}
    response = editor_api.put(
        f"/api/events/{draft.slug}/?lang=en", {**sent, "title_en": "Another title"}, format="json"
    )
    assert response.status_code == 200, response.json()
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.place_de, stored.title_en) == ("Entwurf eines Treffens", "Berlin", "Another title")


def test_a_new_event_written_in_english_still_needs_its_german_title(editor_api, db):
    response = editor_api.post(
        "/api/events/?lang=en", {"title_en": "Meeting", "kind": "meeting", "date": "2025"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["title"]
    assert not Event.objects.exists()


def test_an_english_body_is_checked_as_the_german_one(editor_api, draft):
    response = editor_api.patch(
        f"/api/events/{draft.slug}/",
        {"body_en": '<p><a href="javascript:alert(1)">Click</a></p>', "version": draft.version},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["body_en"]
    assert "javascript:alert(1)" in response.json()["body_en"][0]


def test_an_english_name_another_topic_has_is_refused_under_its_own_field(editor_api, translated):
    response = editor_api.post("/api/topics/", {"name": "Sicherheit", "name_en": "Economic security"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name_en": ["Thema mit diesem Wert für das Feld Name (Englisch) existiert bereits."]}


def test_topics_and_series_take_their_english_in_any_request_language(editor_api, db):
    Series.objects.create(name="Energiedialog", description="Jährlich.")
    created = editor_api.post("/api/topics/", {"name": "Wasserstoff", "name_en": "Hydrogen"}, format="json")
    assert created.status_code == 201
    assert editor_api.get("/api/topics/wasserstoff/?lang=en").json()["name"] == "Hydrogen"
    patched = editor_api.patch(
        "/api/series/energiedialog/?lang=en", {"name_en": "Energy dialogue", "description_en": "Yearly."}, format="json"
    )
    assert patched.status_code == 200
    series = Series.objects.get(slug="energiedialog")
    assert (series.name_de, series.name_en, series.description_en) == ("Energiedialog", "Energy dialogue", "Yearly.")


# --- versions and revisions --------------------------------------------------------------------------


def test_an_english_edit_is_a_version_and_a_revision_like_a_german_one(editor_api, draft):
    revisions.record(draft, None, Revision.Action.CREATED)
    stale = draft.version
    first = editor_api.patch(
        f"/api/events/{draft.slug}/?lang=en", {"title_en": "Meeting", "version": stale}, format="json"
    )
    assert first.status_code == 200
    # A second change based on the version the first replaced is refused, as in German.
    second = editor_api.patch(
        f"/api/events/{draft.slug}/?lang=en", {"title_en": "Other", "version": stale}, format="json"
    )
    assert second.status_code == 409
    assert second.json()["version"] == stale + 1
    latest = Revision.objects.filter(event_public_id=draft.public_id).first()
    # Kept with the German as the plain text and the English beside it, whatever the request's language.
    assert (latest.title, latest.data["title"], latest.data["title_en"]) == (
        "Entwurf eines Treffens",
        "Entwurf eines Treffens",
        "Meeting",
    )
    older = Revision.objects.filter(event_public_id=draft.public_id).last()
    with translation.override("de"):
        assert ("Titel (Englisch)", "Draft of a meeting", "Meeting") in revisions.readable_differences(
            older.data, latest.data
        )


def test_restoring_a_revision_brings_back_its_english(editor_api, draft, editor):
    kept = revisions.record(draft, editor, Revision.Action.EDITED)
    editor_api.patch(f"/api/events/{draft.slug}/?lang=en", {"title_en": None, "version": draft.version}, format="json")
    assert Event.objects.get(pk=draft.pk).title_en is None
    with translation.override("en"):  # whichever language the restoring editor reads
        revisions.restore(kept, editor)
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.title_en) == ("Entwurf eines Treffens", "Draft of a meeting")


# --- the description ---------------------------------------------------------------------------------


def test_openapi_schema_documents_the_language_of_every_operation(db):
    schema = APIClient().get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = {(parameter["name"], parameter["in"]): parameter for parameter in operation["parameters"]}
            assert parameters[("lang", "query")]["schema"] == {"type": "string", "enum": ["de", "en"]}, (path, method)
            assert ("Accept-Language", "header") in parameters, (path, method)
            for response in operation["responses"].values():
                assert "Content-Language" in response["headers"], (path, method)
    event = schema["components"]["schemas"]["Event"]["properties"]
    assert event["languages"]["properties"]["title"] == {"type": "string", "enum": ["de", "en"], "nullable": True}
    assert {"title_en", "summary_en", "body_en", "location_en", "change_note_en"} <= set(event)
    assert event["title_en"]["nullable"] is True
    assert {"name_en", "languages"} <= set(schema["components"]["schemas"]["Topic"]["properties"])
    assert {"name_en", "description_en"} <= set(schema["components"]["schemas"]["Series"]["properties"])


# --- a record read in one language and written back -------------------------------------------------


def test_each_language_has_its_own_etag_so_an_english_read_put_back_as_german_fails_its_if_match(editor_api, draft):
    german = editor_api.get(f"/api/events/{draft.slug}/")
    english = editor_api.get(f"/api/events/{draft.slug}/?lang=en")
    assert (german["ETag"], english["ETag"]) == (f'"{draft.version}"', f'"{draft.version}-en"')
    body = {key: value for key, value in english.json().items() if key not in ("languages",)}
    put = editor_api.put(f"/api/events/{draft.slug}/", body, format="json", headers={"If-Match": english["ETag"]})
    assert put.status_code == 412
    assert Event.objects.get(pk=draft.pk).title_de == "Entwurf eines Treffens"
    # The German representation, put back as read, is what it claims to be.
    back = editor_api.put(
        f"/api/events/{draft.slug}/", german.json(), format="json", headers={"If-Match": german["ETag"]}
    )
    assert back.status_code == 200, back.json()


def test_a_representation_read_in_english_and_sent_back_as_german_is_refused_by_its_languages(editor_api, draft):
    english = editor_api.get(f"/api/events/{draft.slug}/?lang=en").json()
    assert english["languages"]["title"] == "en" and english["title"] == "Draft of a meeting"
    put = editor_api.put(f"/api/events/{draft.slug}/", english, format="json")  # the version in the body
    assert put.status_code == 400
    assert list(put.json()) == ["title"]
    assert "„title“ wurde auf „en“ gelesen" in put.json()["title"][0]
    stored = Event.objects.get(pk=draft.pk)
    assert (stored.title_de, stored.title_en, stored.version) == (
        "Entwurf eines Treffens",
        "Draft of a meeting",
        draft.version,
    )


def test_german_texts_need_the_german_etag_even_from_a_client_reading_english(editor_api, draft):
    english = editor_api.get(f"/api/events/{draft.slug}/", headers={"Accept-Language": "en"})
    body = {key: value for key, value in english.json().items() if key != "languages"}
    put = editor_api.put(
        f"/api/events/{draft.slug}/",
        body,
        format="json",
        headers={"Accept-Language": "en", "Content-Language": "de", "If-Match": english["ETag"]},
    )
    assert put.status_code == 412
    assert put.json()["detail"].startswith("The ETag in If-Match is that of the event in another language")
    assert Event.objects.get(pk=draft.pk).title_de == "Entwurf eines Treffens"
    german = editor_api.get(f"/api/events/{draft.slug}/")
    patched = editor_api.patch(
        f"/api/events/{draft.slug}/",
        {"summary": "Neu."},
        format="json",
        headers={"Accept-Language": "en", "Content-Language": "de", "If-Match": german["ETag"]},
    )
    assert patched.status_code == 200 and patched["ETag"] == f'"{draft.version + 1}-en"'
    # The English of a record read in English goes with its English ETag.
    english = editor_api.patch(
        f"/api/events/{draft.slug}/?lang=en",
        {"summary_en": "New."},
        format="json",
        headers={"If-Match": patched["ETag"]},
    )
    assert english.status_code == 200
