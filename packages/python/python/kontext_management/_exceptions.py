"""The exceptions the SDK raises, all under :class:`KontextError`.

The Rust core decides what went wrong and describes it as data (``kontext_management::ErrorDetails``:
``kind``, ``code``, ``status``, ``requestId``, ...); this module only picks the class for a
``kind`` and exposes the fields as snake_case attributes. Messages never contain secrets.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple, Type

__all__ = [
    "KontextError",
    "APIError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "PreconditionFailedError",
    "PreconditionRequiredError",
    "RateLimitError",
    "InternalServerError",
    "DecodeError",
    "APIConnectionError",
    "APITimeoutError",
    "OAuthError",
    "ConfigError",
    "InvalidArgumentError",
    "InternalError",
]


class KontextError(Exception):
    """Base class of every error raised by the Kontext SDK.

    Attributes:
        message: Human-readable description (also ``str(error)``).
        kind: Stable category, e.g. ``"not_found"`` or ``"timeout"``.
        code: The official client's error code, e.g. ``"kontext_not_found"``.
        docs_url: Where the code is documented.
        status_code: HTTP status of the response behind the error, if one arrived.
        request_id: ``x-request-id`` of that response; quote it in bug reports.
        outcome_unknown: True when a write the SDK does not send again (a credential mint, a
            precondition write, a POST without an idempotency key) may have taken effect although
            it failed (a timeout, a connection lost after sending, a 502/503/504). Re-read the state,
            or reconcile, before sending it again.
    """

    kind: str = "error"
    default_code: str = "kontext_error"

    message: str
    code: str
    docs_url: str
    status_code: Optional[int]
    request_id: Optional[str]
    outcome_unknown: bool

    def __init__(self, message: str = "", *, details: Optional[Mapping[str, Any]] = None) -> None:
        d: Mapping[str, Any] = details or {}
        self.message = message or str(d.get("message") or "")
        super().__init__(self.message)
        self.code = str(d.get("code") or self.default_code)
        self.docs_url = str(d.get("docsUrl") or f"https://docs.kontext.security/errors/{self.code}")
        self.status_code = d.get("status")
        self.request_id = d.get("requestId")
        self.outcome_unknown = d.get("outcomeUnknown") is True
        self._details: Dict[str, Any] = dict(d)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        fields = [repr(self.message)]
        for name in self._repr_fields():
            value = getattr(self, name, None)
            if value is not None and value != [] and value is not False:
                fields.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(fields)})"

    def _repr_fields(self) -> Tuple[str, ...]:
        return ("code", "status_code", "request_id", "outcome_unknown")

    def __reduce__(self) -> Tuple[Any, ...]:
        # The keyword-only constructor would otherwise break pickling (multiprocessing, caches).
        return (_rebuild, (type(self), self.message, self._details))


def _rebuild(cls: Type[KontextError], message: str, details: Dict[str, Any]) -> KontextError:
    return cls(message, details=details)


class APIError(KontextError):
    """The API answered with an error status.

    Attributes:
        status_code: The HTTP status.
        body: The error response body as received (truncated), when there was one.
        diagnostics: The server's ``diagnostics`` as received (e.g. the Cedar errors of a 422).
    """

    kind = "api_error"
    status_code: int
    body: Optional[str]
    diagnostics: Any

    def __init__(self, message: str = "", *, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, details=details)
        d: Mapping[str, Any] = details or {}
        self.status_code = int(d.get("status") or 0)
        self.body = d.get("body")
        self.diagnostics = d.get("diagnostics")


class BadRequestError(APIError):
    """400 or 422: the server rejected the request's content."""

    kind = "bad_request"
    default_code = "kontext_validation_error"


class AuthenticationError(APIError):
    """401: the token is missing, expired or revoked (after the SDK's one automatic retry)."""

    kind = "authentication"
    default_code = "kontext_authorization_required"


class PermissionDeniedError(APIError):
    """403: the token lacks a scope, or the action needs more than a token (a dashboard session).

    Attributes:
        missing_scopes: The scopes the token would need (only on an ``insufficient_scope`` 403).
        hint: The server's advice on granting them, if it gave any.
    """

    kind = "permission_denied"
    default_code = "kontext_permission_denied"
    missing_scopes: List[str]
    hint: Optional[str]

    def __init__(self, message: str = "", *, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, details=details)
        self.missing_scopes = list((details or {}).get("missingScopes") or [])
        self.hint = (details or {}).get("hint")

    def _repr_fields(self) -> Tuple[str, ...]:
        return super()._repr_fields() + ("missing_scopes",)


class NotFoundError(APIError):
    """404: no such resource (or it is archived)."""

    kind = "not_found"
    default_code = "kontext_not_found"


class ConflictError(APIError):
    """409: e.g. a duplicate name."""

    kind = "conflict"
    default_code = "kontext_conflict"


class PreconditionFailedError(APIError):
    """412: the ETag or ``expected_updated_at`` is stale; read again and retry."""

    kind = "precondition_failed"
    default_code = "kontext_precondition_failed"


class PreconditionRequiredError(APIError):
    """428: the write needs the current ETag (``If-Match``); read it and pass it."""

    kind = "precondition_required"
    default_code = "kontext_precondition_required"


class RateLimitError(APIError):
    """429 after every retry.

    Attributes:
        retry_after: Seconds the server asked to wait, if it said.
    """

    kind = "rate_limited"
    default_code = "kontext_rate_limited"
    retry_after: Optional[float]

    def __init__(self, message: str = "", *, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = (details or {}).get("retryAfter")

    def _repr_fields(self) -> Tuple[str, ...]:
        return super()._repr_fields() + ("retry_after",)


class InternalServerError(APIError):
    """5xx after every retry."""

    kind = "server_error"
    default_code = "kontext_server_error"


class DecodeError(APIError):
    """A success response whose body is not what the API documents."""

    kind = "decode"
    default_code = "kontext_decode_error"


class APIConnectionError(KontextError):
    """The request could not be sent, or the connection broke before a full response."""

    kind = "connection"
    default_code = "kontext_network_error"


class APITimeoutError(APIConnectionError):
    """No complete response within the timeout (after every retry)."""

    kind = "timeout"
    default_code = "kontext_timeout"


class OAuthError(KontextError):
    """The OAuth token endpoint refused to issue a token.

    Attributes:
        oauth_error: The RFC 6749 ``error`` code, e.g. ``"invalid_client"``.
        oauth_error_description: The ``error_description``, if any.
    """

    kind = "oauth"
    default_code = "kontext_oauth_error"
    oauth_error: Optional[str]
    oauth_error_description: Optional[str]

    def __init__(self, message: str = "", *, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, details=details)
        d: Mapping[str, Any] = details or {}
        self.oauth_error = d.get("oauthError")
        self.oauth_error_description = d.get("oauthErrorDescription")

    def _repr_fields(self) -> Tuple[str, ...]:
        return super()._repr_fields() + ("oauth_error",)


class ConfigError(KontextError, ValueError):
    """The client options are unusable (missing credentials, a bad URL, ...)."""

    kind = "config"
    default_code = "kontext_config_error"


class InvalidArgumentError(KontextError, ValueError):
    """An argument was rejected before any request was sent.

    Attributes:
        argument: The argument's name as the API spells it (``id``, ``limit``, ``redirectUris``).
    """

    kind = "invalid_input"
    default_code = "kontext_invalid_argument"
    argument: Optional[str]

    def __init__(self, message: str = "", *, details: Optional[Mapping[str, Any]] = None) -> None:
        super().__init__(message, details=details)
        self.argument = (details or {}).get("argument")

    def _repr_fields(self) -> Tuple[str, ...]:
        return ("code", "argument")


class InternalError(KontextError):
    """A bug inside the SDK (e.g. a Rust panic), reported instead of crashing the interpreter."""

    kind = "internal"
    default_code = "kontext_internal_error"


_BY_KIND: Dict[str, Type[KontextError]] = {
    cls.kind: cls
    for cls in (
        APIError,
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        PreconditionFailedError,
        PreconditionRequiredError,
        RateLimitError,
        InternalServerError,
        DecodeError,
        APIConnectionError,
        APITimeoutError,
        OAuthError,
        ConfigError,
        InvalidArgumentError,
        InternalError,
    )
}


def error_from_details(details: Mapping[str, Any]) -> KontextError:
    """The exception for ``kontext_management::ErrorDetails`` (camelCase keys)."""
    cls = _BY_KIND.get(str(details.get("kind")), KontextError)
    return cls(str(details.get("message") or ""), details=details)
