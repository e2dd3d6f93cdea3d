"""Editorial workflow: roles, review, withdrawal, and no lost updates between two editors."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import log_in_verified
from timeline.models import Event, PreviewLink, StaleEvent

CHANGE = "/admin/timeline/event/{}/change/"


def change_form_data(response) -> dict:
    """What the browser would send back from an admin change page, unchanged.

    Only fields the page really renders are sent: a field the form has but the page leaves out
    must not make a test pass that a person at the browser would fail.
    """
    data = {}
    form = response.context["adminform"].form
    html = response.content.decode()
    for name in form.fields:
        if f'name="{name}"' not in html and f'name="{name}_0"' not in html:
            continue
        value = form[name].value()
        if name == "publish_at":
            if value:  # a datetime on first display, the submitted strings after an error
                value = value if isinstance(value, list) else [value.astimezone().strftime("%Y-%m-%d %H:%M:%S")]
                day, time = [*value[0].split(" "), ""][:2] if len(value) == 1 else value
                data["publish_at_0"], data["publish_at_1"] = day, time
        elif isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = str(formset.management_form[name].value())
        for child in formset.forms:
            for name in child.fields:
                value = child[name].value()
                if value is not None:
                    data[child.add_prefix(name)] = str(value.pk if hasattr(value, "pk") else value)
    return data


def with_colleague(user: User, username: str) -> tuple[Client, Client]:
    """Clients logged in as `user` and as a new colleague with the same groups (second step
    passed)."""
    colleague = User.objects.create_user(username, password="pw", is_staff=True)
    colleague.groups.set(user.groups.all())
    return log_in_verified(Client(), user), log_in_verified(Client(), colleague)


@pytest.fixture
def two_editors(db, editor):
    return with_colleague(editor, "redakteur2")


def test_interleaved_editors_lose_nothing(two_editors, make_event):
    event = make_event(title="Treffen", summary="Alt.", status=Event.Status.DRAFT, publish_at=None)
    alice, bob = two_editors
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))

    alice_form["title_de"] = "Treffen mit Minister Kiuchi"
    assert alice.post(CHANGE.format(event.pk), alice_form).status_code == 302

    bob_form["summary_de"] = "Neu geschrieben."
    response = bob.post(CHANGE.format(event.pk), bob_form)
    assert response.status_code == 200  # refused, and told why
    page = response.content.decode()
    assert "nachdem Sie ihn geöffnet haben" in page
    assert "Titel" in page  # what changed meanwhile
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Treffen mit Minister Kiuchi", "Alt.")

    # The form now holds the colleague's title and Bob's own summary; saving again keeps both.
    resolved = change_form_data(response)
    assert resolved["title_de"] == "Treffen mit Minister Kiuchi"
    assert resolved["summary_de"] == "Neu geschrieben."
    assert bob.post(CHANGE.format(event.pk), resolved).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Treffen mit Minister Kiuchi", "Neu geschrieben.")


def test_a_colleagues_participant_change_survives_a_merge(two_editors, make_event):
    event = make_event(title="Treffen", status=Event.Status.DRAFT, publish_at=None)
    event.participants.create(name="Minoru Kiuchi", role="Minister", position=0)
    alice, bob = two_editors
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))

    alice_form["participants-0-name"] = "Minoru Kiuchi (城内実)"
    assert alice.post(CHANGE.format(event.pk), alice_form).status_code == 302

    bob_form["title_de"] = "Treffen mit Minister Kiuchi"
    response = bob.post(CHANGE.format(event.pk), bob_form)
    assert response.status_code == 200
    assert "Teilnehmende" in response.content.decode()  # named among the colleague's changes
    # Saved again as told: the colleague's participant and Bob's title are both kept.
    assert bob.post(CHANGE.format(event.pk), change_form_data(response)).status_code == 302
    event.refresh_from_db()
    assert event.title == "Treffen mit Minister Kiuchi"
    assert list(event.participants.values_list("name", flat=True)) == ["Minoru Kiuchi (城内実)"]


def test_both_editors_changing_the_participants_must_choose(two_editors, make_event):
    event = make_event(title="Treffen", status=Event.Status.DRAFT, publish_at=None)
    event.participants.create(name="Minoru Kiuchi", position=0)
    alice, bob = two_editors
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))
    alice_form["participants-0-name"] = "Minoru Kiuchi (Alice)"
    assert alice.post(CHANGE.format(event.pk), alice_form).status_code == 302
    bob_form["participants-0-name"] = "Minoru Kiuchi (Bob)"
    response = bob.post(CHANGE.format(event.pk), bob_form)
    page = response.content.decode()
    assert response.status_code == 200 and "Minoru Kiuchi (Alice)" in page  # the colleague's rows, named
    resolved = change_form_data(response)
    assert resolved["participants-0-name"] == "Minoru Kiuchi (Bob)"  # Bob's own input is kept
    assert bob.post(CHANGE.format(event.pk), resolved).status_code == 302
    assert list(event.participants.values_list("name", flat=True)) == ["Minoru Kiuchi (Bob)"]


def race_on_rows(two_editors, event, alice_edit, bob_edit):
    """Alice and Bob open `event`'s form; Alice saves her edit; Bob saves his, gets the merge
    form and saves it as it is. Returns the merge page."""
    alice, bob = two_editors
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))
    alice_edit(alice_form)
    assert alice.post(CHANGE.format(event.pk), alice_form).status_code == 302
    bob_edit(bob_form)
    merge_page = bob.post(CHANGE.format(event.pk), bob_form)
    assert merge_page.status_code == 200
    assert bob.post(CHANGE.format(event.pk), change_form_data(merge_page)).status_code == 302
    return merge_page


def test_colleagues_changes_to_different_rows_are_both_kept(two_editors, make_event):
    event = make_event(title="Treffen", status=Event.Status.DRAFT, publish_at=None)
    event.participants.create(name="Anna Alt", role="Ministerin", position=0)
    event.participants.create(name="Bernd Alt", role="Botschafter", position=1)
    event.sources.create(url="https://a.example/", title="Quelle A", position=0)
    event.sources.create(url="https://b.example/", title="Quelle B", position=1)

    def alice(form):
        form["participants-0-name"] = "Anna von A"
        form["sources-0-position"] = "5"  # moved to the end

    def bob(form):
        form["participants-1-role"] = "Gesandter"
        form["sources-1-title"] = "Quelle B, neu"

    race_on_rows(two_editors, event, alice, bob)
    people = list(event.participants.values_list("name", "role"))
    assert people == [("Anna von A", "Ministerin"), ("Bernd Alt", "Gesandter")]
    sources = list(event.sources.values_list("title", "position"))
    assert sources == [("Quelle B, neu", 1), ("Quelle A", 5)]


@pytest.fixture
def anna_and_bernd(make_event) -> Event:
    """A draft with two participants, Anna and Bernd."""
    event = make_event(title="Treffen", status=Event.Status.DRAFT, publish_at=None)
    event.participants.create(name="Anna", position=0)
    event.participants.create(name="Bernd", position=1)
    return event


def test_a_row_the_colleague_deleted_and_i_changed_is_kept_and_the_form_saves(two_editors, anna_and_bernd):
    event = anna_and_bernd

    def alice(form):
        form["participants-1-DELETE"] = "on"

    def bob(form):
        form["participants-1-role"] = "Gesandter"

    page = race_on_rows(two_editors, event, alice, bob)
    assert "gelöscht" in page.content.decode()  # told that the colleague deleted it
    assert list(event.participants.values_list("name", "role")) == [("Anna", ""), ("Bernd", "Gesandter")]


def test_rows_an_api_client_wrote_anew_are_merged_and_the_form_saves(two_editors, anna_and_bernd, publisher):
    """A PUT (or a PATCH with participants) writes the rows anew, with new ids."""
    event = anna_and_bernd
    _alice, bob = two_editors
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))
    client = APIClient()
    client.force_authenticate(publisher)
    people = [{"name": "Anna"}, {"name": "Bernd"}]
    change = {"summary": "Neu.", "participants": people, "version": event.version}
    assert client.patch(f"/api/events/{event.public_id}/", change, format="json").status_code == 200
    bob_form["title_de"] = "Treffen, neu"
    merge_page = bob.post(CHANGE.format(event.pk), bob_form)
    assert merge_page.status_code == 200
    assert bob.post(CHANGE.format(event.pk), change_form_data(merge_page)).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Treffen, neu", "Neu.")
    assert list(event.participants.values_list("name", flat=True)) == ["Anna", "Bernd"]


def test_a_row_deleted_by_a_colleague_and_untouched_here_stays_deleted(two_editors, anna_and_bernd):
    event = anna_and_bernd

    def alice(form):
        form["participants-1-DELETE"] = "on"

    def bob(form):
        form["title_de"] = "Treffen, neu"
        form["participants-TOTAL_FORMS"] = "3"  # and a participant added
        form["participants-2-name"] = "Chiara"
        form["participants-2-position"] = "2"
        form["participants-2-event"] = str(event.pk)

    race_on_rows(two_editors, event, alice, bob)
    event.refresh_from_db()
    assert event.title == "Treffen, neu"
    assert list(event.participants.values_list("name", flat=True)) == ["Anna", "Chiara"]


def test_both_editors_changing_the_same_field_must_choose(two_editors, make_event):
    event = make_event(title="Treffen", status=Event.Status.DRAFT, publish_at=None)
    alice, bob = two_editors
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))
    alice_form["title_de"] = "Fassung Alice"
    alice.post(CHANGE.format(event.pk), alice_form)
    bob_form["title_de"] = "Fassung Bob"
    response = bob.post(CHANGE.format(event.pk), bob_form)
    assert response.status_code == 200
    assert "Ein Kollege oder eine Kollegin hat dies inzwischen geändert." in response.content.decode()
    event.refresh_from_db()
    assert event.title == "Fassung Alice"
    again = change_form_data(response)
    assert again["title_de"] == "Fassung Bob"  # Bob's text is still there to keep or drop
    assert bob.post(CHANGE.format(event.pk), again).status_code == 302
    event.refresh_from_db()
    assert event.title == "Fassung Bob"


def test_a_stale_object_cannot_overwrite_a_newer_save(make_event):
    event = make_event(title="Eins")
    first, second = Event.objects.get(pk=event.pk), Event.objects.get(pk=event.pk)
    first.title = "Zwei"
    first.save()
    second.summary = "Drei"
    with pytest.raises(StaleEvent):
        second.save()
    event.refresh_from_db()
    assert (event.title, event.version) == ("Zwei", first.version)


def test_api_refuses_a_change_based_on_an_old_version(editor, make_event):
    event = make_event(title="Eins", status=Event.Status.DRAFT, publish_at=None)
    client = APIClient()
    client.force_authenticate(editor)
    url = f"/api/events/{event.public_id}/"
    fetched = client.get(url)
    version, etag = fetched.json()["version"], fetched["ETag"]
    assert client.patch(url, {"title": "Zwei", "version": version}, format="json").status_code == 200
    stale = client.patch(url, {"summary": "Drei", "version": version}, format="json")
    assert stale.status_code == 409
    assert stale.json()["version"] == version + 1
    assert client.patch(url, {"summary": "Drei"}, format="json", headers={"if-match": etag}).status_code == 412
    fresh = client.get(url)["ETag"]
    assert client.patch(url, {"summary": "Drei"}, format="json", headers={"if-match": fresh}).status_code == 200
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Zwei", "Drei")


def test_a_change_without_a_precondition_is_refused_with_428(editor, make_event):
    event = make_event(title="Eins", status=Event.Status.DRAFT, publish_at=None)
    client = APIClient()
    client.force_authenticate(editor)
    url = f"/api/events/{event.public_id}/"
    response = client.patch(url, {"title": "Zwei"}, format="json")
    assert response.status_code == 428
    assert "If-Match" in response.json()["detail"]
    full = {"title": "Zwei", "kind": "meeting", "date": "2025"}
    assert client.put(url, full, format="json").status_code == 428
    event.refresh_from_db()
    assert event.title == "Eins"


@pytest.mark.parametrize(
    ("if_match", "expected"),
    [
        ('"999", "{v}"', 200),  # a list that holds the current tag
        ('"{v}"', 200),
        ("*", 200),
        ('W/"{v}"', 412),  # a weak tag never matches strongly (RFC 9110, section 13.1.1)
        ('"999"', 412),
        ('"999", "998"', 412),
        ("{v}", 412),  # unquoted: not an entity tag
    ],
)
def test_if_match_is_compared_as_rfc_9110_says(editor, make_event, if_match, expected):
    event = make_event(title="Eins", status=Event.Status.DRAFT, publish_at=None)
    client = APIClient()
    client.force_authenticate(editor)
    header = if_match.format(v=event.version)
    response = client.patch(
        f"/api/events/{event.public_id}/", {"title": "Zwei"}, format="json", headers={"if-match": header}
    )
    assert response.status_code == expected
    event.refresh_from_db()
    assert event.title == ("Zwei" if expected == 200 else "Eins")
    if expected == 200:
        assert response["ETag"] == f'"{event.version}"'


def test_delete_with_a_stale_if_match_deletes_nothing(make_event):
    event = make_event(title="Eins")
    client = APIClient()
    client.force_authenticate(User.objects.create_superuser("chefin", password="pw-for-tests-only"))
    url = f"/api/events/{event.public_id}/"
    stale = f'"{event.version}"'
    assert client.patch(url, {"title": "Zwei", "version": event.version}, format="json").status_code == 200
    assert client.delete(url, headers={"if-match": stale}).status_code == 412
    assert Event.objects.filter(pk=event.pk).exists()
    assert client.delete(url, headers={"if-match": client.get(url)["ETag"]}).status_code == 204
    assert not Event.objects.filter(pk=event.pk).exists()


def test_editor_cannot_publish_through_the_admin_or_the_api(editor_client, editor, make_event):
    draft = make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    page = editor_client.get(CHANGE.format(draft.pk))
    choices = [value for value, _label in page.context["adminform"].form.fields["status"].choices]
    assert choices == ["draft", "in_review"]
    data = change_form_data(page)
    data["status"] = "published"
    assert editor_client.post(CHANGE.format(draft.pk), data).status_code == 200
    response = editor_client.post("/admin/timeline/event/", {"action": "publish", "_selected_action": [draft.pk]})
    assert response.status_code in (200, 302)
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT

    client = APIClient()
    client.force_authenticate(editor)
    response = client.patch(
        f"/api/events/{draft.public_id}/", {"status": "published", "version": draft.version}, format="json"
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_editor_submits_for_review_and_the_publisher_publishes(editor_client, publisher_client, make_event, client):
    draft = make_event(title="Zur Prüfung", status=Event.Status.DRAFT, publish_at=None)
    editor_client.post("/admin/timeline/event/", {"action": "submit_for_review", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Event.Status.IN_REVIEW
    assert Client().get(draft.get_absolute_url()).status_code == 404
    publisher_client.post("/admin/timeline/event/", {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_public()
    assert Client().get(draft.get_absolute_url()).status_code == 200


def test_published_events_are_read_only_for_editors(editor_client, make_event):
    event = make_event(title="Öffentlich")
    page = editor_client.get(CHANGE.format(event.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]


def test_withdrawal_needs_a_reason_and_leaves_a_410_page_everywhere_else_it_is_gone(publisher_client, make_event):
    event = make_event(title="Falsch gemeldet")
    first_published = event.first_published_at
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["status"] = "withdrawn"
    response = publisher_client.post(CHANGE.format(event.pk), data)
    assert "warum" in response.content.decode()  # no reason, no withdrawal
    data["withdrawal_reason"] = "Der Termin hat nicht stattgefunden."
    assert publisher_client.post(CHANGE.format(event.pk), data).status_code == 302

    reader = Client()
    page = reader.get(event.get_absolute_url())
    assert page.status_code == 410
    assert "Der Termin hat nicht stattgefunden." in page.content.decode()
    assert "zurückgezogen" in page.content.decode()
    assert "Falsch gemeldet" not in reader.get("/").content.decode()
    assert "Falsch gemeldet" not in reader.get("/feeds/atom/").content.decode()
    assert APIClient().get(f"/api/events/{event.public_id}/").status_code == 404

    # Republished: back everywhere, with its first publication time unchanged.
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["status"] = "published"
    assert publisher_client.post(CHANGE.format(event.pk), data).status_code == 302
    event.refresh_from_db()
    assert event.first_published_at == first_published and event.withdrawn_at is None
    assert "Falsch gemeldet" in reader.get("/feeds/atom/").content.decode()


def test_only_a_superuser_deletes_events(editor_client, publisher_client, make_event, db):
    event = make_event(title="Bleibt")
    for client in (editor_client, publisher_client):
        assert client.post(f"/admin/timeline/event/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()


def test_significant_corrections_are_listed_on_the_page_and_minor_edits_leave_no_trace(publisher_client, make_event):
    event = make_event(title="Treffen")
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["summary_de"] = "Tippfehler behoben."  # minor: no change note
    publisher_client.post(CHANGE.format(event.pk), data)
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["change_note_de"] = "Der Ort wurde korrigiert."
    publisher_client.post(CHANGE.format(event.pk), data)
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    data["change_note_de"] = "Ein Teilnehmer wurde ergänzt."
    publisher_client.post(CHANGE.format(event.pk), data)

    page = Client().get(event.get_absolute_url()).content.decode()
    history = page[page.index('class="change-history"') :]
    assert history.index("Der Ort wurde korrigiert.") < history.index("Ein Teilnehmer wurde ergänzt.")
    assert "Tippfehler" not in history
    event.refresh_from_db()
    assert event.revised_at is not None and event.revised_at > event.first_published_at


def test_a_secret_preview_link_shows_a_draft_until_it_is_revoked(publisher_client, editor_client, make_event):
    draft = make_event(title="Vertraulich", status=Event.Status.DRAFT, publish_at=None)
    response = publisher_client.post(
        "/admin/timeline/event/", {"action": "share_preview", "_selected_action": [draft.pk]}, follow=True
    )
    url = re.search(r'href="https://events\.example\.org(/preview/[^"]+/)"', response.content.decode()).group(1)
    assert len(url) > 40  # unguessable: 32 random bytes

    outsider = Client()
    page = outsider.get(url)
    assert page.status_code == 200
    assert "Vertraulich" in page.content.decode() and "Vorschau" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store" and page["X-Robots-Tag"] == "noindex"
    assert outsider.get(draft.get_absolute_url()).status_code == 404
    assert outsider.get("/preview/geraten/").status_code == 404

    # Only publishers share and revoke.
    editor_client.post("/admin/timeline/event/", {"action": "share_preview", "_selected_action": [draft.pk]})
    assert PreviewLink.objects.count() == 1
    link = PreviewLink.objects.get()
    publisher_client.post("/admin/timeline/previewlink/", {"action": "revoke", "_selected_action": [link.pk]})
    assert outsider.get(url).status_code == 404


def test_roles_in_the_database_are_the_ones_defined_in_code(db):
    from django.contrib.auth.models import Group

    from timeline.roles import ROLES

    for name, codenames in ROLES.items():
        assert sorted(Group.objects.get(name=name).permissions.values_list("codename", flat=True)) == sorted(codenames)


def test_a_colleagues_new_publication_time_is_merged_not_reported_as_a_clash(publisher, make_event):
    alice, bob = with_colleague(publisher, "herausgeber2")
    event = make_event(title="Geplant", status=Event.Status.DRAFT, publish_at=None)
    alice_form = change_form_data(alice.get(CHANGE.format(event.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(event.pk)))
    alice_form.update(publish_at_0="2030-01-02", publish_at_1="09:30:00")
    assert alice.post(CHANGE.format(event.pk), alice_form).status_code == 302
    bob_form["summary_de"] = "Ergänzt."
    response = bob.post(CHANGE.format(event.pk), bob_form)
    assert "Ein Kollege oder eine Kollegin" not in response.content.decode()  # no clash: merged
    assert bob.post(CHANGE.format(event.pk), change_form_data(response)).status_code == 302
    event.refresh_from_db()
    assert event.summary == "Ergänzt."
    assert timezone.localtime(event.publish_at).strftime("%Y-%m-%d %H:%M") == "2030-01-02 09:30"
