"""Template filters for how stored text reads: where long words break on narrow screens, and
what is left out of text that lands in XML."""

import functools
import re

import pyphen
from django import template
from django.utils.translation import gettext

from timeline.text import clean_text, xml_safe

register = template.Library()

SOFT_HYPHEN = "\u00ad"
# Shorter words fit a phone's line at heading size; hyphenating them only adds noise.
LONG_WORD = re.compile(r"\w{12,}")


@functools.lru_cache(maxsize=8)
def dictionary(language: str) -> pyphen.Pyphen | None:
    """The hyphenation dictionary for a language code ("de", "en"), or None if there is none."""
    found = pyphen.language_fallback(language.replace("-", "_"))
    return pyphen.Pyphen(lang=found) if found else None


@register.filter
def hyphenate(text: str, language: str) -> str:
    """`text` with soft hyphens (U+00AD) at the syllable breaks of its long words, by the
    hyphenation dictionary of `language` (LibreOffice's, via pyphen).

    Browsers break a word only at a soft hyphen, and show a hyphen there, whether or not they
    hyphenate that language themselves (CSS `hyphens: auto` needs a dictionary the browser may
    lack). Text of a language without a dictionary is returned unchanged.
    """
    rules = dictionary(language or "")
    if rules is None or not text:
        return text
    return LONG_WORD.sub(lambda word: rules.inserted(word[0], hyphen=SOFT_HYPHEN), str(text))


@register.filter
def readable(text: str | None) -> str:
    """Stored text as readers get it wherever it lands, XML included (the time axis' SVG): no
    control, invisible or bidi characters, none that XML 1.0 forbids, on one line. Text written
    around the models' validation gets the same treatment as in the feeds."""
    return xml_safe(clean_text(text))


@register.filter
def title_text(text: str | None) -> str:
    """An event's title as readers get it (`readable`), or "Untitled event" when nothing readable
    is left of it (as the feeds say it): a heading or a link never stands empty."""
    return readable(text) or gettext("Untitled event")
