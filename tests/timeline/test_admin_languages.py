"""The admin in two languages: each text in German beside its English, "English missing" shown and
filtered, an English edit under the same workflow, versions and revisions as a German one, and a
correction's change note in each language it was written in."""

import datetime

import lxml.html
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from modeltranslation.translator import translator

from tests.conftest import log_in_verified
from timeline.models import Correction, Event, Revision, Series, Topic

from .test_workflow import CHANGE, change_form_data, with_colleague

EVENTS = "/admin/timeline/event/"
LANGS = ["de", "en"]
REVISIONS = "/admin/timeline/revision/"
# What each translated text is called on a German admin page.
GERMAN_NAMES = {
    "title": "Titel",
    "summary": "Zusammenfassung",
    "body": "Haupttext",
    "place": "Ort",
    "change_note": "Öffentlicher Änderungshinweis",
    "name": "Name",
    "description": "Beschreibung",
}


def page_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode())


def listed(client, url: str) -> dict[str, str]:
    """The rows of a change list: each row's first column (title or name) -> its "Englisch" cell."""
    page = page_of(client.get(url))
    headers = [" ".join(th.text_content().split()) for th in page.xpath("//table[@id='result_list']/thead//th")]
    column = headers.index("Englisch") if "Englisch" in headers else None
    rows = {}
    for row in page.xpath("//table[@id='result_list']/tbody/tr"):
        name = row.xpath("string(th)").replace("\u00ad", "").strip()  # without the title's soft hyphens
        cells = row.xpath("./th|./td")  # in the headers' order, the checkbox too where there is one
        rows[name] = cells[column].text_content().strip() if column is not None else ""
    return rows


def history(client, event: Event) -> list[str]:
    page = page_of(client.get(f"{EVENTS}{event.pk}/history/"))
    return [row.xpath("string(td[last()])").strip() for row in page.xpath("//div[@id='change-history']//tbody/tr")]


# Side by side, named in German


ADD_FORMS = [(Event, EVENTS + "add/"), (Topic, "/admin/timeline/topic/add/"), (Series, "/admin/timeline/series/add/")]


@pytest.mark.parametrize(("model", "url"), ADD_FORMS)
def test_each_text_stands_in_german_beside_its_english_on_one_row_with_german_labels(publisher_client, model, url):
    page = page_of(publisher_client.get(url))
    for field in translator.get_options_for_model(model).fields:
        (row,) = page.xpath(f"//div[contains(@class, 'form-row') and contains(@class, 'field-{field}_de ')]")
        german, english = (row.xpath(f".//div[contains(@class, 'fieldBox field-{field}_{code}')]")[0] for code in LANGS)
        name = GERMAN_NAMES[field]
        assert german.xpath("string(label)") == f"{name} (Deutsch):"
        assert english.xpath("string(label)") == f"{name} (Englisch):"
        # Each box says its language, for the browser's spelling check and the layout.
        assert german.xpath(".//*[@name]/@lang") == ["de"] and english.xpath(".//*[@name]/@lang") == ["en"]
        # German is the source, required where the field is; English is optional and says where
        # it is shown and what is shown while it is missing.
        required = field in ("title", "name")
        assert ("required" in german.xpath("string(label/@class)").split()) == required
        assert "required" not in english.xpath("string(label/@class)").split()
        help_text = english.getparent().xpath("string(div[@class='help'])")
        assert "englischen Seiten" in help_text and ("deutsche Text" in help_text or "deutschen Hinweis" in help_text)


def test_every_translated_column_is_named_with_its_language_in_either_admin_language():
    for model in translator.get_registered_models():
        for field in translator.get_options_for_model(model).fields:
            for code in ("de", "en"):
                column = model._meta.get_field(f"{field}_{code}")
                for admin_language, names in (("de", ("Deutsch", "Englisch")), ("en", ("German", "English"))):
                    with translation.override(admin_language):
                        name = str(column.verbose_name)
                    language = names[0] if code == "de" else names[1]
                    assert name.endswith(f" ({language})") and "[" not in name, (model, field, name)


def test_a_german_editor_writing_in_the_english_admin_still_writes_german_and_is_asked_about_german_twins(
    publisher, make_event
):
    event = make_event(title="Treffen in Tokio", status=Event.Status.DRAFT, publish_at=None)
    make_event(title="Treffen in Osaka", date="2025-06-26", status=Event.Status.DRAFT, publish_at=None)
    client = log_in_verified(Client(headers={"Accept-Language": "en"}), publisher)
    data = change_form_data(client.get(CHANGE.format(event.pk)))
    data["title_de"] = "Treffen in Osaka"
    asked = client.post(CHANGE.format(event.pk), data)
    assert "save_anyway" in asked.context["adminform"].form.errors  # the German titles compared
    data["title_de"] = "Gespräch in Tokio"
    assert client.post(CHANGE.format(event.pk), data).status_code == 302
    event.refresh_from_db()
    assert (event.title_de, event.title_en) == ("Gespräch in Tokio", None)
    assert Revision.objects.filter(event=event).first().title == "Gespräch in Tokio"


# English missing


@pytest.fixture
def four_events(make_event):
    english = {"title_en": "Talks", "summary_en": "Short."}
    return {
        # English for every text a reader sees; the place is not counted ("Berlin" reads the same).
        "Vollständig": make_event(title="Vollständig", summary="Kurz.", place="Berlin", **english),
        "Ohne englischen Titel": make_event(title="Ohne englischen Titel", summary=""),
        "Ohne englische Zusammenfassung": make_event(
            title="Ohne englische Zusammenfassung", title_en="No summary", summary="Kurz."
        ),
        "Ohne englischen Text": make_event(title="Ohne englischen Text", body="<p>Text</p>", **english),
    }


def test_the_event_list_says_where_english_is_missing_and_filters_by_it(publisher_client, four_events):
    assert listed(publisher_client, EVENTS) == {
        "Vollständig": "vollständig",
        "Ohne englischen Titel": "fehlt",
        "Ohne englische Zusammenfassung": "fehlt",
        "Ohne englischen Text": "fehlt",
    }
    page = publisher_client.get(EVENTS).content.decode()
    assert "fehlt (Titel, Zusammenfassung oder Haupttext)" in page  # the choice says what counts
    assert set(listed(publisher_client, EVENTS + "?english=missing")) == set(four_events) - {"Vollständig"}
    assert set(listed(publisher_client, EVENTS + "?english=complete")) == {"Vollständig"}


def test_the_event_list_reads_english_missing_in_as_many_queries_for_many_events_as_for_one(
    publisher_client, make_event
):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert publisher_client.get(url).status_code == 200
        return len(captured)

    make_event(title="Eins")
    one = [queries(EVENTS), queries(EVENTS + "?english=missing")]
    for number in range(8):
        make_event(title=f"Termin {number}", summary="Kurz.", title_en=f"Event {number}" if number % 2 else None)
    assert [queries(EVENTS), queries(EVENTS + "?english=missing")] == one


def test_topic_and_series_lists_filter_english_missing_by_name_and_description(publisher_client, db):
    Topic.objects.create(name_de="Energie", name_en="Energy", slug="energy")
    Topic.objects.create(name_de="Handel", slug="trade")
    Series.objects.create(name_de="Dialog", name_en="Dialogue", slug="dialogue")
    Series.objects.create(name_de="Konsultationen", name_en="Consultations", description_de="Jährlich.", slug="c")
    assert set(listed(publisher_client, "/admin/timeline/topic/?english=missing")) == {"Handel"}
    assert set(listed(publisher_client, "/admin/timeline/topic/?english=complete")) == {"Energie"}
    assert listed(publisher_client, "/admin/timeline/series/") == {"Dialog": "vollständig", "Konsultationen": "fehlt"}
    assert set(listed(publisher_client, "/admin/timeline/series/?english=missing")) == {"Konsultationen"}


# The same workflow, versions and revisions


@pytest.fixture
def draft(make_event):
    return make_event(title="Treffen in Berlin", summary="Ein Treffen.", status=Event.Status.DRAFT, publish_at=None)


def test_an_editor_writing_only_english_moves_the_version_and_leaves_a_revision_and_history(
    editor_client, publisher_client, draft
):
    data = change_form_data(editor_client.get(CHANGE.format(draft.pk)))
    data.update(title_en="Meeting in Berlin", summary_en="A meeting.")
    assert editor_client.post(CHANGE.format(draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.version, draft.title_de, draft.title_en) == (2, "Treffen in Berlin", "Meeting in Berlin")
    revision = Revision.objects.filter(event=draft).first()
    assert (revision.action, revision.data["title_en"], revision.data["summary_en"]) == (
        "edited",
        "Meeting in Berlin",
        "A meeting.",
    )
    assert history(editor_client, draft) == ["Titel (Englisch) und Zusammenfassung (Englisch) geändert."]
    changes = page_of(publisher_client.get(f"{REVISIONS}{revision.pk}/change/"))
    rows = [[cell.text_content() for cell in row.xpath("td")] for row in changes.xpath("//tbody/tr[td]")]
    assert ["Titel (Englisch)", "", "Meeting in Berlin"] in rows
    assert ["Zusammenfassung (Englisch)", "", "A meeting."] in rows


def test_two_editors_writing_the_same_english_title_must_choose_and_english_beside_german_is_merged(editor, draft):
    alice, bob = with_colleague(editor, "bob")
    alice_form = change_form_data(alice.get(CHANGE.format(draft.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(draft.pk)))
    assert alice.post(CHANGE.format(draft.pk), {**alice_form, "title_en": "Meeting in Berlin"}).status_code == 302

    # Bob's German summary goes with Alice's English title: merged, no question.
    merged = bob.post(CHANGE.format(draft.pk), {**bob_form, "summary_de": "Ein kurzes Treffen."})
    assert merged.context["adminform"].form.errors.keys() == {"__all__"}
    assert bob.post(CHANGE.format(draft.pk), change_form_data(merged)).status_code == 302
    draft.refresh_from_db()
    assert (draft.title_en, draft.summary_de, draft.version) == ("Meeting in Berlin", "Ein kurzes Treffen.", 3)

    # Both write the English summary: the second is refused and asked to choose; nothing is lost.
    alice_form = change_form_data(alice.get(CHANGE.format(draft.pk)))
    bob_form = change_form_data(bob.get(CHANGE.format(draft.pk)))
    assert alice.post(CHANGE.format(draft.pk), {**alice_form, "summary_en": "A short meeting."}).status_code == 302
    clash = bob.post(CHANGE.format(draft.pk), {**bob_form, "summary_en": "A brief meeting."})
    assert clash.status_code == 200
    errors = clash.context["adminform"].form.errors
    assert errors["summary_en"] == ["Ein Kollege oder eine Kollegin hat dies inzwischen geändert."]
    assert "Zusammenfassung (Englisch)" in errors["__all__"][0]
    assert change_form_data(clash)["summary_en"] == "A brief meeting."  # Bob's text to keep or drop
    draft.refresh_from_db()
    assert (draft.summary_en, draft.version) == ("A short meeting.", 4)


def test_an_editor_changes_the_english_of_a_published_event_no_more_than_its_german(
    editor_client, publisher_client, make_event
):
    event = make_event(title="Treffen in Berlin")
    publishers_page = publisher_client.get(CHANGE.format(event.pk))
    assert 'name="title_en"' in publishers_page.content.decode()
    page = editor_client.get(CHANGE.format(event.pk)).content.decode()
    assert 'name="title_en"' not in page and 'name="title_de"' not in page  # read-only for editors
    data = change_form_data(publishers_page)
    assert editor_client.post(CHANGE.format(event.pk), {**data, "title_en": "Meeting"}).status_code == 403
    event.refresh_from_db()
    assert (event.title_en, event.version) == (None, 1)


def test_restoring_a_revision_brings_its_english_back(publisher_client, make_event):
    event = make_event(title="Treffen in Berlin")
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    publisher_client.post(CHANGE.format(event.pk), {**data, "title_en": "Meeting in Berlin"})
    first = Revision.objects.filter(event=event).first()
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    publisher_client.post(CHANGE.format(event.pk), {**data, "title_en": "Talks in Berlin", "place_en": "Berlin"})
    event.refresh_from_db()
    assert (event.title_en, event.place_en) == ("Talks in Berlin", "Berlin")

    publisher_client.post(REVISIONS, {"action": "restore", "_selected_action": [first.pk]})
    event.refresh_from_db()
    assert (event.title_de, event.title_en, event.place_en) == ("Treffen in Berlin", "Meeting in Berlin", None)
    assert Revision.objects.filter(event=event).first().action == "restored"


# A correction's change note in each language


def correct(client, event: Event, **notes) -> None:
    data = change_form_data(client.get(CHANGE.format(event.pk)))
    assert client.post(CHANGE.format(event.pk), {**data, **notes}).status_code == 302


def test_an_english_change_note_given_later_translates_the_latest_correction_and_is_no_new_update(
    publisher_client, make_event
):
    event = make_event(title="Treffen in Berlin", publish_at=timezone.now() - datetime.timedelta(days=2))
    correct(publisher_client, event, change_note_de="Der Ort wurde korrigiert.")
    event.refresh_from_db()
    corrected_at = event.revised_at
    assert corrected_at is not None

    correct(publisher_client, event, change_note_en="The place was corrected.")
    correct(publisher_client, event, change_note_en="The venue was corrected.")  # the translation corrected
    event.refresh_from_db()
    (correction,) = Correction.objects.filter(event=event)
    assert (correction.note_de, correction.note_en) == ("Der Ort wurde korrigiert.", "The venue was corrected.")
    assert event.revised_at == corrected_at  # feeds and pages keep their "updated" time
    assert Revision.objects.filter(event=event).first().data["change_note_en"] == "The venue was corrected."

    # A new German note is a new correction, with its English if given with it.
    correct(publisher_client, event, change_note_de="Ein Teilnehmer wurde ergänzt.", change_note_en="")
    event.refresh_from_db()
    assert [(c.note_de, c.note_en) for c in event.corrections.all()] == [
        ("Der Ort wurde korrigiert.", "The venue was corrected."),
        ("Ein Teilnehmer wurde ergänzt.", None),
    ]
    assert event.revised_at > corrected_at


def test_a_new_german_change_note_does_not_carry_the_previous_notes_translation(publisher_client, client, make_event):
    event = make_event(title="Treffen in Berlin", publish_at=timezone.now() - datetime.timedelta(days=2))
    correct(
        publisher_client, event, change_note_de="Der Ort wurde korrigiert.", change_note_en="The place was corrected."
    )
    correct(publisher_client, event, change_note_de="Das Datum wurde korrigiert.")  # the English field left as it was
    event.refresh_from_db()
    assert (event.change_note_de, event.change_note_en) == ("Das Datum wurde korrigiert.", None)
    assert [(c.note_de, c.note_en) for c in event.corrections.all()] == [
        ("Der Ort wurde korrigiert.", "The place was corrected."),
        ("Das Datum wurde korrigiert.", None),
    ]
    english = client.get(f"/en/events/{event.slug}/").content.decode()
    assert english.count("The place was corrected.") == 1  # once, for the correction it translates
    assert "Das Datum wurde korrigiert." in english  # the new one, in German (marked so)


def test_an_english_change_note_without_a_german_one_is_refused_saying_to_write_the_german_first(
    publisher_client, make_event
):
    event = make_event(title="Treffen in Berlin")
    data = change_form_data(publisher_client.get(CHANGE.format(event.pk)))
    refused = publisher_client.post(CHANGE.format(event.pk), {**data, "change_note_en": "The place was corrected."})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["change_note_en"] == [
        "Schreiben Sie zuerst den deutschen Änderungshinweis; der englische übersetzt ihn."
    ]
    event.refresh_from_db()
    assert (event.change_note_en, event.version, event.corrections.count()) == (None, 1, 0)


@pytest.mark.parametrize("field", ["summary", "body", "place"])
def test_an_english_text_without_its_german_is_refused_for_every_writer(make_event, field):
    event = make_event(title="Treffen", summary="", place="", body="")
    setattr(event, f"{field}_en", "<p>Only English.</p>" if field == "body" else "Only English.")
    with pytest.raises(ValidationError) as refusal:  # the model's check, which the admin, API and importer run
        event.full_clean()
    assert refusal.value.message_dict == {
        f"{field}_en": ["Schreiben Sie zuerst den deutschen Text; der englische übersetzt ihn."]
    }
    series = Series(name_de="Dialog", slug="dialog", description_en="Yearly.")
    with pytest.raises(ValidationError) as refusal:
        series.full_clean()
    assert list(refusal.value.message_dict) == ["description_en"]
