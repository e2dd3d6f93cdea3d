"""Search per language: on PostgreSQL the German text is stemmed as German and the English text as
English, each apart; names are found in either script whichever language they stand beside."""

import io
import re
from urllib.parse import urlencode, urlsplit

import feedparser
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.timeline.test_timeline import filtered_titles
from timeline.models import Event, Participant

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming is PostgreSQL's")

TALKS = "Gespräch über Rohstoffe"
COUNCIL = "Treffen mit dem Rat der EU"
RATES = "Zinspolitik"
WARS = "Kriegsfolgen"
MEETING = "Treffen in Tokio"


def add_kiuchi(event: Event) -> Participant:
    return event.participants.create(
        name="Minoru Kiuchi", original_name="城内実", original_language="ja", role="Minister für Wirtschaftssicherheit"
    )


@pytest.fixture
def events(make_event):
    """Events with German text and, some of them, English text; Kiuchi takes part in two, one of
    them without any English."""
    talks = make_event(
        title=TALKS,
        title_en="Talks on raw materials",
        summary="Die Ministerin führte Gespräche über kritische Rohstoffe.",
        summary_en="Discussions on critical raw materials.",
        date="2025-06-26",
    )
    add_kiuchi(talks)
    council = make_event(title=COUNCIL, summary="Beratung in Brüssel.", place="Brüssel", date="2025-05-01")
    add_kiuchi(council)
    make_event(
        title=RATES,
        title_en="Interest rates",
        summary="Zinssätze der Notenbanken.",
        summary_en="Central banks on interest rates.",
        date="2025-04-01",
    )
    make_event(title=WARS, title_en="After the wars", summary="Über die Folgen.", date="2025-03-01")
    make_event(title=MEETING, title_en="Meeting in Tokyo", place="Tokio", place_en="Tokyo", date="2025-02-01")


@postgresql_only
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("discussed", [TALKS]),  # "Discussions" in the English summary
        ("meetings", [MEETING]),
        ("Tokyo", [MEETING]),
        ("talking", [TALKS]),
    ],
)
def test_english_text_is_found_with_english_stemming(client, events, query, titles):
    assert filtered_titles(client, f"?q={query}") == titles


@postgresql_only
@pytest.mark.parametrize(
    ("query", "titles"), [("Gesprächen", [TALKS]), ("Rohstoff", [TALKS]), ("Beratungen", [COUNCIL])]
)
def test_german_text_is_found_with_german_stemming(client, events, query, titles):
    assert filtered_titles(client, f"?q={query}") == titles


@postgresql_only
def test_a_german_word_does_not_find_english_text_that_german_stemming_would_make_of_it(client, events):
    # German stemming makes "rates" into "rat"; "Rat" (council) finds the council, not interest rates.
    assert filtered_titles(client, "?q=Rat") == [COUNCIL]


@postgresql_only
def test_an_english_word_that_is_a_german_stop_word_is_found_in_the_english_text(client, events):
    # "war" is a German stop word ("es war"), which the German configuration drops from a query.
    assert filtered_titles(client, "?q=war") == [WARS]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("Kiuchi", [TALKS, COUNCIL]),
        ("城内実", [TALKS, COUNCIL]),
        ("内実", [TALKS, COUNCIL]),
        ("Kiuchi Rohstoffe", [TALKS]),
        ("Discussions Rohstoffe", [TALKS]),  # the words as written, one in each language
        ("Kiuchi Brüssel", [COUNCIL]),
    ],
)
def test_a_name_in_either_script_and_words_as_written_are_found_in_either_language(client, events, query, titles):
    assert filtered_titles(client, f"?q={query}") == titles


@postgresql_only
@pytest.mark.parametrize("query", ["Kiuchi talking", "城内実 discussed", "Minoru meetings"])
def test_a_name_is_found_together_with_english_words_stemmed_as_english(client, events, query):
    expected = [] if query.startswith("Minoru") else [TALKS]
    assert filtered_titles(client, f"?q={query}") == expected


@postgresql_only
def test_the_english_search_text_follows_the_participants_as_they_change(client, events):
    meeting = Event.objects.get(title_de=MEETING)
    person = add_kiuchi(meeting)
    assert filtered_titles(client, "?q=Kiuchi+meet") == [MEETING]  # English "meet" finds "Meeting"
    person.delete()
    assert filtered_titles(client, "?q=Kiuchi+meet") == []
    assert filtered_titles(client, "?q=meet") == [MEETING]


@postgresql_only
def test_an_english_translation_added_later_is_found_with_english_stemming(client, events):
    council = Event.objects.get(title_de=COUNCIL)
    assert filtered_titles(client, "?q=talks") == [TALKS]
    council.title_en = "Talking with the Council of the EU"
    council.save()
    assert filtered_titles(client, "?q=talks") == [TALKS, COUNCIL]
    assert filtered_titles(client, "?q=Kiuchi+talks") == [TALKS, COUNCIL]


REICHE = "Reiche trifft Kiuchi"
AGAIN = "Reiche trifft Kiuchi erneut"
EVERY_EVENT = sorted([TALKS, COUNCIL, RATES, WARS, MEETING, REICHE, AGAIN])


@pytest.fixture
def meetings(events, make_event):
    """Besides `events`: Reiche meets Kiuchi, once with English text and once without any (both
    in the German text "trifft", the first one in the English "meets"), in Berlin and in Tokio."""
    add_kiuchi(make_event(title=REICHE, title_en="Reiche meets Kiuchi", place="Berlin", date="2025-06-20"))
    add_kiuchi(make_event(title=AGAIN, place="Tokio", date="2025-01-10"))


def without(*titles: str) -> list[str]:
    return [title for title in EVERY_EVENT if title not in titles]


@postgresql_only
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("Kiuchi -trifft", [TALKS, COUNCIL]),  # "trifft" is German text only: not in the English
        ("Kiuchi - trifft", [TALKS, COUNCIL]),
        ("-trifft", without(REICHE, AGAIN)),  # AGAIN has no English text at all
        ("Kiuchi -meets", sorted([TALKS, COUNCIL, AGAIN])),  # "meets" is English text only
        ("-meets", without(REICHE, MEETING)),  # English stemming: "meets" is "Meeting" too
        # Berlin is the German place of TALKS and REICHE, which have no English place.
        ("Kiuchi -Berlin", sorted([COUNCIL, AGAIN])),
        ("Kiuchi or Tokyo -Berlin", sorted([COUNCIL, AGAIN, MEETING])),
        ("Kiuchi -Gesprächen", sorted([COUNCIL, REICHE, AGAIN])),  # "Gespräch" in TALKS' German
        ("Kiuchi -talking", sorted([COUNCIL, REICHE, AGAIN])),  # "Talks" in TALKS' English
        ("-trifft -Tokio -Berlin", [COUNCIL]),
    ],
)
def test_an_excluded_word_leaves_out_every_event_that_has_it_in_any_of_its_texts(client, meetings, query, titles):
    assert filtered_titles(client, "?" + urlencode({"q": query})) == titles


@postgresql_only
@pytest.mark.parametrize(
    "word", ["trifft", "meets", "Gesprächen", "meetings", "talking", "Rohstoff", "Rat", "war", "die", "Kiuchi", "城内"]
)
def test_a_word_and_the_same_word_excluded_divide_the_events_between_them(client, meetings, word):
    # What `-word` leaves out is exactly what `word` finds, whichever language's rules find it.
    found = filtered_titles(client, "?" + urlencode({"q": word}))
    left = filtered_titles(client, "?" + urlencode({"q": f"-{word}"}))
    assert found, "the word is in some event"
    assert sorted(found + left) == EVERY_EVENT


@postgresql_only
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ('"raw materials"', [TALKS]),
        ('"materials raw"', []),
        ('"Rat der EU" or Tokyo', [MEETING, COUNCIL]),
        ('Kiuchi -"raw materials"', sorted([COUNCIL, REICHE, AGAIN])),
        ('Kiuchi -"materials raw"', sorted([TALKS, COUNCIL, REICHE, AGAIN])),
        ('-"Reiche trifft"', without(REICHE, AGAIN)),
        ("Kiuchi -城内実", []),
    ],
)
def test_a_quoted_phrase_is_found_and_excluded_as_a_whole(client, meetings, query, titles):
    assert filtered_titles(client, "?" + urlencode({"q": query})) == titles


@postgresql_only
@pytest.mark.parametrize("query", ["Kiuchi -trifft", "-trifft", "Kiuchi -meets", "Kiuchi -Wirtschaftssicherheit"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_the_api_leaves_out_the_seed_meeting_when_a_word_of_its_texts_is_excluded(client, db, query, language):
    call_command("load_seed", stdout=io.StringIO())
    meeting = "reiche-trifft-kiuchi-berlin-2025"
    ask = {"headers": {"Accept-Language": language}}
    found = [event["slug"] for event in client.get("/api/events/", {"q": "Kiuchi"}, **ask).json()["results"]]
    assert meeting in found
    answer = client.get("/api/events/", {"q": query}, **ask)
    assert answer.status_code == 200
    assert meeting not in [event["slug"] for event in answer.json()["results"]]


def listed_slugs(page: str) -> list[str]:
    return sorted(re.findall(r'<h4 class="event-title"[^>]*><a href="(?:/en)?/events/([^/]+)/"', page))


@postgresql_only
@pytest.mark.parametrize("query", ["discussed", "Kiuchi talking", "Rat"])
def test_the_english_page_feed_and_api_select_what_the_german_page_selects(client, events, query):
    german = listed_slugs(client.get("/", {"q": query}).content.decode())
    assert german, "the query finds something"
    assert listed_slugs(client.get("/en/", {"q": query}).content.decode()) == german
    feed = feedparser.parse(client.get("/en/feeds/atom/", {"q": query}).content)
    assert sorted(urlsplit(entry.link).path.rstrip("/").rsplit("/", 1)[-1] for entry in feed.entries) == german
    answer = client.get("/api/events/", {"q": query}, headers={"Accept-Language": "en"}).json()
    assert sorted(event["slug"] for event in answer["results"]) == german


@postgresql_only
@pytest.mark.parametrize("query", ["discussed", "Kiuchi -trifft", '"raw materials" or Tokyo', "-trifft"])
def test_postgresql_answers_a_search_from_its_one_gin_index_among_thousands_of_events(events, query):
    from timeline.filters import search_postgresql

    call_command("generate_events", "3000", "--seed", "11", stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE timeline_event")
        # Whether the planner prefers the index at this size depends on how many rows it
        # expects; what must hold is that it can use it: the query's expression is the index's
        # own. (Without index scans, the date index cannot stand in by reading rows in order.)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search_postgresql(Event.objects.all(), query).explain()
    assert "Seq Scan" not in plan, plan
    assert "Bitmap Index Scan on event_search_idx" in plan, plan


@pytest.mark.parametrize(
    "query",
    [
        "Kiuchi",
        "Discussions",
        "城内実 Rohstoffe",
        # On SQLite "-" is part of a word, which no event has: a page with nothing on it.
        pytest.param("Kiuchi -Rohstoffe", marks=postgresql_only),
        pytest.param("-Rohstoffe", marks=postgresql_only),
    ],
)
def test_a_search_costs_the_queries_of_any_other_filter(client, events, query):
    client.get("/?kind=meeting")  # what all filtered pages share is cached
    with CaptureQueriesContext(connection) as other_filter:
        client.get("/?country=JP")
    with CaptureQueriesContext(connection) as search:
        client.get("/", {"q": query})
    assert other_filter.captured_queries  # a page read from the database, not from the cache
    assert len(search.captured_queries) == len(other_filter.captured_queries)


def test_a_participant_change_rewrites_the_search_texts_in_one_statement(events):
    meeting = Event.objects.get(title_de=MEETING)
    with CaptureQueriesContext(connection) as queries:
        add_kiuchi(meeting)
    # The insert, the event read for its texts, one update of all its search texts.
    writes = [query["sql"] for query in queries.captured_queries if query["sql"].startswith('UPDATE "timeline_event"')]
    assert len(writes) == 1 and "search_document_en" in writes[0], writes


# Migrating needs real transactions; the rows the migrations wrote are given back afterwards.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_written_before_the_search_text_was_folded_are_found_after_upgrading(client):
    from django.db.migrations.executor import MigrationExecutor

    before = [("timeline", "0016_countries_index")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("timeline")
    executor.migrate(before)
    try:
        old = MigrationExecutor(connection).loader.project_state(before).apps
        event = old.get_model("timeline", "Event").objects.create(
            title="Gespräch über Rohstoffe",
            slug="gespraech",
            kind="meeting",
            date="2025-06-26",
            date_start="2025-06-26",
            date_end="2025-06-26",
            date_precision="day",
            countries="DE,JP",
            status="published",
            publish_at="2025-06-26T10:00:00Z",
            first_published_at="2025-06-26T10:00:00Z",
        )
        old.get_model("timeline", "Participant").objects.create(event=event, name="Minoru Kiuchi (城内実)")
        upgrade = MigrationExecutor(connection)
        upgrade.loader.build_graph()
        upgrade.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    for query in ("Kiuchi", "城内", "Rohstoffe"):
        assert filtered_titles(client, f"?q={query}") == ["Gespräch über Rohstoffe"]
