"""Template tags for pages in two languages: the language each record text is shown in, whether an
event's English falls back to German, and the addresses of the same page in each language."""

from dataclasses import dataclass
from urllib.parse import unquote

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString

from timeline import languages
from timeline.context_processors import language_choices
from timeline.structured_data import absolute_url

register = template.Library()


@register.filter
def text_language(instance, field: str) -> str:
    """The language `instance.<field>` is shown in on this page ("en", or "de" where it has no
    English): `{{ event|text_language:"title" }}`, for `lang` and the `hyphenate` filter."""
    return languages.text_language(instance, field)


@register.filter
def falls_back(instance, fields: str) -> bool:
    """Whether any of `fields` ("title,summary,place") of `instance` is shown in German to a reader
    of another language because it has none in theirs: the page then says so once.

    A field with no German either shows nothing, so it does not count."""
    language = translation.get_language()
    if language == languages.SOURCE_LANGUAGE:
        return False
    return any(
        getattr(instance, languages.column(field, languages.SOURCE_LANGUAGE))
        and not languages.is_translated(instance, field, language)
        for field in fields.split(",")
    )


@register.simple_tag
def fallback_note() -> str:
    """The note of a page whose event is shown in German to a reader of another language
    (languages.fallback_note, the feeds' note too)."""
    return languages.fallback_note(languages.SOURCE_LANGUAGE)


@register.filter
def in_language(text: str, language: str) -> SafeString:
    """`text`, escaped, in a `<span lang>`: a record's text inside a sentence of the interface
    ("More in the series “…”"), where no element of its own could carry the language."""
    return format_html('<span lang="{}">{}</span>', language, text)


def page_in(url: str, language: str) -> str:
    """The address of the page at `url` (a path with its query) in `language`: "/?country=JP"
    gives "/en/?country=JP" in English and back (django.urls.translate_url).

    An address nothing answers (a 404 page) has no URL pattern to reverse; its language prefix is
    swapped instead (German has none: `i18n_patterns(prefix_default_language=False)`)."""
    path, _, query = url.partition("?")
    # A path only, whatever it looks like: "//evil.example/" is a path on this site here, never
    # a host (urlsplit would read it as one), and stays so in the link written.
    path = "/" + path.lstrip("/")
    try:
        resolve(unquote(path))
    except Resolver404:
        prefixes = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
        while prefix := next((code for code in prefixes if path == f"/{code}" or path.startswith(f"/{code}/")), None):
            path = "/" + path[len(prefix) + 1 :].lstrip("/")
        if language != settings.LANGUAGE_CODE:
            path = f"/{language}{path}"
        return path + (f"?{query}" if query else "")
    return translate_url(path + (f"?{query}" if query else ""), language)


@dataclass(frozen=True)
class LanguageVersion:
    """One entry of the language switch: this page in `code`, named in its own language."""

    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_versions(context) -> list[LanguageVersion]:
    """This page in each language, filters, search and position kept, for the language switch."""
    full_path = context["request"].get_full_path()
    current = translation.get_language()
    return [LanguageVersion(code, name, page_in(full_path, code), code == current) for code, name in language_choices()]


@dataclass(frozen=True)
class Alternate:
    """A `<link rel="alternate" hreflang>`: the absolute address of this page in `hreflang`."""

    hreflang: str
    url: str


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[Alternate]:
    """The page's `hreflang` alternates: its canonical address (the view's `canonical_path`, else
    the address asked for) in each language, and the German one as `x-default`, absolute from
    SITE_URL. Each language's page names the same set, so the pairs are reciprocal, as Google
    requires (developers.google.com/search/docs/specialty/international/localized-versions)."""
    path = context.get("canonical_path") or context["request"].get_full_path()
    alternates = [Alternate(code, absolute_url(page_in(path, code))) for code, _name in settings.LANGUAGES]
    default = absolute_url(page_in(path, settings.LANGUAGE_CODE))
    return [*alternates, Alternate("x-default", default)]
