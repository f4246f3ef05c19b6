"""Domain errors: each carries the HTTP status and the platform's message for it.

Handlers never catch these; `api.middleware.error_middleware` renders them as
OpenWhisk's `{"error": ..., "code": ...}` body.
"""

from __future__ import annotations

from typing import ClassVar


class EmulatorError(Exception):
    """An error the API answers with `status` and `message`."""

    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "There was an internal server error."

    def __init__(self, message: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        return {}


class BadRequest(EmulatorError):
    status = 400
    default_message = "The request content was malformed."


class MalformedContent(BadRequest):
    """A body that is not valid JSON or not a JSON object."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"The request content was malformed:\n{detail}")


class MalformedQueryParameter(BadRequest):
    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"The query parameter '{name}' was malformed:\n{detail}")


class ExecUndefined(BadRequest):
    default_message = "exec undefined"


class IllegalName(BadRequest):
    default_message = "The name of the entity contains illegal characters."


class NameTooLong(BadRequest):
    def __init__(self, length: int, limit: int) -> None:
        # The platform's own spelling.
        super().__init__(f"Name segement longer than allowed: {length} > {limit}.")


class ReservedPackageName(BadRequest):
    default_message = "Package name 'default' is reserved."


class ForbiddenParameters(BadRequest):
    default_message = "Request defines parameters that are not allowed (e.g., reserved properties)."


class Unauthorized(EmulatorError):
    status = 401
    default_message = "The supplied authentication is invalid"

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Basic realm="OpenWhisk secure realm"'}


class MissingCredentials(Unauthorized):
    default_message = (
        "The resource requires authentication, which was not supplied with the request"
    )


class InvalidAccessToken(Unauthorized):
    """DigitalOcean's API (`/v2`) refusing a token: its words, and no Basic challenge."""

    default_message = "Unable to authenticate you"

    @property
    def headers(self) -> dict[str, str]:
        return {}


class Forbidden(EmulatorError):
    status = 403
    default_message = "The supplied authentication is not authorized to access this resource."


class NotAuthorizedForResource(Forbidden):
    def __init__(self, resource: str) -> None:
        super().__init__(f"The supplied authentication is not authorized to access '{resource}'.")


class NotFound(EmulatorError):
    status = 404
    default_message = "The requested resource does not exist."


class RouteNotFound(NotFound):
    default_message = "The requested resource could not be found."


class ActivationNotFound(NotFound):
    # DigitalOcean's wording: it cannot tell a running activation from an expired one.
    default_message = (
        "The requested activation record does not exist. This either means that the "
        "invocation is still running and the record is not yet created or the "
        "activation's retention period has already expired."
    )


class TriggerNotFound(NotFound):
    # DigitalOcean's API words for a scheduled trigger it does not know.
    default_message = "The resource you were accessing could not be found."


class NamespaceNotFound(NotFound):
    # DigitalOcean's API words for a namespace that is not the caller's.
    default_message = "namespace not found"


class MethodNotAllowed(EmulatorError):
    status = 405

    def __init__(self, allowed: list[str]) -> None:
        super().__init__(f"HTTP method not allowed, supported methods: {', '.join(allowed)}")


class Conflict(EmulatorError):
    status = 409
    default_message = "resource already exists"


class WrongCollection(Conflict):
    default_message = "Resource by this name exists but is not in this collection."


class PackageNotEmpty(Conflict):
    def __init__(self, count: int) -> None:
        entities = "entity" if count == 1 else "entities"
        super().__init__(
            f"Package not empty (contains {count} {entities}). "
            "Set force param or delete package contents."
        )


class PayloadTooLarge(EmulatorError):
    status = 413

    def __init__(self, what: str, size: int | None, limit: int) -> None:
        """`size` None: not known (a chunked body), only that it passed `limit`."""
        shown = f"{size} > {limit}" if size is not None else f"more than {limit}"
        super().__init__(f"{what} larger than allowed: {shown} bytes.")


class UnsupportedMediaType(EmulatorError):
    status = 415
    default_message = "The request's Content-Type is not supported. Expected:\napplication/json"


class TooManyRequests(EmulatorError):
    """The namespace's calls in this calendar minute, the refused one included."""

    status = 429

    def __init__(self, count: int, allowed: int) -> None:
        super().__init__(
            f"Too many requests in the last minute (count: {count}, allowed: {allowed})."
        )


class TooManyConcurrentRequests(EmulatorError):
    """The namespace's activations in flight when the call came."""

    status = 429

    def __init__(self, count: int, allowed: int) -> None:
        super().__init__(
            f"Too many concurrent requests in flight (count: {count}, allowed: {allowed})."
        )


class InternalError(EmulatorError):
    status = 500


class ServiceUnavailable(EmulatorError):
    status = 503
    default_message = (
        "The server is currently unavailable (because it is overloaded or down for maintenance)."
    )


# Web functions (`/api/v1/web/...`): the controller's own answers, rendered pretty-printed.


class IncompleteWebPath(NotFound):
    default_message = (
        "Incomplete web function path. The path must contain /$namespace/$package/$function, "
        "$package can be 'default'."
    )


class WebAuthenticationFailed(EmulatorError):
    """A `webSecure` function called without its secret (no WWW-Authenticate challenge)."""

    status = 401
    default_message = "Authentication is possible but has failed or not yet been provided."


class WebRequestFailed(BadRequest):
    """The function failed (developer or internal error): its details stay in the record."""

    default_message = "There was an error processing your request."


class InvalidWebResponse(BadRequest):
    def __init__(self, media_type: str) -> None:
        super().__init__(f"Response is not valid '{media_type}'.")


class UnknownResponseContentType(BadRequest):
    default_message = "Response did not specify a known content-type."


class ResponseContentTypeMismatch(BadRequest):
    default_message = "Response type in header did not match generated content type."


class ResponsePropertyMissing(NotFound):
    default_message = "Response does not include requested property."
