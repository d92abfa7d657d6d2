"""Kontext: the client for the Kontext Management API, the control plane for the identities of
AI agents (applications and their OAuth clients, integrations, service accounts, agent sessions,
traces, events, Cedar policies).

Quick start::

    import kontext_management

    with kontext_management.ManagementClient(base_url="https://api.kontext.security",
                                  client_id="sa_...", client_secret="...") as client:
        created = client.applications.create(
            name="Support copilot", oauth={"redirect_uris": ["https://app.example/callback"]})
        for app in client.applications.list_all():
            print(app.name)

:class:`AsyncManagementClient` has the same methods as coroutines. Credentials default to the
``KONTEXT_BASE_URL``, ``KONTEXT_CLIENT_ID`` and ``KONTEXT_CLIENT_SECRET`` environment variables.
Errors are subclasses of :class:`KontextError`; user tokens (Authorization Code + PKCE) are in
:mod:`kontext_management.oauth` and :mod:`kontext_management.async_oauth`.

The work (HTTP, retries with backoff, timeouts, token caching, pagination, validation) is done by
the SDK's Rust core, shared with the Rust, Node and browser versions.
"""

from . import async_oauth, oauth
from ._client import AsyncManagementClient, ManagementClient
from ._exceptions import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigError,
    ConflictError,
    DecodeError,
    InternalError,
    InternalServerError,
    InvalidArgumentError,
    KontextError,
    NotFoundError,
    OAuthError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RateLimitError,
)
from ._model import Model, Page
from ._models import (
    AccessGraph,
    AccessGraphEdge,
    AccessGraphNode,
    AgentSession,
    Application,
    ApplicationOAuth,
    ApplicationResponse,
    ApplicationSessionCounts,
    AuthorizeUrl,
    BytesTransferred,
    Connection,
    ConnectionResponse,
    CreatedApplication,
    CreatedServiceAccount,
    CredentialsResponse,
    Decision,
    DecisionResponse,
    Deployment,
    DeploymentResponse,
    DeviceAuthorization,
    ErrorTypeCount,
    ExternalAuth,
    Integration,
    IntegrationIds,
    IntegrationOAuth,
    IntegrationOAuthConfig,
    IntegrationOAuthConfigResponse,
    IntegrationResponse,
    LatencyPercentiles,
    OAuthResponse,
    PkceChallenge,
    Policy,
    PolicyDiagnostic,
    PolicyResponse,
    PolicySettings,
    PolicyValidation,
    RevokedSessions,
    ServiceAccount,
    ServiceAccountCredentials,
    ServiceAccountResponse,
    SessionResponse,
    SettingsResponse,
    ToolCount,
    Trace,
    TraceDetail,
    TraceEvent,
    TraceStats,
    TraceStatsResponse,
    UserTokens,
    ValidationResponse,
)
from ._pagination import AsyncPager, SyncPager
from ._version import __version__

__all__ = [
    "__version__",
    "ManagementClient",
    "AsyncManagementClient",
    "oauth",
    "async_oauth",
    # errors
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
    # pagination
    "Page",
    "SyncPager",
    "AsyncPager",
    # models
    "Model",
    "AccessGraph",
    "AccessGraphEdge",
    "AccessGraphNode",
    "AgentSession",
    "Application",
    "ApplicationOAuth",
    "ApplicationResponse",
    "ApplicationSessionCounts",
    "AuthorizeUrl",
    "BytesTransferred",
    "Connection",
    "ConnectionResponse",
    "CreatedApplication",
    "CreatedServiceAccount",
    "CredentialsResponse",
    "Decision",
    "DecisionResponse",
    "Deployment",
    "DeploymentResponse",
    "DeviceAuthorization",
    "ErrorTypeCount",
    "ExternalAuth",
    "Integration",
    "IntegrationIds",
    "IntegrationOAuth",
    "IntegrationOAuthConfig",
    "IntegrationOAuthConfigResponse",
    "IntegrationResponse",
    "LatencyPercentiles",
    "OAuthResponse",
    "PkceChallenge",
    "Policy",
    "PolicyDiagnostic",
    "PolicyResponse",
    "PolicySettings",
    "PolicyValidation",
    "RevokedSessions",
    "ServiceAccount",
    "ServiceAccountCredentials",
    "ServiceAccountResponse",
    "SessionResponse",
    "SettingsResponse",
    "ToolCount",
    "Trace",
    "TraceDetail",
    "TraceEvent",
    "TraceStats",
    "TraceStatsResponse",
    "UserTokens",
    "ValidationResponse",
]
