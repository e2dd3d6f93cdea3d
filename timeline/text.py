"""Cleaning what editors type or paste: invisible characters, control characters, unsafe HTML.

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
    html = _SURROGATE_RE.sub("", _CONTROL_RE.sub("", unicodedata.normalize("NFC", str(value))))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=url_schemes,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


# Links that leave the site must be web links: no javascript:, data:, file: or ftp:.
validate_web_url = URLValidator(
    schemes=["http", "https"],
    message=_("Enter a web address starting with http:// or https://."),
)


def validate_not_blank(value: str) -> None:
    """Refuse text that is empty once invisible characters and spaces are removed."""
    if not clean_text(value):
        raise ValidationError(_("This field cannot be blank."), code="blank")
