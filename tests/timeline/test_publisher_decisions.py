"""What the public sees is the publisher's decision, on every path: topics and series that public
events use, their addresses once public, and when and why an event is public."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from timeline.admin import EventAdmin
from timeline.models import Event, Topic
from timeline.roles import publisher_only_fields

TOPIC = "/api/topics/critical-raw-materials/"
SERIES = "/api/series/german-japanese-economic-security-dialogue/"


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def entry_ids(feed: bytes) -> list[str]:
    """The ids of an Atom feed's entries, newest first."""
    return re.findall(r"<entry>.*?<id>([^<]+)</id>", feed.decode(), re.DOTALL)


def test_an_editor_cannot_rename_a_topic_or_series_that_public_events_use(seed, editor, publisher, client):
    response = api_as(editor).patch(TOPIC, {"name": "Seltene Erden"}, format="json")
    assert response.status_code == 403
    assert "nur die Herausgabe" in response.json()["detail"]
    english = api_as(editor).patch(TOPIC + "?lang=en", {"name_en": "Rare earths"}, format="json")
    assert english.status_code == 403 and "only a publisher may change it" in english.json()["detail"]
    assert api_as(editor).patch(SERIES, {"description": "Neu."}, format="json").status_code == 403
    page = client.get("/?topic=critical-raw-materials").content.decode()
    assert "Kritische Rohstoffe" in page and "Seltene Erden" not in page

    # A topic no public event uses is still the editors'; a public one the publisher's.
    assert api_as(editor).post("/api/topics/", {"name": "Wasserstoff"}, format="json").status_code == 201
    assert api_as(editor).patch("/api/topics/wasserstoff/", {"name_en": "Hydrogen"}, format="json").status_code == 200
    assert api_as(publisher).patch(TOPIC, {"name": "Seltene Erden"}, format="json").status_code == 200


def test_the_admin_shows_a_public_topic_read_only_to_editors_and_says_why(seed, editor_client, publisher_client):
    change = f"/admin/timeline/topic/{Topic.objects.get(slug='critical-raw-materials').pk}/change/"
    page = editor_client.get(change).content.decode()
    assert 'name="name_de"' not in page
    assert "Veröffentlichte Termine sind unter diesem Thema abgelegt" in page
    refused = editor_client.post(change, {"name_de": "Seltene Erden", "slug": "critical-raw-materials"})
    assert refused.status_code == 403
    assert Topic.objects.filter(name_de="Kritische Rohstoffe").exists()
    assert 'name="name_de"' in publisher_client.get(change).content.decode()


def test_a_renamed_slug_keeps_old_addresses_and_feed_subscriptions_working(seed, publisher, client):
    before = client.get("/feeds/atom/?topic=critical-raw-materials").content
    renamed = api_as(publisher).patch(TOPIC, {"slug": "rohstoffe"}, format="json")
    assert renamed.status_code == 200

    assert client.get("/?topic=critical-raw-materials&kind=meeting")["Location"] == "/?topic=rohstoffe&kind=meeting"
    assert client.get("/en/?topic=critical-raw-materials")["Location"] == "/en/?topic=rohstoffe"
    assert entry_ids(client.get("/feeds/atom/?topic=critical-raw-materials").content) == entry_ids(before) != []
    for address in ("/feeds/rss/", "/feeds/json/", "/feeds/ics/", "/export.csv", "/timeline.json", "/en/feeds/atom/"):
        assert client.get(address + "?topic=critical-raw-materials").status_code == 200, address
    moved = client.get(TOPIC + "?lang=en")
    assert (moved.status_code, moved["Location"]) == (301, "/api/topics/rohstoffe/?lang=en")
    events = client.get("/api/events/?topic=critical-raw-materials").json()["results"]
    assert [event["slug"] for event in events] == ["reiche-trifft-kiuchi-berlin-2025"]

    # While it leads there, no other topic takes the old address.
    taken_back = {"name": "Rohstoffe", "slug": "critical-raw-materials"}
    taken = api_as(publisher).post("/api/topics/", taken_back, format="json")
    assert taken.status_code == 400 and "führt weiterhin dorthin" in taken.json()["slug"][0]


def test_only_publishers_set_when_and_why_an_event_is_public_through_the_api_as_in_the_admin(
    seed, editor, publisher, editor_client
):
    draft = {"title": "Rohstoffgespräch", "date": "2026-01-15", "status": "draft"}
    backdated = api_as(editor).post("/api/events/", {**draft, "publish_at": "2001-01-01T00:00:00Z"}, format="json")
    assert backdated.status_code == 403 and "„publish_at“" in backdated.json()["detail"]
    reason = api_as(editor).post("/api/events/", {**draft, "withdrawal_reason": "Abgesagt."}, format="json")
    assert reason.status_code == 403 and "„withdrawal_reason“" in reason.json()["detail"]
    assert not Event.objects.filter(title_de="Rohstoffgespräch").exists()

    # Sent back as read, the fields are no change; a publisher sets them.
    created = api_as(editor).post("/api/events/", draft, format="json").json()
    assert api_as(editor).put(f"/api/events/{created['id']}/", created, format="json").status_code == 200
    scheduled = {**draft, "title": "Geplant", "publish_at": "2030-01-01T00:00:00Z"}
    assert api_as(publisher).post("/api/events/", scheduled, format="json").status_code == 201

    # The admin shows the editor these very fields read-only.
    request = editor_client.get("/admin/timeline/event/add/").wsgi_request
    readonly = EventAdmin(Event, None).get_readonly_fields(request)
    assert set(publisher_only_fields(editor)) == {"publish_at", "withdrawal_reason"} <= set(readonly)
    assert 'name="publish_at_0"' not in editor_client.get("/admin/timeline/event/add/").content.decode()


def test_a_draft_published_with_one_click_after_its_time_passed_is_the_newest_feed_entry(
    seed, publisher_client, client
):
    # As an editor could date a draft back before: its publication time passed while it waited.
    waited = Event.objects.create(
        title_de="Lange liegengeblieben",
        date="2026-01-15",
        status=Event.Status.DRAFT,
        publish_at=datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC),
    )
    publisher_client.post("/admin/timeline/event/", {"action": "publish", "_selected_action": [waited.pk]})
    waited.refresh_from_db()
    assert waited.is_public() and waited.first_published_at > timezone.now() - datetime.timedelta(minutes=1)
    assert entry_ids(client.get("/feeds/atom/").content)[0].endswith(str(waited.public_id))


def test_an_old_filter_address_of_a_topic_no_longer_public_does_not_tell_its_new_slug(seed, editor, client):
    # Its one public event taken back to draft, the topic is the editors' again, and renamed.
    Event.objects.filter(topics__slug="critical-raw-materials").update(status=Event.Status.DRAFT)
    assert api_as(editor).patch(TOPIC, {"slug": "geheimes-abkommen"}, format="json").status_code == 200
    for address in ("/?topic=critical-raw-materials", "/feeds/atom/?topic=critical-raw-materials"):
        refused = client.get(address)
        assert refused.status_code == 400, address
        assert "critical-raw-materials" in refused.content.decode()
        assert "geheimes-abkommen" not in refused.content.decode(), address
    listed = client.get("/api/events/?topic=critical-raw-materials")
    assert listed.status_code == 400 and "geheimes-abkommen" not in listed.content.decode()


def test_an_events_old_address_is_not_taken_by_another_event(seed, editor, publisher, client):
    old = "erste-deutsch-japanische-regierungskonsultationen-2023"
    moved = api_as(publisher).patch(
        f"/api/events/{old}/", {"slug": "regierungskonsultationen-2023"}, format="json", headers={"If-Match": "*"}
    )
    assert moved.status_code == 200
    draft = {"title": "Entwurf", "kind": "meeting", "date": "2026-01-15", "countries": ["DE"], "slug": old}
    taken = api_as(editor).post("/api/events/", draft, format="json")
    assert taken.status_code == 400 and "führt weiterhin dorthin" in taken.json()["slug"][0]
    # Made without a slug, a similar title gets another one; the old address still leads home.
    made = api_as(editor).post("/api/events/", {**draft, "slug": ""}, format="json")
    assert made.status_code == 201 and made.json()["slug"] != old
    assert client.get(f"/events/{old}/")["Location"] == "/events/regierungskonsultationen-2023/"
