"""`manage.py load_seed`: the press release's events, loaded once however often it runs."""

import datetime
import io

from django.core.management import call_command

from timeline.models import Event, Participant, Series, SourceLink, Topic


def load_seed() -> str:
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    return out.getvalue()


def snapshot() -> list[tuple]:
    return list(Event.objects.order_by("pk").values_list("pk", "slug", "date", "updated_at", "publish_at"))


def test_seed_creates_the_three_events_of_the_press_release(db):
    assert "3 created" in load_seed()
    events = {event.slug: event for event in Event.objects.public()}
    assert len(events) == 3

    meeting = events["reiche-trifft-kiuchi-berlin-2025"]
    assert (meeting.date, meeting.place, meeting.kind) == ("2025-06-26", "Berlin", "meeting")
    assert [country.code for country in meeting.countries] == ["DE", "JP"]
    assert [(p.name, p.original_name, p.original_language, p.country.code) for p in meeting.participants.all()] == [
        ("Katherina Reiche", "", "", "DE"),
        ("Minoru Kiuchi", "城内実", "ja", "JP"),
    ]
    assert {topic.slug for topic in meeting.topics.all()} == {"economic-security", "critical-raw-materials"}
    assert meeting.series.slug == "german-japanese-economic-security-dialogue"

    consultations = events["erste-deutsch-japanische-regierungskonsultationen-2023"]
    assert (consultations.date, consultations.place) == ("2023-03-18", "Tokio")

    dialogue = events["deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert"]
    assert dialogue.date == "2024-36"
    assert (dialogue.date_start, dialogue.date_end) == (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))
    assert dialogue.date_display("de") == "4. Quartal 2024"
    assert dialogue.series == meeting.series

    assert SourceLink.objects.filter(url__startswith="https://").count() == 3


def test_seed_is_idempotent(db):
    load_seed()
    before = snapshot()
    participants = Participant.objects.count()
    assert "0 created, 3 already present" in load_seed()
    assert snapshot() == before
    assert Participant.objects.count() == participants


def test_seed_events_appear_on_the_public_page(client, db):
    load_seed()
    page = client.get("/").content.decode()
    for text in ["26. Juni 2025", "18. März 2023", "4. Quartal 2024", "Reiche", "Kiuchi"]:
        assert text in page


def test_every_seed_event_has_an_english_title_and_summary_of_its_own(db):
    load_seed()
    for event in Event.objects.all():
        assert event.title_en and event.summary_en, event.slug
        assert event.title_en != event.title_de and event.summary_en != event.summary_de
    meeting = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    assert meeting.title_en == "Minister Reiche meets Japan's Minister for Economic Security, Kiuchi"
    assert "critical raw materials" in meeting.body_en
    assert Event.objects.get(slug="erste-deutsch-japanische-regierungskonsultationen-2023").place_en == "Tokyo"
    assert set(Topic.objects.values_list("name_de", "name_en")) == {
        ("Wirtschaftssicherheit", "Economic security"),
        ("Kritische Rohstoffe", "Critical raw materials"),
    }
    assert Series.objects.get().name_en == "German-Japanese Economic Security Dialogue"


def test_seed_events_loaded_before_there_was_english_get_it_and_an_editors_english_is_kept(db):
    load_seed()
    meeting = Event.objects.get(slug="reiche-trifft-kiuchi-berlin-2025")
    Event.objects.update(title_en=None, summary_en=None, body_en=None, place_en=None)
    Event.objects.filter(pk=meeting.pk).update(title_en="Reiche and Kiuchi in Berlin")
    Topic.objects.update(name_en=None)
    assert "3 given their English texts" in load_seed()
    meeting.refresh_from_db()
    assert meeting.title_en == "Reiche and Kiuchi in Berlin"
    assert meeting.summary_en.startswith("Meeting in Berlin")
    assert "economic security" in meeting.search_document  # searchable in English too
    assert Topic.objects.get(slug="economic-security").name_en == "Economic security"
    assert "(left unchanged)" in load_seed()
