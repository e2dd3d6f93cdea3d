"""A second event with a title already recorded: a question to the editor, never a slug error."""

import html
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.timeline.test_admin import ADD_URL, add_form
from timeline.models import Event, Series, Topic

SEED_TITLE = "Deutsch-Japanischer Wirtschaftssicherheitsdialog etabliert"
SEED_SLUG = "deutsch-japanischer-wirtschaftssicherheitsdialog-etabliert"


@pytest.fixture
def seed(db):
    call_command("load_seed", stdout=io.StringIO())
    return Event.objects.get(slug=SEED_SLUG)


def seed_title_again(**overrides) -> dict:
    """The add form with the seed's title, and the slug as the admin's script used to copy it."""
    return add_form(**{"title_de": SEED_TITLE, "slug": SEED_SLUG, "date": "Ende 2024", **overrides})


def test_the_seeds_title_added_again_is_a_warning_with_links_and_saved_once_the_editor_confirms(editor_client, seed):
    first = editor_client.post(ADD_URL, seed_title_again())
    assert first.status_code == 200
    form = first.context["adminform"].form
    assert "slug" not in form.errors  # no word about a field the editor never filled
    page = html.unescape(first.content.decode())
    assert "Ein Termin mit diesem Titel und überschneidendem Datum ist schon erfasst:" in page
    assert f'<a href="/admin/timeline/event/{seed.pk}/change/">im Admin öffnen</a>' in page
    assert f'<a href="/events/{SEED_SLUG}/">öffentliche Seite</a>' in page
    assert 'type="checkbox" name="save_anyway"' in page and "Trotzdem speichern" in page
    assert f">\n{SEED_TITLE}</textarea>" in page and 'value="Berlin"' in page  # the editor's input is kept
    assert Event.objects.filter(title=SEED_TITLE).count() == 1

    shown = form.data["similar_shown"]
    confirmed = editor_client.post(ADD_URL, seed_title_again(save_anyway="on", similar_shown=shown))
    assert confirmed.status_code == 302
    second = Event.objects.exclude(pk=seed.pk).get(title=SEED_TITLE)
    assert second.slug == f"{SEED_SLUG}-2"
    assert second.date == "2024-36"


def test_a_confirmation_covers_only_the_events_it_was_given_for(editor_client, seed, make_event):
    shown = editor_client.post(ADD_URL, seed_title_again()).context["adminform"].form.data["similar_shown"]
    make_event(title=SEED_TITLE, date="2024-11", status=Event.Status.DRAFT, publish_at=None)  # a colleague's, meanwhile
    again = editor_client.post(ADD_URL, seed_title_again(save_anyway="on", similar_shown=shown))
    assert again.status_code == 200
    assert "Termine mit diesem Titel und überschneidendem Datum sind schon erfasst:" in html.unescape(
        again.content.decode()
    )


def test_a_nearly_identical_title_on_an_overlapping_date_is_asked_about_too(editor_client, seed):
    response = editor_client.post(
        ADD_URL, add_form(title_de="Deutsch-japanischer Wirtschaftssicherheitsdialog etabliert.", date="Dezember 2024")
    )
    assert response.status_code == 200
    assert "save_anyway" in response.context["adminform"].form.errors


def test_the_seeds_title_in_another_period_is_saved_without_a_question(editor_client, seed):
    # A dialogue held again a year later has the same title; its date tells it apart.
    response = editor_client.post(ADD_URL, seed_title_again(date="Ende 2025"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Event.objects.get(title=SEED_TITLE, date="2025-36").slug == f"{SEED_SLUG}-2"


def test_the_titles_address_as_the_admin_script_copied_it_is_made_free_without_a_word(editor_client, seed):
    # "für" as the admin's script copied it ("fur"), where the service writes "fuer".
    make = add_form(title_de="Gespräch für Wirtschaftssicherheit", slug="gesprach-fur-wirtschaftssicherheit")
    assert editor_client.post(ADD_URL, make).status_code == 302
    again = {**make, "date": "2020"}
    assert editor_client.post(ADD_URL, again).status_code == 302
    slugs = sorted(Event.objects.filter(title__startswith="Gespräch").values_list("slug", flat=True))
    assert slugs == ["gespraech-fuer-wirtschaftssicherheit", "gespraech-fuer-wirtschaftssicherheit-2"]


def test_an_address_chosen_on_purpose_and_taken_is_refused_naming_its_event_and_a_free_one(editor_client, seed):
    response = editor_client.post(ADD_URL, add_form(title_de="Ganz anderer Termin", slug=SEED_SLUG, date="2020"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == [
        f"Die Adresse „{SEED_SLUG}“ gehört schon zu „{SEED_TITLE}“. Frei ist „{SEED_SLUG}-2“; oder lassen Sie "
        "den Kurznamen leer, dann wird einer gebildet."
    ]
    assert not Event.objects.filter(title="Ganz anderer Termin").exists()


def test_the_add_form_leaves_the_slug_to_the_service(editor_client, db):
    page = editor_client.get(ADD_URL).content.decode()
    assert "#id_slug" not in page  # no script copies the title into it as "ä" -> "a"
    assert 'type="checkbox" name="save_anyway"' not in page  # nothing to confirm yet


def test_saving_an_event_without_changing_title_or_date_asks_nothing(publisher_client, seed, make_event):
    twin = make_event(title=SEED_TITLE, date="2024-12")  # confirmed once, earlier
    change = f"/admin/timeline/event/{twin.pk}/change/"
    form = publisher_client.get(change).context["adminform"].form
    data = {
        **seed_title_again(slug=twin.slug, date="2024-12", status="published", summary_de="Neu."),
        "version": str(twin.version),
        "snapshot": form.initial["snapshot"],
        "publish_at_0": twin.publish_at.strftime("%Y-%m-%d"),
        "publish_at_1": twin.publish_at.strftime("%H:%M:%S"),
    }
    response = publisher_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    twin.refresh_from_db()
    assert twin.summary == "Neu."


def test_the_api_saves_a_second_event_with_the_seeds_title_without_asking_and_gives_it_a_free_address(seed, editor):
    client = APIClient()
    client.force_authenticate(editor)
    created = client.post("/api/events/", {"title": SEED_TITLE, "date": "Ende 2024"}, format="json")
    assert created.status_code == 201
    assert created.json()["slug"] == f"{SEED_SLUG}-2"
    taken = client.post("/api/events/", {"title": "Anderes", "date": "2020", "slug": SEED_SLUG}, format="json")
    assert taken.status_code == 400
    assert taken.json()["slug"] == [
        f"Die Adresse „{SEED_SLUG}“ gehört schon zu „{SEED_TITLE}“. Frei ist „{SEED_SLUG}-3“; oder lassen Sie "
        "den Kurznamen leer, dann wird einer gebildet."
    ]


@pytest.mark.parametrize(
    ("model", "url"), [(Topic, "/admin/timeline/topic/add/"), (Series, "/admin/timeline/series/add/")]
)
def test_topics_and_series_get_their_address_by_the_same_rule(publisher_client, model, url):
    model.objects.create(name="Ernährung", slug="ernaehrung")
    # Left empty, or as the admin's script copied it ("ä" as "a"): made free by the service's rule.
    assert publisher_client.post(url, {"name_de": "Ernährung!", "slug": "ernahrung"}).status_code == 302
    assert publisher_client.post(url, {"name_de": "Ernährung?", "slug": ""}).status_code == 302
    assert sorted(model.objects.values_list("slug", flat=True)) == ["ernaehrung", "ernaehrung-2", "ernaehrung-3"]
    refused = publisher_client.post(url, {"name_de": "Essen", "slug": "ernaehrung"})
    assert refused.context["adminform"].form.errors["slug"] == [
        "Die Adresse „ernaehrung“ gehört schon zu „Ernährung“. Frei ist „ernaehrung-4“; oder lassen Sie den "
        "Kurznamen leer, dann wird einer gebildet."
    ]
    assert "#id_slug" not in publisher_client.get(url).content.decode()
