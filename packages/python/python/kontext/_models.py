"""Typed models of the Kontext Management API's objects and of the wrapper shapes its methods
return (``CreatedApplication`` with ``.application`` and ``.oauth``, ...).

Each class only declares its attributes; the shared machinery is in ``_model.py``. String enums
are typed ``str`` because the API may add values: an unknown value is kept, never an error.
Timestamps are ISO 8601 strings, as on the wire.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._model import Model, resolve_fields

# --- applications ---------------------------------------------------------------------------


class ApplicationSessionCounts(Model):
    """Agent-session counts of an application."""

    active: int
    idle: int
    live: int
    total: int


class ExternalAuth(Model):
    """Bring-your-own-auth: partner-issued JWTs accepted for a confidential application.
    ``partner_api_key`` is write-only (never returned); ``partner_api_key_configured`` says
    whether one is stored."""

    enabled: Optional[bool]
    issuer: Optional[str]
    jwks_url: Optional[str]
    audience: Optional[str]
    allowed_algorithms: Optional[List[str]]
    required_claims: Optional[Dict[str, Any]]
    allowed_return_urls: Optional[List[str]]
    max_token_age_seconds: Optional[int]
    partner_api_key: Optional[str]
    partner_api_key_configured: Optional[bool]


class Application(Model):
    """An application: the OAuth client AI agents connect through."""

    id: str
    name: str
    description: Optional[str]
    client_id: Optional[str]
    created_at: str
    updated_at: str
    archived_at: Optional[str]
    sessions: Optional[ApplicationSessionCounts]
    external_auth: Optional[ExternalAuth]


class ApplicationOAuth(Model):
    """OAuth settings of an application. ``client_secret`` is only present right after create
    and rotate-secret (confidential applications): store it at once."""

    type: str
    client_id: str
    client_secret: Optional[str]
    pkce_required: bool
    scopes: List[str]
    redirect_uris: List[str]
    allowed_resources: List[str]
    authorization_url: str
    token_url: str
    gateway_url: str


class ApplicationResponse(Model):
    """``{application}``: answer of ``applications.get`` and ``applications.update``."""

    application: Application


class CreatedApplication(Model):
    """``{application, oauth}``: answer of ``applications.create``."""

    application: Application
    oauth: ApplicationOAuth


class OAuthResponse(Model):
    """``{oauth}``: answer of ``get_oauth``, ``update_oauth`` and ``rotate_secret``."""

    oauth: ApplicationOAuth


class IntegrationIds(Model):
    """``{integrationIds}``: the integrations attached to an application."""

    integration_ids: List[str]


class RevokedSessions(Model):
    """``{success, disconnectedCount}``: answer of the revoke-all-sessions calls."""

    success: bool
    disconnected_count: int


class AccessGraphNode(Model):
    """An application or integration in the access graph (``type`` says which)."""

    id: str
    type: str
    name: str


class AccessGraphEdge(Model):
    """A link in the access graph, e.g. an application → an attached integration."""

    source: str
    target: str
    type: str


class AccessGraph(Model):
    """``{nodes, edges}``: the organization's applications, integrations and their links."""

    nodes: List[AccessGraphNode]
    edges: List[AccessGraphEdge]


# --- integrations ---------------------------------------------------------------------------


class IntegrationOAuth(Model):
    """OAuth provider details of an integration."""

    provider: Optional[str]
    issuer: Optional[str]
    scopes: Optional[List[str]]


class Integration(Model):
    """An integration: an MCP server applications can be given access to."""

    id: str
    name: str
    url: str
    auth_mode: str
    category: str
    capabilities: Optional[Any]
    oauth: Optional[IntegrationOAuth]
    credential_schema: Optional[Any]
    validation_status: Optional[str]
    server_token_configured: bool
    archived_at: Optional[str]
    created_at: str
    updated_at: str


class IntegrationResponse(Model):
    """``{integration}``: answer of ``integrations.get``, ``create`` and ``update``."""

    integration: Integration


class Validation(Model):
    """Result of a connectivity check of an integration's MCP endpoint."""

    status: str
    message: Optional[str]
    checked_at: str


class ValidationResponse(Model):
    """``{validation}``: answer of ``integrations.validate``."""

    validation: Validation


class IntegrationOAuthConfig(Model):
    """An integration's own OAuth app; the client secret is never returned."""

    client_id: str
    client_secret_configured: bool
    authorization_url: str
    token_url: str
    scopes: List[str]


class IntegrationOAuthConfigResponse(Model):
    """``{oauth}``: answer of ``get_oauth_config`` and ``set_oauth_config``."""

    oauth: IntegrationOAuthConfig


class Connection(Model):
    """The calling user's connection to an integration; the token is never returned."""

    status: str
    display_name: Optional[str]
    expires_at: Optional[str]
    connected_at: Optional[str]


class ConnectionResponse(Model):
    """``{connection}``: answer of ``add_connection`` and ``get_connection_status``."""

    connection: Connection


# --- service accounts -----------------------------------------------------------------------


class ServiceAccount(Model):
    """A service account: machine credentials acting for the organization."""

    id: str
    name: str
    description: Optional[str]
    created_at: str
    acting_user_id: Optional[str]
    archived_at: Optional[str]


class ServiceAccountCredentials(Model):
    """Client id and secret of a service account; the secret is shown only once."""

    client_id: str
    client_secret: str


class ServiceAccountResponse(Model):
    """``{serviceAccount}``: answer of ``service_accounts.get``."""

    service_account: ServiceAccount


class CreatedServiceAccount(Model):
    """``{serviceAccount, credentials}``: answer of ``service_accounts.create``."""

    service_account: ServiceAccount
    credentials: ServiceAccountCredentials


class CredentialsResponse(Model):
    """``{credentials}``: answer of ``service_accounts.rotate_secret``."""

    credentials: ServiceAccountCredentials


# --- agent sessions -------------------------------------------------------------------------


class AgentSession(Model):
    """An agent's connection through an application."""

    id: str
    name: str
    status: str
    derived_status: str
    token_expires_at: Optional[str]
    last_active_at: Optional[str]
    connected_at: Optional[str]
    disconnected_at: Optional[str]
    created_at: str
    agent_id: str
    organization_id: str
    hostname: Optional[str]
    user_agent: Optional[str]
    client_info: Optional[Any]


class SessionResponse(Model):
    """``{session}``: answer of ``agent_sessions.get``."""

    session: AgentSession


# --- traces and events ----------------------------------------------------------------------


class Trace(Model):
    """A trace of agent activity."""

    trace_id: str
    session_id: str
    started_at: str
    ended_at: Optional[str]
    event_count: int
    ok_count: int
    warn_count: int
    error_count: int
    agent_id: str
    agent_name: Optional[str]
    owner_user_id: Optional[str]
    owner_email: Optional[str]
    agent_session_id: Optional[str]
    agent_session_name: Optional[str]


class TraceEvent(Model):
    """One MCP event (a tool call, a listing, ...) inside a trace."""

    id: str
    created_at: str
    session_id: str
    agent_id: str
    trace_id: Optional[str]
    api_key_id: Optional[str]
    event_type: str
    status: str
    duration_ms: Optional[float]
    integration_id: Optional[str]
    tool_name: Optional[str]
    error_message: Optional[str]
    bytes_in: Optional[int]
    bytes_out: Optional[int]
    request_json: Optional[Any]
    response_json: Optional[Any]
    parent_event_id: Optional[str]
    agent_session_id: Optional[str]


class TraceDetail(Model):
    """``{trace, events}``: answer of ``traces.get``."""

    trace: Trace
    events: List[TraceEvent]


class LatencyPercentiles(Model):
    """Latency percentiles in milliseconds."""

    p50: float
    p95: float
    p99: float


class BytesTransferred(Model):
    """Bytes in and out (``in_`` because ``in`` is a Python keyword)."""

    in_: int
    out: int


class ErrorTypeCount(Model):
    """How often one kind of error happened."""

    type: str
    count: int


class ToolCount(Model):
    """How often one tool was called."""

    tool_name: str
    count: int


class TraceStats(Model):
    """Aggregated statistics over a period."""

    total_traces: int
    total_events: int
    event_counts: Dict[str, int]
    error_rate: float
    latency: LatencyPercentiles
    bytes_transferred: BytesTransferred
    errors_by_type: List[ErrorTypeCount]
    top_tools: List[ToolCount]


class TraceStatsResponse(Model):
    """``{stats}``: answer of ``traces.stats``."""

    stats: TraceStats


# --- policy ---------------------------------------------------------------------------------


class Policy(Model):
    """The organization's Cedar policy text and its version."""

    policy_text: str
    policy_version_id: str
    updated_at: str


class PolicyResponse(Model):
    """``{policy, etag}``: pass ``etag`` back to ``policy.update`` for optimistic concurrency."""

    policy: Policy
    etag: Optional[str]


class PolicyDiagnostic(Model):
    """One problem found by ``policy.validate``."""

    severity: str
    message: str
    line: Optional[int]
    column: Optional[int]


class PolicyValidation(Model):
    """``{valid, diagnostics}``: answer of ``policy.validate``."""

    valid: bool
    diagnostics: List[PolicyDiagnostic]


class Deployment(Model):
    """Which policy version is rolled out, and how (``observe``, ``enforce``, ``disabled``)."""

    policy_version_id: Optional[str]
    rollout_mode: str
    updated_at: str


class DeploymentResponse(Model):
    """``{deployment, etag}``: answer of ``get_deployment`` and ``update_deployment``."""

    deployment: Deployment
    etag: Optional[str]


class PolicySettings(Model):
    """Policy settings; pass ``updated_at`` back as ``expected_updated_at`` when updating."""

    policy_enabled: bool
    payload_capture_mode: str
    updated_at: str


class SettingsResponse(Model):
    """``{settings}``: answer of ``get_settings`` and ``update_settings``."""

    settings: PolicySettings


# --- decisions ------------------------------------------------------------------------------


class Decision(Model):
    """One tool call the policy engine allowed or denied."""

    id: str
    tool_name: str
    session_id: Optional[str]
    installation_id: Optional[str]
    occurred_at: str
    decision_result: str
    decision_category: Optional[str]
    reason_code: Optional[str]
    provider: Optional[str]
    operation: Optional[str]
    risk_level: Optional[str]


class DecisionResponse(Model):
    """``{decision}``: answer of ``decisions.get``."""

    decision: Decision


# --- user tokens (kontext.oauth) ------------------------------------------------------------


class PkceChallenge(Model):
    """A PKCE verifier (keep it for the code exchange) and its S256 challenge."""

    code_verifier: str
    code_challenge: str
    code_challenge_method: str


class AuthorizeUrl(Model):
    """The URL to send the user to, and the ``state`` to check on the redirect."""

    url: str
    state: str


class UserTokens(Model):
    """Tokens from a code exchange or refresh; keep the (possibly rotated) refresh token."""

    access_token: str
    token_type: str
    expires_in: Optional[int]
    refresh_token: Optional[str]
    scope: Optional[str]


resolve_fields()
