"""The editorial admin, driven through the test client as an editor would use it."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests.conftest import as_read
from timeline.models import Event, Series, Topic

ADD_URL = "/admin/timeline/event/add/"
CHANGELIST_URL = "/admin/timeline/event/"


def add_form(**overrides) -> dict:
    """The POST data of the admin's add form, with one participant and one source."""
    data = {
        "title_de": "Bundesministerin Reiche trifft Minister Kiuchi",
        "slug": "",
        "kind": "meeting",
        "date": "26. Juni 2025",
        "place_de": "Berlin",
        "countries": ["DE", "JP"],
        "summary_de": "Austausch über Wirtschaftssicherheit.",
        "body_de": "<p>Text</p><script>alert(1)</script>",
        "topics": [],
        "series": "",
        "status": "draft",
        "publish_at_0": "",
        "publish_at_1": "",
        "change_note_de": "",
        "withdrawal_reason": "",
        "version": "0",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "0",
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
        "participants-0-name": "Minoru Kiuchi (城内実)",
        "participants-0-role": "Minister für Wirtschaftssicherheit",
        "participants-0-organisation": "Regierung von Japan",
        "participants-0-country": "JP",
        "participants-0-position": "0",
        "sources-TOTAL_FORMS": "1",
        "sources-INITIAL_FORMS": "0",
        "sources-MIN_NUM_FORMS": "0",
        "sources-MAX_NUM_FORMS": "1000",
        "sources-0-url": "https://www.bundeswirtschaftsministerium.de/",
        "sources-0-title": "Pressemitteilung",
        "sources-0-publisher": "BMWE",
        "sources-0-position": "0",
    }
    data.update(overrides)
    return data


def test_editor_adds_an_event_with_participant_and_source_through_the_admin(editor_client):
    response = editor_client.post(ADD_URL, add_form())
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""

    event = Event.objects.get()
    assert event.date == "2025-06-26"
    assert event.slug == "bundesministerin-reiche-trifft-minister-kiuchi"
    assert "<script" not in event.body
    assert event.status == Event.Status.DRAFT
    assert [p.name for p in event.participants.all()] == ["Minoru Kiuchi (城内実)"]
    assert [s.url for s in event.sources.all()] == ["https://www.bundeswirtschaftsministerium.de/"]


def test_admin_confirms_how_a_human_date_was_understood(editor_client):
    response = editor_client.post(ADD_URL, add_form(date="Ende 2024"), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any("Ende 2024" in m and "2024-36" in m and "4. Quartal 2024" in m for m in messages), messages


def test_admin_refuses_an_impossible_date_and_keeps_what_was_typed(editor_client):
    response = editor_client.post(ADD_URL, add_form(date="30.02.2024"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "30" in errors["date"][0] and "Februar 2024" in errors["date"][0]
    assert 'value="30.02.2024"' in response.content.decode()
    assert not Event.objects.exists()


def test_admin_refuses_a_javascript_source_link(editor_client):
    response = editor_client.post(ADD_URL, add_form(**{"sources-0-url": "javascript:alert(1)"}))
    assert response.status_code == 200
    assert not Event.objects.exists()
    sources = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "sources")
    assert sources.formset.errors[0]["url"] == ["Geben Sie eine Webadresse an, die mit http:// oder https:// beginnt."]


def test_publisher_publishes_a_draft_with_the_bulk_action_and_the_public_sees_it(publisher_client, make_event, client):
    draft = make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    anonymous = client.__class__()
    assert anonymous.get(draft.get_absolute_url()).status_code == 404

    response = publisher_client.post(CHANGELIST_URL, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == Event.Status.PUBLISHED
    assert draft.first_published_at is not None
    assert anonymous.get(draft.get_absolute_url()).status_code == 200


def test_unpublish_action_hides_the_event_again(publisher_client, make_event, client):
    event = make_event(title="Veröffentlicht")
    publisher_client.post(CHANGELIST_URL, {"action": "unpublish", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT
    assert client.__class__().get(event.get_absolute_url()).status_code == 404


def test_user_outside_the_editor_group_cannot_add_events(client, db):
    outsider = User.objects.create_user("praktikant", password="pw", is_staff=True)
    client.force_login(outsider)
    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, add_form()).status_code == 403
    assert not Event.objects.exists()


def test_editor_group_is_not_superuser_and_cannot_manage_users(editor_client, editor):
    assert not editor.is_superuser
    assert editor_client.get("/admin/auth/user/").status_code == 403


@pytest.fixture
def three_events(make_event):
    dialogue = Series.objects.create(name="Wirtschaftssicherheitsdialog", slug="dialog")
    security = Topic.objects.create(name="Wirtschaftssicherheit", slug="economic-security")
    meeting = make_event(title="Treffen Berlin", date="2025-06-26", countries=["DE", "JP"], topics=[security])
    meeting.participants.create(name="Minoru Kiuchi", role="Minister")
    make_event(
        title="Dialog etabliert",
        date="Ende 2024",
        countries=["JP"],
        series=dialogue,
        status=Event.Status.DRAFT,
        publish_at=None,
        import_ref="ref-7",
    )
    make_event(
        title="Besuch Paris",
        date="2023",
        countries=["FR"],
        kind=Event.Kind.VISIT,
        publish_at=timezone.now() + datetime.timedelta(days=2),
    )
    return {"topic": security.pk, "series": dialogue.pk}


def changelist_titles(client, query: str = "") -> list[str]:
    response = client.get(CHANGELIST_URL + query)
    assert response.status_code == 200
    return sorted(event.title for event in response.context["cl"].result_list)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Besuch Paris", "Dialog etabliert", "Treffen Berlin"]),
        ("?status__exact=draft", ["Dialog etabliert"]),
        ("?kind__exact=visit", ["Besuch Paris"]),
        ("?country=JP", ["Dialog etabliert", "Treffen Berlin"]),
        ("?country=FR", ["Besuch Paris"]),
        ("?year=2024", ["Dialog etabliert"]),
        ("?topics__id__exact={topic}", ["Treffen Berlin"]),
        ("?series__id__exact={series}", ["Dialog etabliert"]),
        ("?q=Kiuchi", ["Treffen Berlin"]),
        ("?q=Paris", ["Besuch Paris"]),
        (
            "?q=%EF%BC%AB%EF%BD%89%EF%BD%95%EF%BD%83%EF%BD%88%EF%BD%89",
            ["Treffen Berlin"],
        ),  # Ｋｉｕｃｈｉ, as the public search
        ("?q=minister", ["Treffen Berlin"]),
        ("?q=besuch-paris", ["Besuch Paris"]),  # an address, pasted
        ("?q=ref-7", ["Dialog etabliert"]),  # an import reference
    ],
)
def test_changelist_filters_and_search(editor_client, three_events, query, titles):
    assert changelist_titles(editor_client, query.format(**three_events)) == titles


def test_changelist_shows_human_dates_and_scheduled_status(editor_client, three_events):
    page = editor_client.get(CHANGELIST_URL).content.decode()
    assert "4. Quartal 2024" in page
    assert "26. Juni 2025" in page
    assert "geplant für" in page


def test_event_change_page_links_to_the_public_page(editor_client, make_event):
    event = make_event(status=Event.Status.DRAFT, publish_at=None)
    page = editor_client.get(f"/admin/timeline/event/{event.pk}/change/").content.decode()
    assert "/admin/r/" in page  # Django's "view on site" redirect
    assert "26. Juni 2025" in page  # the date as the public will read it, beside the field


def test_publisher_adds_and_publishes_in_one_step_and_the_public_sees_it_at_once(publisher_client, client):
    response = publisher_client.post(ADD_URL, add_form(status="published"))
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.is_public()
    page = as_read(client.__class__().get("/").content)
    assert "Bundesministerin Reiche trifft Minister Kiuchi" in page


def test_date_preview_tells_the_editor_how_a_date_will_read(editor_client, client, db):
    response = editor_client.get("/admin/timeline/event/date-preview/", {"value": "Ende 2024"})
    assert response.json() == {"ok": True, "edtf": "2024-36", "display": {"de": "4. Quartal 2024", "en": "Q4 2024"}}
    refused = editor_client.get("/admin/timeline/event/date-preview/", {"value": "30.02.2024"}).json()
    assert refused["ok"] is False and "30" in refused["error"]
    assert client.__class__().get("/admin/timeline/event/date-preview/", {"value": "2024"}).status_code == 302
    page = editor_client.get(ADD_URL).content.decode()
    assert "timeline/admin-date-preview.js" in page


def test_admin_refuses_a_protocol_relative_source_link_as_the_api_does(editor_client):
    response = editor_client.post(ADD_URL, add_form(**{"sources-0-url": "//example.net/x"}))
    assert response.status_code == 200
    assert "Geben Sie eine Webadresse an, die mit http:// oder https:// beginnt." in response.content.decode()
    assert not Event.objects.exists()


def test_admin_refuses_a_country_given_twice_as_the_api_does(editor_client):
    response = editor_client.post(ADD_URL, add_form(countries=["DE", "DE", "JP"]))
    assert response.status_code == 200
    assert "Jedes Land bitte nur einmal: Deutschland doppelt angegeben." in response.content.decode()
    assert not Event.objects.exists()


def test_admin_caps_topics_per_event_as_the_api_does(editor_client):
    topics = [Topic.objects.create(name=f"Thema {n}", slug=f"thema-{n}").pk for n in range(21)]
    response = editor_client.post(ADD_URL, add_form(topics=topics))
    assert response.status_code == 200
    assert "Wählen Sie höchstens 20 Themen." in response.content.decode()
    assert not Event.objects.exists()


def test_saving_in_the_admin_keeps_the_order_countries_were_given_in(editor_client, make_event):
    from tests.timeline.test_workflow import CHANGE, change_form_data

    event = make_event(countries=["JP", "DE"], status=Event.Status.DRAFT, publish_at=None)
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    data["countries"] = ["DE", "FR", "JP"]  # as the alphabetical chooser sends them, France added
    assert editor_client.post(CHANGE.format(event.pk), data).status_code == 302
    event.refresh_from_db()
    assert [country.code for country in event.countries] == ["JP", "DE", "FR"]
