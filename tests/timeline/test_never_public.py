"""What was never public stays unseen: withdrawn-before-publication events, previews, topics and
series of unpublished events, and preview links that expire and stop."""

import datetime
import re

import time_machine
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from timeline.models import Event, PreviewLink, Revision, Series, Topic

NOW = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)
WEEK = datetime.timedelta(days=7)


def withdraw(event: Event, reason: str) -> None:
    event.status, event.withdrawal_reason = Event.Status.WITHDRAWN, reason
    event.save()


def test_an_event_withdrawn_before_its_scheduled_time_is_unknown_everywhere_while_one_seen_is_gone(make_event):
    reader = Client()
    with time_machine.travel(NOW, tick=False) as traveller:
        scheduled = make_event(title="Geheimer Staatsbesuch", publish_at=NOW + WEEK, date="2026-12-10")
        withdraw(scheduled, "Der Besuch wurde abgesagt.")
        seen = make_event(title="Gemeldetes Treffen", date="2026-12-11")
        withdraw(seen, "Das Treffen fiel aus.")
        traveller.shift(2 * WEEK)  # long after the time it was scheduled for

        for address in (
            f"/events/{scheduled.slug}/",
            f"/en/events/{scheduled.slug}/",
            f"/events/{scheduled.slug}/event.ics",
        ):
            response = reader.get(address)
            assert response.status_code == 404, address
            assert (
                "Geheimer Staatsbesuch" not in response.content.decode() and "abgesagt" not in response.content.decode()
            )
        assert APIClient().get(f"/api/events/{scheduled.slug}/").status_code == 404

        gone = reader.get(f"/events/{seen.slug}/")
        assert gone.status_code == 410
        assert "Gemeldetes Treffen" in gone.content.decode() and "Das Treffen fiel aus." in gone.content.decode()
        assert reader.get(f"/events/{seen.slug}/event.ics").status_code == 410


def test_an_editor_previewing_a_withdrawn_event_is_told_what_the_public_sees_of_it(make_event, editor_client):
    scheduled = make_event(title="Geheimer Staatsbesuch", publish_at=NOW + WEEK)
    withdraw(scheduled, "Der Besuch wurde abgesagt.")
    seen = make_event(title="Gemeldetes Treffen")
    withdraw(seen, "Das Treffen fiel aus.")
    in_review = make_event(title="Zur Prüfung", status=Event.Status.IN_REVIEW, publish_at=None)

    never = editor_client.get(f"/events/{scheduled.slug}/").content.decode()
    assert "Vor der Veröffentlichung zurückgezogen: Die Öffentlichkeit hat diesen Termin nie gesehen" in never
    gone = editor_client.get(f"/events/{seen.slug}/").content.decode()
    assert "Die Öffentlichkeit sieht nur Titel, Datum und den Grund: „Das Treffen fiel aus.“" in gone
    assert "ist ein Entwurf" not in never + gone
    assert "Dieser Termin ist in Prüfung" in editor_client.get(f"/events/{in_review.slug}/").content.decode()


def test_a_scheduled_publication_called_off_before_its_time_is_not_the_first_publication(make_event):
    with time_machine.travel(NOW, tick=False) as traveller:
        event = make_event(title="Verschoben", publish_at=NOW + datetime.timedelta(days=1))
        event.status = Event.Status.DRAFT  # called off the day before
        event.save()
        traveller.shift(WEEK)
        event.status, event.publish_at = Event.Status.PUBLISHED, None  # published now, a week later
        event.save()
        shown = APIClient().get(f"/api/events/{event.slug}/").json()["first_published_at"]
        assert datetime.datetime.fromisoformat(shown) == NOW + WEEK


def test_staff_without_the_view_permission_see_what_the_public_sees_and_an_editor_previews(make_event, editor_client):
    draft = make_event(title="Entwurf einer Reise", status=Event.Status.DRAFT, publish_at=None)
    staff = User.objects.create_user("praktikant", password="pw", is_staff=True)
    intern = Client()
    intern.force_login(staff)
    assert intern.get(draft.get_absolute_url()).status_code == 404
    api = APIClient()
    api.force_authenticate(staff)
    assert api.get(f"/api/events/{draft.slug}/").status_code == 404
    assert api.get("/api/events/?status=draft").status_code == 403

    preview = editor_client.get(draft.get_absolute_url())
    assert preview.status_code == 200 and "Entwurf einer Reise" in preview.content.decode()
    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    api.force_authenticate(User.objects.get(pk=staff.pk))  # permissions are cached per user object
    assert [event["slug"] for event in api.get("/api/events/?status=draft").json()["results"]] == [draft.slug]


def test_a_topic_and_series_only_a_draft_uses_are_listed_once_a_public_event_uses_them(make_event, editor):
    topic = Topic.objects.create(name_de="Wasserstoffpartnerschaft", name_en="Hydrogen partnership")
    series = Series.objects.create(name_de="Geheime Gespräche")
    draft = make_event(status=Event.Status.DRAFT, publish_at=None, topics=[topic], series=series)
    reader, api = Client(), APIClient()

    def listed() -> list[bool]:
        return [
            "Wasserstoffpartnerschaft" in reader.get("/").content.decode(),
            "Hydrogen partnership" in reader.get("/en/").content.decode(),
            "Geheime Gespräche" in reader.get("/zeitstrahl/").content.decode(),
            topic.slug in {one["slug"] for one in api.get("/api/topics/").json()},
            series.slug in {one["slug"] for one in api.get("/api/series/").json()},
            api.get(f"/api/topics/{topic.slug}/").status_code == 200,
            reader.get(f"/feeds/atom/?topic={topic.slug}").status_code == 200,
        ]

    assert listed() == [False] * 7
    assert reader.get(f"/feeds/atom/?series={series.slug}").status_code == 400  # as if there were none
    editor_api = APIClient()
    editor_api.force_authenticate(editor)
    assert topic.slug in {one["slug"] for one in editor_api.get("/api/topics/").json()}

    draft.status = Event.Status.PUBLISHED
    draft.save()
    assert listed() == [True] * 7


def preview_url(publisher_client, event: Event) -> tuple[str, str]:
    """Share a preview link of `event` as a publisher does; its path, and the admin's message."""
    response = publisher_client.post(
        "/admin/timeline/event/", {"action": "share_preview", "_selected_action": [event.pk]}, follow=True
    )
    page = response.content.decode()
    return re.search(r'href="https://events\.example\.org(/preview/[^"]+/)"', page).group(1), page


@override_settings(PREVIEW_LINK_MAX_AGE=3)
def test_a_preview_link_expires_after_the_default_or_the_publishers_time(publisher_client, make_event):
    colleague = Client()
    with time_machine.travel(NOW, tick=False) as traveller:
        draft = make_event(title="Vertraulicher Entwurf", status=Event.Status.DRAFT, publish_at=None)
        url, message = preview_url(publisher_client, draft)
        assert "gültig bis 30. November 2026, 11:00 Uhr" in message
        link = PreviewLink.objects.get()
        assert "30. November 2026, 11:00 Uhr" in publisher_client.get("/admin/timeline/previewlink/").content.decode()
        assert colleague.get(url).status_code == 200
        traveller.shift(datetime.timedelta(days=3))
        assert colleague.get(url).status_code == 404

        # The publisher gives it two more days.
        form = {"expires_at_0": "2026-12-02", "expires_at_1": "11:00:00"}
        assert publisher_client.post(f"/admin/timeline/previewlink/{link.pk}/change/", form).status_code == 302
        assert "Vertraulicher Entwurf" in colleague.get(url).content.decode()
        traveller.shift(datetime.timedelta(days=2))
        assert colleague.get(url).status_code == 404


def test_a_preview_link_stops_when_its_event_is_published_or_withdrawn(publisher_client, make_event):
    colleague = Client()
    draft = make_event(title="Noch geheim", status=Event.Status.DRAFT, publish_at=None)
    url, _message = preview_url(publisher_client, draft)
    draft.status = Event.Status.PUBLISHED
    draft.save()
    published = colleague.get(url)
    assert published.status_code == 302 and published["Location"] == draft.get_absolute_url()
    draft.status = Event.Status.DRAFT  # unpublished again: the link stays stopped
    draft.save()
    assert colleague.get(url).status_code == 404

    other = make_event(title="Auch geheim", status=Event.Status.IN_REVIEW, publish_at=None)
    url, _message = preview_url(publisher_client, other)
    withdraw(other, "Kein Anlass.")
    response = colleague.get(url)
    assert response.status_code == 404 and "Auch geheim" not in response.content.decode()


def test_a_preview_link_links_only_the_topics_and_series_the_public_may_filter_by(publisher_client, make_event):
    public_topic = Topic.objects.create(name_de="Wirtschaftssicherheit", slug="wirtschaftssicherheit")
    new_topic = Topic.objects.create(name_de="Neues Thema", slug="neues-thema")
    new_series = Series.objects.create(name_de="Neue Reihe", slug="neue-reihe")
    make_event(title="Öffentliches Treffen", topics=[public_topic])
    draft = make_event(
        title="Entwurf", status=Event.Status.DRAFT, publish_at=None, topics=[public_topic, new_topic], series=new_series
    )
    url, _message = preview_url(publisher_client, draft)
    page = Client().get(url).content.decode()
    assert 'href="/?topic=wirtschaftssicherheit"' in page
    assert "Neues Thema" in page and "?topic=neues-thema" not in page  # a link the colleague would get 400 from
    assert "Neue Reihe" in page and "?series=neue-reihe" not in page


def patch(client: Client, event: Event, **fields) -> None:
    """Change `event` through the API as the client's user (any version)."""
    response = client.patch(
        f"/api/events/{event.public_id}/", fields, content_type="application/json", headers={"if-match": "*"}
    )
    assert response.status_code == 200, response.content


SECRET = {"title": "Geheime Verhandlung über Sanktionen gegen Land X", "title_en": "Secret sanctions talks"}
NEVER_SEEN = ("Sanktionen", "sanctions", "24. Dezember", "24 December")


def test_a_withdrawn_event_shows_only_the_title_date_and_address_the_public_last_saw(
    publisher_client, editor_client, make_event
):
    reader = Client()
    with time_machine.travel(NOW, tick=False) as traveller:
        kept = make_event(title="Treffen in Wien", title_en="Meeting in Vienna", date="2026-05-12")
        # One made public as the seed does (no revision), one published by a publisher (API).
        moved = make_event(title="Treffen in Prag", title_en="Meeting in Prague", date="2026-05-13", status="draft")
        patch(publisher_client, moved, status="published")
        known = {kept: kept.slug, moved: moved.slug}
        for event, slug in ((kept, {}), (moved, {"slug": "geheime-verhandlung"})):
            traveller.shift(WEEK)
            patch(publisher_client, event, status="draft")  # unpublished
            patch(editor_client, event, date="2026-12-24", **SECRET, **slug)
            patch(publisher_client, event, status="withdrawn", withdrawal_reason="Das Treffen fand nicht statt.")

        # The state the public saw of the one without a revision was kept, as its publication.
        first = Revision.objects.filter(event_public_id=kept.public_id).order_by("created_at", "pk").first()
        assert (first.action, first.title) == (Revision.Action.PUBLISHED, "Treffen in Wien")
        seen = {kept: ("Treffen in Wien", "12. Mai 2026", "Meeting in Vienna", "12 May 2026")}
        seen[moved] = ("Treffen in Prag", "13. Mai 2026", "Meeting in Prague", "13 May 2026")
        for event, (title_de, date_de, title_en, date_en) in seen.items():
            slug = known[event]
            for address, title, date in (
                (f"/events/{slug}/", title_de, date_de),
                (f"/en/events/{slug}/", title_en, date_en),
                (f"/events/{slug}/event.ics", title_de, date_de),
                (f"/en/events/{slug}/event.ics", title_en, date_en),
            ):
                response = reader.get(address)
                page = response.content.decode().replace("\u00ad", "")  # hyphenation points
                assert response.status_code == 410, address
                assert title in page and date in page and "Das Treffen fand nicht statt." in page, address
                assert not [secret for secret in NEVER_SEEN if secret in page], address
        for address in ("/events/geheime-verhandlung/", "/en/events/geheime-verhandlung/event.ics"):
            response = reader.get(address)
            assert response.status_code == 404 and "Sanktionen" not in response.content.decode(), address
        # Staff previewing the draft's address are told what the public sees instead.
        banner = "sieht nur, was sie zuletzt sah, „Treffen in Prag“ (13. Mai 2026) unter /events/treffen-in-prag/"
        assert banner in editor_client.get("/events/geheime-verhandlung/").content.decode().replace("\u00ad", "")


def test_a_preview_link_stops_for_good_once_the_public_has_seen_its_scheduled_event(
    publisher_client, editor_client, make_event
):
    colleague = Client()
    with time_machine.travel(NOW, tick=False) as traveller:
        soon = make_event(title="Geplanter Besuch", publish_at=NOW + datetime.timedelta(seconds=20))
        later = make_event(title="Später geplant", publish_at=NOW + WEEK)
        soon_url, _message = preview_url(publisher_client, soon)
        later_url, _message = preview_url(publisher_client, later)
        assert colleague.get(soon_url).status_code == colleague.get(later_url).status_code == 200

        traveller.shift(datetime.timedelta(seconds=30))  # the time passes: nothing saves the event
        assert colleague.get(soon_url)["Location"] == soon.get_absolute_url()
        patch(publisher_client, later, publish_at=timezone.now().isoformat())  # public now, status unchanged
        assert colleague.get(later_url)["Location"] == later.get_absolute_url()

        for event, url in ((soon, soon_url), (later, later_url)):
            patch(publisher_client, event, status="draft")
            patch(editor_client, event, body="<p>Interne Fassung für die Hausleitung</p>")
            response = colleague.get(url)
            assert response.status_code == 404 and "Interne Fassung" not in response.content.decode()


def test_a_preview_link_of_an_event_public_before_stays_stopped_whatever_expiry_a_publisher_sets_later(
    publisher_client, editor_client, make_event
):
    colleague = Client()
    with time_machine.travel(NOW, tick=False) as traveller:
        event = make_event(title="Wiederkehrender Dialog", publish_at=NOW - WEEK)  # public a week ago
        patch(publisher_client, event, status="draft")
        patch(
            publisher_client, event, status="published", publish_at=(NOW + datetime.timedelta(seconds=20)).isoformat()
        )
        url, _message = preview_url(publisher_client, event)  # for the scheduled return
        assert colleague.get(url).status_code == 200
        traveller.shift(datetime.timedelta(seconds=30))
        assert colleague.get(url)["Location"] == event.get_absolute_url()
        patch(publisher_client, event, status="draft")
        patch(editor_client, event, body="<p>Interne Fassung</p>")
        link = PreviewLink.objects.get(event=event)
        form = {"expires_at_0": "2026-12-31", "expires_at_1": "12:00:00"}
        assert publisher_client.post(f"/admin/timeline/previewlink/{link.pk}/change/", form).status_code == 302
        response = colleague.get(url)
        assert response.status_code == 404 and "Interne Fassung" not in response.content.decode()
