"""Cleaning what editors type or paste: invisible characters, control characters, unsafe HTML;
and the one form in which search compares text.

Every path that writes an event (admin, API, importers, seed) goes through the model, and the
model calls these, so the rules live in one place.
"""

import re
import unicodedata

import nh3
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

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


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "h2", "h3", "h4", "i", "li",
    "ol", "p", "q", "s", "strong", "sub", "sup", "u", "ul", "table", "thead", "tbody", "tr",
    "th", "td", "caption", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "*": {"lang"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(value: str | None, url_schemes: set[str] = ALLOWED_URL_SCHEMES) -> str:
    """The body as it may be published: only harmless tags, attributes and link schemes."""
    if not value:
        return ""
    html = _strip_unwanted(unicodedata.normalize("NFC", str(value)))
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=url_schemes,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # nh3 writes character references (&#x1;) out as the characters they name: removed again, so
    # that cleaning twice gives what cleaning once gave.
    return unicodedata.normalize("NFC", _strip_unwanted(cleaned)).strip()


def _strip_unwanted(text: str) -> str:
    """`text` without control, invisible and bidirectional formatting characters and surrogates:
    the body loses what titles and summaries lose (clean_text)."""
    return _SURROGATE_RE.sub("", _CONTROL_RE.sub("", _INVISIBLE_RE.sub("", text)))


# Links that leave the site must be web links: no javascript:, data:, file: or ftp:.
validate_web_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
)


def validate_not_blank(value: str) -> None:
    """Refuse text that is empty once invisible characters and spaces are removed."""
    if not clean_text(value):
        raise ValidationError(_("This field cannot be blank."), code="blank")
