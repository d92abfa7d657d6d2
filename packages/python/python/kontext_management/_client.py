"""``ManagementClient`` (blocking) and ``AsyncManagementClient`` (asyncio).

Both are thin: they turn keyword options into the core's ``ClientOptions``, hold one native
engine (a Rust runtime with the client's connection pool), and hand every call to it. Retries,
timeouts, token caching and validation happen in the Rust core, so the two clients behave
identically.
"""

from __future__ import annotations

import math
import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Type, TypeVar

from . import _logging
from ._async_resources import (
    AsyncAgentSessions,
    AsyncApplications,
    AsyncDecisions,
    AsyncEvents,
    AsyncIntegrations,
    AsyncPolicy,
    AsyncServiceAccounts,
    AsyncTraces,
)
from ._async_resources import (
    AsyncDirectory,
    AsyncDirectoryGroups,
    AsyncDirectoryReconciliation,
    AsyncInstallTokens,
    AsyncOrganization,
    AsyncReleases,
    AsyncScimTokens,
)
from ._engine import (
    NATIVE_ERRORS,
    EngineRef,
    call_async,
    call_blocking,
    decode,
    encode_args,
    encode_options,
    new_engine,
    raise_converted,
)
from ._model import Model
from ._pagination import AsyncPager, SyncPager
from ._resource_base import _nothing
from ._resources import (
    AgentSessions,
    Applications,
    Decisions,
    Events,
    Integrations,
    Policy,
    ServiceAccounts,
    Traces,
)
from ._resources import (
    Directory,
    DirectoryGroups,
    DirectoryReconciliation,
    InstallTokens,
    Organization,
    Releases,
    ScimTokens,
)

__all__ = ["ManagementClient", "AsyncManagementClient"]

R = TypeVar("R")
T = TypeVar("T", bound=Model)
C = TypeVar("C", bound="_BaseClient")


def _millis(seconds: float) -> int:
    # Round up so a tiny positive timeout stays positive (the core rejects 0), after rounding away
    # float noise so that 1.1 s is 1100 ms, not 1101.
    return max(0, math.ceil(round(seconds * 1000, 6)))


class _BaseClient:
    _ref: EngineRef
    _base_url: str
    _identity: str
    _request_options: Dict[str, Any]
    _options: bytes

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        access_token: Optional[str] = None,
        api_version: Optional[str] = None,
        token_url: Optional[str] = None,
        scopes: Optional[Sequence[str]] = None,
        audience: Optional[str] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
        allow_insecure_http: Optional[bool] = None,
        max_response_bytes: Optional[int] = None,
    ) -> None:
        if base_url is None:
            base_url = os.environ.get("KONTEXT_BASE_URL", "")
        options: Dict[str, Any] = {"baseUrl": base_url}
        if access_token is not None:
            options["accessToken"] = access_token
            if client_id is not None or client_secret is not None:
                # Let the core refuse the ambiguous combination with its usual message.
                options["credentials"] = {"clientId": client_id or "", "clientSecret": client_secret or ""}
        else:
            if client_id is None:
                client_id = os.environ.get("KONTEXT_CLIENT_ID")
            if client_secret is None:
                client_secret = os.environ.get("KONTEXT_CLIENT_SECRET")
            if client_id is not None or client_secret is not None:
                options["credentials"] = {"clientId": client_id or "", "clientSecret": client_secret or ""}
        optional = {
            "apiVersion": api_version,
            "tokenUrl": token_url,
            "scopes": list(scopes) if scopes is not None else None,
            "audience": audience,
            "timeoutMs": _millis(timeout) if timeout is not None else None,
            "maxRetries": max_retries,
            "headers": dict(default_headers) if default_headers is not None else None,
            "allowInsecureHttp": allow_insecure_http,
            "maxResponseBytes": max_response_bytes,
        }
        options.update({k: v for k, v in optional.items() if v is not None})
        _logging.sync()
        self._ref = new_engine(options)
        self._base_url = base_url
        # Only what identifies the client goes into repr; the secret is not kept in Python at all.
        self._identity = f"client_id={client_id!r}" if "credentials" in options else "access_token='[redacted]'"
        self._request_options = {}
        self._options = encode_options(None)
        self._init_resources()

    def _init_resources(self) -> None:
        raise NotImplementedError

    def with_options(
        self: C,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
    ) -> C:
        """A copy of this client whose requests use these settings (the copy shares the
        connection pool and token cache). ``timeout`` is in seconds, per attempt;
        ``idempotency_key`` makes a create safe to retry.

        ``client.with_options(timeout=5, max_retries=0).applications.list()``
        """
        merged = dict(self._request_options)
        given = {
            "timeoutMs": _millis(timeout) if timeout is not None else None,
            "maxRetries": max_retries,
            "idempotencyKey": idempotency_key,
        }
        merged.update({k: v for k, v in given.items() if v is not None})
        if extra_headers is not None:
            merged["headers"] = {**merged.get("headers", {}), **extra_headers}
        clone = object.__new__(type(self))
        clone._ref = self._ref
        clone._base_url = self._base_url
        clone._identity = self._identity
        clone._request_options = merged
        clone._options = encode_options(merged)
        clone._init_resources()
        return clone

    @property
    def base_url(self) -> str:
        """The API origin this client talks to."""
        return self._base_url

    @property
    def user_agent(self) -> str:
        """The ``User-Agent`` the client's requests carry."""
        return str(self._ref.get().user_agent())

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, {self._identity})"


class ManagementClient(_BaseClient):
    """A blocking client of the Kontext Management API.

    Args:
        base_url: The API origin, e.g. ``"https://api.kontext.security"`` (default: the
            ``KONTEXT_BASE_URL`` environment variable). A trailing ``/api/v1`` is accepted.
        client_id: Service-account client id (default: ``KONTEXT_CLIENT_ID``).
        client_secret: Service-account client secret (default: ``KONTEXT_CLIENT_SECRET``).
        access_token: A bearer token obtained elsewhere (e.g. from :mod:`kontext_management.oauth`), instead
            of client credentials.
        api_version: API version path segment (default ``"v1"``).
        token_url: Token endpoint (default ``{base_url}/oauth2/token``).
        scopes: Scopes to request (default ``["management:all"]``).
        audience: Token audience (default ``{base_url}/api/{api_version}``).
        timeout: Seconds one attempt may take (default 60).
        max_retries: Retries after the first attempt (default 2).
        default_headers: Headers sent with every request.
        allow_insecure_http: Allow plain ``http://`` to a host that is not loopback.
        max_response_bytes: The largest response body read (default 64 MiB); a longer one
            raises :class:`DecodeError` without being read further.

    The client is safe to share between threads; create one and reuse it. Calls block the
    calling thread only (other threads keep running), need no event loop, and stop at Ctrl-C
    (cancelling the request). A forked child process (``multiprocessing``, Gunicorn
    ``--preload``) gets connections of its own automatically. Use it as a context manager, or
    call :meth:`close`, to release its connections.

    Raises:
        ConfigError: The options are unusable (no credentials, a malformed URL, ...).
    """

    applications: Applications
    integrations: Integrations
    service_accounts: ServiceAccounts
    agent_sessions: AgentSessions
    traces: Traces
    events: Events
    policy: Policy
    decisions: Decisions
    scim_tokens: ScimTokens
    directory: Directory
    directory_groups: DirectoryGroups
    directory_reconciliation: DirectoryReconciliation
    install_tokens: InstallTokens
    releases: Releases
    organization: Organization

    def _init_resources(self) -> None:
        self.applications = Applications(self)
        self.integrations = Integrations(self)
        self.service_accounts = ServiceAccounts(self)
        self.agent_sessions = AgentSessions(self)
        self.traces = Traces(self)
        self.events = Events(self)
        self.policy = Policy(self)
        self.decisions = Decisions(self)
        self.scim_tokens = ScimTokens(self)
        self.directory = Directory(self)
        self.directory_groups = DirectoryGroups(self)
        self.directory_reconciliation = DirectoryReconciliation(self)
        self.install_tokens = InstallTokens(self)
        self.releases = Releases(self)
        self.organization = Organization(self)

    def _call(self, method: str, args: List[Any], parse: Callable[[Any], R]) -> R:
        return parse(decode(call_blocking(self._ref.get(), method.encode(), encode_args(args), self._options)))

    def _list_all(self, method: str, args: List[Any], item: Type[T]) -> SyncPager[T]:
        engine = self._ref.get()
        try:
            paginator = engine.list_all(method.encode(), encode_args(args), self._options)
        except NATIVE_ERRORS as e:
            raise_converted(e)
        return SyncPager(engine, paginator, item)

    def refresh_token(self) -> None:
        """Mints a new access token now (client credentials only)."""
        self._call("client.refreshToken", [], _nothing)

    def clear_token(self) -> None:
        """Forgets the cached access token; the next call mints a new one."""
        self._call("client.clearToken", [], _nothing)

    def close(self) -> None:
        """Releases the client's connections; later calls raise :class:`APIConnectionError`.
        Copies made with :meth:`with_options` are closed too."""
        self._ref.engine = None

    def __enter__(self) -> "ManagementClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncManagementClient(_BaseClient):
    """An asyncio client of the Kontext Management API.

    Takes the same arguments as :class:`ManagementClient`; every method is a coroutine and
    ``list_all`` returns an async iterator. Requests run on the client's own Rust runtime, so
    nothing blocks the event loop, and cancelling the awaiting task cancels the request. Safe to
    share between tasks, threads and event loops, and a forked child gets connections of its own;
    use it with ``async with`` or call :meth:`close`.

    Raises:
        ConfigError: The options are unusable (no credentials, a malformed URL, ...).
    """

    applications: AsyncApplications
    integrations: AsyncIntegrations
    service_accounts: AsyncServiceAccounts
    agent_sessions: AsyncAgentSessions
    traces: AsyncTraces
    events: AsyncEvents
    policy: AsyncPolicy
    decisions: AsyncDecisions
    scim_tokens: AsyncScimTokens
    directory: AsyncDirectory
    directory_groups: AsyncDirectoryGroups
    directory_reconciliation: AsyncDirectoryReconciliation
    install_tokens: AsyncInstallTokens
    releases: AsyncReleases
    organization: AsyncOrganization

    def _init_resources(self) -> None:
        self.applications = AsyncApplications(self)
        self.integrations = AsyncIntegrations(self)
        self.service_accounts = AsyncServiceAccounts(self)
        self.agent_sessions = AsyncAgentSessions(self)
        self.traces = AsyncTraces(self)
        self.events = AsyncEvents(self)
        self.policy = AsyncPolicy(self)
        self.decisions = AsyncDecisions(self)
        self.scim_tokens = AsyncScimTokens(self)
        self.directory = AsyncDirectory(self)
        self.directory_groups = AsyncDirectoryGroups(self)
        self.directory_reconciliation = AsyncDirectoryReconciliation(self)
        self.install_tokens = AsyncInstallTokens(self)
        self.releases = AsyncReleases(self)
        self.organization = AsyncOrganization(self)

    async def _call(self, method: str, args: List[Any], parse: Callable[[Any], R]) -> R:
        return parse(decode(await call_async(self._ref.get(), method.encode(), encode_args(args), self._options)))

    def _list_all(self, method: str, args: List[Any], item: Type[T]) -> AsyncPager[T]:
        engine = self._ref.get()
        try:
            paginator = engine.list_all(method.encode(), encode_args(args), self._options)
        except NATIVE_ERRORS as e:
            raise_converted(e)
        return AsyncPager(engine, paginator, item)

    async def refresh_token(self) -> None:
        """Mints a new access token now (client credentials only)."""
        await self._call("client.refreshToken", [], _nothing)

    async def clear_token(self) -> None:
        """Forgets the cached access token; the next call mints a new one."""
        await self._call("client.clearToken", [], _nothing)

    async def close(self) -> None:
        """Releases the client's connections; later calls raise :class:`APIConnectionError`.
        Copies made with :meth:`with_options` are closed too."""
        self._ref.engine = None

    async def __aenter__(self) -> "AsyncManagementClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
