"""Which record texts exist in German and English (django-modeltranslation).

Each registered field gets one column per language (`title_de`, `title_en`); reading `title` gives
the active language's text, or the German where no English exists. German is the source language
and required where the field is; English is optional and stored as NULL when absent, so "no
English" is one state and unique names do not clash on an empty string.

Code that writes a text names the language column (`title_de`), never the plain field: assigning
`event.title` writes the *active* language's column, which under an English request would copy
German text into the English column.
"""

from modeltranslation.translator import TranslationOptions, register

from .languages import SOURCE_LANGUAGE
from .models import Correction, Event, Series, Topic


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body", "place", "change_note")
    required_languages = (SOURCE_LANGUAGE,)
    empty_values = None


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = (SOURCE_LANGUAGE,)
    empty_values = None


@register(Series)
class SeriesTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = (SOURCE_LANGUAGE,)
    empty_values = None


@register(Correction)
class CorrectionTranslationOptions(TranslationOptions):
    fields = ("note",)
    empty_values = None
