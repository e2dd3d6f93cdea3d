"""The OpenAPI description says what can go wrong, not only what goes right."""

from drf_spectacular.openapi import AutoSchema

ERROR_BODY = {
    "type": "object",
    "description": "A message (`detail`) or, for 400, the refused fields with what is wrong with each.",
    "additionalProperties": True,
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}


class DocumentedErrorsAutoSchema(AutoSchema):
    """Adds the error responses every operation of this API can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        responses.setdefault("400", _error("A parameter or field was refused; the body names it and says why."))
        if self.method not in ("GET", "HEAD"):
            responses.setdefault("401", _error("Not authenticated: send an editor's token or session."))
            responses.setdefault("403", _error("Authenticated, but without permission for this."))
        else:
            responses.setdefault("401", _error("Listing unpublished events needs an editor's credentials."))
            responses.setdefault("403", _error("Listing unpublished events needs the editor role."))
        if "{" in self.path:
            responses.setdefault("404", _error("No such record, or not public."))
        if self.method == "DELETE" and "series" in self.path:
            responses.setdefault("409", _error("The series still has events."))
        if self.method in ("POST", "PUT", "PATCH"):
            responses.setdefault(
                "409",
                _error(
                    "Changed meanwhile: another record took the same unique value, or "
                    "the event's version moved on (the body gives the current one)."
                ),
            )
        if self.method in ("PUT", "PATCH") and "events" in self.path:
            responses.setdefault("412", _error("If-Match did not match the event's current ETag."))
        responses.setdefault("429", _error("Too many requests; the Retry-After header says when to try again."))
        return responses
