"""The public pages in English at /en/: English text where an editor wrote it, the German marked
as German (with a note) where not; the language switch, hreflang alternates, canonical addresses,
structured data and the sitemap in both languages."""

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest

from timeline.models import Event, Series, Topic

SITE = "https://events.example.org"
SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NOTE = "Not yet available in English; shown in German."
PARTLY = "Not all of this is available in English yet; the rest is shown in German."


@pytest.fixture
def translated(make_event):
    """A published event with English title, summary, body and place, its topic and series too."""
    topic = Topic.objects.create(name_de="Wirtschaftssicherheit", name_en="Economic security", slug="security")
    series = Series.objects.create(name_de="Sicherheitsdialog", name_en="Security dialogue", slug="dialogue")
    return make_event(
        title="Ministerin trifft Minister",
        title_en="Minister meets minister",
        summary="Ein Treffen in München.",
        summary_en="A meeting in Munich.",
        body="<p>Über Rohstoffe.</p>",
        body_en="<p>On raw materials.</p>",
        place="München",
        place_en="Munich",
        topics=[topic],
        series=series,
    )


@pytest.fixture
def untranslated(make_event):
    """A published event written in German only, with a German-only topic."""
    topic = Topic.objects.create(name_de="Kritische Rohstoffe", slug="raw-materials")
    return make_event(
        title="Konsultationen in Tokio",
        date="2024-03-05",
        summary="Erste Konsultationen.",
        body="<p>Über Lieferketten.</p>",
        place="Tokio",
        topics=[topic],
    )


def page(client, path: str) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, path
    return lxml.html.fromstring(response.content.decode().replace("\u00ad", ""))


def text(element) -> str:
    return " ".join(element.text_content().split())


def find(root, selector: str) -> list:
    """The elements a simple selector matches: steps of "tag", ".class", "tag.class", "#id" or
    "tag[attribute]", each a descendant of the one before (".tags a")."""
    path = "."
    for step in selector.split():
        match = re.fullmatch(r"([\w*]*)(?:\.([\w-]+)|#([\w-]+)|\[([\w-]+)\])?", step)
        tag, name, ident, attribute = match.groups()
        path += f"//{tag or '*'}"
        if name:
            path += f"[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
        if ident:
            path += f"[@id='{ident}']"
        if attribute:
            path += f"[@{attribute}]"
    return root.xpath(path)


def shown(root, selector: str) -> list[tuple[str, str | None]]:
    """(text, lang) of each element `selector` matches (see `find`)."""
    return [(text(element), element.get("lang")) for element in find(root, selector)]


def test_an_event_with_english_text_is_shown_in_english_at_en_in_the_list_and_on_its_page(client, translated):
    listing = page(client, "/en/")
    assert shown(listing, ".event-title") == [("Minister meets minister", "en")]
    assert shown(listing, ".event-summary") == [("A meeting in Munich.", "en")]
    assert shown(listing, ".event-place") == [("Munich", "en")]
    assert shown(listing, ".tags a") == [("Economic security", "en")]
    assert find(listing, ".event-title a")[0].get("href") == "/en/events/ministerin-trifft-minister/"
    assert not find(listing, ".fallback-note")

    event = page(client, "/en/events/ministerin-trifft-minister/")
    assert shown(event, "h1") == [("Minister meets minister", "en")]
    assert shown(event, ".event-summary") == [("A meeting in Munich.", "en")]
    assert shown(event, ".event-body") == [("On raw materials.", "en")]
    assert ("Munich", "en") in shown(event, ".event-facts dd")
    assert ("Economic security", "en") in shown(event, ".event-facts dd a")
    assert ("Security dialogue", "en") in shown(event, ".event-facts dd a")
    assert not find(event, ".fallback-note")
    assert find(event, "title")[0].text == "Minister meets minister – Diplomatic events"


def test_an_event_without_english_shows_its_german_marked_as_german_with_a_note_never_empty(client, untranslated):
    listing = page(client, "/en/")
    assert shown(listing, ".event-title") == [("Konsultationen in Tokio", "de")]
    assert shown(listing, ".event-summary") == [("Erste Konsultationen.", "de")]
    assert shown(listing, ".event-place") == [("Tokio", "de")]
    assert shown(listing, ".tags a") == [("Kritische Rohstoffe", "de")]
    assert [text(note) for note in find(listing, ".fallback-note")] == [NOTE]
    assert text(find(listing, ".event-date")[0]) == "5 March 2024"  # the interface is English

    event = page(client, "/en/events/konsultationen-in-tokio/")
    assert shown(event, "h1") == [("Konsultationen in Tokio", "de")]
    assert shown(event, ".event-summary") == [("Erste Konsultationen.", "de")]
    assert shown(event, ".event-body") == [("Über Lieferketten.", "de")]
    assert ("Tokio", "de") in shown(event, ".event-facts dd")
    assert [text(note) for note in find(event, ".fallback-note")] == [NOTE]


def test_an_event_translated_in_part_says_the_rest_is_german(client, make_event):
    make_event(title="Treffen", title_en="Meeting", summary="Nur auf Deutsch.", place="Berlin", place_en="Berlin")
    listing = page(client, "/en/")
    assert shown(listing, ".event-title") == [("Meeting", "en")]
    assert shown(listing, ".event-summary") == [("Nur auf Deutsch.", "de")]
    assert [text(note) for note in find(listing, ".fallback-note")] == [PARTLY]


def test_an_event_whose_english_the_admin_calls_complete_has_no_note_though_its_place_is_german(client, make_event):
    event = make_event(title="Besuch in Seoul", title_en="Visit to Seoul", summary="Gespräche.", summary_en="Talks.")
    event.body_de, event.body_en, event.place_de = "<p>Bericht.</p>", "<p>Report.</p>", "Seoul"
    event.save()
    for address in ("/en/", f"/en/events/{event.slug}/"):
        root = page(client, address)
        assert not find(root, ".fallback-note"), address
    assert ("Seoul", "de") in shown(page(client, f"/en/events/{event.slug}/"), "[lang]")


def test_the_german_addresses_are_unchanged_by_english_text(client, translated):
    listing = page(client, "/")
    assert shown(listing, ".event-title") == [("Ministerin trifft Minister", "de")]
    assert shown(listing, ".event-summary") == [("Ein Treffen in München.", "de")]
    assert shown(listing, ".tags a") == [("Wirtschaftssicherheit", "de")]
    assert not find(listing, ".fallback-note")
    event = page(client, "/events/ministerin-trifft-minister/")
    assert shown(event, "h1") == [("Ministerin trifft Minister", "de")]
    assert shown(event, ".event-body") == [("Über Rohstoffe.", "de")]
    assert "Munich" not in lxml.html.tostring(event, encoding="unicode")


def test_what_is_recorded_only_in_german_is_marked_german_on_english_pages(client, translated):
    translated.participants.create(name="Minoru Kiuchi", role="Minister für Wirtschaftssicherheit", country="JP")
    translated.participants.create(name="Katherina Reiche", organisation="BMWE")
    translated.sources.create(url="https://www.bundeswirtschaftsministerium.de/", title="Pressemitteilung")
    event = page(client, "/en/events/ministerin-trifft-minister/")
    participants = find(event, ".participants")[0]
    assert participants.get("lang") == "de"
    assert "Minister für Wirtschaftssicherheit" in text(participants) and "(BMWE)" in text(participants)
    assert shown(participants, "span[lang]") == [("Japan", "en")]  # the country's name is the interface's
    assert shown(event, ".sources") == [("Pressemitteilung", "de")]


def test_corrections_are_listed_in_the_readers_language_where_written_in_it(client, translated):
    translated.change_note_de = "Ort berichtigt."
    translated.change_note_en = "Place corrected."
    translated.save()
    translated.change_note_de = "Datum präzisiert."
    translated.change_note_en = None
    translated.save()
    english = page(client, "/en/events/ministerin-trifft-minister/")
    assert shown(english, ".change-history span") == [("Place corrected.", "en"), ("Datum präzisiert.", "de")]
    german = page(client, "/events/ministerin-trifft-minister/")
    assert shown(german, ".change-history span") == [("Ort berichtigt.", "de"), ("Datum präzisiert.", "de")]


def test_the_filters_offer_topic_and_series_names_in_english_where_they_exist(client, translated, untranslated):
    form = find(page(client, "/en/?topic=security"), "form.filters")[0]
    # Ordered by the names shown; a country's name is the interface's, a topic's the record's.
    assert shown(form, ".choice span") == [("Economic security", "en"), ("Kritische Rohstoffe", "de")]
    assert ("Security dialogue", "en") in shown(form, "#filter-series option")
    active = find(page(client, "/en/?topic=security&topic=raw-materials"), ".active-filters span[lang]")
    assert [(text(span), span.get("lang")) for span in active] == [
        ("Economic security", "en"),
        ("Kritische Rohstoffe", "de"),
    ]


def jsonld(client, path: str) -> dict:
    scripts = page(client, path).xpath("//script[@type='application/ld+json']")
    return json.loads(scripts[0].text)


def test_structured_data_is_in_the_pages_language_with_in_language_and_the_pages_own_address(
    client, translated, untranslated
):
    english = jsonld(client, "/en/events/ministerin-trifft-minister/")
    assert english["inLanguage"] == "en"
    assert english["name"] == "Minister meets minister"
    assert english["description"] == "A meeting in Munich."
    assert english["url"] == f"{SITE}/en/events/ministerin-trifft-minister/"
    assert english["keywords"] == "Economic security"
    assert english["superEvent"]["name"] == "Security dialogue"

    german = jsonld(client, "/events/ministerin-trifft-minister/")
    assert german["inLanguage"] == "de" and german["name"] == "Ministerin trifft Minister"
    assert german["url"] == f"{SITE}/events/ministerin-trifft-minister/"

    fallback = jsonld(client, "/en/events/konsultationen-in-tokio/")
    assert fallback["inLanguage"] == "de"  # the text shown is German, whatever the page
    assert fallback["name"] == "Konsultationen in Tokio" and fallback["description"] == "Erste Konsultationen."
    assert fallback["url"] == f"{SITE}/en/events/konsultationen-in-tokio/"


def test_text_in_another_language_than_the_structured_datas_carries_its_own_tag(client, make_event):
    event = make_event(title="Treffen", title_en="Meeting", summary="Nur auf Deutsch.")
    event.participants.create(name="Minoru Kiuchi", role="Minister")
    data = jsonld(client, "/en" + event.get_absolute_url())
    assert data["inLanguage"] == "en"
    assert data["description"] == {"@value": "Nur auf Deutsch.", "@language": "de"}
    assert data["performer"][0]["jobTitle"] == {"@value": "Minister", "@language": "de"}


class Head(HTMLParser):
    """A page's hreflang alternates ({hreflang: href}) and canonical address."""

    def __init__(self):
        super().__init__()
        self.alternates: dict[str, str] = {}
        self.canonical: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]


def head(client, address: str) -> Head:
    """The head of the page at an absolute address on this site."""
    parts = urlsplit(address)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code in (200, 404, 410), (address, response.status_code)
    parser = Head()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def withdrawn(make_event):
    event = make_event(title="Abgesagtes Treffen", title_en="Cancelled meeting")
    event.status = Event.Status.WITHDRAWN
    event.withdrawal_reason = "Der Termin hat nicht stattgefunden."
    event.save()
    return event


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?country=JP&topic=security",
        "/zeitstrahl/?country=JP",
        "/events/ministerin-trifft-minister/",
        "/events/abgesagtes-treffen/",  # withdrawn: 410
        "/events/keine-solche-seite/",  # 404
    ],
)
def test_every_page_names_its_versions_in_both_languages_and_each_names_it_back(client, translated, withdrawn, path):
    for language, address in (("de", SITE + path), ("en", SITE + "/en" + path)):
        page_head = head(client, address)
        alternates = page_head.alternates
        assert set(alternates) == {"de", "en", "x-default"}, address
        # The canonical address is this language's; the withdrawn and missing pages have none.
        if path.startswith(("/events/abgesagtes-treffen/", "/events/keine-solche-seite/")):
            assert page_head.canonical is None
        else:
            assert page_head.canonical == alternates[language], address
        assert alternates["de"] == alternates["x-default"] == SITE + path
        assert alternates["en"] == SITE + "/en" + path
        # Reciprocal: each version names the same versions, itself included.
        for version in alternates.values():
            assert head(client, version).alternates == alternates, (address, version)


def test_a_page_further_down_names_the_selections_first_page_in_its_own_language(client, translated):
    english = head(client, SITE + "/en/?country=JP&after=2024-01-01.2024-01-01.1")
    assert english.canonical == SITE + "/en/?country=JP"
    assert english.alternates == {
        "de": SITE + "/?country=JP",
        "en": SITE + "/en/?country=JP",
        "x-default": SITE + "/?country=JP",
    }


def test_the_pages_not_found_and_withdrawn_are_in_the_readers_language(client, withdrawn):
    missing = client.get("/en/events/keine-solche-seite/")
    assert missing.status_code == 404
    content = missing.content.decode()
    assert '<html lang="en">' in content and "Page not found" in content
    assert 'href="/en/">All events</a>' in content
    gone = client.get("/en/events/abgesagtes-treffen/")
    assert gone.status_code == 410
    root = lxml.html.fromstring(gone.content.decode().replace("\u00ad", ""))
    assert root.get("lang") == "en" and "This event was withdrawn on" in text(root)
    assert shown(root, "h1") == [("Cancelled meeting", "en")]
    assert shown(root, "article p[lang]") == [("Der Termin hat nicht stattgefunden.", "de")]


def test_the_language_switch_is_links_to_this_page_in_each_language(client, translated):
    root = page(client, "/en/events/ministerin-trifft-minister/?from=2024")
    switch = find(root, "nav.language-switch")[0]
    links = [
        (html.unescape(link.get("href")), link.get("hreflang"), link.get("lang"), link.get("aria-current"), text(link))
        for link in find(switch, "a")
    ]
    assert links == [
        ("/events/ministerin-trifft-minister/?from=2024", "de", "de", None, "Deutsch"),
        ("/en/events/ministerin-trifft-minister/?from=2024", "en", "en", "page", "English"),
    ]
    assert switch.get("aria-label") == "Language"
    assert not find(root, "form.language-switch")


def sitemap(client) -> lxml.etree._Element:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    return lxml.etree.fromstring(response.content)


def test_the_sitemap_validates_and_lists_each_page_in_both_languages_with_alternates(client, translated):
    document = sitemap(client)
    schema = lxml.etree.XMLSchema(lxml.etree.parse(str(SCHEMAS / "sitemap-with-alternates.xsd")))
    assert schema.validate(document), schema.error_log
    entries = {
        url.findtext(f"{SITEMAP}loc"): {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
        for url in document
    }
    for path in ("/", "/zeitstrahl/", "/events/ministerin-trifft-minister/"):
        expected = {"de": SITE + path, "en": SITE + "/en" + path, "x-default": SITE + path}
        assert entries[SITE + path] == expected
        assert entries[SITE + "/en" + path] == expected
    assert all(re.fullmatch(r"https://events\.example\.org/.*", loc) for loc in entries)


@pytest.mark.parametrize(
    ("asked", "german", "english"),
    [
        ("/en//evil.example/", "/evil.example/", "/en/evil.example/"),
        ("/en/%2F%2Fevil.example/", "/evil.example/", "/en/evil.example/"),
        ("/en/en/", "/", "/en/"),
        ("/en-us/", "/en-us/", "/en/en-us/"),
    ],
)
def test_a_missing_page_names_its_versions_on_this_site_whatever_its_address_looks_like(
    client, db, asked, german, english
):
    response = client.get(asked)
    assert response.status_code == 404
    root = lxml.html.fromstring(response.content)
    links = {link.get("hreflang"): html.unescape(link.get("href")) for link in find(root, "nav.language-switch a")}
    assert links == {"de": german, "en": english}  # paths: no other host, as a browser reads them
    alternates = {link.get("hreflang"): link.get("href") for link in root.xpath('//link[@rel="alternate"][@hreflang]')}
    assert alternates == {"de": SITE + german, "en": SITE + english, "x-default": SITE + german}


def test_an_english_body_without_words_is_no_english_body(client, make_event):
    event = make_event(title="Treffen", title_en="Meeting", body="<p>Bericht.</p>", body_en="<p> </p><p>\u200b</p>")
    event.refresh_from_db()
    assert event.body_en is None
    root = page(client, f"/en/events/{event.slug}/")
    assert shown(root, ".event-body") == [("Bericht.", "de")]
    assert [text(note) for note in find(root, ".fallback-note")] == [PARTLY]


@pytest.mark.parametrize("filler", ["\u3164", "\u115f", "\u2800", "\u034f", "\u17b5", "\uffa0"])
def test_an_english_text_of_fillers_that_draw_nothing_is_no_english_text(client, make_event, filler):
    event = make_event(title="Treffen", title_en=filler * 3, body="<p>Bericht.</p>", body_en=f"<p>{filler}</p>")
    event.refresh_from_db()
    assert (event.title_en, event.body_en) == (None, None)
    root = page(client, f"/en/events/{event.slug}/")
    assert shown(root, "h1") == [("Treffen", "de")]
    assert shown(root, ".event-body") == [("Bericht.", "de")]
