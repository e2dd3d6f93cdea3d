"""Cleaning what editors type or paste: invisible characters, control characters, unsafe HTML;
and the one form in which search compares text.

Every path that writes an event (admin, API, importers, seed) goes through the model, and the
model calls these, so the rules live in one place.
"""

import functools
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import allowlist_from_extensions

# Characters XML 1.0 forbids (they break feeds) and C1 controls; tab and newline are kept.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Zero-width and bidirectional formatting characters: invisible, and RTL overrides can disguise text.
_INVISIBLE_RE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Surrogates cannot be encoded as UTF-8 and would make a response fail.
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Plain text as readers should get it: NFC, no invisible or control characters, trimmed."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    text = _SURROGATE_RE.sub("", _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text)))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        lines = [" ".join(line.split()) for line in text.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return " ".join(text.split())


# Scripts written without spaces between words: Han (with 々〆〇), kana, Hangul, Bopomofo. The
# katakana middle dot (U+30FB) separates words and is left out; NFKC has already widened
# half-width kana.
_CJK_RUN_RE = re.compile(
    "[\u1100-\u11ff\u3005-\u3007\u3041-\u30fa\u30fc-\u30ff\u3105-\u312f\u3131-\u318e\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3\uf900-\ufaff\U00020000-\U0003134f]+"
)


def _spell_cjk(run: str) -> str:
    """A run as each character and each pair of neighbours, in order: "城内実" → "城 城内 内 内実 実".

    Any part of the run, spelled the same way, is then a sequence of whole words inside it.
    """
    return " ".join(run[i : i + n] for i in range(len(run)) for n in (1, 2) if i + n <= len(run))


def search_text(value: str | None, *, phrases: bool = False) -> str:
    """Text in the form search compares it; the stored search text and every query pass through it.

    NFKC (Unicode UAX #15: "Ｋｉｕｃｈｉ" is "Kiuchi", "e" + U+0301 is "é"), then full case folding
    (str.casefold, Unicode chapter 3.13: "Ä" is "ä", "ß" is "ss"), then NFKC again, as folding can
    decompose ("ǰ"). Runs of Chinese, Japanese or Korean, which PostgreSQL's parser keeps as one
    word, become characters and pairs (`_spell_cjk`), so "城内" and "内実" find "城内実" as words.
    With `phrases` (a web-search query), each run outside the reader's own quotes is quoted,
    so `or` and `-` apply to the whole run. Invisible characters (a soft hyphen pasted from a
    PDF) are dropped, as `clean_text` drops them; whitespace is collapsed; None gives "".
    """
    text = _INVISIBLE_RE.sub("", value or "")
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    pieces = text.split('"')  # even pieces are outside quotes
    for index, piece in enumerate(pieces):
        # Quotes part words as spaces do, and keep a "-" in front of the run attached to it.
        template = '"{}"' if phrases and index % 2 == 0 else " {} "
        pieces[index] = _CJK_RUN_RE.sub(lambda run, t=template: t.format(_spell_cjk(run.group())), piece)
    return " ".join('"'.join(pieces).split())


# The body's one list of markup: the extensions of the admin's rich-text editor
# (django-prose-editor). The sanitiser allows exactly the elements and attributes they write
# (django_prose_editor.config.allowlist_from_extensions), so whatever an API client or an import
# stores, an editor's save keeps, and the editor shows everything that is stored.
BODY_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    # A host name typed without a scheme is read as https, as web_address reads it.
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"], "defaultProtocol": "https"},
}
LINK_REL = "noopener noreferrer nofollow"  # on every link of the body, whatever was sent


@functools.cache
def body_allowlist() -> dict:
    """The tags, attributes ({tag: names}) and link schemes the body may have: what the editor's
    extensions write, but `rel`, which the sanitiser sets itself (LINK_REL)."""
    allowed = allowlist_from_extensions(BODY_EDITOR_EXTENSIONS)
    # "*": none on every tag; nh3 would otherwise allow lang and title everywhere, which the
    # editor drops.
    attributes = {"*": set()} | {tag: set(names) - {"rel"} for tag, names in allowed["attributes"].items()}
    return {"tags": set(allowed["tags"]), "attributes": attributes, "url_schemes": set(allowed["url_schemes"])}


def sanitize_html(value: str | None, url_schemes: set[str] | None = None) -> str:
    """The body as it may be published: only the editor's tags and attributes (body_allowlist),
    and links as `body_link` makes them (schemes limited further by `url_schemes`, as feeds do)."""
    if not value:
        return ""
    cleaner = _cleaner(frozenset(body_allowlist()["url_schemes"] if url_schemes is None else url_schemes))
    html = _strip_unwanted(unicodedata.normalize("NFC", str(value)))
    # A tag removed with its content kept can leave blocks nested as no parser reads them back
    # (<h2><b><h2> gives <h2><h2>), and nh3 writes character references (&#x1;) out as the
    # characters they name: cleaned again until nothing changes, so that cleaning twice gives what
    # cleaning once gave. A stored body takes one round.
    for _round in range(4):
        cleaned = unicodedata.normalize("NFC", _strip_unwanted(cleaner.clean(html))).strip()
        if cleaned == html:
            break
        html = cleaned
    return cleaned


@functools.cache
def _cleaner(schemes: frozenset[str]) -> nh3.Cleaner:
    """nh3's cleaner for the body, with links allowed in `schemes`."""
    allowed = body_allowlist()

    def links_as_published(element: str, attribute: str, value: str) -> str | None:
        return body_link(value, schemes) if attribute == "href" else value

    return nh3.Cleaner(
        tags=allowed["tags"],
        attributes=allowed["attributes"],
        url_schemes=set(schemes),
        link_rel=LINK_REL,
        strip_comments=True,
        attribute_filter=links_as_published,
    )


def _strip_unwanted(text: str) -> str:
    """`text` without control, invisible and bidirectional formatting characters and surrogates:
    the body loses what titles and summaries lose (clean_text)."""
    return _SURROGATE_RE.sub("", _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text)))


# Links that leave the site must be web links: no javascript:, data:, file: or ftp:.
validate_web_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
)

# The start of an address typed without a scheme: a host name ("www.auswaertiges-amt.de",
# "bmwe.de/presse"), labels and a top-level domain of letters, maybe a port.
_HOST_FIRST_RE = re.compile(r"(?:[\w-]+\.)+[^\W\d_]{2,63}\.?(?::\d{1,5})?(?:[/?#]|$)")


def web_address(value: str) -> str:
    """An address as an editor typed it, trimmed; one that starts with a host name gets "https://"
    in front ("www.auswaertiges-amt.de" -> "https://www.auswaertiges-amt.de"), as a browser's
    address bar reads it. The one rule for source links and the body's links; what it leaves
    without a scheme ("//example.net/x", "presse/1") is for the validators to refuse."""
    address = value.strip()
    return f"https://{address}" if _HOST_FIRST_RE.match(address) else address


def body_link(href: str, schemes: set[str] | None = None) -> str | None:
    """A link of the body as it is published, or None if it cannot be one (sanitize_html drops
    it, dropped_links names it): a web address as `web_address` reads it and `validate_web_url`
    accepts it, an e-mail address (given mailto: if it has none), or a page of this site
    ("/events/…/", made absolute in feeds). `schemes`: those allowed (body_allowlist's)."""
    schemes = body_allowlist()["url_schemes"] if schemes is None else schemes
    address = web_address(href)
    if address.startswith("/") and not address.startswith("//"):
        return address
    if "@" in address and ":" not in address:
        try:
            validate_email(address)
        except ValidationError:
            return None
        address = f"mailto:{address}"
    try:
        scheme = urlsplit(address).scheme.lower()
    except ValueError:  # a malformed host ("http://[x")
        return None
    if scheme not in schemes:
        return None
    if scheme != "mailto":
        try:
            validate_web_url(address)
        except ValidationError:
            return None
    return address


class _LinkAddresses(HTMLParser):
    """The href of every <a> of a piece of HTML, character references resolved."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.addresses += [value for name, value in attrs if name == "href" and value and value.strip()]


def dropped_links(html: str | None) -> list[str]:
    """The addresses of the links in `html` that sanitize_html would drop, as written, each once
    (an empty address is no link and is not named)."""
    parser = _LinkAddresses()
    parser.feed(_strip_unwanted(html or ""))
    parser.close()
    return list(dict.fromkeys(address for address in parser.addresses if body_link(address) is None))


def validate_not_blank(value: str) -> None:
    """Refuse text that is empty once invisible characters and spaces are removed."""
    if not clean_text(value):
        raise ValidationError(_("This field cannot be blank."), code="blank")
