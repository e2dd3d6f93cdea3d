from django.conf import settings


def content_language(request) -> dict:
    """The language of the records, for lang attributes on content shown in another interface language."""
    return {"CONTENT_LANGUAGE": settings.CONTENT_LANGUAGE}
