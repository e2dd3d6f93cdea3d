"""The record languages: German, the source, and English where an editor wrote it.

Helpers over the per-language columns that django-modeltranslation adds (timeline/translation.py
says which fields have them).
"""

from collections.abc import Callable

from django.conf import settings
from django.utils import translation

SOURCE_LANGUAGE = settings.CONTENT_LANGUAGE
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def column(field: str, language: str) -> str:
    """The column holding `field` in `language`: column("title", "en") == "title_en"."""
    return f"{field}_{language}"


def clean_each_language(instance, field: str, clean: Callable[[str], str]) -> None:
    """Clean `field` in every language with `clean`; a text that cleans to nothing becomes None
    (no text in that language), so the fallback to German applies."""
    for language in LANGUAGES:
        name = column(field, language)
        value = getattr(instance, name)
        setattr(instance, name, clean(value) or None if value else None)


def text_language(instance, field: str, language: str | None = None) -> str:
    """The language `instance.<field>` is shown in for a reader of `language` (the active one
    unless given): that language where the record has text in it, else the source language
    (German). Pages put it in `lang`, Atom in `xml:lang`, JSON-LD in `inLanguage`."""
    language = language or translation.get_language() or SOURCE_LANGUAGE
    if language in LANGUAGES and getattr(instance, column(field, language), None):
        return language
    return SOURCE_LANGUAGE


def is_translated(instance, field: str, language: str | None = None) -> bool:
    """Whether `instance` has its own text for `field` in `language` (the active one unless
    given), rather than the German shown in its place."""
    return text_language(instance, field, language) == (language or translation.get_language())


def fallback_note(shown: str) -> str:
    """What a text shown in `shown` (German) says to a reader of the active language, on pages and
    in every feed alike: "Not yet available in English; shown in German."."""
    reader = translation.get_language() or SOURCE_LANGUAGE
    names = {code: translation.get_language_info(code)["name_translated"] for code in (reader, shown)}
    return translation.gettext("Not yet available in %(language)s; shown in %(shown)s.") % {
        "language": names[reader],
        "shown": names[shown],
    }


# Addresses whose language is negotiated rather than written in them.
API_PREFIX = "/api/"
ADMIN_PREFIXES = ("/admin/", "/i18n/")


def address_language(path: str) -> str | None:
    """The language an address is answered in, from the address alone: English under /en/,
    German elsewhere (Django's `i18n_patterns`); None for the API and the admin, whose
    language is negotiated (timeline.middleware.LanguageMiddleware)."""
    if path.startswith((API_PREFIX, *ADMIN_PREFIXES)):
        return None
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE
