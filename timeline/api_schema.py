"""The OpenAPI description says what can go wrong, not only what goes right."""

from django.conf import settings
from drf_spectacular.authentication import SessionScheme


class LocalisedSessionScheme(SessionScheme):
    """Our session authentication (timeline.api_authentication) is DRF's with German refusals:
    described as DRF's cookie scheme."""

    target_class = "timeline.api_authentication.SessionAuthentication"


ERROR_BODY = {
    "type": "object",
    "description": "A message (`detail`) or, for 400, the refused fields with what is wrong with each.",
    "additionalProperties": True,
}


def error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}


def error_responses(path: str, method: str) -> dict[str, dict]:
    """The error responses an operation (`method` on `path`) can give, by status code."""
    responses = {"400": error("A parameter or field was refused; the body names it and says why.")}
    if method not in ("GET", "HEAD"):
        responses["401"] = error("Not authenticated: send an editor's token or session.")
        responses["403"] = error("Authenticated, but without permission for this.")
    else:
        responses["401"] = error("Listing unpublished events needs an editor's credentials.")
        responses["403"] = error("Listing unpublished events needs the editor role.")
    if "{" in path:
        responses["404"] = error("No such record, or not public.")
    if "{" in path and ("topics" in path or "series" in path):
        # A former slug (EventGrouping): a read is moved permanently, a change keeps its method.
        moved = "301" if method in ("GET", "HEAD") else "308"
        responses[moved] = error("A former slug of the topic or series: `Location` gives its current address.")
    if method == "DELETE" and "series" in path:
        responses["409"] = error("The series still has events.")
    if method in ("POST", "PUT", "PATCH"):
        responses["409"] = error(
            "Changed meanwhile: another record took the same unique value, or "
            "the event's version moved on (the body gives the current one)."
        )
    if method in ("PUT", "PATCH", "DELETE") and "events" in path and "{" in path:
        responses["412"] = error("If-Match did not match the event's current ETag.")
    if method in ("PUT", "PATCH") and "events" in path and "{" in path:
        responses["428"] = error("Neither If-Match nor `version` said which version the change is based on.")
    responses["429"] = error("Too many requests; the Retry-After header says when to try again.")
    return responses


def add_error_responses(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): adds
    the error responses of every operation, keeping any an operation documents itself."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, response in error_responses(path, method.upper()).items():
                responses.setdefault(status, response)
    return result


def language_parameters() -> list[dict]:
    """The parameters that choose the language of every operation's answer (the API's part of
    timeline.middleware.LanguageMiddleware)."""
    codes = [code for code, _name in settings.LANGUAGES]
    return [
        {
            "name": "lang",
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": codes},
            "description": (
                "The language of the answer: its texts, dates and messages (`de`, the default, or `en`); "
                "wins over `Accept-Language`. A text without English comes in German, and `languages` "
                "says so per field. On a write, plain texts (`title`, …) are the German source text: a "
                "request in English that sends one is refused (400); send `title_en`, … instead, or the "
                "German with `lang=de`. Another value is a 400 naming the languages."
            ),
        },
        {
            "name": "Accept-Language",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "example": "en",
            "description": "The language of the answer when `lang` is not given; German when neither names one.",
        },
    ]


CONTENT_LANGUAGE_HEADER = {
    "description": "The language of the answer (`de` or `en`); answers also say `Vary: Accept-Language`.",
    "schema": {"type": "string", "enum": [code for code, _name in settings.LANGUAGES]},
}


def add_language_parameters(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]): every
    operation takes `lang` and `Accept-Language`, and every answer says its `Content-Language`."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = operation.setdefault("parameters", [])
            given = {(parameter["name"], parameter["in"]) for parameter in parameters}
            parameters += [p for p in language_parameters() if (p["name"], p["in"]) not in given]
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {}).setdefault("Content-Language", CONTENT_LANGUAGE_HEADER)
    return result
