from django.conf import settings


def site(request) -> dict:
    """The records' language (for lang attributes) and the public base URL (for absolute links)."""
    return {"CONTENT_LANGUAGE": settings.CONTENT_LANGUAGE, "SITE_URL": settings.SITE_URL}
