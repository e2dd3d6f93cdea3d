"""Cleaning what editors type or paste: invisible characters, control characters, unsafe HTML;
and the one form in which search compares text.

Every path that writes an event (admin, API, importers, seed) goes through the model, and the
model calls these, so the rules live in one place.
"""

import contextvars
import functools
import html
import html.entities
import ipaddress
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import quote, unquote

import idna
import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import allowlist_from_extensions

# Characters XML 1.0 forbids (they break feeds) and C1 controls; tab and newline are kept.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# Zero-width and bidirectional formatting characters: invisible, and RTL overrides can disguise text.
# Also the fillers that draw nothing though they are not spaces (the combining grapheme joiner,
# the Hangul fillers, the Khmer inherent vowels Unicode advises against, the blank braille
# pattern): a title of them alone would read as empty, and an English one would hide the German.
_INVISIBLE_RE = re.compile(
    r"[\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
    r"\u2800\u3164\ufeff\uffa0]"
)
# Surrogates cannot be encoded as UTF-8 and would make a response fail.
_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


# Characters XML 1.0 does not allow at all (section 2.2); one anywhere breaks a whole feed or SVG.
_XML_FORBIDDEN_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 forbids."""
    return _XML_FORBIDDEN_RE.sub("", text)


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
    # A host name typed without a scheme is read as https, as web_link reads it.
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"], "defaultProtocol": "https"},
}
# The rel of a link that leaves the site: the page it opens gets no handle on ours and no
# referrer. No "nofollow": the body is written by the publisher's own editors, who vouch for
# what they link. A page of this site, a place on the page and an e-mail address get no rel.
EXTERNAL_LINK_REL = "noopener noreferrer"


@functools.cache
def body_allowlist() -> dict:
    """The tags, attributes ({tag: names}) and link schemes the body may have: what the editor's
    extensions write (`rel` on links is set by the sanitiser, `link_rel`)."""
    allowed = allowlist_from_extensions(BODY_EDITOR_EXTENSIONS)
    # "*": none on every tag; nh3 would otherwise allow lang and title everywhere, which the
    # editor drops.
    attributes = {"*": set()} | {tag: set(names) for tag, names in allowed["attributes"].items()}
    return {"tags": set(allowed["tags"]), "attributes": attributes, "url_schemes": set(allowed["url_schemes"])}


# ---------------------------------------------------------------------------------------------
# Links: one rule for the body's links and the source links. An address is either kept in the
# form a browser reads it (WHATWG URL Standard) or refused; nothing is approved here and lost
# later.

# The URL parser removes tabs and newlines anywhere, and C0 controls and spaces at either end.
_URL_IGNORED_RE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
# Full stops a browser reads as "." in a host name (UTS #46 maps them): "example.com。evil.com"
# is example.com.evil.com.
_DOTS = ".\u3002\uff0e\uff61"
# The start of an address typed without a scheme: a host name ("www.auswaertiges-amt.de",
# "bmwe.de/presse"), labels and a top-level domain of letters, maybe a port.
_HOST_FIRST_RE = re.compile(rf"(?:[\w-]+[{_DOTS}])+[^\W\d_]{{2,63}}[{_DOTS}]?(?::[0-9]*)?(?:[/\\?#]|$)")
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# http(s), then two or more slashes (a backslash is a slash in a web address), the authority
# (host and port) and the rest. "https:example.com" or "https:/example.com" are refused: a
# browser reads them as a page below the current one when the page is itself on https.
_WEB_RE = re.compile(r"(https?):[/\\]{2,}([^/\\?#]*)(.*)", re.IGNORECASE | re.DOTALL)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# What a browser percent-encodes in each part (besides controls, spaces and what is not ASCII
# text): the URL Standard's path, query (special schemes) and fragment percent-encode sets.
_PATH_ENCODED, _QUERY_ENCODED, _FRAGMENT_ENCODED = '"<>`{}', "\"<>'", '"<>`'
# An e-mail address's local part as a mail link may carry it: dot-atom characters only, so no
# quotes, spaces or line breaks (RFC 5322 3.2.3).
_MAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+")
_MAIL_LOCAL_KEPT = "!$&'*+=^_`{|}~-./"  # written as they are in a mail link; "%", "?" and "#" encoded
_MAIL_FIELDS = {"subject", "body"}  # RFC 6068 header fields a link may fill; no cc, bcc or others

# Links that leave the site must be web links: no javascript:, data:, file: or ftp:. The final
# check of every web address web_link makes (a top-level domain, at most 2048 characters).
_web_url_validator = URLValidator(schemes=["http", "https"])


def _as_browser_reads(value: str) -> str:
    """`value` without what the URL parser ignores: tabs and newlines anywhere, controls and
    spaces at either end ("/\\t/evil.example" is "//evil.example" to a browser)."""
    return _URL_IGNORED_RE.sub("", value).strip(_C0_AND_SPACE)


def _encoded(part: str, also: str) -> str:
    """`part` with controls, spaces (of any script), format characters and the characters `also`
    percent-encoded as a browser encodes them; "%" and letters of any script stay as written."""
    return "".join(
        quote(character, safe="") if character in also or unicodedata.category(character)[0] in "CZ" else character
        for character in part
    )


def _path_query_fragment(rest: str) -> str:
    """The part of an address after its host ("/a b?c#d"), as a browser sends it: backslashes in
    the path are slashes, spaces and the like percent-encoded."""
    rest, hash_sign, fragment = rest.partition("#")
    path, question_mark, query = rest.partition("?")
    address = _encoded(path.replace("\\", "/"), _PATH_ENCODED)
    if question_mark:
        address += "?" + _encoded(query, _QUERY_ENCODED)
    if hash_sign:
        address += "#" + _encoded(fragment, _FRAGMENT_ENCODED)
    return address


# The URL Standard's forbidden domain code points, as a percent-decoded host may hold them.
_FORBIDDEN_IN_HOST_RE = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")


def _ascii_host(host: str) -> str | None:
    """A host name as a browser reads it (URL Standard "host parser"): percent-decoded, mapped
    by UTS #46 (nontransitional, as browsers map: capitals, full-width letters, "。"), each label
    in ASCII ("bücher" is "xn--bcher-kva"); an IPv6 address compressed. None if no browser could
    go there ("xn--a", "☃")."""
    try:
        host = unquote(host, errors="strict")
    except UnicodeDecodeError:
        return None
    if host.startswith("[") and host.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            return None
    if _FORBIDDEN_IN_HOST_RE.search(host):
        return None  # "bmwe.de%40evil.example", "bmwe.de%3A0": no browser goes there
    try:
        mapped = unicodedata.normalize("NFC", idna.uts46_remap(host, std3_rules=False, transitional=False))
    except idna.IDNAError:
        return None
    labels = []
    for label in mapped.removesuffix(".").split("."):
        try:
            if not label.isascii():
                label = idna.alabel(label).decode("ascii")
            elif label.startswith("xn--"):
                idna.ulabel(label)  # raises unless it is an A-label some name is written as
        except (idna.IDNAError, UnicodeError):
            return None
        if not label:
            return None
        labels.append(label)
    return ".".join(labels) + ("." if mapped.endswith(".") else "")


def web_link(value: str) -> str | None:
    """A web address as a browser reads it, or None if it cannot be one. The one rule for source
    links and the body's web links.

    Read as the address bar reads it: an address that starts with a host name gets "https://"
    ("www.auswaertiges-amt.de", "bmwe.de:8443/presse"). Then as the URL Standard parses it:
    backslashes are slashes, tabs and newlines are dropped, the host is mapped (UTS #46) and
    written in ASCII, the scheme's default port is dropped. Refused: other schemes, a user name
    ("https://amt.de@evil.example"), a port outside 1–65535, a host no browser would reach, fewer
    than two slashes after the scheme, anything Django's URLValidator refuses.
    """
    address = _as_browser_reads(value)
    if _HOST_FIRST_RE.match(address):
        address = f"https://{address}"
    match = _WEB_RE.fullmatch(address)
    if not match:
        return None
    scheme, authority, rest = match[1].lower(), match[2], match[3]
    if "@" in authority:
        return None
    host, port = authority, ""
    if ":" in authority.rpartition("]")[2]:
        host, _colon, port = authority.rpartition(":")
    if port and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return None
    host = _ascii_host(host)
    if host is None:
        return None
    port = f":{int(port)}" if port and int(port) != _DEFAULT_PORTS[scheme] else ""
    address = f"{scheme}://{host}{port}{_path_query_fragment(rest)}"
    try:
        _web_url_validator(address)
    except ValidationError:
        return None
    return address


def web_address(value: str) -> str:
    """An address an editor typed, as `web_link` reads it; trimmed as typed if it cannot be one
    (for the validator to refuse, naming it)."""
    return web_link(value) or value.strip()


def validate_web_url(value: str) -> None:
    """Refuse an address `web_link` cannot read as a web address."""
    if web_link(value) is None:
        raise ValidationError(_("Enter a web address starting with http:// or https://."), code="invalid")


def _mail_link(address: str) -> str | None:
    """A mail link to one address ("presse@bmwe.bund.de" or the part after "mailto:"), or None.

    The address, percent-decoded, must be one Django's EmailValidator accepts, of dot-atom
    characters (no line breaks: "mailto:%0aX-Header:1@b.de" is refused); only "subject" and
    "body" may follow, without control characters (RFC 6068).
    """
    recipient, _question_mark, fields = address.partition("?")
    local, at_sign, domain = unquote(recipient).rpartition("@")
    host = _ascii_host(domain) if at_sign and _MAIL_LOCAL_RE.fullmatch(local) else None
    if host is None:
        return None
    try:
        validate_email(f"{local}@{host}")
    except ValidationError:
        return None
    written = []
    for field in fields.split("&") if fields else []:
        name, _equals, value = (unquote(part) for part in field.partition("="))
        if name.lower() not in _MAIL_FIELDS or any(unicodedata.category(c) == "Cc" for c in value):
            return None
        written.append(f"{name.lower()}={quote(value, safe='')}")
    query = "?" + "&".join(written) if written else ""
    return f"mailto:{quote(local, safe=_MAIL_LOCAL_KEPT)}@{host}{query}"


def body_link(href: str, schemes: set[str] | None = None) -> str | None:
    """A link of the body as it is published, or None if it cannot be one (dropped_links names
    it, so Event.clean refuses it; sanitize_html drops it from bodies stored before the rule).

    One of: a web address as `web_link` reads it; an e-mail address ("presse@bmwe.bund.de" or
    "mailto:…", `_mail_link`); a page of this site ("/events/…/", made absolute in feeds), a path
    a browser keeps on this host (not "//evil.example" nor "/\\evil.example"); a place on the
    page ("#quellen"). `schemes`: those allowed (body_allowlist's; feeds allow http and https).
    The result is its own link: body_link(body_link(x)) == body_link(x).
    """
    schemes = body_allowlist()["url_schemes"] if schemes is None else schemes
    address = _as_browser_reads(href)
    if address.startswith("#"):
        return "#" + _encoded(address[1:], _FRAGMENT_ENCODED) if address != "#" else None
    if address.startswith(("/", "\\")):
        path = _path_query_fragment(address)
        return path if not path.startswith("//") else None
    if "@" in address and ":" not in address:
        address = f"mailto:{address}"
    elif _HOST_FIRST_RE.match(address):
        address = f"https://{address}"
    scheme = _SCHEME_RE.match(address)
    if not scheme or scheme[1].lower() not in schemes:
        return None
    if scheme[1].lower() == "mailto":
        return _mail_link(address[scheme.end() :])
    return web_link(address)


def link_rel(address: str | None) -> str | None:
    """The rel of a published link: EXTERNAL_LINK_REL for a web address, none for the rest."""
    return EXTERNAL_LINK_REL if address and address.startswith(("http://", "https://")) else None


# ---------------------------------------------------------------------------------------------
# Reading the <a> tags of HTML as typed, as a browser reads them.

_TAG_NAME_RE = re.compile(r"<[A-Za-z][^\t\n\f\r />]*")
# One attribute of a start tag (HTML tokenizer: "before attribute name" to "after attribute
# value" states): a name, maybe "=" and a quoted or unquoted value.
_ATTRIBUTE_RE = re.compile(
    r"[\t\n\f\r /]*(=?[^\t\n\f\r /=>]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*(\"[^\"]*\"?|'[^']*'?|[^\t\n\f\r >]*))?"
)
_REFERENCE_RE = re.compile(r"&(?:#[xX][0-9A-Fa-f]+;?|#[0-9]+;?|([A-Za-z0-9]+;?))")


def _attribute_value(raw: str) -> str:
    """An attribute's value with its character references resolved by HTML's rule for attributes
    (tokenizer, "named character reference state"): a name without ";" followed by "=", a letter
    or a digit stays as written, so "?a=1&copy=2" keeps "&copy=" (html.unescape would make it
    "©=")."""

    def resolved(match: re.Match) -> str:
        name = match[1]
        if name is None:
            return html.unescape(match[0])  # numeric: the same rule in attributes and text
        known = next((name[:end] for end in range(len(name), 1, -1) if name[:end] in html.entities.html5), None)
        if known is None:
            return match[0]
        following = name[len(known) : len(known) + 1] or match.string[match.end() : match.end() + 1]
        if not known.endswith(";") and (following.isalnum() or following == "="):
            return match[0]
        return html.entities.html5[known] + name[len(known) :]

    return _REFERENCE_RE.sub(resolved, raw)


def _attributes(tag: str) -> dict[str, str]:
    """The attributes of a start tag as written ('<a HREF="x" title=y>'), names in lower case,
    values resolved (`_attribute_value`); of a name given twice the first counts, as in HTML."""
    attributes: dict[str, str] = {}
    text = tag[_TAG_NAME_RE.match(tag).end() :].removesuffix(">")
    position = 0
    while position < len(text):
        match = _ATTRIBUTE_RE.match(text, position)
        if not match[1]:
            break
        value = match[2] or ""
        if value[:1] in "\"'":
            value = value[1:].removesuffix(value[0])
        attributes.setdefault(match[1].lower(), _attribute_value(value))
        position = match.end()
    return attributes


class _AnchorTags(HTMLParser):
    """The <a> start tags of a piece of HTML: where each is (start, end) and its attributes."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[int, int, dict[str, str]]] = []
        # getpos() counts lines and columns; the tag's place in `text` is rebuilt from them.
        self._line_starts = [0] + [newline.end() for newline in re.finditer("\n", text)]
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            written = self.get_starttag_text()
            line, column = self.getpos()
            start = self._line_starts[line - 1] + column
            self.tags.append((start, start + len(written), _attributes(written)))


def _links_as_published(text: str, schemes: set[str]) -> str:
    """`text` with every <a> tag rewritten: its address as `body_link` makes it (or none), its
    rel by `link_rel`, empty attributes left out. nh3 then never judges an address itself (it
    would drop "bmwe.de:443", reading "bmwe.de" as a scheme)."""
    parts, position = [], 0
    for start, end, attributes in _AnchorTags(text).tags:
        address = body_link(attributes["href"], schemes) if attributes.get("href", "").strip() else None
        if address is None:
            _refused(attributes.get("href", ""))
        # One order, whatever the order typed: the address first, the rel last.
        kept = {name: value for name, value in attributes.items() if name not in ("href", "rel")}
        written = {"href": address} | kept | {"rel": link_rel(address)}
        tag = "".join(f' {name}="{html.escape(value)}"' for name, value in written.items() if value and value.strip())
        parts += [text[position:start], f"<a{tag}>"]
        position = end
    parts.append(text[position:])
    return "".join(parts)


# The addresses sanitize_html refuses while dropped_links listens: whichever parser met the link
# (Python's, or nh3's, which reads "<!-->" or "<![CDATA[" differently), and in whichever round.
_REFUSED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("refused_links", default=None)


def _refused(address: str) -> None:
    heard = _REFUSED.get()
    if heard is not None and address.strip():
        heard.append(address)


def cleaned_and_dropped(text: str | None) -> tuple[str, list[str]]:
    """`text` as sanitize_html cleans it, and the addresses of the links that cleaning dropped,
    each once, as the parser that met them read them (character references resolved); an empty
    address is no link and is not named. Found by cleaning `text` itself, so no link is dropped
    that is not named here."""
    token = _REFUSED.set([])
    try:
        cleaned = sanitize_html(text)
        return cleaned, list(dict.fromkeys(_REFUSED.get()))
    finally:
        _REFUSED.reset(token)


def dropped_links(text: str | None) -> list[str]:
    """The addresses of the links in `text` that sanitize_html drops (cleaned_and_dropped)."""
    return cleaned_and_dropped(text)[1]


# ---------------------------------------------------------------------------------------------
# Markup the editor cannot hold becomes markup it can, so no word is lost or glued to the next.


class MarkupWriter(HTMLParser):
    """Writes well-formed HTML (what nh3 writes: every element closed, attributes quoted) anew,
    token by token; subclasses change what they need. Streaming, so no depth limit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.written: list[str] = []

    def rewrite(self, text: str) -> str:
        """`text` as this writer writes it."""
        self.feed(text)
        self.close()
        return "".join(self.written)

    @staticmethod
    def start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
        """A start tag with `attrs` ([(name, value)], as HTMLParser gives them), values escaped."""
        return f"<{tag}" + "".join(f' {name}="{html.escape(value or "")}"' for name, value in attrs) + ">"

    def handle_starttag(self, tag, attrs):
        self.written.append(self.start_tag(tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)  # "<br/>": an element without content, as "<br>"

    def handle_endtag(self, tag):
        self.written.append(f"</{tag}>")

    def handle_data(self, data):
        self.written.append(html.escape(data, quote=False))


# Elements that only group blocks or hold a block's text, which the editor has no place for:
# their text becomes paragraphs (a table one paragraph per cell), never glued to its neighbour.
_CONTAINERS = frozenset({
    "address", "article", "aside", "caption", "center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "legend", "listing", "main", "menu",
    "nav", "option", "optgroup", "pre", "search", "section", "select", "summary", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr",
})  # fmt: skip
_VOID = frozenset({"br", "hr", "img", "wbr", "input", "col", "area", "embed", "source", "track"})
_FLOW = frozenset({"li", "blockquote"})  # the editor's blocks that hold blocks


@functools.cache
def body_blocks() -> frozenset[str]:
    """The body's block elements (paragraphs, headings, lists, quotes); its other elements are
    text (strong, em, a, br, …)."""
    tags = body_allowlist()["tags"]
    return frozenset(tag for tag in tags if tag in _FLOW | {"p", "ul", "ol"} or re.fullmatch(r"h[1-6]", tag))


@functools.cache
def _renamed() -> dict[str, str]:
    """Elements the editor has a near equivalent for: headings to the nearest level it has
    (h1 → h2, h5 and h6 → h4), <b> → <strong>, <i> → <em>, <strike>/<del> → <s>."""
    tags = body_allowlist()["tags"]
    levels = [int(tag[1]) for tag in tags if re.fullmatch(r"h[1-6]", tag)]
    renamed = {"b": "strong", "i": "em", "strike": "s", "del": "s"}
    for level in set(range(1, 7)) - set(levels) if levels else ():
        renamed[f"h{level}"] = f"h{min(levels, key=lambda kept: abs(kept - level))}"
    return {old: new for old, new in renamed.items() if new in tags}


class _EditorBlocks(MarkupWriter):
    """HTML as nh3 left it with the editor's elements, `_renamed`'s and `_CONTAINERS`, written
    with the editor's elements only: renamed ones renamed; a container's text in paragraphs of
    its own, or, where no paragraph may stand (inside a heading or bold text), set apart by a
    space; the lines of <pre> kept as line breaks. nh3 then removes the containers' tags."""

    def __init__(self):
        super().__init__()
        self.tags = body_allowlist()["tags"]
        self.phrasing = self.tags - body_blocks()
        # Per open element: its (renamed) tag and whether loose text in it becomes paragraphs.
        self.open: list[tuple[str, bool]] = []
        self.paragraph_open = False  # a paragraph this writer opened for a container's text
        self.space_due = False  # a container inside text ended or began: a space before more text
        self.in_pre = 0  # <pre> elements open
        self.pre_breaks = 0  # line breaks of a <pre> waiting for the text after them

    def _in_paragraphs(self) -> bool:
        return bool(self.open) and self.open[-1][1]

    def _boundary(self, *, space: bool = False) -> None:
        """A block starts or ends: the paragraph opened for loose text ends; with `space` (a
        container inside text), the words on either side are kept apart."""
        if self.paragraph_open:
            self.written.append("</p>")
            self.paragraph_open = False
        self.space_due = space

    def _inline(self) -> None:
        """Text or an inline element comes: inside a container, in a paragraph; after a
        container inside text, after a space."""
        if self._in_paragraphs() and not self.paragraph_open:
            self.written.append("<p>")
            self.paragraph_open = True
        last = self.written[-1] if self.written else " "
        if self.space_due and not last[-1:].isspace() and not (last.startswith("<") and last[1:2] != "/"):
            self.written.append(" ")  # (not right after a start tag: "<h2>a b</h2>", not "<h2> a b</h2>")
        self.space_due = False
        if self.in_pre:
            self.written.append("<br>" * self.pre_breaks)
            self.pre_breaks = 0

    def handle_starttag(self, tag, attrs):
        tag = _renamed().get(tag, tag)
        if tag in _CONTAINERS or tag == "hr":
            # Loose text becomes paragraphs where a paragraph may stand: at the top, in a list
            # item, a quote or another such container.
            paragraphs = not self.open or self.open[-1][0] in _FLOW or self._in_paragraphs()
            self._boundary(space=not paragraphs)
            if tag != "hr":
                self.open.append((tag, paragraphs))
                self.in_pre += tag == "pre"
            return
        if tag in self.phrasing:
            self._inline()
        else:
            self._boundary()
        super().handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.open.append((tag, False))

    def handle_endtag(self, tag):
        if _renamed().get(tag, tag) in _VOID or not self.open:
            return
        opened, paragraphs = self.open.pop()  # well-formed: the element ending is the last opened
        if opened in _CONTAINERS:
            self._boundary(space=not paragraphs)
            if opened == "pre":
                self.in_pre -= 1
                self.pre_breaks = 0
            return
        if opened not in self.phrasing:
            self._boundary()
        super().handle_endtag(opened)

    def handle_data(self, data):
        if self.in_pre:
            for number, line in enumerate(data.split("\n")):
                self.pre_breaks += number > 0
                if line:
                    self._inline()
                    super().handle_data(line)
        elif data.strip():
            self._inline()
            super().handle_data(data)
        elif not self._in_paragraphs() or self.paragraph_open:
            super().handle_data(data)  # (space between a container's blocks is left out)


# ---------------------------------------------------------------------------------------------
# The sanitiser.


def sanitize_html(value: str | None, url_schemes: set[str] | None = None) -> str:
    """The body as it may be published: only the editor's tags and attributes (body_allowlist),
    what it cannot hold turned into what it can (`_EditorBlocks`), links as `body_link` makes
    them (schemes limited further by `url_schemes`, as feeds do) with `link_rel`'s rel."""
    if not value:
        return ""
    schemes = frozenset(body_allowlist()["url_schemes"] if url_schemes is None else url_schemes)
    html_text = _strip_unwanted(unicodedata.normalize("NFC", str(value)))
    # A tag removed with its content kept can leave blocks nested as no parser reads them back
    # (<h2><b><h2> gives <h2><h2>), and nh3 writes character references (&#x1;) out as the
    # characters they name: cleaned again until nothing changes, so that cleaning twice gives what
    # cleaning once gave. A stored body takes one round.
    for _round in range(4):
        read = _cleaner(schemes, wide=True).clean(_links_as_published(html_text, schemes))
        cleaned = _cleaner(schemes, wide=False).clean(_EditorBlocks().rewrite(read))
        cleaned = unicodedata.normalize("NFC", _strip_unwanted(cleaned)).strip()
        if cleaned == html_text:
            break
        html_text = cleaned
    return cleaned


@functools.cache
def _cleaner(schemes: frozenset[str], *, wide: bool) -> nh3.Cleaner:
    """nh3's cleaner for the body, links allowed in `schemes`; `wide` also keeps the elements
    `_EditorBlocks` turns into the editor's (without their attributes)."""
    allowed = body_allowlist()
    tags = allowed["tags"] | (set(_renamed()) | _CONTAINERS | {"hr"} if wide else set())

    def as_published(element: str, attribute: str, value: str) -> str | None:
        # The <a> tags are already as published (_links_as_published); this keeps it so for
        # anything nh3 reads as a tag where Python's parser read text.
        if not value.strip():
            return None  # title="" and the like say nothing
        if attribute == "href":
            address = body_link(value, schemes)
            if address is None:
                _refused(value)
            return address
        if attribute == "rel":
            return value if value == EXTERNAL_LINK_REL else None
        return value

    return nh3.Cleaner(
        tags=tags,
        attributes=allowed["attributes"],
        url_schemes=set(schemes),
        link_rel=None,  # set per link by _links_as_published
        strip_comments=True,
        attribute_filter=as_published,
    )


class _Text(MarkupWriter):
    """The words of sanitised HTML, a space wherever a block or a line break begins or ends."""

    def handle_starttag(self, tag, attrs):
        if tag in body_blocks() or tag == "br":
            self.written.append(" ")

    def handle_endtag(self, tag):
        self.handle_starttag(tag, [])

    def handle_data(self, data):
        self.written.append(data)


def body_text(value: str | None) -> str:
    """The text of a sanitised body, words apart where blocks meet ("<p>a</p><p>b</p>" is "a b",
    where strip_tags gives "ab"); spaces collapsed."""
    return " ".join(_Text().rewrite(value or "").split())


class _PlainText(MarkupWriter):
    """Sanitised HTML as plain text with its blocks kept apart: paragraphs, headings, quotes and
    lists apart by an empty line, each list item on a line of its own after "• ", line breaks kept."""

    def __init__(self):
        super().__init__()
        self.pending = ""  # the line break due before the next text
        self.bullet = False  # a list item began and its text has not yet come
        self.lists = 0  # lists open around the text

    def _boundary(self) -> None:
        due = "\n" if self.lists else "\n\n"
        if self.written and len(due) > len(self.pending):
            self.pending = due

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.pending = self.pending or "\n"
        elif tag in body_blocks():
            self._boundary()
            self.lists += tag in ("ul", "ol")
            self.bullet = self.bullet or tag == "li"

    def handle_endtag(self, tag):
        if tag in body_blocks():
            self.lists -= tag in ("ul", "ol") and self.lists > 0
            self._boundary()

    def handle_data(self, data):
        if not data.strip():
            if self.written and not self.pending and not self.bullet:
                self.written.append(" ")
            return
        if self.written and self.pending:
            self.written.append(self.pending)
        self.pending = ""
        if self.bullet:
            self.written.append("• ")
            self.bullet = False
        self.written.append(data)


def body_plain_text(value: str | None) -> str:
    """The body as plain text for where no markup can go (a calendar's description): sanitised
    again (no script's or comment's text comes through), blocks on lines of their own (`_PlainText`),
    cleaned as plain text is (`clean_text`, several lines)."""
    return clean_text(_PlainText().rewrite(sanitize_html(value)), multiline=True)


def _strip_unwanted(text: str) -> str:
    """`text` without control, invisible and bidirectional formatting characters and surrogates:
    the body loses what titles and summaries lose (clean_text)."""
    return _SURROGATE_RE.sub("", _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text)))


def validate_not_blank(value: str) -> None:
    """Refuse text that is empty once invisible characters and spaces are removed."""
    if not clean_text(value):
        raise ValidationError(_("This field cannot be blank."), code="blank")
