"""Revisions: every save kept with who and when; compare; restore; recover a deleted event."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import as_read, log_in_verified
from timeline.models import Event, Revision

from .test_workflow import CHANGE, change_form_data

REVISIONS = "/admin/timeline/revision/"


def public_everywhere(title: str) -> tuple[bool, bool, bool]:
    """Whether the title is on the timeline, in the Atom feed and in the API list right now."""
    reader = Client()
    return (
        title in as_read(reader.get("/").content),
        title in reader.get("/feeds/atom/").content.decode(),
        title in {e["title"] for e in APIClient().get("/api/events/").json()["results"]},
    )


def restore(client, revision: Revision):
    return client.post(REVISIONS, {"action": "restore", "_selected_action": [revision.pk]}, follow=True)


@pytest.fixture
def superuser_client(db):
    return log_in_verified(Client(), User.objects.create_superuser("chefin", password="pw"))


def test_every_save_is_kept_with_who_what_and_when(editor_client, publisher_client, editor, publisher, make_event):
    event = make_event(title="Treffen", status=Event.Status.DRAFT, publish_at=None)
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    data["title_de"] = "Treffen in Tokio"
    editor_client.post(CHANGE.format(event.pk), data)
    editor_client.post("/admin/timeline/event/", {"action": "submit_for_review", "_selected_action": [event.pk]})
    publisher_client.post("/admin/timeline/event/", {"action": "publish", "_selected_action": [event.pk]})

    history = list(Revision.objects.filter(event_public_id=event.public_id).order_by("created_at", "pk"))
    assert [(r.action, r.user) for r in history] == [
        ("edited", editor),
        ("submitted", editor),
        ("published", publisher),
    ]
    assert history[0].data["title"] == "Treffen in Tokio"
    assert history[-1].status == "published"


def test_publishers_see_the_history_with_differences_and_editors_do_not(editor_client, publisher_client, make_event):
    event = make_event(title="Alt", status=Event.Status.DRAFT, publish_at=None)
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["place_de"] = "Tokio"  # a save that changes nothing is no revision
    publisher_client.post(CHANGE.format(event.pk), data)
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["title_de"] = "Neu"
    publisher_client.post(CHANGE.format(event.pk), data)
    latest = Revision.objects.filter(event_public_id=event.public_id).first()
    page = publisher_client.get(f"{REVISIONS}{latest.pk}/change/").content.decode()
    assert re.search(r"<td>Titel \(Deutsch\)</td><td>Alt</td><td>Neu</td>", page)
    assert editor_client.get(REVISIONS).status_code == 403


def test_restoring_an_earlier_revision_brings_the_content_back(publisher_client, make_event):
    event = make_event(title="Erste Fassung")
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["place_de"] = "Tokio"  # a save that changes nothing is no revision
    publisher_client.post(CHANGE.format(event.pk), data)
    first = Revision.objects.filter(event_public_id=event.public_id).first()
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["title_de"] = "Zweite Fassung"
    publisher_client.post(CHANGE.format(event.pk), data)
    assert public_everywhere("Zweite Fassung") == (True, True, True)

    response = restore(publisher_client, first)
    assert "ist auf Version" in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Erste Fassung"
    assert public_everywhere("Erste Fassung") == (True, True, True)
    assert public_everywhere("Zweite Fassung") == (False, False, False)
    assert Revision.objects.filter(event_public_id=event.public_id).first().action == "restored"


def test_a_deleted_event_is_recovered_with_its_id_address_and_first_publication(
    superuser_client, publisher_client, make_event
):
    event = make_event(title="Versehentlich gelöscht")
    event.participants.create(name="Minoru Kiuchi (城内実)", role="Minister")
    public_id, slug, first_published = event.public_id, event.slug, event.first_published_at
    superuser_client.post(f"/admin/timeline/event/{event.pk}/delete/", {"post": "yes"})
    assert not Event.objects.filter(public_id=public_id).exists()
    assert public_everywhere("Versehentlich gelöscht") == (False, False, False)

    deleted = Revision.objects.get(event_public_id=public_id, action="deleted")
    restore(publisher_client, deleted)
    recovered = Event.objects.get(public_id=public_id)
    assert (recovered.slug, recovered.first_published_at) == (slug, first_published)
    assert [p.name for p in recovered.participants.all()] == ["Minoru Kiuchi (城内実)"]
    assert public_everywhere("Versehentlich gelöscht") == (True, True, True)


def test_withdraw_republish_and_restore_keep_every_surface_in_step(publisher_client, make_event):
    event = make_event(title="Wechselhaft")
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data.update(status="withdrawn", withdrawal_reason="Falsche Angaben.")
    publisher_client.post(CHANGE.format(event.pk), data)
    assert public_everywhere("Wechselhaft") == (False, False, False)
    withdrawn = Revision.objects.filter(event_public_id=event.public_id).first()
    assert withdrawn.action == "withdrawn"

    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data.update(status="published", title_de="Wechselhaft, korrigiert")
    publisher_client.post(CHANGE.format(event.pk), data)
    assert public_everywhere("Wechselhaft, korrigiert") == (True, True, True)

    restore(publisher_client, withdrawn)  # back to the withdrawn state, reason and all
    event.refresh_from_db()
    assert (event.status, event.withdrawal_reason) == ("withdrawn", "Falsche Angaben.")
    assert Client().get(event.get_absolute_url()).status_code == 410
    assert public_everywhere("Wechselhaft") == (False, False, False)


def test_api_writes_are_kept_as_revisions_of_the_token_user(editor, make_event):
    client = APIClient()
    client.force_authenticate(editor)
    event = make_event(title="Per API", status=Event.Status.DRAFT, publish_at=None)
    client.patch(f"/api/events/{event.public_id}/", {"status": "in_review", "version": event.version}, format="json")
    revision = Revision.objects.get(event_public_id=event.public_id)
    assert (revision.action, revision.user) == ("submitted", editor)
