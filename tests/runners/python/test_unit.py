"""Unit tests of the Python layer: what the shared scenarios cannot see (exception classes,
laziness, repr redaction, environment defaults, threads, cancellation, packaging details)."""

from __future__ import annotations

import _thread
import asyncio
import http.server
import importlib.metadata
import json
import pickle
import pydoc
import threading
import time
from typing import Any, Dict, Iterator, List

import kontext_management
import pytest
from kontext_management import _engine, _native
from kontext_management._exceptions import error_from_details
from scenario_runner import control

SECRET = "local-dev-secret"
UUID = "6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11"


def log(target: Dict[str, str], path: str, method: str = "GET") -> List[Dict[str, Any]]:
    items = control(target, "GET", "/_emulator/requests")["items"]
    return [e for e in items if e["path"] == path and e["method"] == method]


@pytest.fixture()
def client(target: Dict[str, str]) -> Iterator[kontext_management.ManagementClient]:
    with kontext_management.ManagementClient(
        base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"]
    ) as c:
        yield c


def async_client(target: Dict[str, str], **options: Any) -> kontext_management.AsyncManagementClient:
    return kontext_management.AsyncManagementClient(
        base_url=target["baseUrl"], client_id=target["clientId"], client_secret=target["clientSecret"], **options
    )


# --- exceptions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, cls, bases",
    [
        ("bad_request", kontext_management.BadRequestError, (kontext_management.APIError,)),
        ("authentication", kontext_management.AuthenticationError, (kontext_management.APIError,)),
        ("permission_denied", kontext_management.PermissionDeniedError, (kontext_management.APIError,)),
        ("not_found", kontext_management.NotFoundError, (kontext_management.APIError,)),
        ("conflict", kontext_management.ConflictError, (kontext_management.APIError,)),
        ("precondition_failed", kontext_management.PreconditionFailedError, (kontext_management.APIError,)),
        ("precondition_required", kontext_management.PreconditionRequiredError, (kontext_management.APIError,)),
        ("rate_limited", kontext_management.RateLimitError, (kontext_management.APIError,)),
        ("server_error", kontext_management.InternalServerError, (kontext_management.APIError,)),
        ("api_error", kontext_management.APIError, ()),
        ("decode", kontext_management.DecodeError, (kontext_management.APIError,)),
        ("connection", kontext_management.APIConnectionError, ()),
        ("timeout", kontext_management.APITimeoutError, (kontext_management.APIConnectionError,)),
        ("oauth", kontext_management.OAuthError, ()),
        ("config", kontext_management.ConfigError, (ValueError,)),
        ("invalid_input", kontext_management.InvalidArgumentError, (ValueError,)),
        ("internal", kontext_management.InternalError, ()),
    ],
)
def test_every_kind_maps_to_its_class(kind: str, cls: type, bases: tuple) -> None:
    error = error_from_details({"kind": kind, "code": "kontext_x", "message": "m", "status": 418})
    assert type(error) is cls
    assert isinstance(error, kontext_management.KontextError)
    for base in bases:
        assert isinstance(error, base)
    assert error.kind == kind and error.code == "kontext_x" and str(error) == "m"
    assert pickle.loads(pickle.dumps(error)).code == "kontext_x"


def test_outcome_unknown_hint_and_diagnostics_are_attributes() -> None:
    timeout = error_from_details({"kind": "timeout", "message": "m", "outcomeUnknown": True})
    assert timeout.outcome_unknown is True and "outcome_unknown=True" in repr(timeout)
    refused = error_from_details({"kind": "bad_request", "message": "m", "status": 422, "diagnostics": [{"line": 3}]})
    assert refused.outcome_unknown is False and "outcome_unknown" not in repr(refused)
    assert refused.diagnostics == [{"line": 3}]
    denied = error_from_details({"kind": "permission_denied", "message": "m", "missingScopes": ["a"], "hint": "h"})
    assert (denied.missing_scopes, denied.hint) == (["a"], "h")
    assert pickle.loads(pickle.dumps(timeout)).outcome_unknown is True


def test_unknown_kind_is_still_a_kontext_error() -> None:
    error = error_from_details({"kind": "from_the_future", "message": "m"})
    assert type(error) is kontext_management.KontextError


def test_api_errors_carry_status_request_id_and_body(client: kontext_management.ManagementClient) -> None:
    with pytest.raises(kontext_management.NotFoundError) as caught:
        client.applications.get(UUID)
    e = caught.value
    assert e.status_code == 404 and e.code == "kontext_not_found" and e.kind == "not_found"
    assert e.request_id is not None and e.request_id.startswith("req_")
    assert e.docs_url.endswith("/kontext_not_found")
    assert e.body and "statusCode" in e.body
    assert "404" in repr(e) and e.request_id in repr(e)


def test_permission_denied_names_the_missing_scopes(target: Dict[str, str]) -> None:
    with (
        kontext_management.ManagementClient(
            base_url=target["baseUrl"],
            client_id=target["clientId"],
            client_secret=target["clientSecret"],
            scopes=["management:applications:read"],
        ) as c,
        pytest.raises(kontext_management.PermissionDeniedError) as caught,
    ):
        c.applications.create(name="needs write")
    assert caught.value.missing_scopes == ["management:applications:write"]


def test_rate_limit_error_has_retry_after(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    control(
        target,
        "POST",
        "/_emulator/faults",
        {
            "method": "GET",
            "path": "/api/v1/applications",
            "status": 429,
            "times": 5,
            "headers": {"retry-after": "7"},
            "body": {"message": "slow down", "statusCode": 429},
        },
    )
    with pytest.raises(kontext_management.RateLimitError) as caught:
        client.with_options(max_retries=0).applications.list()
    assert caught.value.retry_after == 7.0
    assert caught.value.status_code == 429


def test_oauth_and_connection_and_timeout_errors(target: Dict[str, str]) -> None:
    bad = kontext_management.ManagementClient(base_url=target["baseUrl"], client_id=target["clientId"], client_secret="wrong")
    with pytest.raises(kontext_management.OAuthError) as oauth:
        bad.applications.list()
    assert oauth.value.oauth_error == "invalid_client"
    assert "wrong" not in str(oauth.value) and "wrong" not in repr(oauth.value)

    down = kontext_management.ManagementClient(base_url="http://127.0.0.1:9", client_id="sa_x", client_secret="s", max_retries=0)
    with pytest.raises(kontext_management.APIConnectionError):
        down.applications.list()

    control(target, "POST", "/_emulator/faults", {"path": "/api/v1/applications", "action": "delay", "delayMs": 2000})
    slow = kontext_management.ManagementClient(
        base_url=target["baseUrl"], client_id=target["clientId"], client_secret=SECRET, timeout=0.2, max_retries=0
    )
    with pytest.raises(kontext_management.APITimeoutError) as timeout:
        slow.applications.list()
    assert isinstance(timeout.value, kontext_management.APIConnectionError)


def test_invalid_arguments_are_value_errors_naming_the_argument(client: kontext_management.ManagementClient) -> None:
    with pytest.raises(ValueError) as caught:
        client.applications.get("not-a-uuid")
    assert isinstance(caught.value, kontext_management.InvalidArgumentError)
    assert caught.value.argument == "id"
    with pytest.raises(kontext_management.InvalidArgumentError) as limit:
        client.applications.list(limit=0)
    assert limit.value.argument == "limit"


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(kontext_management.ConfigError) as caught:
        kontext_management.ManagementClient(base_url="http://example.com", client_id="sa_x", client_secret="s")
    assert isinstance(caught.value, ValueError)
    assert "clear text" in str(caught.value)
    with pytest.raises(kontext_management.ConfigError):
        kontext_management.ManagementClient(base_url="https://example.com", client_id="sa_x", client_secret="s", timeout=0)


def test_a_rust_panic_is_an_exception_not_an_abort() -> None:
    engine = _native.Engine.for_oauth()
    with pytest.raises(kontext_management.InternalError, match="panic requested by a test"):
        _engine.run_blocking(engine, engine.panic_blocking_for_tests)

    async def in_async() -> None:
        await _engine.run_async(engine.panic_for_tests())

    with pytest.raises(kontext_management.InternalError, match="panic requested by a test"):
        asyncio.run(in_async())
    # uniffi's own error for a failure in the FFI machinery maps to the same class.
    assert isinstance(_engine.convert_error(_native.InternalError("boom")), kontext_management.InternalError)


def test_a_blocking_clients_engine_refuses_async_calls_and_keeps_working() -> None:
    # Its runtime has no worker to run them (the Python layer never mixes the two kinds).
    engine = _native.Engine(json.dumps({"baseUrl": "https://example.com", "accessToken": "t"}), "test")
    assert _engine.call_blocking(engine, b"client.clearToken", b"[]", b"") == "null"
    with pytest.raises(kontext_management.InternalError, match="async call on the engine of a blocking client"):
        asyncio.run(_engine.call_async(engine, b"client.clearToken", b"[]", b""))
    assert _engine.call_blocking(engine, b"client.clearToken", b"[]", b"") == "null"


# --- iterators ----------------------------------------------------------------------------------


def test_list_all_pages_lazily(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    control(target, "POST", "/_emulator/seed", {"applications": 250})
    control(target, "DELETE", "/_emulator/requests")
    pager = client.applications.list_all(limit=100)
    assert log(target, "/api/v1/applications") == []
    first = next(pager)
    assert isinstance(first, kontext_management.Application)
    assert len(log(target, "/api/v1/applications")) == 1
    for _ in range(99):
        next(pager)
    assert len(log(target, "/api/v1/applications")) == 1
    next(pager)
    assert len(log(target, "/api/v1/applications")) == 2
    rest = [len(page) for page in pager.pages()]
    assert rest == [99, 50]
    assert list(pager) == []


def test_async_list_all_pages_lazily(target: Dict[str, str]) -> None:
    control(target, "POST", "/_emulator/seed", {"applications": 120})

    async def main() -> List[int]:
        async with async_client(target) as c:
            pager = c.applications.list_all(limit=50)
            control(target, "DELETE", "/_emulator/requests")
            first = await pager.__anext__()
            assert isinstance(first, kontext_management.Application)
            assert len(log(target, "/api/v1/applications")) == 1
            sizes = [len(page) async for page in pager.pages()]
            ids = {a.id async for a in c.applications.list_all(limit=200)}
            assert len(ids) == 120
            return sizes

    assert asyncio.run(main()) == [49, 50, 20]


def test_an_async_iteration_can_continue_on_another_event_loop(target: Dict[str, str]) -> None:
    # Its requests run on the client's runtime, not on a loop: a second loop continues it.
    control(target, "POST", "/_emulator/seed", {"applications": 3})
    c = async_client(target)
    pager = c.applications.list_all(limit=1)

    async def step() -> kontext_management.Application:
        return await pager.__anext__()

    first = asyncio.run(step())
    assert isinstance(first, kontext_management.Application)
    second = asyncio.run(step())
    assert isinstance(second, kontext_management.Application) and second.id != first.id


def test_list_all_checks_arguments_when_iterated(client: kontext_management.ManagementClient) -> None:
    pager = client.applications.list_all(limit=0)
    with pytest.raises(kontext_management.InvalidArgumentError):
        next(pager)


# --- redaction ----------------------------------------------------------------------------------


def test_nothing_secret_in_any_repr(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    created = client.applications.create(name="secretive", oauth={"redirect_uris": ["https://app.example/cb"]})
    secret = created.oauth.client_secret
    assert secret and len(secret) > 8
    for shown in (repr(created), str(created), repr(created.oauth), repr([created]), repr(client), str(client)):
        assert secret not in shown
    assert "client_secret='[redacted]'" in repr(created.oauth)
    assert created.to_dict()["oauth"]["clientSecret"] == secret  # the wire form keeps it

    sa = client.service_accounts.create(name="robot")
    assert sa.credentials.client_secret not in repr(sa)
    pkce = kontext_management.oauth.create_pkce_challenge()
    assert pkce.code_verifier not in repr(pkce)
    token_client = kontext_management.ManagementClient(base_url=target["baseUrl"], access_token="ory_at_TOPSECRET")
    assert "TOPSECRET" not in repr(token_client)
    assert SECRET not in repr(client) and SECRET not in repr(vars(client))
    assert SECRET not in repr(client.applications)
    redacted_input = kontext_management.ExternalAuth(enabled=True, partner_api_key="pk_live_HIDDEN")
    assert "pk_live_HIDDEN" not in repr(redacted_input)


# --- environment defaults -----------------------------------------------------------------------


def test_credentials_default_from_the_environment(target: Dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONTEXT_BASE_URL", target["baseUrl"])
    monkeypatch.setenv("KONTEXT_CLIENT_ID", target["clientId"])
    monkeypatch.setenv("KONTEXT_CLIENT_SECRET", target["clientSecret"])
    with kontext_management.ManagementClient() as c:
        assert c.base_url == target["baseUrl"]
        assert c.applications.list().items == []
    # Explicit arguments win over the environment.
    with pytest.raises(kontext_management.OAuthError):
        kontext_management.ManagementClient(client_secret="not-the-secret").applications.list()
    # An access token means no client credentials, whatever the environment says.
    with pytest.raises(kontext_management.AuthenticationError):
        kontext_management.ManagementClient(access_token="ory_at_unknown", max_retries=0).applications.list()


def test_missing_credentials_are_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KONTEXT_BASE_URL", "KONTEXT_CLIENT_ID", "KONTEXT_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(kontext_management.ConfigError, match="baseUrl is required"):
        kontext_management.ManagementClient()
    with pytest.raises(kontext_management.ConfigError, match="no credentials"):
        kontext_management.ManagementClient(base_url="https://api.kontext.security")


# --- models and inputs --------------------------------------------------------------------------


def test_models_read_wire_fields_and_round_trip() -> None:
    stats = kontext_management.TraceStats.from_dict(
        {
            "totalTraces": 3,
            "bytesTransferred": {"in": 10, "out": 20},
            "latency": {"p50": 1.5, "p95": 2, "p99": 3},
            "topTools": [{"toolName": "search", "count": 2}],
            "futureField": {"kept": True},
        }
    )
    assert stats.total_traces == 3 and stats.bytes_transferred.in_ == 10 and stats.latency.p50 == 1.5
    assert stats.top_tools[0].tool_name == "search"
    assert stats.top_tools is stats.top_tools  # built once
    assert stats.to_dict()["futureField"] == {"kept": True}
    assert pickle.loads(pickle.dumps(stats)) == stats
    assert kontext_management.TraceStats.from_dict({"total_traces": 3}).total_traces == 3
    with pytest.raises(AttributeError):
        stats.total_traces = 4  # type: ignore[misc]
    claims = {"tenant_id": "acme"}  # free-form: keys are kept as written
    assert kontext_management.ExternalAuth(required_claims=claims, jwks_url="u").to_dict() == {
        "requiredClaims": claims,
        "jwksUrl": "u",
    }
    page = kontext_management.Page._parser(kontext_management.Application)({"items": [{"id": "a", "name": "x"}], "nextCursor": "c"})
    assert len(page) == 1 and [a.name for a in page] == ["x"] and page.next_cursor == "c"


def test_inputs_accept_snake_and_camel_dicts_and_models(client: kontext_management.ManagementClient) -> None:
    capabilities = {"tools": [{"name": "search", "input_schema": {"type": "object"}}]}
    created = client.integrations.create(
        name="Linear",
        url="https://mcp.linear.app/sse",
        auth_mode="oauth",
        oauth=kontext_management.IntegrationOAuth(provider="linear", scopes=["read"]),
        capabilities=capabilities,
    )
    integration = created.integration
    assert integration.oauth is not None and integration.oauth.provider == "linear"
    assert integration.capabilities == capabilities  # free-form keys are not renamed
    app = client.applications.create(name="a", oauth={"redirectUris": ["https://x.example/cb"], "pkce_required": True})
    assert app.oauth.redirect_uris == ["https://x.example/cb"] and app.oauth.pkce_required is True


# --- clients --------------------------------------------------------------------------------------


def test_the_blocking_client_is_thread_safe(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    control(target, "POST", "/_emulator/seed", {"applications": 5})
    control(target, "DELETE", "/_emulator/requests")
    results: List[int] = []
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(10):
                results.append(len(client.applications.list().items))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [5] * 80
    assert len(log(target, "/oauth2/token", "POST")) == 1  # one token, shared by every thread


def test_the_blocking_client_does_not_reuse_a_connection_the_server_closed(client: kontext_management.ManagementClient) -> None:
    # Blocking calls run on the caller's thread with connections of their own that nothing polls
    # between calls: one the server closed while idle must not be picked for the next request.
    app = client.applications.create(name="idle")
    body = json.dumps(client.applications.get(app.application.id).to_dict()).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 0.1  # the server closes keep-alive connections idle this long

        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with kontext_management.ManagementClient(
            base_url=f"http://127.0.0.1:{server.server_port}", access_token="token", max_retries=0
        ) as idle:
            for _ in range(5):
                assert idle.applications.get(app.application.id).application.name == "idle"
                time.sleep(0.3)
    finally:
        server.shutdown()
        server.server_close()


def test_the_blocking_client_needs_no_event_loop_and_works_inside_one(client: kontext_management.ManagementClient) -> None:
    assert client.applications.list().items == []

    async def inside() -> int:
        return len(client.applications.list().items)

    assert asyncio.run(inside()) == 0


def test_ctrl_c_interrupts_a_blocking_call(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    client.refresh_token()
    control(target, "POST", "/_emulator/faults", {"path": "/api/v1/applications", "action": "delay", "delayMs": 5000})
    threading.Timer(0.1, _thread.interrupt_main).start()  # what a Ctrl-C does to the main thread
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        client.applications.list()
    assert time.monotonic() - started < 1.0
    assert client.policy.get_settings().settings.updated_at  # the client is still usable


def test_cancelling_a_task_cancels_the_request(target: Dict[str, str]) -> None:
    control(target, "POST", "/_emulator/faults", {"path": "/api/v1/applications", "action": "delay", "delayMs": 5000})

    async def main() -> float:
        async with async_client(target) as c:
            await c.refresh_token()
            task = asyncio.ensure_future(c.applications.list())
            await asyncio.sleep(0.1)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.monotonic() - started

    assert asyncio.run(main()) < 0.5


def test_nothing_blocks_the_event_loop(target: Dict[str, str]) -> None:
    control(target, "POST", "/_emulator/faults", {"path": "/api/v1/applications", "action": "delay", "delayMs": 500})

    async def main() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async with async_client(target) as c:
            await c.refresh_token()
            background = asyncio.ensure_future(ticker())
            await c.applications.list()
            background.cancel()
        return ticks

    assert asyncio.run(main()) >= 20  # ~50 expected while the request waits 500 ms


def test_async_client_is_shareable_across_tasks(target: Dict[str, str]) -> None:
    control(target, "POST", "/_emulator/seed", {"applications": 3})

    async def main() -> List[int]:
        async with async_client(target) as c:
            pages = await asyncio.gather(*(c.applications.list() for _ in range(20)))
            return [len(p.items) for p in pages]

    assert asyncio.run(main()) == [3] * 20


def test_with_options_and_close(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    control(target, "DELETE", "/_emulator/requests")
    keyed = client.with_options(idempotency_key="key-1", extra_headers={"x-team": "blue"}, timeout=5)
    keyed.service_accounts.create(name="once")
    keyed.service_accounts.create(name="once")
    posts = log(target, "/api/v1/service-accounts", "POST")
    assert [p["headers"].get("idempotency-key") for p in posts] == ["key-1", "key-1"]
    assert posts[0]["headers"].get("x-team") == "blue"
    assert len(client.service_accounts.list().items) == 2  # bootstrap account + one, not two
    assert len(log(target, "/oauth2/token", "POST")) == 1  # the copy shares the token cache
    client.close()
    with pytest.raises(kontext_management.APIConnectionError, match="closed"):
        keyed.applications.list()


def test_refresh_and_clear_token(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    control(target, "DELETE", "/_emulator/requests")
    client.refresh_token()
    client.clear_token()
    client.applications.list()
    assert len(log(target, "/oauth2/token", "POST")) == 2


def test_user_agent_names_the_binding(target: Dict[str, str], client: kontext_management.ManagementClient) -> None:
    assert "kontext-management-python/" in client.user_agent and ("CPython/" in client.user_agent or "PyPy/" in client.user_agent)
    control(target, "DELETE", "/_emulator/requests")
    client.applications.list()
    assert client.user_agent in log(target, "/api/v1/applications")[0]["headers"]["user-agent"]


def test_oauth_functions_run_sync_and_async(target: Dict[str, str]) -> None:
    pkce = kontext_management.oauth.create_pkce_challenge()
    assert pkce.code_challenge_method == "S256"

    async def main() -> kontext_management.AuthorizeUrl:
        challenge = await kontext_management.async_oauth.create_pkce_challenge()
        return await kontext_management.async_oauth.build_authorize_url(
            base_url=target["baseUrl"],
            client_id="app_x",
            redirect_uri="http://127.0.0.1:8976/callback",
            code_challenge=challenge.code_challenge,
            state="s1",
        )

    url = asyncio.run(main())
    assert url.state == "s1" and url.url.startswith(target["baseUrl"] + "/oauth2/auth?")
    with pytest.raises(kontext_management.InvalidArgumentError) as caught:
        kontext_management.oauth.refresh(base_url=target["baseUrl"], client_id="app_x", refresh_token="")
    assert caught.value.argument == "refreshToken"


# --- packaging and docs -------------------------------------------------------------------------


def test_version_matches_the_installed_distribution() -> None:
    assert kontext_management.__version__ == importlib.metadata.version("kontext-management")


def test_public_api_is_documented() -> None:
    for name in kontext_management.__all__:
        obj = getattr(kontext_management, name)
        if name != "__version__":
            assert obj.__doc__, f"kontext_management.{name} has no docstring"
    from kontext_management import _async_resources, _resources

    for module in (_resources, _async_resources):
        for cls in vars(module).values():
            if isinstance(cls, type) and cls.__module__ == module.__name__ and not cls.__name__.startswith("_"):
                assert cls.__doc__, f"{cls.__name__} has no docstring"
                for method_name, method in vars(cls).items():
                    if not method_name.startswith("_") and callable(method):
                        assert method.__doc__, f"{cls.__name__}.{method_name} has no docstring"
    assert "client_secret" in pydoc.render_doc(kontext_management.ManagementClient)


def test_async_resources_mirror_the_sync_ones() -> None:
    """``_async_resources.py`` is written by hand next to ``_resources.py``: every class, method,
    parameter, default and docstring must match, so the two clients cannot drift apart."""
    import inspect

    from kontext_management import _async_resources, _resources

    def public_classes(module: Any) -> Dict[str, type]:
        return {
            name: cls
            for name, cls in vars(module).items()
            if isinstance(cls, type) and cls.__module__ == module.__name__ and not name.startswith("_")
        }

    sync_classes = public_classes(_resources)
    async_classes = public_classes(_async_resources)
    assert sorted(async_classes) == sorted(f"Async{name}" for name in sync_classes)
    checked = 0
    for name, sync_cls in sync_classes.items():
        async_cls = async_classes[f"Async{name}"]
        sync_methods = {m: f for m, f in vars(sync_cls).items() if not m.startswith("_") and callable(f)}
        async_methods = {m: f for m, f in vars(async_cls).items() if not m.startswith("_") and callable(f)}
        assert sorted(async_methods) == sorted(sync_methods), name
        for method, sync_fn in sync_methods.items():
            async_fn = async_methods[method]
            sync_params = [(p.name, p.kind, p.default) for p in inspect.signature(sync_fn).parameters.values()]
            async_params = [(p.name, p.kind, p.default) for p in inspect.signature(async_fn).parameters.values()]
            assert async_params == sync_params, f"{name}.{method}"
            # list_all returns a pager in both; every other method is a coroutine only in the twin.
            assert inspect.iscoroutinefunction(async_fn) == (method != "list_all"), f"Async{name}.{method}"
            assert inspect.getdoc(async_fn) == inspect.getdoc(sync_fn), f"{name}.{method} docstrings differ"
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    "args",
    [["app_1"], ["ünïcode \"quoted\" \\ \n"], ["a", "b"], [{"name": "x", "n": 1.5}], [None], [], [1]],
)
def test_argument_encoding_matches_the_json_encoder(args: List[Any]) -> None:
    # The one-string fast path must write exactly what the encoder writes (ASCII-escaped).
    assert _engine.encode_args(args) == json.dumps(args, separators=(",", ":")).encode()


@pytest.mark.parametrize("text", ['{"a":[1,2,{"b":null}]}', ' {"a":1}', '{"a":1}\n', '"é"', "[]"])
def test_result_decoding_matches_json_loads(text: str) -> None:
    assert _engine.decode(text.encode()) == json.loads(text)


def test_a_result_that_is_not_json_fails_like_json_loads() -> None:
    for bad in (b'{"a":1} x', b'{"a":', b""):
        with pytest.raises(json.JSONDecodeError):
            _engine.decode(bad)
