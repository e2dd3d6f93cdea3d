import functools

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info


@functools.cache
def language_choices() -> tuple[tuple[str, str], ...]:
    """(code, name in that language) for the language switch, e.g. ("de", "Deutsch")."""
    return tuple((code, capfirst(get_language_info(code)["name_local"])) for code, _name in settings.LANGUAGES)


def site(request) -> dict:
    """The records' language (for lang attributes), the public base URL (for absolute links) and
    the languages a reader can switch to."""
    return {
        "CONTENT_LANGUAGE": settings.CONTENT_LANGUAGE,
        "SITE_URL": settings.SITE_URL,
        "LANGUAGE_CHOICES": language_choices(),
    }
