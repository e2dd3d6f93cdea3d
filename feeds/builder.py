"""Turn events into RSS 2.0 or Atom 1.0 bytes with feedgen's public API. No I/O, no request.

`feed_item(event)` prepares one entry's fields (`FeedItem`), named as in django.contrib.syndication
(item_title, item_link, item_guid, …); `build_feed(info, items)` writes the feed. Every string
passes `feed_text` or `feed_html` on its way in, so nothing an editor typed can make the XML
invalid, and only http(s) links are emitted. The output depends only on the items and `FeedInfo`:
building twice gives the same bytes (no "now", no counters).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from timeline.languages import SOURCE_LANGUAGE, fallback_note, text_language
from timeline.models import Event
from timeline.structured_data import absolute_url
from timeline.text import MarkupWriter, body_blocks, clean_text, sanitize_html, xml_safe

EDTF_SCHEME = "http://id.loc.gov/datatypes/edtf"
MAX_ENTRIES = 50
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed_text(text: str | None) -> str:
    """Plain text for a feed: one line, no invisible or control characters."""
    return xml_safe(clean_text(text))


class _FeedBody(MarkupWriter):
    """Sanitised HTML as feed readers get it (`feed_html`): the paragraphs inside list items
    unwrapped, their text apart by line breaks; links absolute. Streaming, so a body nested
    however deep keeps every word."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        # Per open element: the list item whose own text it holds (None outside one, or in a
        # block inside one), as a one-element list of where the item's text stands: "start"
        # (nothing yet), "text", "break" (a paragraph ended or began after text: a line break
        # before more text) or "block" (after a nested list or quote: a new line anyway).
        self.items: list[list[str] | None] = []
        self.unwrapped: list[bool] = []  # per open element: a paragraph left out

    def _item(self) -> list[str] | None:
        return self.items[-1] if self.items else None

    def _paragraph_edge(self) -> None:
        item = self._item()
        if item is not None and item[0] == "text":
            item[0] = "break"

    def _text_comes(self) -> None:
        item = self._item()
        if item is not None:
            if item[0] == "break":
                self.written.append("<br>")
            item[0] = "text"

    def _push(self, item: list[str] | None, unwrapped: bool = False) -> None:
        self.items.append(item)
        self.unwrapped.append(unwrapped)

    def handle_starttag(self, tag, attrs):
        item = self._item()
        if tag == "p" and item is not None:
            self._paragraph_edge()
            self._push(item, unwrapped=True)
            return
        if tag == "a":
            attrs = [(name, self.absolute(value) if name == "href" else value) for name, value in attrs]
        if tag in body_blocks():
            if item is not None:
                item[0] = "block"
            super().handle_starttag(tag, attrs)
            self._push(["start"] if tag == "li" else None)
            return
        self._text_comes()
        super().handle_starttag(tag, attrs)
        if tag != "br":
            self._push(item)

    def handle_endtag(self, tag):
        if tag == "br" or not self.items:
            return
        self.items.pop()
        if self.unwrapped.pop():
            self._paragraph_edge()
            return
        super().handle_endtag(tag)
        item = self._item()
        if tag in body_blocks() and item is not None:
            item[0] = "block"

    def handle_data(self, data):
        item = self._item()
        if data.strip():
            self._text_comes()
        elif item is not None and item[0] != "text":
            return  # space between an item's paragraphs
        super().handle_data(data)

    def absolute(self, href: str | None) -> str | None:
        """A link of the body as a feed reader can follow it: a page of this site, or a place on
        the event's page, made absolute."""
        if href and href.startswith("/"):
            return absolute_url(href)
        if href and href.startswith("#"):
            return self.page_url + href
        return href


def feed_html(html: str, page_url: str) -> str:
    """HTML for a feed: sanitised (http/https links only), links absolute (a place on the page,
    "#…", on `page_url`), list items without paragraphs (`<li><p>a</p><p>b</p></li>` is
    `<li>a<br>b</li>`: text-mode readers such as newsboat show an item's bullet alone on a line
    above a paragraph), XML-safe. No word of the body is lost or glued to the next."""
    cleaned = sanitize_html(html, url_schemes={"http", "https"})
    return xml_safe(_FeedBody(page_url).rewrite(cleaned))


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
    language: str  # the feed's: the address's (feed_language)
    updated: datetime.datetime  # used when there are no entries


def tag_uri(specific: str) -> str:
    """A tag: URI (RFC 4151) under the configured authority, which never changes with the host."""
    return f"tag:{settings.FEED_TAG_AUTHORITY}:{specific}"


def item_guid(event: Event) -> str:
    return tag_uri(f"event:{event.public_id}")


def feed_language() -> str:
    """The language of the feed being written: the active one, which is the address's
    (timeline.middleware.LanguageMiddleware: /en/feeds/atom/ is English, /feeds/atom/ German)."""
    return translation.get_language() or SOURCE_LANGUAGE


def entry_language(event: Event) -> str:
    """The language `event`'s entry is in: its title's. That is the feed's language where the
    event has its title in it, else German, which is shown in its place (never an empty entry)."""
    return text_language(event, "title")


def lang_attribute(language: str, around: str) -> str:
    """` lang="de"` for HTML in `language` inside HTML in `around`; "" when they are the same."""
    return f' lang="{escape(language)}"' if language != around else ""


def in_language(html: str, language: str, around: str) -> str:
    """`html` marked with its `language` (a span) where it differs from the text `around` it, so
    screen readers pronounce it and browsers pick its fonts and hyphenation right."""
    attribute = lang_attribute(language, around)
    return f"<span{attribute}>{html}</span>" if attribute else html


def item_title(event: Event) -> str:
    return feed_text(event.title) or _("Untitled event")


def item_link(event: Event) -> str | None:
    """The event's page in the feed's language (/en/events/… in an English feed)."""
    return web_url(absolute_url(event.get_absolute_url()))


def item_pubdate(event: Event) -> datetime.datetime:
    return event.first_published_at or event.publish_at


def item_updateddate(event: Event) -> datetime.datetime:
    return event.last_significant_update or item_pubdate(event)


def item_date_line(event: Event) -> str:
    """The event's own date and place, as the first line of every entry."""
    # Labels are translated outside the f-strings: xgettext (makemessages) does not look inside them.
    date_label, place_label = _("Date"), _("Place")
    line = f"{date_label}: {event.date_display()}"
    place = feed_text(event.place)  # a place of invisible characters only is no place
    if place:
        line += f" · {place_label}: {place}"
    return feed_text(line)


def item_description(event: Event) -> str:
    summary = feed_text(event.summary)
    return f"{item_date_line(event)}. {summary}" if summary else item_date_line(event)


def participant_names_html(event: Event) -> str:
    """The participants' names as the event page gives them (participants prefetched): "Minoru
    Kiuchi (<span lang="ja">城内実</span>)", comma-separated; "" when none is readable."""
    names = []
    for participant in event.participants.all():
        name, original = feed_text(participant.name), feed_text(participant.original_name)
        if not name:
            continue
        if original:
            # Marked with its language, so a reader's screen reader and fonts read it as that.
            name = f'{escape(name)} (<span lang="{escape(participant.original_language)}">{escape(original)}</span>)'
        else:
            name = escape(name)
        names.append(name)
    return ", ".join(names)


def item_content(event: Event) -> str:
    """The entry's HTML: the date line, the participants, the summary, the body and the latest
    correction. An entry shown in German in a feed of another language opens with a note saying
    so; every part in another language than the entry's (xml:lang, `entry_language`) is marked
    with `lang`: the site's labels in an entry shown in German, an English title's German body."""
    language, entry = feed_language(), entry_language(event)
    labels = lang_attribute(language, entry)  # the site's words, in the feed's language
    date_label, place_label, correction_label = escape(_("Date")), escape(_("Place")), escape(_("Correction"))
    # Each part is left out when nothing readable is left of it once cleaned, not only when empty.
    place, summary, change_note = feed_text(event.place), feed_text(event.summary), feed_text(event.change_note)
    parts = [f"<p{labels}><em>({escape(fallback_note(entry))})</em></p>"] if entry != language else []
    parts.append(
        f'<p{labels}><strong>{date_label}:</strong> <time datetime="{event.event_date.start.html_datetime()}">'
        f"{escape(event.date_display())}</time>"
        + (
            f" · <strong>{place_label}:</strong> {in_language(escape(place), text_language(event, 'place'), language)}"
            if place
            else ""
        )
        + "</p>"
    )
    names = participant_names_html(event)
    if names:
        participants_label = escape(_("Participants"))
        parts.append(f"<p{labels}><strong>{participants_label}:</strong> {names}</p>")
    if summary:
        parts.append(f"<p{lang_attribute(text_language(event, 'summary'), entry)}>{escape(summary)}</p>")
    if event.body:
        body = feed_html(event.body, absolute_url(event.get_absolute_url()))
        marked = lang_attribute(text_language(event, "body"), entry)
        parts.append(f"<div{marked}>{body}</div>" if marked else body)
    if change_note:
        note = in_language(escape(change_note), text_language(event, "change_note"), language)
        parts.append(f"<p{labels}><em>{correction_label}:</em> {note}</p>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Tag:
    """Something an entry is filed under that the timeline filters by: `scheme` + `term` is the
    filtered timeline's address, `label` what a reader reads."""

    term: str
    scheme: str
    label: str


def item_tags(event: Event) -> list[Tag]:
    """The kind, countries and topics, each with the filtered timeline's address as scheme and
    its readable name as label."""
    base = absolute_url(reverse("timeline:event-list"))  # the timeline in the feed's language
    tags = [Tag(event.kind, base + "?kind=", feed_text(capfirst(event.get_kind_display())))]  # "Meeting"
    tags += [Tag(country.code, base + "?country=", feed_text(country.name)) for country in event.countries]
    tags += [Tag(topic.slug, base + "?topic=", feed_text(topic.name)) for topic in event.topics.all()]
    return tags


@dataclass(frozen=True)
class FeedItem:
    """One entry's fields, ready for any feed format: the same for RSS, Atom and JSON Feed."""

    guid: str
    language: str  # what its texts are in (`entry_language`): the feed's, or German in its place
    title: str
    link: str | None
    published: datetime.datetime
    updated: datetime.datetime
    description: str
    content: str
    edtf: str  # the event's own date
    tags: tuple[Tag, ...]

    @property
    def categories(self) -> list[dict[str, str]]:
        """The date (EDTF) and the tags as RSS/Atom categories, each with a scheme a machine
        can follow."""
        return [
            {"term": self.edtf, "scheme": EDTF_SCHEME},
            *({"term": tag.term, "scheme": tag.scheme, "label": tag.label} for tag in self.tags),
        ]


def feed_item(event: Event) -> FeedItem:
    """The entry for `event` (its topics and participants prefetched), in the active language."""
    return FeedItem(
        guid=item_guid(event),
        language=entry_language(event),
        title=item_title(event),
        link=item_link(event),
        published=item_pubdate(event),
        updated=item_updateddate(event),
        description=item_description(event),
        content=item_content(event),
        edtf=event.date,
        tags=tuple(item_tags(event)),
    )


class FeedLanguage(BaseExtension):
    """The feed's side of the xml:lang extension: nothing, as feedgen's `language()` sets the
    feed's own xml:lang."""


class EntryLanguage(BaseEntryExtension):
    """xml:lang on an Atom entry (RFC 4287, section 2: any element may carry it) whose language
    differs from the feed's, set with `entry.xml_lang.language("de")`."""

    def __init__(self):
        self._language: str | None = None

    def language(self, language: str | None = None) -> str | None:
        """Get or set the entry's language (an IETF language tag)."""
        if language is not None:
            self._language = language
        return self._language

    def extend_atom(self, entry):
        if self._language:
            entry.set(XML_LANG, self._language)
        return entry


def build_feed(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    """The feed as bytes: `items` newest first, at most MAX_ENTRIES of them."""
    items = list(items)[:MAX_ENTRIES]
    author = {"name": feed_text(settings.PUBLISHER_NAME), "uri": settings.SITE_URL + "/"}
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
    generator.updated(max((item.updated for item in items), default=info.updated))
    # An entry in another language than the feed's says so: xml:lang on the Atom entry (feedgen
    # has no setter for it; an entry extension is its public way to add to an entry's element),
    # dc:language on the RSS item (RSS 2.0 has a language for the channel only).
    generator.register_extension("xml_lang", FeedLanguage, EntryLanguage, atom=True, rss=False)
    for item in items:
        entry = generator.add_entry(order="append")
        if item.language != info.language:
            entry.xml_lang.language(item.language)
            if info.kind == "rss":
                entry.dc.dc_language(item.language)
        entry.id(item.guid)
        entry.guid(item.guid, permalink=False)
        entry.title(item.title)
        if item.link:
            entry.link(href=item.link, rel="alternate")
        entry.published(item.published)
        entry.updated(item.updated)
        entry.author(author)
        entry.dc.dc_creator(author["name"])
        entry.summary(item.description)  # RSS <description>, Atom <summary>
        entry.content(item.content, type="html")  # RSS <content:encoded>, Atom <content>
        entry.category(item.categories)
    return generator.atom_str(pretty=True) if info.kind == "atom" else generator.rss_str(pretty=True)
