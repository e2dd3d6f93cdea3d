"""Turn a selection of events into RSS 2.0 or Atom 1.0 bytes with feedgen. No I/O, no request.

The parts are named as in django.contrib.syndication (item_title, item_link, item_guid, …).
Every string passes `feed_text` or `feed_html` on its way in, so nothing an editor typed can make
the XML invalid, and only http(s) links are emitted. The output depends only on the events and
`FeedInfo`: building twice gives the same bytes (no "now", no counters).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from timeline.memo import Memo, digest
from timeline.models import Event
from timeline.structured_data import absolute_url
from timeline.text import clean_text, sanitize_html

# Characters XML 1.0 does not allow at all; one of them anywhere would break the whole feed.
_XML_FORBIDDEN_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_RELATIVE_HREF_RE = re.compile(r'href="(/[^"]*)"')
EDTF_SCHEME = "http://id.loc.gov/datatypes/edtf"
MAX_ENTRIES = 50


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _XML_FORBIDDEN_RE.sub("", text)


def feed_text(text: str | None) -> str:
    """Plain text for a feed: one line, no invisible or control characters."""
    return xml_safe(clean_text(text))


def feed_html(html: str) -> str:
    """HTML for a feed: sanitised (http/https links only), links absolute, XML-safe."""
    cleaned = sanitize_html(html, url_schemes={"http", "https"})
    return xml_safe(_RELATIVE_HREF_RE.sub(lambda m: f'href="{escape(absolute_url(m.group(1)))}"', cleaned))


def web_url(url: str) -> str | None:
    """`url` if it is an absolute http(s) URL, else None."""
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class FeedInfo:
    """What the feed says about itself."""

    kind: str  # "rss" or "atom"
    title: str
    subtitle: str
    feed_id: str
    self_url: str
    page_url: str
    language: str
    updated: datetime.datetime  # used when there are no entries


def tag_uri(specific: str) -> str:
    """A tag: URI (RFC 4151) under the configured authority, which never changes with the host."""
    return f"tag:{settings.FEED_TAG_AUTHORITY}:{specific}"


def item_guid(event: Event) -> str:
    return tag_uri(f"event:{event.public_id}")


def item_title(event: Event) -> str:
    return feed_text(event.title) or _("Untitled event")


def item_link(event: Event) -> str | None:
    return web_url(absolute_url(event.get_absolute_url()))


def item_pubdate(event: Event) -> datetime.datetime:
    return event.first_published_at or event.publish_at


def item_updateddate(event: Event) -> datetime.datetime:
    return event.last_significant_update or item_pubdate(event)


def item_date_line(event: Event) -> str:
    """The event's own date and place, as the first line of every entry."""
    line = f"{_('Date')}: {event.date_display()}"
    if event.place:
        line += f" · {_('Place')}: {event.place}"
    return feed_text(line)


def item_description(event: Event) -> str:
    summary = feed_text(event.summary)
    return f"{item_date_line(event)}. {summary}" if summary else item_date_line(event)


def item_content(event: Event) -> str:
    parts = [
        f'<p><strong>{escape(_("Date"))}:</strong> <time datetime="{event.event_date.start.html_datetime()}">'
        f"{escape(event.date_display())}</time>"
        + (f" · <strong>{escape(_('Place'))}:</strong> {escape(feed_text(event.place))}" if event.place else "")
        + "</p>"
    ]
    if event.summary:
        parts.append(f"<p>{escape(feed_text(event.summary))}</p>")
    if event.body:
        parts.append(feed_html(event.body))
    if event.change_note:
        parts.append(f"<p><em>{escape(_('Correction'))}:</em> {escape(feed_text(event.change_note))}</p>")
    return "\n".join(parts)


def event_topics(event: Event) -> list[tuple[str, str]]:
    """(slug, name) of the event's topics: as attached by the caller (`feed_topics`), else queried."""
    topics = getattr(event, "feed_topics", None)
    if topics is None:
        topics = event.feed_topics = [(topic.slug, topic.name) for topic in event.topics.all()]
    return topics


def item_categories(event: Event) -> list[dict[str, str]]:
    """The date (EDTF), kind, countries and topics, each with a scheme a machine can follow."""
    base = settings.SITE_URL + "/"
    categories = [
        {"term": event.date, "scheme": EDTF_SCHEME},
        {"term": event.kind, "scheme": base + "?kind=", "label": feed_text(event.get_kind_display())},
    ]
    for country in event.countries:
        categories.append({"term": country.code, "scheme": base + "?country=", "label": feed_text(country.name)})
    for slug, name in event_topics(event):
        categories.append({"term": slug, "scheme": base + "?topic=", "label": feed_text(name)})
    return categories


# What an entry is made from. The feed reads these as the database returns them (no conversion
# to Python values: cheaper), and keys each entry by a digest of them. `version` comes last.
ENTRY_FIELDS = (
    "id", "public_id", "slug", "title", "summary", "body", "change_note", "place", "date", "kind", "countries",
    "first_published_at", "publish_at", "revised_at", "version",
)  # fmt: skip


def entry_key(row: Sequence, topics: list[tuple[str, str]], language: str) -> str:
    """A digest of everything an entry is made from: equal digests give equal entries."""
    return digest((language, settings.SITE_URL, settings.FEED_TAG_AUTHORITY, settings.PUBLISHER_NAME, topics, *row))


def make_entry(event: Event, author: dict[str, str]) -> FeedEntry:
    """The feedgen entry for `event`; it serves both RSS and Atom."""
    entry = FeedEntry()
    entry.load_extension("dc")
    guid = item_guid(event)
    entry.id(guid)
    entry.guid(guid, permalink=False)
    entry.title(item_title(event))
    link = item_link(event)
    if link:
        entry.link(href=link, rel="alternate")
    entry.published(item_pubdate(event))
    entry.updated(item_updateddate(event))
    entry.author(author)
    entry.dc.dc_creator(author["name"])
    entry.summary(item_description(event))  # RSS <description>, Atom <summary>
    entry.content(item_content(event), type="html")  # RSS <content:encoded>, Atom <content>
    entry.category(item_categories(event))
    return entry


class BuiltEntry:
    """One entry as feedgen made it; its bytes for each format are written when first needed."""

    def __init__(self, entry: FeedEntry) -> None:
        self.entry = entry
        self.updated: datetime.datetime = entry.updated()
        self._bytes: dict[str, bytes] = {}

    def serialised(self, kind: str) -> bytes:
        written = self._bytes.get(kind)
        if written is None:
            element = self.entry.atom_entry() if kind == "atom" else self.entry.rss_entry()
            written = self._bytes[kind] = serialise_entry(element, kind)
        return written


@functools.cache
def feed_namespaces(kind: str) -> dict:
    """The namespaces feedgen (with the dc extension) declares on the root of a feed."""
    generator = FeedGenerator()
    generator.load_extension("dc")
    generator.id("tag:example.org,2000:x")
    generator.title("x")
    generator.description("x")
    generator.link(href="https://example.org/", rel="alternate")
    return etree.fromstring(generator.atom_str() if kind == "atom" else generator.rss_str()).nsmap


_DECLARATION_RE = re.compile(r' xmlns(?::\w+)?="[^"]*"')


def serialise_entry(element: etree._Element, kind: str) -> bytes:
    """`element` as it reads inside the feed: indented, and with the feed root's namespace
    prefixes (content:encoded, dc:creator), which the root declares once for all entries."""
    root = etree.Element("feed" if kind == "atom" else "rss", nsmap=feed_namespaces(kind))
    parent = root if kind == "atom" else etree.SubElement(root, "channel")
    parent.append(element)
    level = 1 if kind == "atom" else 2
    etree.indent(element, space="  ", level=level)
    text = etree.tostring(element, encoding="unicode")
    start, end, rest = text.partition(">")
    return ("  " * level + _DECLARATION_RE.sub("", start) + end + rest + "\n").encode()


def build_entry(event: Event, author: dict[str, str]) -> BuiltEntry:
    return BuiltEntry(make_entry(event, author))


# Sanitising bodies, naming countries and making feedgen's elements is most of the work of a feed;
# an entry whose inputs did not change (the other 49 after one edit) is taken from here. Keyed by
# the inputs themselves, so no write path, not even a raw UPDATE, can make an entry stale.
_entries = Memo(2000)


def forget_entries() -> None:
    _entries.clear()


def build_feed(
    info: FeedInfo,
    rows: Sequence[tuple[Sequence, list[tuple[str, str]]]],
    load: Callable[[list[int]], dict[int, Event]],
) -> bytes:
    """The feed as bytes. `rows`: (ENTRY_FIELDS as stored, topics) per event, newest first; at most
    MAX_ENTRIES are used. `load(ids)` gives the events whose entries must be made anew."""
    rows = list(rows)[:MAX_ENTRIES]
    keys = [entry_key(row, topics, info.language) for row, topics in rows]
    built = {key: _entries.get(key) for key in keys}
    author = {"name": feed_text(settings.PUBLISHER_NAME), "uri": settings.SITE_URL + "/"}
    with translation.override(info.language):
        missing = [row[0] for (row, _topics), key in zip(rows, keys, strict=True) if built[key] is None]
        if missing:
            events = load(missing)
            fresh = {}
            for (row, _topics), key in zip(rows, keys, strict=True):
                event = events.get(row[0]) if built[key] is None else None
                if event is not None:
                    built[key] = build_entry(event, author)
                    # Kept for later builds only if what was loaded is what the row described
                    # (an edit between the two reads gives a newer version: used once, not kept).
                    if event.version == row[-1]:
                        fresh[key] = built[key]
            for key, entry in fresh.items():
                _entries.put(key, entry)
        entries = [built[key] for key in keys if built[key] is not None]  # None: deleted meanwhile

        generator = FeedGenerator()
        generator.load_extension("dc")
        generator.id(info.feed_id)
        generator.title(feed_text(info.title))
        generator.subtitle(feed_text(info.subtitle))
        generator.language(info.language)
        generator.author(author)
        generator.link(href=info.self_url, rel="self")
        # feedgen uses the last link added as the RSS channel <link>: the page, not the feed.
        generator.link(href=info.page_url, rel="alternate")
        generator.updated(max((entry.updated for entry in entries), default=info.updated))
        # feedgen writes the channel; the entries it made earlier go where feedgen itself puts
        # them (after everything else, in order), as the bytes it wrote for them.
        if info.kind == "atom":
            document, closing = generator.atom_str(pretty=True), b"</feed>"
        else:
            document, closing = generator.rss_str(pretty=True), b"  </channel>"
        formatted = [entry.serialised(info.kind) for entry in entries]
    at = document.rindex(closing)
    return document[:at] + b"".join(formatted) + document[at:]
