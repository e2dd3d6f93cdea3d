"""The public timeline page: order, grouping, filters, errors, pagination, subscribing."""

import datetime
import html
import importlib
import io
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import feedparser
import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.conftest import as_read
from timeline import cache
from timeline.models import Event, Series, Topic, make_search_documents
from timeline.pagination import PAGE_SIZE
from timeline.text import search_text

TODAY = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)


class PageParser(HTMLParser):
    """Collects what a reader sees of the list: event titles in order, headings, links."""

    def __init__(self):
        super().__init__()
        self.titles: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.links: dict[str, str] = {}
        self._in: str | None = None
        self._text = ""
        self._attrs: dict = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3", "h4"):
            self._in, self._text = tag, ""
        if tag == "a":
            self._attrs = attrs
            self._text = "" if self._in is None else self._text
        if tag == "link" and attrs.get("rel") in ("alternate", "canonical"):
            self.links[attrs.get("type") or attrs["rel"]] = attrs["href"]

    def handle_data(self, data):
        self._text += data

    def handle_endtag(self, tag):
        if tag == self._in:
            text = " ".join(as_read(self._text).split())
            self.headings.append((tag, text))
            if tag == "h4":
                self.titles.append(text)
            self._in = None


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


def expected_titles(queryset=None) -> list[str]:
    queryset = queryset if queryset is not None else Event.objects.public()
    return list(queryset.newest_first().values_list("title", flat=True))


@pytest.fixture
def seeded(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("load_seed", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("generate_events", "200", "--seed", "7", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Event.objects.public()


@pytest.fixture
def at_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_first_page_lists_public_events_newest_first_with_honest_dates(client, seeded, at_today):
    response = client.get("/")
    assert response.status_code == 200
    titles = parse(response).titles
    assert titles == expected_titles()[:PAGE_SIZE]
    assert len(titles) == PAGE_SIZE
    page = response.content.decode()
    for draft in Event.objects.exclude(pk__in=Event.objects.public()).values_list("slug", flat=True):
        assert f"/events/{draft}/" not in page


def test_following_older_links_visits_every_public_event_once_in_order(client, seeded, at_today):
    seen, url, pages = [], "/", 0
    while url:
        response = client.get(url)
        seen.extend(parse(response).titles)
        match = re.search(r'href="(\?[^"]*)" rel="next"', response.content.decode())
        url = "/" + match.group(1).replace("&amp;", "&") if match else None
        pages += 1
    assert seen == expected_titles()
    assert pages == -(-len(seen) // PAGE_SIZE)


def test_newer_link_leads_back_to_the_same_events(client, seeded, at_today):
    first = client.get("/")
    older_url = "/" + re.search(r'href="(\?[^"]*)" rel="next"', first.content.decode()).group(1).replace("&amp;", "&")
    second = client.get(older_url)
    newer_url = "/" + re.search(r'href="(\?[^"]*)" rel="prev"', second.content.decode()).group(1).replace("&amp;", "&")
    assert parse(client.get(newer_url)).titles == parse(first).titles


def version_queries() -> int:
    """Queries the next request spends on the content version: none, as this process has just
    read it (it keeps it for a second)."""
    from timeline.cache import content_version

    content_version()
    return 0


def test_page_query_count_is_the_same_on_the_first_and_a_deep_page(client, seeded, at_today, django_assert_num_queries):
    last = list(Event.objects.public().newest_first())[-5]
    deep = f"/?after={last.date_start}.{last.date_end}.{last.pk}"
    # Count, page, topics, topic and series names, used countries: 6 when the cache is cold (as
    # here, the first request after a change), plus the content version (see version_queries).
    with django_assert_num_queries(6 + version_queries()) as first_page:
        client.get("/")
    # Count and country list now come from the cache; + "is there a newer page?".
    with django_assert_num_queries(len(first_page.captured_queries) - 2 + 1):
        client.get(deep)


def test_query_count_does_not_grow_with_the_number_of_events(client, make_event, at_today, django_assert_num_queries):
    make_event(title="Eins")
    with django_assert_num_queries(6 + version_queries()):
        client.get("/")
    for number in range(60):
        make_event(title=f"Treffen {number}", date=f"2024-{number % 12 + 1:02d}-01")
    with django_assert_num_queries(6 + version_queries()):
        client.get("/")


def test_events_are_grouped_under_year_and_period_headings(client, make_event, at_today):
    make_event(title="Treffen Juni", date="2025-06-26")
    make_event(title="Dialog Q4", date="Ende 2024")
    make_event(title="Treffen Oktober", date="2024-10-15")
    make_event(title="Irgendwann 2024", date="2024")
    headings = [h for h in parse(client.get("/")).headings if h[0] in ("h2", "h3")]
    assert headings[1:] == [
        ("h2", "2025"),
        ("h3", "Juni 2025"),
        ("h2", "2024"),
        ("h3", "Oktober 2024"),
        ("h3", "4. Quartal 2024"),
        ("h3", "2024, Datum innerhalb des Jahres nicht bekannt"),
    ]


def test_upcoming_events_are_marked_and_the_page_can_jump_to_today(client, make_event, at_today):
    make_event(title="Zukunft", date="2027-03-01")
    make_event(title="Heute", date="2026-11-27")
    make_event(title="Gestern", date="2026-11-26")
    page = client.get("/").content.decode()
    upcoming = page[page.index("Zukunft") - 600 : page.index("Zukunft")]
    assert "Bevorstehend" in upcoming
    assert page.count("Bevorstehend") == 1
    today_item = page[page.index('id="today"') :]
    assert today_item.index("Heute") < today_item.index("Gestern")
    assert 'href="#today"' in page


def test_jump_to_today_from_a_filtered_view_keeps_the_filters(client, make_event, at_today):
    for number in range(PAGE_SIZE + 5):
        make_event(title=f"Zukunft {number}", date="2027-03-01", countries=["JP"])
    make_event(title="Heute", date="2026-11-27", countries=["JP"])
    page = client.get("/?country=JP").content.decode()
    link = re.search(r'<a href="([^"]*)">Zu heute springen</a>', page).group(1).replace("&amp;", "&")
    assert link == "?country=JP&after=2026-11-28#today"
    jumped = client.get("/" + link.split("#")[0])
    assert parse(jumped).titles[0] == "Heute"
    assert 'id="today"' in jumped.content.decode()


def filtered_titles(client, query: str) -> list[str]:
    response = client.get("/" + query)
    assert response.status_code == 200, response.content.decode()[:500]
    return sorted(parse(response).titles)


@pytest.fixture
def sample(make_event, at_today):
    security = Topic.objects.create(name="Wirtschaftssicherheit", slug="economic-security")
    raw = Topic.objects.create(name="Kritische Rohstoffe", slug="critical-raw-materials")
    dialogue = Series.objects.create(name="Wirtschaftssicherheitsdialog", slug="dialogue")
    meeting = make_event(
        title="Reiche trifft Kiuchi",
        date="2025-06-26",
        countries=["DE", "JP"],
        topics=[security, raw],
        series=dialogue,
        body="<p>Über kritische Rohstoffe.</p>",
    )
    meeting.participants.create(name="Minoru Kiuchi (城内実)", role="Minister für Wirtschaftssicherheit")
    make_event(
        title="Dialog etabliert",
        date="Ende 2024",
        kind="dialogue",
        countries=["DE", "JP"],
        topics=[security],
        series=dialogue,
    )
    make_event(title="Besuch in Paris", date="2024-03-05", kind="visit", countries=["DE", "FR"], place="Paris")
    make_event(title="Konsultationen Tokio", date="2023-03-18", kind="consultation", countries=["JP"], place="Tokio")
    make_event(title="Entwurf Japan", date="2025-01-01", countries=["JP"], status=Event.Status.DRAFT, publish_at=None)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Besuch in Paris", "Dialog etabliert", "Konsultationen Tokio", "Reiche trifft Kiuchi"]),
        ("?country=JP", ["Dialog etabliert", "Konsultationen Tokio", "Reiche trifft Kiuchi"]),
        ("?country=jp", ["Dialog etabliert", "Konsultationen Tokio", "Reiche trifft Kiuchi"]),
        ("?country=FR", ["Besuch in Paris"]),
        (
            "?country=FR&country=JP",
            ["Besuch in Paris", "Dialog etabliert", "Konsultationen Tokio", "Reiche trifft Kiuchi"],
        ),
        ("?topic=economic-security", ["Dialog etabliert", "Reiche trifft Kiuchi"]),
        ("?topic=critical-raw-materials", ["Reiche trifft Kiuchi"]),
        ("?country=JP&topic=economic-security", ["Dialog etabliert", "Reiche trifft Kiuchi"]),
        ("?kind=visit", ["Besuch in Paris"]),
        ("?kind=visit&kind=dialogue", ["Besuch in Paris", "Dialog etabliert"]),
        ("?series=dialogue", ["Dialog etabliert", "Reiche trifft Kiuchi"]),
        ("?from=2024-11-01&to=2024-11-30", ["Dialog etabliert"]),
        ("?from=2024&to=2024", ["Besuch in Paris", "Dialog etabliert"]),
        ("?from=Ende+2024", ["Dialog etabliert", "Reiche trifft Kiuchi"]),
        ("?to=März+2023", ["Konsultationen Tokio"]),
        ("?q=Kiuchi", ["Reiche trifft Kiuchi"]),
        ("?q=Paris", ["Besuch in Paris"]),
        ("?q=Rohstoffe", ["Reiche trifft Kiuchi"]),
        ("?q=城内実", ["Reiche trifft Kiuchi"]),
        ("?q=Entwurf", []),
        ("?country=FR&kind=dialogue", []),
    ],
)
def test_each_filter_narrows_the_list(client, sample, query, titles):
    assert filtered_titles(client, query) == titles


def test_search_never_finds_drafts(client, sample):
    page = client.get("/?q=Entwurf").content.decode()
    assert "Entwurf Japan" not in page
    assert "Keine Termine entsprechen diesen Filtern." in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search with German stemming is PostgreSQL's")
def test_postgresql_search_stems_german_words(client, sample):
    assert filtered_titles(client, "?q=Rohstoff") == ["Reiche trifft Kiuchi"]
    assert filtered_titles(client, "?q=kritischer+Rohstoff") == ["Reiche trifft Kiuchi"]


SEED_MEETING = "Bundesministerin Reiche trifft Japans Minister für Wirtschaftssicherheit Kiuchi"


@pytest.mark.parametrize(
    ("typed", "phrases", "folded"),
    [
        ("Ｋｉｕｃｈｉ", False, "kiuchi"),
        ("Cafe\u0301 RE\u0301SUME\u0301", False, "café résumé"),
        ("ÄGYPTEN Straße", False, "ägypten strasse"),
        ("Wirtschafts\u00adsicher\u200bheit", False, "wirtschaftssicherheit"),
        ("ｼﾞｮﾝ・ｽﾐｽ", False, "ジ ジョ ョ ョン ン ・ ス スミ ミ ミス ス"),
        ("Minoru Kiuchi (城内実)", False, "minoru kiuchi ( 城 城内 内 内実 実 )"),
        ("Kiuchi城内", True, 'kiuchi"城 城内 内"'),
        ('-城内 OR 東京 "城内 Kiuchi"', True, '-"城 城内 内" or "東 東京 京" " 城 城内 内 kiuchi"'),
    ],
)
def test_search_text_folds_width_composition_and_case_and_spells_out_cjk_runs(typed, phrases, folded):
    assert search_text(typed, phrases=phrases) == folded


@pytest.fixture
def written_variously(sample):
    """Events whose words readers may type in another width, composition or case."""
    make = Event.objects.create
    common = {"kind": "meeting", "countries": ["DE"], "status": "published", "publish_at": timezone.now()}
    make(title="Gespräch in Ägypten", date="2025-02-01", place="Kairo", **common)
    # Typed decomposed: "e" followed by U+0301.
    make(title="Cafe\u0301-Runde: Re\u0301sume\u0301", date="2025-02-02", place="Paris", **common)
    make(title="Élysée-Vertrag", date="2025-02-03", place="Paris", **common)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?q=Ｋｉｕｃｈｉ", ["Reiche trifft Kiuchi"]),
        ("?q=KIUCHI", ["Reiche trifft Kiuchi"]),
        ("?q=Kiu%C2%ADchi", ["Reiche trifft Kiuchi"]),  # with a soft hyphen
        ("?q=ägypten", ["Gespräch in Ägypten"]),
        ("?q=GESPRÄCH", ["Gespräch in Ägypten"]),
        ("?q=Résumé", ["Café-Runde: Résumé"]),
        ("?q=CAFÉ", ["Café-Runde: Résumé"]),
        ("?q=E\u0301lyse\u0301e", ["Élysée-Vertrag"]),
        ("?q=城内", ["Reiche trifft Kiuchi"]),
        ("?q=内実", ["Reiche trifft Kiuchi"]),
        ("?q=実", ["Reiche trifft Kiuchi"]),
        ("?q=Kiuchi+内実", ["Reiche trifft Kiuchi"]),
        ("?q=内城", []),
        ("?q=城内実大臣", []),
        ('?q="kritische+Rohstoffe"', ["Reiche trifft Kiuchi"]),
        ('?q="Rohstoffe+kritische"', []),
    ],
)
def test_search_finds_words_in_any_width_composition_and_case_and_any_part_of_a_cjk_name(
    client, written_variously, query, titles
):
    assert filtered_titles(client, query) == titles


@pytest.mark.parametrize("query", ["?q=Ｋｉｕｃｈｉ", "?q=城内", "?q=内実"])
def test_search_as_typed_finds_the_seed_meeting_on_the_page_in_the_api_and_in_the_feed(client, db, query):
    call_command("load_seed", stdout=io.StringIO())
    assert filtered_titles(client, query) == [SEED_MEETING]
    assert [event["title"] for event in client.get("/api/events/" + query).json()["results"]] == [SEED_MEETING]
    feed = feedparser.parse(client.get("/feeds/atom/" + query).content)
    assert not feed.bozo and [entry.title for entry in feed.entries] == [SEED_MEETING]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="web-search operators are PostgreSQL's")
@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("?q=城内+or+Paris", ["Besuch in Paris", "Reiche trifft Kiuchi"]),
        ("?q=Treffen+-城内", ["Besuch in Paris", "Dialog etabliert", "Konsultationen Tokio"]),
    ],
)
def test_postgresql_search_operators_take_a_japanese_name_as_a_whole(client, sample, query, titles):
    assert filtered_titles(client, query) == titles


def test_search_texts_written_before_folding_are_rebuilt_by_the_migration(client, sample):
    from django.apps import apps

    rebuild = importlib.import_module("timeline.migrations.0023_search_per_language").rebuild_search_documents
    meeting = Event.objects.get(title="Reiche trifft Kiuchi")
    # As migration 0013 wrote it; the per-language texts did not exist.
    Event.objects.update(search_document="Minoru Kiuchi (城内実)", search_document_de="", search_document_en="")
    rebuild(apps, None)
    stored = Event.objects.values("search_document", "search_document_de", "search_document_en").get(pk=meeting.pk)
    assert stored == make_search_documents(meeting)
    assert filtered_titles(client, "?q=城内") == ["Reiche trifft Kiuchi"]
    assert filtered_titles(client, "?q=Rohstoffe") == ["Reiche trifft Kiuchi"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?country=XX", "„XX“ ist kein Ländercode"),
        ("?country=Japan", "„JAPAN“ ist kein Ländercode"),
        ("?topic=space-travel", "Es gibt kein Thema „space-travel“"),
        ("?kind=party", "„party“ ist keine Art von Termin"),
        ("?series=nope", "Es gibt keine Reihe „nope“"),
        ("?from=2024-02-30", "hat keinen 30. Tag"),
        ("?from=2025&to=2024", "liegt nach seinem Ende"),
        ("?to=gestern", "ist kein Datum, das dieser Dienst versteht"),
        ("?after=kaputt", "Dieser Seitenlink ist beschädigt"),
        ("?q=" + "x" * 201, "höchstens 200 Zeichen"),
    ],
)
def test_invalid_parameter_gives_a_clear_message_not_a_500(client, sample, query, message):
    response = client.get("/" + query)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'role="alert"' in page


def test_an_invalid_filter_is_not_applied_but_the_valid_ones_are(client, sample):
    response = client.get("/?country=XX&topic=economic-security")
    assert sorted(parse(response).titles) == ["Dialog etabliert", "Reiche trifft Kiuchi"]
    assert "XX" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "titles", "refused"),
    [
        ("?country=XX&country=FR", ["Besuch in Paris"], "„XX“ ist kein Ländercode"),
        ("?topic=nope&topic=critical-raw-materials", ["Reiche trifft Kiuchi"], "Es gibt kein Thema „nope“"),
        ("?kind=party&kind=visit", ["Besuch in Paris"], "„party“ ist keine Art von Termin"),
        ("?series=dialogue&series=x", ["Dialog etabliert", "Reiche trifft Kiuchi"], "Es gibt keine Reihe „x“"),
    ],
)
def test_a_refused_value_leaves_the_values_given_beside_it_applied(client, sample, query, titles, refused):
    response = client.get("/" + query)
    assert sorted(parse(response).titles) == titles
    assert refused in response.content.decode()


def test_a_country_given_twice_or_in_small_letters_is_one_filter_with_one_address(client, sample):
    page = client.get("/?country=jp&country=JP").content.decode()
    assert page.count('aria-label="Filter Land: Japan entfernen"') == 1
    assert "<summary>Länder (1)</summary>" in page
    assert '<link rel="canonical" href="https://events.example.org/?country=JP">' in page


@pytest.mark.parametrize("url", ["/feeds/rss/?topic=&country=JP", "/api/events/?topic=&kind=&country=JP"])
def test_an_empty_parameter_filters_nothing_in_feeds_and_the_api(client, sample, url):
    with_empty = client.get(url)
    assert with_empty.status_code == 200
    # The same answer as without the empty parameters: only the country filters.
    assert with_empty.content == client.get(url.split("?")[0] + "?country=JP").content


def test_a_refused_filter_ticks_no_box_and_is_not_counted(client, sample):
    page = client.get("/?country=XX&topic=economic-security").content.decode()
    assert "<summary>Länder</summary>" in page  # not "Länder (1)": nothing was applied
    assert "<summary>Themen (1)</summary>" in page
    assert "checked" not in page[page.index("<summary>Länder") : page.index("<summary>Themen")]


def test_the_filter_forms_empty_fields_are_left_out_of_the_address(client, sample):
    response = client.get("/?q=&kind=&series=&country=JP&from=+&to=&topic=economic-security")
    assert response.status_code == 301
    assert response["Location"] == "/?country=JP&topic=economic-security"
    assert client.get("/?q=&kind=")["Location"] == "/"
    assert client.get("/?country=JP").status_code == 200


def test_active_filters_are_shown_and_each_can_be_removed(client, sample):
    page = client.get("/?country=JP&topic=economic-security").content.decode()
    assert "Land: Japan" in page
    assert "Thema: Wirtschaftssicherheit" in page
    assert 'href="/?topic=economic-security" aria-label="Filter Land: Japan entfernen"' in page
    assert 'href="/?country=JP" aria-label="Filter Thema: Wirtschaftssicherheit entfernen"' in page


def test_number_of_matching_events_is_shown(client, sample):
    assert "3 Termine" in client.get("/?country=JP").content.decode()
    assert "1 Termin<" in client.get("/?country=FR").content.decode()


def test_empty_result_explains_and_offers_a_way_back(client, sample):
    page = client.get("/?country=FR&kind=dialogue").content.decode()
    assert "Keine Termine entsprechen diesen Filtern." in page
    assert "alle Termine anzeigen" in page


def test_every_view_advertises_its_feeds_with_the_same_filters(client, sample):
    parser = parse(client.get("/?country=JP&topic=economic-security"))
    assert parser.links["application/atom+xml"] == (
        "https://events.example.org/feeds/atom/?country=JP&topic=economic-security"
    )
    assert parser.links["application/rss+xml"] == (
        "https://events.example.org/feeds/rss/?country=JP&topic=economic-security"
    )
    page = client.get("/?country=JP&topic=economic-security").content.decode()
    assert 'href="https://events.example.org/feeds/atom/?country=JP&amp;topic=economic-security"' in page


def test_unfiltered_view_advertises_the_plain_feeds(client, sample):
    parser = parse(client.get("/"))
    assert parser.links["application/rss+xml"] == "https://events.example.org/feeds/rss/"
    assert parser.links["canonical"] == "https://events.example.org/"


def test_page_is_english_at_en_with_english_dates_and_country_names(client, sample):
    page = client.get("/en/?country=JP").content.decode()
    assert '<html lang="en">' in page
    assert "26 June 2025" in page and "Q4 2024" in page
    assert "Germany, Japan" in page
    assert "Country: Japan" in page
    # An event without English text is shown in German, marked as such.
    assert 'lang="de"><a href="/en/events/reiche-trifft-kiuchi/">Reiche trifft Kiuchi</a>' in page


class LanguageSwitch(HTMLParser):
    """The language switch's links: {language: attributes, with the link's text as "text"}."""

    def __init__(self):
        super().__init__()
        self.links: dict[str, dict] = {}
        self._inside = False
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and attrs.get("class") == "language-switch":
            self._inside = True
        elif tag == "a" and self._inside:
            self._current = {**attrs, "text": ""}

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._current is not None:
            self.links[self._current["hreflang"]] = self._current
            self._current = None
        elif tag == "nav":
            self._inside = False


def language_switch(response) -> dict[str, dict]:
    parser = LanguageSwitch()
    parser.feed(response.content.decode())
    return parser.links


def test_the_language_switch_links_the_same_filtered_page_in_each_language(client, sample):
    german = language_switch(client.get("/?country=JP&topic=economic-security&q=Kiuchi"))
    english_address = "/en/?country=JP&topic=economic-security&q=Kiuchi"
    assert html.unescape(german["en"]["href"]) == english_address
    assert german["en"]["lang"] == "en" and german["en"]["text"] == "English"
    assert german["de"]["aria-current"] == "page" and "aria-current" not in german["en"]

    response = client.get(english_address)
    assert '<html lang="en">' in response.content.decode()
    assert parse(response).titles == ["Reiche trifft Kiuchi"]  # the same selection
    english = language_switch(response)
    assert html.unescape(english["de"]["href"]) == "/?country=JP&topic=economic-security&q=Kiuchi"
    assert english["de"]["lang"] == "de" and english["de"]["text"] == "Deutsch"
    assert english["en"]["aria-current"] == "page"
    # The time axis and a page further down keep their place too.
    assert language_switch(client.get("/zeitstrahl/?country=JP"))["en"]["href"] == "/en/zeitstrahl/?country=JP"
    assert language_switch(client.get("/?after=2024-01-01.2024-01-01.1"))["en"]["href"] == (
        "/en/?after=2024-01-01.2024-01-01.1"
    )


def test_the_german_address_stays_german_whatever_the_browser_or_a_cookie_asks_for(client, sample):
    for headers in ({"accept-language": "en"}, {"cookie": "django_language=en"}):
        response = client.get("/?country=JP", headers=headers)
        assert '<html lang="de">' in response.content.decode(), headers
        assert "26. Juni 2025" in response.content.decode()
        assert response["Content-Language"] == "de"
        # One language per address, so no cache has to keep a copy per browser language.
        assert "Accept-Language" not in response.get("Vary", "")
    english = client.get("/en/?country=JP", headers={"accept-language": "de", "cookie": "django_language=de"})
    assert '<html lang="en">' in english.content.decode() and english["Content-Language"] == "en"


def test_public_pages_set_no_cookie_so_shared_caches_may_keep_them(sample):
    # Nothing in a public page is made for one visitor: no CSRF token, no cookie.
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    meeting = Event.objects.get(title="Reiche trifft Kiuchi")
    for path in ("/", "/?country=JP", meeting.get_absolute_url(), "/en/", "/en/?country=JP", "/en/zeitstrahl/"):
        response = visitor.get(path)
        assert response.status_code == 200 and not response.cookies, path
        assert "csrfmiddlewaretoken" not in response.content.decode()


def test_the_admins_language_choice_refuses_unknown_languages_and_other_sites(client, sample):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert response.status_code == 302 and "django_language" not in response.cookies
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://elsewhere.example/"})
    assert response["Location"] == "/en/" and response.cookies["django_language"].value == "en"


def test_public_pages_send_a_strict_content_security_policy(client, sample):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_page_loads_no_asset_from_another_host(client, sample):
    page = client.get("/").content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        host = urlsplit(url).netloc
        if url.startswith(("https://events.example.org/", "webcal://events.example.org/")):
            continue
        assert not host, f"external asset {url}"


def test_filter_links_are_bookmarkable_query_strings(client, sample):
    page = client.get("/?country=JP&topic=economic-security&from=2024").content.decode()
    remove = re.findall(r'href="(/\?[^"]*)" aria-label="Filter', page)
    for url in remove:
        assert all(
            name in ("country", "topic", "from") for name, _ in parse_qsl(urlsplit(url.replace("&amp;", "&")).query)
        )


def test_scheduled_event_appears_on_the_page_when_its_time_comes(client, make_event):
    with time_machine.travel(TODAY, tick=False) as traveller:
        make_event(title="Geplant", publish_at=timezone.now() + datetime.timedelta(minutes=5))
        assert "Geplant" not in client.get("/").content.decode()
        traveller.shift(datetime.timedelta(minutes=5))
        assert "Geplant" in client.get("/").content.decode()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan checked here is SQLite's")
def test_sqlite_reads_pages_from_the_timeline_index_without_sorting(make_event):
    from timeline.pagination import TIMELINE_ORDER, Position

    event = make_event()
    first_page = Event.objects.public().order_by(*TIMELINE_ORDER)[:51]
    deep_page = Event.objects.public().filter(Position.of(event).older()).order_by(*TIMELINE_ORDER)[:51]
    for queryset in (first_page, deep_page):
        plan = queryset.explain()
        assert "event_timeline_idx" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan checked here is SQLite's")
def test_sqlite_lists_the_countries_in_use_from_an_index_alone(make_event):
    # Asked once per content version; read from the table it would scan every event's body.
    from django.test.utils import CaptureQueriesContext

    from timeline.filters import used_countries

    make_event(countries=["JP"])
    with CaptureQueriesContext(connection) as queries:
        assert used_countries() == {"JP"}
    (query,) = queries.captured_queries
    plan = " ".join(str(row) for row in connection.cursor().execute("EXPLAIN QUERY PLAN " + query["sql"]))
    assert "COVERING INDEX event_countries_idx" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the plan checked here is SQLite's")
def test_sqlite_finds_series_neighbours_and_a_series_timeline_in_the_series_index(make_event):
    from django.db import connection
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from timeline.event_pages import series_neighbours
    from timeline.filters import select_events
    from timeline.pagination import TIMELINE_ORDER

    series = Series.objects.create(name="Dialog", slug="dialog")
    event = make_event(series=series)
    with CaptureQueriesContext(connection) as neighbours:
        series_neighbours(event)
    plans = [
        " ".join(str(row) for row in connection.cursor().execute("EXPLAIN QUERY PLAN " + query["sql"]))
        for query in neighbours.captured_queries
    ]
    timeline = select_events(QueryDict("series=dialog"), Event.objects.public()).events.order_by(*TIMELINE_ORDER)
    plans.append(timeline[:51].explain())
    assert len(plans) == 3
    for plan in plans:
        assert "event_series_idx" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_cached_count_and_countries_follow_every_change_at_once(client, make_event):
    with time_machine.travel(TODAY, tick=False) as traveller:
        make_event(title="Eins", countries=["DE"])
        page = client.get("/").content.decode()
        assert "1 Termin<" in page and "Frankreich" not in page
        make_event(title="Zwei", countries=["FR"])  # saved in another process for all it matters
        page = client.get("/").content.decode()
        assert "2 Termine" in page and "Frankreich" in page
        make_event(title="Drei", countries=["IT"], publish_at=timezone.now() + datetime.timedelta(minutes=1))
        assert "2 Termine" in client.get("/").content.decode()
        traveller.shift(datetime.timedelta(minutes=1))
        page = client.get("/").content.decode()
        assert "3 Termine" in page and "Italien" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_postgresql_search_can_use_its_gin_index(sample):
    from django.db import connection as db

    from timeline.filters import search_postgresql

    with db.cursor() as cursor:
        # A tiny table would just be scanned: rule out scans, and the plan shows what can answer.
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        plan = search_postgresql(Event.objects.all(), "Rohstoff").explain()
        cursor.execute("SET enable_seqscan = on; SET enable_indexscan = on")
    assert "event_search_idx" in plan, plan


def test_each_listed_event_shows_its_current_state_after_edits_renames_and_the_passing_of_time(client, make_event):
    # The page is cached per content version and day; no kind of change may leave it stale.
    with time_machine.travel(TODAY, tick=False) as traveller:
        topic = Topic.objects.create(name="Energie", slug="energie")
        event = make_event(title="Gipfel", date=(TODAY + datetime.timedelta(days=1)).date().isoformat(), topics=[topic])
        page = client.get("/").content.decode()
        assert "Gipfel" in page and "Energie" in page and 'class="badge"' in page
        topic.name = "Energiepolitik"
        topic.save()
        assert "Energiepolitik" in client.get("/").content.decode()
        # A bulk write around save() announces itself, as the importer and generate_events do.
        Event.objects.filter(pk=event.pk).update(title="Gipfeltreffen")
        cache.content_changed()
        assert "Gipfeltreffen" in parse(client.get("/")).titles
        traveller.shift(datetime.timedelta(days=2))  # the event is now past: no "upcoming" badge
        assert 'class="badge"' not in client.get("/").content.decode()
