"""The admin's change history ("Geschichte") names what the editor changed, in the editor's words;
a save that changes nothing leaves no trace (no version, no revision, no new "updated" time), and a
form sent twice, or a row two editors add alike, is stored once."""

import re
from urllib.parse import urlencode

import lxml.html
import pytest

from tests.test_language import foreign_phrases, html_texts
from tests.timeline.test_workflow import with_colleague
from timeline.models import Event, Revision

CHANGE = "/admin/timeline/event/{}/change/"
HISTORY = "/admin/timeline/event/{}/history/"


def as_rendered(response, form_id: str = "event_form") -> list[tuple[str, str]]:
    """What a browser sends back from the page's form untouched (HTML's form submission rules):
    every named field as the page renders it, hidden ones and the empty template rows included;
    an input without a value as "", a list without a selection as its first choice, a text area
    without the line break that follows its start tag and with its line breaks as CR LF."""
    form = lxml.html.fromstring(response.content.decode()).get_element_by_id(form_id)
    fields = []
    for element in form.iter("input", "select", "textarea"):
        name, kind = element.get("name"), element.get("type", "text")
        if not name or element.get("disabled") is not None or kind in ("submit", "button", "image", "reset", "file"):
            continue
        if element.tag == "select":
            options = element.xpath(".//option")
            chosen = [option for option in options if option.get("selected") is not None]
            if not chosen and element.get("multiple") is None and options:
                chosen = options[:1]
            fields += [(name, option.get("value", option.text_content())) for option in chosen]
        elif element.tag == "textarea":
            text = element.text or ""
            text = text[1:] if text.startswith("\n") else text
            fields.append((name, text.replace("\r\n", "\n").replace("\n", "\r\n")))
        elif kind in ("checkbox", "radio"):
            if element.get("checked") is not None:
                fields.append((name, element.get("value", "on")))
        else:
            fields.append((name, element.get("value", "")))
    return fields


def replaced(fields: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    """The form's fields with some values typed over."""
    return [(name, values.get(name.replace("-", "_"), value)) for name, value in fields]


def submit(client, url: str, fields: list[tuple[str, str]], button: tuple[str, str] = ("_save", "Sichern")):
    """Post the fields as a browser posts a form (urlencoded, in the page's order)."""
    return client.post(url, urlencode([*fields, button]), content_type="application/x-www-form-urlencoded")


def history(client, event: Event) -> list[str]:
    """The change messages of the history page, newest last, as the editor reads them."""
    page = lxml.html.fromstring(client.get(HISTORY.format(event.pk)).content.decode())
    return [row.xpath("string(td[last()])").strip() for row in page.xpath("//div[@id='change-history']//tbody/tr")]


@pytest.fixture
def event(make_event):
    event = make_event(
        title="Treffen in Berlin",
        summary="Erste Zeile.\nZweite Zeile.",
        body="<h2>Ablauf</h2>\n<p>Erster Absatz.</p>\n<ul><li>Punkt</li></ul>",  # as the API may write it
        status=Event.Status.DRAFT,
        publish_at=None,
    )
    event.participants.create(name="Minoru Kiuchi", role="Minister", country="JP", position=0)
    event.sources.create(url="https://www.bmwe.de/", title="Pressemitteilung", position=0)
    return Event.objects.get(pk=event.pk)


def test_saving_a_form_without_changing_it_writes_no_version_no_revision_and_says_no_fields_changed(
    publisher_client, event
):
    before = (event.version, event.updated_at, Revision.objects.filter(event=event).count())
    form = as_rendered(publisher_client.get(CHANGE.format(event.pk)))
    assert ("summary_de", "Erste Zeile.\r\nZweite Zeile.") in form  # stored with LF
    response = submit(publisher_client, CHANGE.format(event.pk), form, ("_continue", "Sichern und weiter bearbeiten"))
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.version, event.updated_at, Revision.objects.filter(event=event).count()) == before
    assert history(publisher_client, event) == ["Keine Felder geändert."]
    page = publisher_client.get(CHANGE.format(event.pk)).content.decode()
    assert "0 Versionen" in page


def test_the_history_names_changed_fields_and_rows_in_german_and_nothing_internal(publisher_client, event):
    form = as_rendered(publisher_client.get(CHANGE.format(event.pk)))
    form = replaced(
        form,
        title_de="Treffen in Berlin und Tokio",
        change_note_de="Ort ergänzt.",
        participants_0_role="Ministerin",
        participants_1_name="Neue Person",
    )
    assert submit(publisher_client, CHANGE.format(event.pk), form).status_code == 302
    messages = history(publisher_client, event)
    assert messages == [
        "Titel (Deutsch) und öffentlicher Änderungshinweis (Deutsch) geändert. "
        "Teilnehmende Person „Neue Person“ hinzugefügt. "
        "Amt (damals) für teilnehmende Person „Minoru Kiuchi (Ministerin)“ geändert."
    ]
    for language in ("de", "en"):
        page = publisher_client.get(HISTORY.format(event.pk), headers={"Accept-Language": language})
        assert foreign_phrases(html_texts(page.content.decode(), language), language) == []
    english = publisher_client.get(HISTORY.format(event.pk), headers={"Accept-Language": "en"}).content.decode()
    assert "Changed title (German) and public change note (German)." in english


def test_a_form_sent_twice_stores_its_new_participant_and_source_once_and_says_so(publisher_client, event):
    """A double click on "Sichern": the second sending finds the first one's save."""
    form = replaced(
        as_rendered(publisher_client.get(CHANGE.format(event.pk))),
        participants_1_name="Neue Person",
        sources_1_url="https://www.mofa.go.jp/",
        sources_1_title="Press release",
    )
    first, second = (submit(publisher_client, CHANGE.format(event.pk), form) for _ in range(2))
    assert (first.status_code, second.status_code) == (302, 302)
    assert list(event.participants.values_list("name", flat=True)) == ["Minoru Kiuchi", "Neue Person"]
    assert list(event.sources.values_list("title", flat=True)) == ["Pressemitteilung", "Press release"]
    event.refresh_from_db()
    assert (event.version, Revision.objects.filter(event=event).count()) == (2, 1)
    assert history(publisher_client, event)[-1] == "Keine Felder geändert."


def test_two_editors_adding_the_same_person_get_one_row_in_the_merge_form_and_after_saving(publisher, event):
    alice, bob = with_colleague(publisher, "herausgeber2")
    alice_form = as_rendered(alice.get(CHANGE.format(event.pk)))
    bob_form = as_rendered(bob.get(CHANGE.format(event.pk)))
    added = {
        "participants_1_name": "Neue Person",
        "sources_1_url": "www.mofa.go.jp",  # stored as https://www.mofa.go.jp
        "sources_1_title": "Press release",
    }
    assert submit(alice, CHANGE.format(event.pk), replaced(alice_form, **added)).status_code == 302

    merge_page = submit(bob, CHANGE.format(event.pk), replaced(bob_form, title_de="Treffen in Tokio", **added))
    assert merge_page.status_code == 200
    merged = as_rendered(merge_page)
    assert [value for name, value in merged if re.fullmatch(r"participants-\d+-name", name)] == [
        "Minoru Kiuchi",
        "Neue Person",
    ]
    assert [value for name, value in merged if re.fullmatch(r"sources-\d+-title", name)] == [
        "Pressemitteilung",
        "Press release",
    ]
    assert ("participants-MAX_NUM_FORMS", "100") in merged
    assert submit(bob, CHANGE.format(event.pk), merged).status_code == 302
    event.refresh_from_db()
    assert event.title == "Treffen in Tokio"
    assert list(event.participants.values_list("name", flat=True)) == ["Minoru Kiuchi", "Neue Person"]
    assert list(event.sources.values_list("title", flat=True)) == ["Pressemitteilung", "Press release"]


def test_a_change_confirmed_beside_the_similar_event_warning_is_logged_as_the_date_alone(
    publisher_client, event, make_event
):
    make_event(title="Treffen in Berlin", date="2025-07-01")
    form = replaced(as_rendered(publisher_client.get(CHANGE.format(event.pk))), date="1. Juli 2025")
    warned = submit(publisher_client, CHANGE.format(event.pk), form)
    assert warned.status_code == 200 and "schon erfasst" in warned.content.decode()
    confirmed = [*as_rendered(warned), ("save_anyway", "on")]
    assert submit(publisher_client, CHANGE.format(event.pk), confirmed).status_code == 302
    assert history(publisher_client, event) == ["Datum geändert."]
