"""A participant's name in Latin script and in its own script (城内実), each marked with its language."""

import csv
import importlib
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from rest_framework.test import APIClient

from timeline.models import Event, Participant

MEETING = "reiche-trifft-kiuchi-berlin-2025"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())
    return Event.objects.get(slug=MEETING)


def kiuchi(event: Event) -> Participant:
    return event.participants.get(name="Minoru Kiuchi")


def test_an_original_name_without_its_language_is_refused_in_german(seed):
    person = Participant(event=seed, name="Xi Jinping", original_name="习近平")
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert refused.value.message_dict == {
        "original_language": ["Wählen Sie die Sprache des Namens in Originalschrift."]
    }


def test_a_language_without_an_original_name_is_refused_in_german(seed):
    person = Participant(event=seed, name="Xi Jinping", original_language="zh")
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert refused.value.message_dict == {
        "original_name": ["Eine Sprache wird nur zusammen mit einem Namen in Originalschrift angegeben."]
    }


def test_a_language_tag_outside_the_list_is_refused(seed):
    person = Participant(event=seed, name="Xi Jinping", original_name="习近平", original_language="klingon")
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert list(refused.value.message_dict) == ["original_language"]
    assert "ist keine gültige Option" in refused.value.message_dict["original_language"][0]


def test_the_event_page_shows_both_names_the_original_marked_japanese(client, seed):
    page = client.get(f"/events/{MEETING}/").content.decode()
    assert '<strong>Minoru Kiuchi (<span lang="ja">城内実</span>)</strong>' in page
    assert "<strong>Katherina Reiche</strong>" in page  # a name without an original, as before
    # The Latin name stays in the content language, as the list around it says.
    assert re.search(r'<ul class="participants" lang="de">', page)


def test_json_ld_gives_the_original_as_a_language_tagged_alternate_name(client, seed):
    page = client.get(f"/events/{MEETING}/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    person = data["performer"][1]
    assert person["name"] == "Minoru Kiuchi"
    assert person["alternateName"] == {"@value": "城内実", "@language": "ja"}
    assert "alternateName" not in data["performer"][0]


def test_atom_and_json_feed_entries_carry_both_names(client, seed):
    root = ET.fromstring(client.get("/feeds/atom/").content)
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title").startswith("Bundesministerin"))
    content = entry.findtext(f"{ATOM}content")
    assert 'Katherina Reiche, Minoru Kiuchi (<span lang="ja">城内実</span>)' in content

    items = client.get("/feeds/json/").json()["items"]
    item = next(i for i in items if i["title"].startswith("Bundesministerin"))
    assert 'Minoru Kiuchi (<span lang="ja">城内実</span>)' in item["content_html"]


@pytest.fixture
def seoul(make_event):
    """An event whose participant has a Korean name in Hangul."""
    event = make_event(title="Treffen in Seoul", place="Seoul", countries=["DE", "KR"])
    Participant.objects.create(
        event=event, name="Cho Tae-yul", original_name="조태열", original_language="ko", role="Außenminister"
    )
    return event


def test_the_csv_export_gives_both_names(client, seoul):
    text = client.get("/export.csv").content.decode("utf-8-sig")
    (row,) = csv.DictReader(io.StringIO(text), delimiter=";")
    assert row["Teilnehmende"] == "Cho Tae-yul (조태열), Außenminister"


def test_the_api_reads_and_writes_both_names_and_refuses_a_lone_original(seed, editor):
    client = APIClient()
    client.force_authenticate(editor)
    people = client.get(f"/api/events/{MEETING}/").json()["participants"]
    assert people[1]["original_name"] == "城内実" and people[1]["original_language"] == "ja"

    event = {"title": "Treffen in Seoul", "kind": "meeting", "date": "2025-07-01", "countries": ["KR"]}
    person = {"name": "Cho Tae-yul", "original_name": "조태열", "original_language": "ko"}
    created = client.post("/api/events/", {**event, "participants": [person]}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["participants"][0] == {**person, "role": "", "organisation": "", "country": ""}
    again = client.get(f"/api/events/{created.json()['id']}/").json()
    assert again["participants"][0]["original_name"] == "조태열"

    lone = {"name": "Cho Tae-yul", "original_name": "조태열"}
    refused = client.post("/api/events/", {**event, "participants": [lone]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["participants"]["0"]["original_language"] == [
        "Wählen Sie die Sprache des Namens in Originalschrift."
    ]
    bad_tag = client.post(
        "/api/events/", {**event, "participants": [{**person, "original_language": "xx"}]}, format="json"
    )
    assert bad_tag.status_code == 400 and "original_language" in bad_tag.json()["participants"]["0"]


def test_the_importer_reads_both_names_from_a_csv_row(seed, tmp_path):
    path = tmp_path / "batch.csv"
    path.write_text(
        "import_ref,title,kind,date,countries,participants,status\n"
        'csv-1,Treffen in Tokio,meeting,2025-06-26,JP,"Minoru Kiuchi|Minister|Regierung von Japan|JP|城内実|ja",'
        "published\n",
        encoding="utf-8",
    )
    call_command("import_events", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    person = Event.objects.get(import_ref="csv-1").participants.get()
    assert (person.name, person.original_name, person.original_language) == ("Minoru Kiuchi", "城内実", "ja")


@pytest.mark.parametrize("query", ["조태열", "Tae-yul", "Cho"])
def test_search_finds_the_event_by_either_name(client, seoul, query):
    page = client.get("/", {"q": query}).content.decode()
    assert f'href="/events/{seoul.slug}/"' in page


def test_search_finds_an_original_name_added_later(client, seed):
    person = kiuchi(seed)
    person.original_name = "木内稔"  # not the real spelling: only to see the search text follow an edit
    person.save()
    assert f'href="/events/{MEETING}/"' in client.get("/", {"q": "木内稔"}).content.decode()
    assert f'href="/events/{MEETING}/"' not in client.get("/", {"q": "城内実"}).content.decode()


def test_the_admin_inline_edits_both_fields(publisher_client, seed):
    page = publisher_client.get(f"/admin/timeline/event/{seed.pk}/change/").content.decode()
    assert 'name="participants-1-original_name"' in page and 'value="城内実"' in page
    assert 'name="participants-1-original_language"' in page
    assert "Name in Originalschrift" in page and "Sprache des Originalnamens" in page


def test_the_seed_stores_kiuchis_name_split_and_a_second_run_changes_nothing(seed):
    person = kiuchi(seed)
    assert (person.name, person.original_name, person.original_language) == ("Minoru Kiuchi", "城内実", "ja")
    before = list(Participant.objects.order_by("pk").values_list("pk", "name", "original_name", "original_language"))
    out = io.StringIO()
    call_command("load_seed", stdout=out)
    assert "0 created, 3 already present" in out.getvalue()
    after = list(Participant.objects.order_by("pk").values_list("pk", "name", "original_name", "original_language"))
    assert after == before


def test_the_migration_splits_names_the_earlier_seed_stored_as_one_string(client, seed):
    migration = importlib.import_module("timeline.migrations.0021_participant_original_name")
    Participant.objects.filter(pk=kiuchi(seed).pk).update(name="Minoru Kiuchi (城内実)", original_name="")
    Participant.objects.filter(name="Minoru Kiuchi (城内実)").update(original_language="")
    migration.split_seed_names(apps, None)
    person = kiuchi(seed)
    assert (person.original_name, person.original_language) == ("城内実", "ja")
    assert f'href="/events/{MEETING}/"' in client.get("/", {"q": "城内実"}).content.decode()


@pytest.mark.parametrize(
    "original, language, field, message",
    [
        ("김정은", "", "original_language", "Wählen Sie die Sprache des Namens in Originalschrift."),
        ("", "ko", "original_name", "Eine Sprache wird nur zusammen mit einem Namen in Originalschrift angegeben."),
    ],
)
def test_the_admin_says_what_is_missing_not_only_that_a_field_is_required(
    editor_client, original, language, field, message
):
    from tests.timeline.test_admin import ADD_URL, add_form

    form = add_form(
        **{"participants-0-name": "Kim Jong-un", "participants-0-original_name": original},
        **{"participants-0-original_language": language},
    )
    response = editor_client.post(ADD_URL, form)
    assert response.status_code == 200
    (inline,) = [
        formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "participants"
    ]
    assert inline.formset.forms[0].errors[field] == [message]
    assert "Kim Jong-un" in response.content.decode()  # what the editor typed stays


def test_a_change_to_participants_alone_reaches_the_feeds_next_request(client, seoul):
    from timeline.cache import content_changed

    assert "조태열" in client.get("/feeds/atom/").content.decode()
    Participant.objects.filter(event=seoul).update(original_name="조태열 외무장관")
    content_changed()
    for url in ("/feeds/atom/", "/feeds/rss/", "/feeds/json/"):
        assert "조태열 외무장관" in client.get(url).content.decode(), url
