"""The event change form saves what it shows: each choice once, the chosen ones as stored, rows in
the order they stand in."""

import lxml.html

from tests.timeline.test_workflow import CHANGE, change_form_data
from timeline.models import Event, Topic


def selects(response) -> dict[str, lxml.html.HtmlElement]:
    """The page's select lists by name, the empty template row's left out."""
    page = lxml.html.fromstring(response.content.decode())
    return {select.name: select for select in page.iter("select") if "__prefix__" not in select.name}


def test_every_list_in_the_change_form_shows_each_choice_once_and_selects_what_is_stored(editor_client, make_event):
    security = Topic.objects.create(name="Wirtschaftssicherheit", slug="economic-security")
    Topic.objects.create(name="Energie", slug="energy")
    event = make_event(countries=["JP", "DE"], topics=[security], status=Event.Status.DRAFT, publish_at=None)
    event.participants.create(name="Minoru Kiuchi", country="JP")
    lists = selects(editor_client.get(CHANGE.format(event.pk)))
    assert {"countries", "topics", "participants-0-country", "participants-1-country"} <= lists.keys()
    for name, select in lists.items():
        values = [option.get("value") for option in select.iter("option")]
        assert len(values) == len(set(values)), f"{name} lists a choice twice"
    chosen = {
        name: sorted(option.get("value") for option in select.iter("option") if option.get("selected") is not None)
        for name, select in lists.items()
    }
    assert chosen["countries"] == ["DE", "JP"]
    assert chosen["topics"] == [str(security.pk)]
    assert chosen["participants-0-country"] == ["JP"]
    # Germany and Japan are easy to find: first in the list.
    assert [option.get("value") for option in lists["countries"].iter("option")][:2] == ["DE", "JP"]


def test_a_country_and_a_topic_left_out_of_the_form_are_removed(editor_client, make_event):
    security = Topic.objects.create(name="Wirtschaftssicherheit", slug="economic-security")
    event = make_event(countries=["DE", "JP"], topics=[security], status=Event.Status.DRAFT, publish_at=None)
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    data["countries"], data["topics"] = ["DE"], []
    assert editor_client.post(CHANGE.format(event.pk), data).status_code == 302
    event.refresh_from_db()
    assert [country.code for country in event.countries] == ["DE"]
    assert list(event.topics.all()) == []


def test_a_change_form_sending_a_country_twice_is_refused_as_the_add_form_is(editor_client, make_event):
    event = make_event(countries=["DE", "JP"], status=Event.Status.DRAFT, publish_at=None)
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    data["countries"] = ["DE", "JP", "DE"]  # one "Germany" of two taken away
    response = editor_client.post(CHANGE.format(event.pk), data)
    assert response.status_code == 200
    assert "Jedes Land bitte nur einmal: Deutschland doppelt angegeben." in response.content.decode()


def test_a_row_added_in_the_change_form_goes_after_the_rows_above_it(editor_client, make_event):
    event = make_event(status=Event.Status.DRAFT, publish_at=None)
    event.participants.create(name="Katherina Reiche", position=0)
    event.participants.create(name="Minoru Kiuchi", position=1)
    event.sources.create(url="https://www.bmwe.de/", title="Pressemitteilung", position=0)
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    # The new rows as the page shows them, filled in (an empty number is sent as "").
    data["participants-2-name"] = "Dolmetscherin"
    data.setdefault("participants-2-position", "")
    data["sources-1-url"], data["sources-1-title"] = "https://www.mofa.go.jp/", "Press release"
    data.setdefault("sources-1-position", "")
    assert editor_client.post(CHANGE.format(event.pk), data).status_code == 302
    assert [row.name for row in event.participants.all()] == ["Katherina Reiche", "Minoru Kiuchi", "Dolmetscherin"]
    assert [row.title for row in event.sources.all()] == ["Pressemitteilung", "Press release"]


def test_rows_keep_positions_typed_in_and_empty_ones_follow_the_rows_above(editor_client, make_event):
    event = make_event(status=Event.Status.DRAFT, publish_at=None)
    first = event.participants.create(name="A", position=0)
    second = event.participants.create(name="B", position=1)
    data = change_form_data(editor_client.get(CHANGE.format(event.pk)))
    data["participants-0-position"] = "5"  # A moved down on purpose
    data["participants-1-position"] = ""  # B's number cleared: after A, the row above it
    data["participants-2-name"] = "C"
    data["participants-2-position"] = "2"
    assert editor_client.post(CHANGE.format(event.pk), data).status_code == 302
    assert [row.name for row in event.participants.all()] == ["C", "A", "B"]
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.position, second.position) == (5, 6)


def test_the_timelines_country_filter_lists_each_country_once_by_name(client, make_event):
    make_event(countries=["JP", "DE"])
    make_event(title="Besuch Paris", countries=["FR"])
    page = lxml.html.fromstring(client.get("/").content.decode())
    assert [box.get("value") for box in page.xpath("//input[@name='country']")] == ["DE", "FR", "JP"]
