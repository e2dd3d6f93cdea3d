"""JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/) from the entries the Atom feed is made of.

`build_json_feed(info, items)` writes the same `FeedItem`s as `builder.build_feed`: the same ids
(`tag:` URIs), order, dates, title, summary, HTML content and tags, so the JSON Feed cannot say
anything the Atom feed does not. The event's own date travels in the `_edtf` extension object
(the specification's rule for extensions: a key starting with an underscore, an object value,
and an `about` URL). The feed's `language` is its address's; each item's `language` (JSON Feed
1.1) is the language its texts are in, German where an English feed shows the German text of an
event without English. No I/O, no request; the same items give the same bytes.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from .builder import MAX_ENTRIES, FeedInfo, FeedItem, feed_text

VERSION = "https://jsonfeed.org/version/1.1"
EDTF_ABOUT = "https://www.loc.gov/standards/datetime/"  # what the `_edtf` extension's `date` is
# A surrogate left alone in a str cannot be written as UTF-8 (feed_text and feed_html drop them;
# this is for whatever else reaches the writer).
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def json_bytes(value: Any) -> bytes:
    """`value` as UTF-8 JSON (RFC 8259) that every JSON and JavaScript parser reads the same way.

    Letters are written as themselves ("Wirtschaftssicherheit", "城内実"), not as \\u escapes;
    U+2028 and U+2029, which end a string literal in JavaScript before ES2019, are escaped; a lone
    surrogate, which has no UTF-8 form, becomes U+FFFD. Keys keep their order: the same value
    gives the same bytes.
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, indent=2)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _SURROGATE_RE.sub("\ufffd", text).encode()


def rfc3339(moment: datetime.datetime) -> str:
    """An aware datetime as RFC 3339 (the form JSON Feed asks for, and Atom's feedgen writes)."""
    return moment.isoformat()


def json_item(item: FeedItem, authors: list[dict[str, str]]) -> dict[str, Any]:
    """One entry as a JSON Feed item: the Atom entry's fields under JSON Feed's names."""
    fields: dict[str, Any] = {"id": item.guid}
    if item.link:
        fields["url"] = item.link
    fields.update(
        title=item.title,
        language=item.language,
        content_html=item.content,
        summary=item.description,
        date_published=rfc3339(item.published),
        date_modified=rfc3339(item.updated),
        authors=authors,
        tags=[tag.label for tag in item.tags if tag.label],
        _edtf={"about": EDTF_ABOUT, "date": item.edtf},
    )
    return fields


def build_json_feed(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    """The JSON Feed 1.1 document: `items` in the order given (newest first), at most
    MAX_ENTRIES, as `json_bytes`."""
    authors = [{"name": feed_text(settings.PUBLISHER_NAME), "url": settings.SITE_URL + "/"}]
    feed = {
        "version": VERSION,
        "title": feed_text(info.title),
        "home_page_url": info.page_url,
        "feed_url": info.self_url,
        "description": feed_text(info.subtitle),
        "language": info.language,
        "authors": authors,
        "items": [json_item(item, authors) for item in list(items)[:MAX_ENTRIES]],
    }
    return json_bytes(feed)
