"""TimelineJS3 data (https://timeline.knightlab.com/docs/json-format.html) from a selection of events.

Newsrooms load it into TimelineJS, Knight Lab's visual timeline. Each event is a slide: its date
as far as it is known (a year; a year and month; a day), the date as the page writes it as
`display_date` ("4. Quartal 2024"), an end for a range, the series as `group`, the title linked
to the event's page as `headline` and the summary as `text`. TimelineJS puts `headline`, `text`,
`display_date` and `group` into the page as HTML, so every string is escaped here. The data are
in the active language (the address's); an event's text shown in German in English data is
marked `lang="de"`, with a note. No I/O, no request; the same events give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from timeline.dates import DatePoint
from timeline.languages import fallback_note, text_language
from timeline.models import Event

from .builder import (
    entry_language,
    feed_language,
    feed_text,
    in_language,
    item_link,
    item_title,
    lang_attribute,
)
from .jsonfeed import json_bytes

MAX_EVENTS = 1000  # slides in one file; more are at the address the title slide and `Link: rel=next` give


def date_object(point: DatePoint) -> dict[str, int]:
    """The parts of `point` that are known, as a TimelineJS date: the year, then the month and
    day when known. A season, quarter or half-year gives the year alone (TimelineJS has no
    such unit, and a month would claim more than is known); `display_date` names it."""
    parts = {"year": point.year}
    if point.month is not None:
        parts["month"] = point.month
        if point.day is not None:
            parts["day"] = point.day
    return parts


def link_html(url: str | None, text: str, lang: str = "") -> str:
    """`text`, escaped, as a link to `url` (an absolute http(s) URL), or alone without one;
    `lang` is its lang attribute (`builder.lang_attribute`), if any."""
    if url:
        return f'<a href="{escape(url)}"{lang}>{escape(text)}</a>'
    return f"<span{lang}>{escape(text)}</span>" if lang else escape(text)


def slide(event: Event) -> dict[str, Any]:
    """`event` as a TimelineJS slide (its series selected with it). Its texts shown in German in
    data of another language are marked `lang="de"`, and the text says so."""
    language = feed_language()
    date = event.event_date
    fields: dict[str, Any] = {"start_date": date_object(date.start)}
    if date.end is not None:
        fields["end_date"] = date_object(date.end)
    fields["display_date"] = escape(feed_text(event.date_display()))
    summary = feed_text(event.summary)
    title_language = entry_language(event)
    paragraphs = [f"<p><em>({escape(fallback_note(title_language))})</em></p>"] if title_language != language else []
    if summary:
        paragraphs.append(f"<p{lang_attribute(text_language(event, 'summary'), language)}>{escape(summary)}</p>")
    fields["text"] = {
        "headline": link_html(item_link(event), item_title(event), lang_attribute(title_language, language)),
        "text": "".join(paragraphs),
    }
    group = feed_text(event.series.name) if event.series_id else ""
    if group:
        fields["group"] = in_language(escape(group), text_language(event.series, "name"), language)
    fields["unique_id"] = f"event-{event.public_id}"
    return fields


def build_timeline(headline: str, page_url: str, paragraphs: Sequence[str], events: Sequence[Event]) -> bytes:
    """The TimelineJS document: a title slide (`headline` linked to `page_url`, then
    `paragraphs`, which are HTML already) and one slide per event, in the order given."""
    title_text = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    document = {
        "title": {"text": {"headline": link_html(page_url, feed_text(headline)), "text": title_text}},
        "events": [slide(event) for event in events],
        "scale": "human",
    }
    return json_bytes(document)
