"""How editors see a text's German and English columns named: "Titel (Deutsch)", "Titel (Englisch)".

django-modeltranslation names each per-language column by `localized_verbose_name`
(settings.MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME; its own default is "title [en]"). The
name is the column's verbose name, so the admin's labels, its history, the revision view and
Django's own messages ("Thema mit diesem Name (Englisch) existiert bereits.") all say it alike.

Each name is a message of its own rather than a pattern filled in: Django keeps the names of the
fields a save changed untranslated in the admin's history and translates each name when the
history is shown, so every name must be a string the catalog has. This module reads no settings:
the settings module imports it.
"""

from django.utils.translation import gettext, override


def gettext_noop(message: str) -> str:
    """Mark `message` for the catalog (makemessages reads this name) without translating it.
    Django's own reads the settings, which are being imported when this module is."""
    return message


# (the field's verbose name as written in the model, language) -> the column's verbose name.
LABELS = {
    ("title", "de"): gettext_noop("title (German)"),
    ("title", "en"): gettext_noop("title (English)"),
    ("summary", "de"): gettext_noop("summary (German)"),
    ("summary", "en"): gettext_noop("summary (English)"),
    ("body", "de"): gettext_noop("body (German)"),
    ("body", "en"): gettext_noop("body (English)"),
    ("place", "de"): gettext_noop("place (German)"),
    ("place", "en"): gettext_noop("place (English)"),
    ("public change note", "de"): gettext_noop("public change note (German)"),
    ("public change note", "en"): gettext_noop("public change note (English)"),
    ("name", "de"): gettext_noop("name (German)"),
    ("name", "en"): gettext_noop("name (English)"),
    ("description", "de"): gettext_noop("description (German)"),
    ("description", "en"): gettext_noop("description (English)"),
}


def localized_verbose_name(verbose_name, language: str) -> str:
    """The verbose name of `verbose_name`'s column in `language`, in the active language:
    ("title", "en") reads "Titel (Englisch)" to a German editor. Called lazily by
    modeltranslation each time the name is shown; a field missing from LABELS gets
    modeltranslation's own form ("title [en]"), which tests/timeline/test_admin_languages.py
    refuses."""
    with override(None):  # the name as written in the model, whatever language is active
        source = str(verbose_name)
    label = LABELS.get((source, language))
    return gettext(label) if label else f"{verbose_name} [{language}]"
