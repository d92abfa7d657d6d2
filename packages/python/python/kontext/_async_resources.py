"""The asyncio twins of ``_resources.py``: the same classes and methods as coroutines, for
:class:`kontext.AsyncManagementClient`; ``list_all`` returns an async iterator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence

from ._model import Page
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
from ._pagination import AsyncPager
from ._resources import (
    APPLICATIONS,
    DECISIONS,
    EVENTS,
    INTEGRATIONS,
    SERVICE_ACCOUNTS,
    SESSIONS,
    TRACES,
    Input,
    _nothing,
    kw,
)

if TYPE_CHECKING:
    from ._client import AsyncManagementClient


class _AsyncResource:
    __slots__ = ("_c",)

    def __init__(self, client: "AsyncManagementClient") -> None:
        self._c = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._c!r}>"


class AsyncApplications(_AsyncResource):
    """Applications: the OAuth clients AI agents connect through."""

    async def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None, all: Optional[bool] = None
    ) -> Page[Application]:
        """One page of applications (``limit`` 1–200, default 50; pass ``next_cursor`` as ``cursor``)."""
        return await self._c._call("applications.list", [kw(locals())], APPLICATIONS)

    def list_all(self, *, limit: Optional[int] = None, all: Optional[bool] = None) -> AsyncPager[Application]:
        """Every application, fetched lazily page by page (``limit`` is the page size)."""
        return self._c._list_all("applications.listAll", [kw(locals())], Application)

    async def get(self, id: str) -> ApplicationResponse:
        """``{application}`` by id (UUID)."""
        return await self._c._call("applications.get", [id], ApplicationResponse._wrap)

    async def create(
        self, *, name: str, description: Optional[str] = None, oauth: Optional[Input] = None
    ) -> CreatedApplication:
        """Creates an application. ``oauth``: ``{type, redirect_uris, pkce_required, scopes,
        allowed_resources}``. The answer's ``oauth.client_secret`` is shown only this once."""
        return await self._c._call("applications.create", [kw(locals())], CreatedApplication._wrap)

    async def update(
        self,
        id: str,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        external_auth: Optional[Input] = None,
    ) -> ApplicationResponse:
        """Changes the given fields of an application."""
        return await self._c._call("applications.update", [id, kw(locals(), "id")], ApplicationResponse._wrap)

    async def archive(self, id: str) -> None:
        """Archives an application (its client stops working)."""
        return await self._c._call("applications.archive", [id], _nothing)

    async def rotate_secret(self, id: str) -> OAuthResponse:
        """Issues a new client secret (in ``oauth.client_secret``); the old one stops working."""
        return await self._c._call("applications.rotateSecret", [id], OAuthResponse._wrap)

    async def get_oauth(self, id: str) -> OAuthResponse:
        """``{oauth}``: the application's OAuth settings (without the secret)."""
        return await self._c._call("applications.getOAuth", [id], OAuthResponse._wrap)

    async def update_oauth(
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
        return await self._c._call("applications.updateOAuth", [id, kw(locals(), "id")], OAuthResponse._wrap)

    async def list_integrations(self, id: str) -> IntegrationIds:
        """``{integration_ids}`` attached to the application."""
        return await self._c._call("applications.listIntegrations", [id], IntegrationIds._wrap)

    async def set_integrations(self, id: str, *, integration_ids: Sequence[str]) -> IntegrationIds:
        """Replaces the set of attached integrations."""
        return await self._c._call("applications.setIntegrations", [id, kw(locals(), "id")], IntegrationIds._wrap)

    async def attach_integration(self, id: str, integration_id: str) -> None:
        """Attaches one integration."""
        return await self._c._call("applications.attachIntegration", [id, integration_id], _nothing)

    async def detach_integration(self, id: str, integration_id: str) -> None:
        """Detaches one integration."""
        return await self._c._call("applications.detachIntegration", [id, integration_id], _nothing)

    async def revoke_all_agent_sessions(self, id: str) -> RevokedSessions:
        """Disconnects every agent session of the application."""
        return await self._c._call("applications.revokeAllAgentSessions", [id], RevokedSessions._wrap)

    async def access_graph(self, *, include_policy: Optional[bool] = None) -> AccessGraph:
        """Applications and integrations as nodes, attachments as edges."""
        return await self._c._call("applications.accessGraph", [kw(locals())], AccessGraph._wrap)


class AsyncIntegrations(_AsyncResource):
    """Integrations: the MCP servers applications may use, and their credentials."""

    async def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Integration]:
        """One page of integrations."""
        return await self._c._call("integrations.list", [kw(locals())], INTEGRATIONS)

    def list_all(self, *, limit: Optional[int] = None) -> AsyncPager[Integration]:
        """Every integration, fetched lazily page by page."""
        return self._c._list_all("integrations.listAll", [kw(locals())], Integration)

    async def get(self, id: str) -> IntegrationResponse:
        """``{integration}`` by id."""
        return await self._c._call("integrations.get", [id], IntegrationResponse._wrap)

    async def create(
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
        return await self._c._call("integrations.create", [kw(locals())], IntegrationResponse._wrap)

    async def update(
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
        return await self._c._call("integrations.update", [id, kw(locals(), "id")], IntegrationResponse._wrap)

    async def archive(self, id: str) -> None:
        """Archives an integration."""
        return await self._c._call("integrations.archive", [id], _nothing)

    async def validate(self, id: str) -> ValidationResponse:
        """Checks that the MCP endpoint answers."""
        return await self._c._call("integrations.validate", [id], ValidationResponse._wrap)

    async def get_oauth_config(self, id: str) -> IntegrationOAuthConfigResponse:
        """The integration's own OAuth app (the secret is never returned)."""
        return await self._c._call("integrations.getOAuthConfig", [id], IntegrationOAuthConfigResponse._wrap)

    async def set_oauth_config(
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
        return await self._c._call(
            "integrations.setOAuthConfig", [id, kw(locals(), "id")], IntegrationOAuthConfigResponse._wrap
        )

    async def delete_oauth_config(self, id: str) -> None:
        """Goes back to the platform-managed OAuth app."""
        return await self._c._call("integrations.deleteOAuthConfig", [id], _nothing)

    async def add_connection(
        self, id: str, *, token: str, display_name: Optional[str] = None, expires_at: Optional[str] = None
    ) -> ConnectionResponse:
        """Stores the calling user's token for a ``user_token`` integration."""
        return await self._c._call("integrations.addConnection", [id, kw(locals(), "id")], ConnectionResponse._wrap)

    async def get_connection_status(self, id: str) -> ConnectionResponse:
        """Whether the calling user has a stored connection."""
        return await self._c._call("integrations.getConnectionStatus", [id], ConnectionResponse._wrap)

    async def revoke_connection(self, id: str) -> None:
        """Deletes the calling user's stored connection."""
        return await self._c._call("integrations.revokeConnection", [id], _nothing)


class AsyncServiceAccounts(_AsyncResource):
    """Service accounts: machine credentials acting for the organization."""

    async def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[ServiceAccount]:
        """One page of service accounts."""
        return await self._c._call("serviceAccounts.list", [kw(locals())], SERVICE_ACCOUNTS)

    def list_all(self, *, limit: Optional[int] = None) -> AsyncPager[ServiceAccount]:
        """Every service account, fetched lazily page by page."""
        return self._c._list_all("serviceAccounts.listAll", [kw(locals())], ServiceAccount)

    async def get(self, id: str) -> ServiceAccountResponse:
        """``{service_account}`` by id."""
        return await self._c._call("serviceAccounts.get", [id], ServiceAccountResponse._wrap)

    async def create(self, *, name: str, description: Optional[str] = None) -> CreatedServiceAccount:
        """Creates a service account; ``credentials.client_secret`` is shown only this once."""
        return await self._c._call("serviceAccounts.create", [kw(locals())], CreatedServiceAccount._wrap)

    async def rotate_secret(self, id: str) -> CredentialsResponse:
        """Issues a new client secret; the old one stops working."""
        return await self._c._call("serviceAccounts.rotateSecret", [id], CredentialsResponse._wrap)

    async def revoke(self, id: str) -> None:
        """Revokes a service account and every token it holds."""
        return await self._c._call("serviceAccounts.revoke", [id], _nothing)


class AsyncAgentSessions(_AsyncResource):
    """Agent sessions of an application."""

    async def list(
        self,
        application_id: str,
        *,
        status: Optional[str] = None,
        limit: Optional[int] = None,
        include_inactive: Optional[bool] = None,
    ) -> Page[AgentSession]:
        """The application's sessions (``status``: ``active``, ``inactive`` or ``all``)."""
        return await self._c._call("agentSessions.list", [application_id, kw(locals(), "application_id")], SESSIONS)

    async def get(self, application_id: str, session_id: str) -> SessionResponse:
        """``{session}`` by id."""
        return await self._c._call("agentSessions.get", [application_id, session_id], SessionResponse._wrap)

    async def revoke_all(self, application_id: str) -> RevokedSessions:
        """Disconnects every session of the application."""
        return await self._c._call("agentSessions.revokeAll", [application_id], RevokedSessions._wrap)


class AsyncTraces(_AsyncResource):
    """Traces of agent activity and their statistics."""

    async def list(
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
        return await self._c._call("traces.list", [kw(locals())], TRACES)

    def list_all(
        self,
        *,
        user_id: Optional[str] = None,
        session_id: Optional[str] = None,
        agent_id: Optional[str] = None,
        application_id: Optional[str] = None,
        limit: Optional[int] = None,
    ) -> AsyncPager[Trace]:
        """Every matching trace, fetched lazily page by page."""
        return self._c._list_all("traces.listAll", [kw(locals())], Trace)

    async def get(self, trace_id: str, *, user_id: Optional[str] = None) -> TraceDetail:
        """``{trace, events}`` by id."""
        return await self._c._call("traces.get", [trace_id, kw(locals(), "trace_id")], TraceDetail._wrap)

    async def stats(self, *, period: Optional[str] = None, user_id: Optional[str] = None) -> TraceStatsResponse:
        """``{stats}`` over ``period`` (``"1d"``, ``"7d"``, ``"30d"`` or ``"24h"``)."""
        return await self._c._call("traces.stats", [kw(locals())], TraceStatsResponse._wrap)


class AsyncEvents(_AsyncResource):
    """Recent MCP events."""

    async def list(self, *, limit: Optional[int] = None) -> Page[TraceEvent]:
        """The most recent events."""
        return await self._c._call("events.list", [kw(locals())], EVENTS)


class AsyncPolicy(_AsyncResource):
    """The organization's Cedar policy, its deployment and the policy settings (optimistic
    concurrency: pass back the ``etag`` / ``updated_at`` you read)."""

    async def get(self) -> PolicyResponse:
        """``{policy, etag}``."""
        return await self._c._call("policy.get", [], PolicyResponse._wrap)

    async def update(self, *, policy_text: str, etag: Optional[str] = None) -> PolicyResponse:
        """Replaces the policy text (``etag`` from :meth:`get`; none means "only if no policy yet")."""
        return await self._c._call("policy.update", [kw(locals())], PolicyResponse._wrap)

    async def validate(self, *, policy_text: str) -> PolicyValidation:
        """Checks policy text without saving it."""
        return await self._c._call("policy.validate", [kw(locals())], PolicyValidation._wrap)

    async def get_deployment(self) -> DeploymentResponse:
        """``{deployment, etag}``."""
        return await self._c._call("policy.getDeployment", [], DeploymentResponse._wrap)

    async def update_deployment(
        self, *, policy_version_id: Optional[str], rollout_mode: str, etag: Optional[str] = None
    ) -> DeploymentResponse:
        """Rolls out a policy version (``rollout_mode``: ``observe``, ``enforce`` or ``disabled``)."""
        return await self._c._call("policy.updateDeployment", [kw(locals())], DeploymentResponse._wrap)

    async def get_settings(self) -> SettingsResponse:
        """``{settings}``."""
        return await self._c._call("policy.getSettings", [], SettingsResponse._wrap)

    async def update_settings(
        self,
        *,
        expected_updated_at: str,
        policy_enabled: Optional[bool] = None,
        payload_capture_mode: Optional[str] = None,
    ) -> SettingsResponse:
        """Changes the given settings if they still have ``expected_updated_at``."""
        return await self._c._call("policy.updateSettings", [kw(locals())], SettingsResponse._wrap)


class AsyncDecisions(_AsyncResource):
    """Policy decisions: one per tool call the policy engine allowed or denied."""

    async def list(
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
        return await self._c._call("decisions.list", [kw(locals())], DECISIONS)

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
    ) -> AsyncPager[Decision]:
        """Every matching decision, fetched lazily page by page."""
        return self._c._list_all("decisions.listAll", [kw(locals())], Decision)

    async def get(self, id: str) -> DecisionResponse:
        """``{decision}`` by id."""
        return await self._c._call("decisions.get", [id], DecisionResponse._wrap)
