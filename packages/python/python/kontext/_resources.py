"""The resources of :class:`kontext.ManagementClient`: one class per resource, one short method per
API method. Names and argument order follow the shared call table (``tests/scenarios/SCHEMA.md``)
in snake_case; every check and default lives in the Rust core, so a method only names its call
and the shape of its result. The asyncio twins are in ``_async_resources.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Union, cast

from ._model import Model, Page, to_wire
from ._models import (
    AccessGraph,
    AgentSession,
    Application,
    ApplicationResponse,
    ConnectionResponse,
    CreatedApplication,
    CreatedServiceAccount,
    CredentialsResponse,
    Decision,
    DecisionResponse,
    DeploymentResponse,
    Integration,
    IntegrationIds,
    IntegrationOAuthConfigResponse,
    IntegrationResponse,
    OAuthResponse,
    PolicyResponse,
    PolicyValidation,
    RevokedSessions,
    ServiceAccount,
    ServiceAccountResponse,
    SessionResponse,
    SettingsResponse,
    Trace,
    TraceDetail,
    TraceEvent,
    TraceStatsResponse,
    ValidationResponse,
)
from ._pagination import SyncPager

if TYPE_CHECKING:
    from ._client import ManagementClient

#: An input object: a dict (snake_case or camelCase keys) or a model.
Input = Union[Mapping[str, Any], Model]

APPLICATIONS = Page._parser(Application)
INTEGRATIONS = Page._parser(Integration)
SERVICE_ACCOUNTS = Page._parser(ServiceAccount)
SESSIONS = Page._parser(AgentSession)
TRACES = Page._parser(Trace)
EVENTS = Page._parser(TraceEvent)
DECISIONS = Page._parser(Decision)


def _nothing(_: Any) -> None:
    return None


def kw(params: Dict[str, Any], *positional: str) -> Dict[str, Any]:
    """A method's keyword arguments (its ``locals()``) as the camelCase object the API takes.

    ``None`` means "not given" and is left out; ``self`` and the positional (path) parameters
    named in ``positional`` are skipped. Reading ``locals()`` keeps each method to one line
    without restating every parameter name.
    """
    given = {k: v for k, v in params.items() if v is not None and k != "self" and k not in positional}
    return cast(Dict[str, Any], to_wire(given))


class _Resource:
    __slots__ = ("_c",)

    def __init__(self, client: "ManagementClient") -> None:
        self._c = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._c!r}>"


class Applications(_Resource):
    """Applications: the OAuth clients AI agents connect through."""

    def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None, all: Optional[bool] = None
    ) -> Page[Application]:
        """One page of applications (``limit`` 1–200, default 50; pass ``next_cursor`` as ``cursor``)."""
        return self._c._call("applications.list", [kw(locals())], APPLICATIONS)

    def list_all(self, *, limit: Optional[int] = None, all: Optional[bool] = None) -> SyncPager[Application]:
        """Every application, fetched lazily page by page (``limit`` is the page size)."""
        return self._c._list_all("applications.listAll", [kw(locals())], Application)

    def get(self, id: str) -> ApplicationResponse:
        """``{application}`` by id (UUID)."""
        return self._c._call("applications.get", [id], ApplicationResponse._wrap)

    def create(
        self, *, name: str, description: Optional[str] = None, oauth: Optional[Input] = None
    ) -> CreatedApplication:
        """Creates an application. ``oauth``: ``{type, redirect_uris, pkce_required, scopes,
        allowed_resources}``. The answer's ``oauth.client_secret`` is shown only this once."""
        return self._c._call("applications.create", [kw(locals())], CreatedApplication._wrap)

    def update(
        self,
        id: str,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        external_auth: Optional[Input] = None,
    ) -> ApplicationResponse:
        """Changes the given fields of an application."""
        return self._c._call("applications.update", [id, kw(locals(), "id")], ApplicationResponse._wrap)

    def archive(self, id: str) -> None:
        """Archives an application (its client stops working)."""
        return self._c._call("applications.archive", [id], _nothing)

    def rotate_secret(self, id: str) -> OAuthResponse:
        """Issues a new client secret (in ``oauth.client_secret``); the old one stops working."""
        return self._c._call("applications.rotateSecret", [id], OAuthResponse._wrap)

    def get_oauth(self, id: str) -> OAuthResponse:
        """``{oauth}``: the application's OAuth settings (without the secret)."""
        return self._c._call("applications.getOAuth", [id], OAuthResponse._wrap)

    def update_oauth(
        self,
        id: str,
        *,
        type: Optional[str] = None,
        pkce_required: Optional[bool] = None,
        scopes: Optional[Sequence[str]] = None,
        redirect_uris: Optional[Sequence[str]] = None,
        allowed_resources: Optional[Sequence[str]] = None,
    ) -> OAuthResponse:
        """Changes the given OAuth settings."""
        return self._c._call("applications.updateOAuth", [id, kw(locals(), "id")], OAuthResponse._wrap)

    def list_integrations(self, id: str) -> IntegrationIds:
        """``{integration_ids}`` attached to the application."""
        return self._c._call("applications.listIntegrations", [id], IntegrationIds._wrap)

    def set_integrations(self, id: str, *, integration_ids: Sequence[str]) -> IntegrationIds:
        """Replaces the set of attached integrations."""
        return self._c._call("applications.setIntegrations", [id, kw(locals(), "id")], IntegrationIds._wrap)

    def attach_integration(self, id: str, integration_id: str) -> None:
        """Attaches one integration."""
        return self._c._call("applications.attachIntegration", [id, integration_id], _nothing)

    def detach_integration(self, id: str, integration_id: str) -> None:
        """Detaches one integration."""
        return self._c._call("applications.detachIntegration", [id, integration_id], _nothing)

    def revoke_all_agent_sessions(self, id: str) -> RevokedSessions:
        """Disconnects every agent session of the application."""
        return self._c._call("applications.revokeAllAgentSessions", [id], RevokedSessions._wrap)

    def access_graph(self, *, include_policy: Optional[bool] = None) -> AccessGraph:
        """Applications and integrations as nodes, attachments as edges."""
        return self._c._call("applications.accessGraph", [kw(locals())], AccessGraph._wrap)


class Integrations(_Resource):
    """Integrations: the MCP servers applications may use, and their credentials."""

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Integration]:
        """One page of integrations."""
        return self._c._call("integrations.list", [kw(locals())], INTEGRATIONS)

    def list_all(self, *, limit: Optional[int] = None) -> SyncPager[Integration]:
        """Every integration, fetched lazily page by page."""
        return self._c._list_all("integrations.listAll", [kw(locals())], Integration)

    def get(self, id: str) -> IntegrationResponse:
        """``{integration}`` by id."""
        return self._c._call("integrations.get", [id], IntegrationResponse._wrap)

    def create(
        self,
        *,
        name: str,
        url: str,
        category: Optional[str] = None,
        auth_mode: Optional[str] = None,
        oauth: Optional[Input] = None,
        capabilities: Optional[Any] = None,
        credential_schema: Optional[Any] = None,
        server_token: Optional[str] = None,
        confirm_unarchive: Optional[bool] = None,
    ) -> IntegrationResponse:
        """Creates an integration (``server_token`` is required exactly for ``auth_mode="server_token"``)."""
        return self._c._call("integrations.create", [kw(locals())], IntegrationResponse._wrap)

    def update(
        self,
        id: str,
        *,
        name: Optional[str] = None,
        url: Optional[str] = None,
        auth_mode: Optional[str] = None,
        oauth: Optional[Input] = None,
        capabilities: Optional[Any] = None,
        credential_schema: Optional[Any] = None,
        server_token: Optional[str] = None,
        confirm_unarchive: Optional[bool] = None,
    ) -> IntegrationResponse:
        """Changes the given fields (switching ``auth_mode`` clears every user connection)."""
        return self._c._call("integrations.update", [id, kw(locals(), "id")], IntegrationResponse._wrap)

    def archive(self, id: str) -> None:
        """Archives an integration."""
        return self._c._call("integrations.archive", [id], _nothing)

    def validate(self, id: str) -> ValidationResponse:
        """Checks that the MCP endpoint answers."""
        return self._c._call("integrations.validate", [id], ValidationResponse._wrap)

    def get_oauth_config(self, id: str) -> IntegrationOAuthConfigResponse:
        """The integration's own OAuth app (the secret is never returned)."""
        return self._c._call("integrations.getOAuthConfig", [id], IntegrationOAuthConfigResponse._wrap)

    def set_oauth_config(
        self,
        id: str,
        *,
        client_id: str,
        client_secret: str,
        authorization_url: str,
        token_url: str,
        scopes: Optional[Sequence[str]] = None,
    ) -> IntegrationOAuthConfigResponse:
        """Replaces the integration's own OAuth app."""
        return self._c._call(
            "integrations.setOAuthConfig", [id, kw(locals(), "id")], IntegrationOAuthConfigResponse._wrap
        )

    def delete_oauth_config(self, id: str) -> None:
        """Goes back to the platform-managed OAuth app."""
        return self._c._call("integrations.deleteOAuthConfig", [id], _nothing)

    def add_connection(
        self, id: str, *, token: str, display_name: Optional[str] = None, expires_at: Optional[str] = None
    ) -> ConnectionResponse:
        """Stores the calling user's token for a ``user_token`` integration."""
        return self._c._call("integrations.addConnection", [id, kw(locals(), "id")], ConnectionResponse._wrap)

    def get_connection_status(self, id: str) -> ConnectionResponse:
        """Whether the calling user has a stored connection."""
        return self._c._call("integrations.getConnectionStatus", [id], ConnectionResponse._wrap)

    def revoke_connection(self, id: str) -> None:
        """Deletes the calling user's stored connection."""
        return self._c._call("integrations.revokeConnection", [id], _nothing)


class ServiceAccounts(_Resource):
    """Service accounts: machine credentials acting for the organization."""

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[ServiceAccount]:
        """One page of service accounts."""
        return self._c._call("serviceAccounts.list", [kw(locals())], SERVICE_ACCOUNTS)

    def list_all(self, *, limit: Optional[int] = None) -> SyncPager[ServiceAccount]:
        """Every service account, fetched lazily page by page."""
        return self._c._list_all("serviceAccounts.listAll", [kw(locals())], ServiceAccount)

    def get(self, id: str) -> ServiceAccountResponse:
        """``{service_account}`` by id."""
        return self._c._call("serviceAccounts.get", [id], ServiceAccountResponse._wrap)

    def create(self, *, name: str, description: Optional[str] = None) -> CreatedServiceAccount:
        """Creates a service account; ``credentials.client_secret`` is shown only this once."""
        return self._c._call("serviceAccounts.create", [kw(locals())], CreatedServiceAccount._wrap)

    def rotate_secret(self, id: str) -> CredentialsResponse:
        """Issues a new client secret; the old one stops working."""
        return self._c._call("serviceAccounts.rotateSecret", [id], CredentialsResponse._wrap)

    def revoke(self, id: str) -> None:
        """Revokes a service account and every token it holds."""
        return self._c._call("serviceAccounts.revoke", [id], _nothing)


class AgentSessions(_Resource):
    """Agent sessions of an application."""

    def list(
        self,
        application_id: str,
        *,
        status: Optional[str] = None,
        limit: Optional[int] = None,
        include_inactive: Optional[bool] = None,
    ) -> Page[AgentSession]:
        """The application's sessions (``status``: ``active``, ``inactive`` or ``all``)."""
        return self._c._call("agentSessions.list", [application_id, kw(locals(), "application_id")], SESSIONS)

    def get(self, application_id: str, session_id: str) -> SessionResponse:
        """``{session}`` by id."""
        return self._c._call("agentSessions.get", [application_id, session_id], SessionResponse._wrap)

    def revoke_all(self, application_id: str) -> RevokedSessions:
        """Disconnects every session of the application."""
        return self._c._call("agentSessions.revokeAll", [application_id], RevokedSessions._wrap)


class Traces(_Resource):
    """Traces of agent activity and their statistics."""

    def list(
        self,
        *,
        user_id: Optional[str] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        application_id: Optional[str] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> Page[Trace]:
        """One page of traces (offset pagination)."""
        return self._c._call("traces.list", [kw(locals())], TRACES)

    def list_all(
        self,
        *,
        user_id: Optional[str] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        application_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> SyncPager[Trace]:
        """Every matching trace, fetched lazily page by page."""
        return self._c._list_all("traces.listAll", [kw(locals())], Trace)

    def get(self, trace_id: str, *, user_id: Optional[str] = None) -> TraceDetail:
        """``{trace, events}`` by id."""
        return self._c._call("traces.get", [trace_id, kw(locals(), "trace_id")], TraceDetail._wrap)

    def stats(self, *, period: Optional[str] = None, user_id: Optional[str] = None) -> TraceStatsResponse:
        """``{stats}`` over ``period`` (``"1d"``, ``"7d"``, ``"30d"`` or ``"24h"``)."""
        return self._c._call("traces.stats", [kw(locals())], TraceStatsResponse._wrap)


class Events(_Resource):
    """Recent MCP events."""

    def list(self, *, limit: Optional[int] = None) -> Page[TraceEvent]:
        """The most recent events."""
        return self._c._call("events.list", [kw(locals())], EVENTS)


class Policy(_Resource):
    """The organization's Cedar policy, its deployment and the policy settings (optimistic
    concurrency: pass back the ``etag`` / ``updated_at`` you read)."""

    def get(self) -> PolicyResponse:
        """``{policy, etag}``."""
        return self._c._call("policy.get", [], PolicyResponse._wrap)

    def update(self, *, policy_text: str, etag: Optional[str] = None) -> PolicyResponse:
        """Replaces the policy text (``etag`` from :meth:`get`; none means "only if no policy yet")."""
        return self._c._call("policy.update", [kw(locals())], PolicyResponse._wrap)

    def validate(self, *, policy_text: str) -> PolicyValidation:
        """Checks policy text without saving it."""
        return self._c._call("policy.validate", [kw(locals())], PolicyValidation._wrap)

    def get_deployment(self) -> DeploymentResponse:
        """``{deployment, etag}``."""
        return self._c._call("policy.getDeployment", [], DeploymentResponse._wrap)

    def update_deployment(
        self, *, policy_version_id: Optional[str], rollout_mode: str, etag: Optional[str] = None
    ) -> DeploymentResponse:
        """Rolls out a policy version (``rollout_mode``: ``observe``, ``enforce`` or ``disabled``)."""
        return self._c._call("policy.updateDeployment", [kw(locals())], DeploymentResponse._wrap)

    def get_settings(self) -> SettingsResponse:
        """``{settings}``."""
        return self._c._call("policy.getSettings", [], SettingsResponse._wrap)

    def update_settings(
        self,
        *,
        expected_updated_at: str,
        policy_enabled: Optional[bool] = None,
        payload_capture_mode: Optional[str] = None,
    ) -> SettingsResponse:
        """Changes the given settings if they still have ``expected_updated_at``."""
        return self._c._call("policy.updateSettings", [kw(locals())], SettingsResponse._wrap)


class Decisions(_Resource):
    """Policy decisions: one per tool call the policy engine allowed or denied."""

    def list(
        self,
        *,
        provider: Optional[str] = None,
        decision_result: Optional[str] = None,
        decision_category: Optional[str] = None,
        reason_code: Optional[str] = None,
        risk_level: Optional[str] = None,
        installation_id: Optional[str] = None,
        session_id: Optional[str] = None,
        from_: Optional[str] = None,
        to: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Decision]:
        """One page of decisions (``from_``/``to``: ISO 8601 bounds)."""
        return self._c._call("decisions.list", [kw(locals())], DECISIONS)

    def list_all(
        self,
        *,
        provider: Optional[str] = None,
        decision_result: Optional[str] = None,
        decision_category: Optional[str] = None,
        reason_code: Optional[str] = None,
        risk_level: Optional[str] = None,
        installation_id: Optional[str] = None,
        session_id: Optional[str] = None,
        from_: Optional[str] = None,
        to: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> SyncPager[Decision]:
        """Every matching decision, fetched lazily page by page."""
        return self._c._list_all("decisions.listAll", [kw(locals())], Decision)

    def get(self, id: str) -> DecisionResponse:
        """``{decision}`` by id."""
        return self._c._call("decisions.get", [id], DecisionResponse._wrap)
