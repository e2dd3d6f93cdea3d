"""The API in German and English: the language asked for, the texts in it (or honestly German),
the English fields editors write, and the rule that keeps an English request from writing German."""

import pytest
from rest_framework.test import APIClient

from timeline.models import Event, Series, Topic

# The two ways of asking for English; no header and no parameter is German.
ENGLISH = [({"Accept-Language": "en"}, ""), ({}, "?lang=en"), ({"Accept-Language": "de"}, "?lang=en")]
GERMAN = [({}, ""), ({"Accept-Language": "de"}, ""), ({"Accept-Language": "en"}, "?lang=de")]
ALL_GERMAN = {"title": "de", "summary": "de", "body": "de", "location": "de", "change_note": "de"}


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
        title="Entwurf eines Treffens", title_en="Draft of a meeting", status=Event.Status.DRAFT, publish_at=None
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


@pytest.mark.parametrize("value", ["en", "EN", "en-GB", "en-us"])
def test_lang_takes_a_language_tag_in_any_case_or_region_for_records_and_errors(translated, value):
    response = APIClient().get(f"/api/events/{translated.slug}/?lang={value}")
    assert (response.status_code, response["Content-Language"]) == (200, "en")
    assert response.json()["title"] == "Reiche meets Kiuchi"
    missing = APIClient().get(f"/api/events/keine-solche/?lang={value}")
    assert (missing.json(), missing["Content-Language"]) == ({"detail": "Not found."}, "en")


def test_an_empty_lang_is_as_if_not_given(translated):
    response = APIClient().get(f"/api/events/{translated.slug}/?lang=", headers={"Accept-Language": "en"})
    assert (response.status_code, response.json()["title"]) == (200, "Reiche meets Kiuchi")
