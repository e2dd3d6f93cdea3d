"""Request parsing for the API (a module of its own: settings import it before any view)."""

import json
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

SURROGATE = re.compile("[\ud800-\udfff]")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but nesting too deep for Python's parser is a 400, not a 500, and so
    is an unpaired surrogate escape ("\\ud800"): JSON text may hold one (RFC 8259, section 8.2),
    but it is no character, cannot be written back as UTF-8 (not even in an error message that
    quotes it), and no field may store it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("The JSON is nested too deeply.")) from error
        except ParseError as error:
            # DRF words it in English, with Python's English reason: say where, in the reader's language.
            raise ParseError(unreadable(error.__context__)) from error
        if has_surrogate(data):
            raise ParseError(_("The JSON contains an unpaired surrogate (\\ud800–\\udfff), which is no character."))
        return data


def unreadable(reason: BaseException | None) -> str:
    """Why a body is no JSON, from the error Python's decoder raised: where the JSON breaks off,
    or that the text is not in its encoding."""
    if isinstance(reason, json.JSONDecodeError):
        return _("The body is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": reason.lineno,
            "column": reason.colno,
        }
    if isinstance(reason, UnicodeDecodeError):
        return _("The body is not valid %(encoding)s text.") % {"encoding": reason.encoding.upper()}
    return _("The body is not valid JSON.")


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser; a body it cannot read is refused in the reader's language (DRF
    passes on Django's English reason)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as error:
            raise ParseError(_("The body is not a readable multipart form.")) from error


def has_surrogate(data) -> bool:
    """Whether any string (or key) in parsed JSON holds a lone surrogate code point."""
    if isinstance(data, str):
        return SURROGATE.search(data) is not None
    if isinstance(data, dict):
        return any(has_surrogate(key) or has_surrogate(value) for key, value in data.items())
    if isinstance(data, list):
        return any(has_surrogate(item) for item in data)
    return False
