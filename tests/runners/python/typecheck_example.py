"""Every public method of the package, typed as a user would write it: `mypy --strict` must pass
on this file (the test recipe runs it). It is type-checked, not executed."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import kontext_management
from kontext_management import (
    AccessGraph,
    Application,
    AsyncManagementClient,
    CreatedApplication,
    DeviceAuthorization,
    ManagementClient,
    Page,
    UserTokens,
)


def blocking(client: ManagementClient) -> None:
    page: Page[Application] = client.applications.list(limit=50, cursor=None, all=True)
    cursor: Optional[str] = page.next_cursor
    names: List[str] = [app.name for app in page.items]
    for app in client.applications.list_all(limit=200, all=False):
        print(app.id, app.created_at, app.sessions.total if app.sessions else 0, cursor, names)
    for chunk in client.applications.list_all().pages():
        print(len(chunk))
    created: CreatedApplication = client.applications.create(
        name="Support copilot",
        description="Answers tickets",
        oauth={"redirect_uris": ["https://app.example/callback"], "type": "confidential"},
    )
    app_id: str = created.application.id
    secret: Optional[str] = created.oauth.client_secret
    print(secret is not None, created.oauth.redirect_uris[0])
    print(client.applications.get(app_id).application.name)
    external = kontext_management.ExternalAuth(enabled=True, issuer="https://partner.example")
    client.applications.update(app_id, name="Renamed", description=None, external_auth=external)
    rotated: Optional[str] = client.applications.rotate_secret(app_id).oauth.client_secret
    print(rotated, client.applications.get_oauth(app_id).oauth.gateway_url)
    client.applications.update_oauth(
        app_id,
        type="public",
        pkce_required=True,
        scopes=["mcp:invoke"],
        redirect_uris=["http://127.0.0.1:8976/callback"],
        allowed_resources=["mcp-gateway"],
    )
    ids: List[str] = client.applications.list_integrations(app_id).integration_ids
    client.applications.set_integrations(app_id, integration_ids=ids)
    client.applications.attach_integration(app_id, ids[0])
    client.applications.detach_integration(app_id, ids[0])
    revoked: int = client.applications.revoke_all_agent_sessions(app_id).disconnected_count
    graph: AccessGraph = client.applications.access_graph(include_policy=True)
    print(revoked, [node.type for node in graph.nodes], [edge.target for edge in graph.edges])
    client.applications.archive(app_id)

    integrations = client.integrations
    print([i.name for i in integrations.list(limit=10, cursor=None).items])
    print([i.url for i in integrations.list_all(limit=100)])
    integration = integrations.create(
        name="Linear",
        url="https://mcp.linear.app/sse",
        category="gateway_remote_mcp",
        auth_mode="oauth",
        oauth={"provider": "linear"},
        capabilities={"tools": []},
        credential_schema=None,
        server_token=None,
        confirm_unarchive=False,
    ).integration
    integrations.get(integration.id)
    integrations.update(
        integration.id,
        name="Linear 2",
        url=None,
        auth_mode="user_token",
        oauth=None,
        capabilities=None,
        credential_schema=None,
        server_token=None,
        confirm_unarchive=None,
    )
    status: str = integrations.validate(integration.id).status
    configured: bool = integrations.get_oauth_config(integration.id).oauth.client_secret_configured
    integrations.set_oauth_config(
        integration.id,
        client_id="c",
        client_secret="s",
        authorization_url="https://idp.example/auth",
        token_url="https://idp.example/token",
        scopes=["read"],
    )
    integrations.delete_oauth_config(integration.id)
    connection = integrations.add_connection(integration.id, token="pat", display_name="me", expires_at=None).connection
    print(
        status,
        configured,
        connection.status,
        integrations.get_connection_status(integration.id).connection.connected_at,
    )
    integrations.revoke_connection(integration.id)
    integrations.archive(integration.id)

    accounts = client.service_accounts
    print([a.name for a in accounts.list(limit=5, cursor=None)], [a.id for a in accounts.list_all(limit=5)])
    account = accounts.create(name="ci", description="CI pipeline")
    client_id: str = account.credentials.client_id
    print(client_id, accounts.get(account.service_account.id).service_account.created_at)
    print(accounts.rotate_secret(account.service_account.id).credentials.client_secret)
    accounts.revoke(account.service_account.id)
    print([a.id for a in accounts.find_by_name("ci")], client.applications.find_by_name("x").items)

    # The admin surface (issue 23).
    scim = client.scim_tokens
    before = list(scim.list_all(limit=50))
    minted = scim.create(label="entra-prod")
    secret_token: str = minted.token
    print(secret_token, [t.sha256 for t in scim.list(limit=5, cursor=None)])
    print([t.revoked_at for t in scim.reconcile(before, "entra-prod")])
    scim.revoke(minted.sha256)
    directory_status = client.directory.get_status()
    users: Optional[int] = directory_status.user_count
    print(users, [g.display_name for g in client.directory_groups.list_all()])
    print([r.state for r in client.directory_reconciliation.list(limit=10)])
    installs = client.install_tokens
    install_before = list(installs.list_all())
    install = installs.create(label="ci")
    print([t.label for t in installs.reconcile(install_before, "ci")])
    installs.revoke(install.sha256)
    latest = client.releases.latest()
    print([(a.kind, a.sha256) for a in latest.artifacts], [r.version for r in client.releases.list_all()])
    artifact_url: str = client.releases.get_download_url(latest.version, "package").url
    artifact = client.releases.download(latest.version, "install_script")
    size: int = artifact.size
    print(artifact_url, size, len(artifact.content))
    access = client.organization.get_agent_access()
    print(access.areas, access.updated_at)

    sessions = client.agent_sessions.list(app_id, status="all", limit=10, include_inactive=True)
    for session in sessions:
        print(client.agent_sessions.get(app_id, session.id).session.derived_status)
    print(client.agent_sessions.revoke_all(app_id).success)

    traces = client.traces
    for trace in traces.list(user_id=None, session_id=None, agent_id=None, application_id=None, limit=10, offset=0):
        detail = traces.get(trace.trace_id, user_id=None)
        print(detail.trace.event_count, [e.status for e in detail.events])
    print(sum(1 for _ in traces.list_all(limit=100, application_id=app_id)))
    stats = traces.stats(period="7d", user_id=None).stats
    p95: float = stats.latency.p95
    print(p95, stats.bytes_transferred.in_, stats.event_counts.get("ok", 0), [t.tool_name for t in stats.top_tools])
    print([e.event_type for e in client.events.list(limit=20).items])

    policy = client.policy
    current = policy.get()
    saved = policy.update(policy_text=current.policy.policy_text, etag=current.etag)
    valid: bool = policy.validate(policy_text="permit(principal, action, resource);").valid
    deployment = policy.get_deployment()
    policy.update_deployment(
        policy_version_id=saved.policy.policy_version_id, rollout_mode="observe", etag=deployment.etag
    )
    settings = policy.get_settings().settings
    policy.update_settings(
        expected_updated_at=settings.updated_at, policy_enabled=True, payload_capture_mode="metadata"
    )
    print(valid)
    templates = policy.list_rule_templates()
    acted = policy.apply_action(deployment.etag or "", action="add", template_id=templates.items[0].id)
    companions: List[str] = acted.result.companion_policy_ids
    enforced = policy.apply_action(acted.etag or "", action="enforce", policy_id=acted.result.policy_id)
    versions = policy.list_versions(limit=10)
    for version in policy.list_all(limit=50):
        print(version.id, version.origin)
    if versions.items:
        print(policy.get_version(versions.items[0].id).policy_text)
    observing = enforced.result.observing_version_id or ""
    report = policy.replay(enforcing_version_id=observing, observing_version_id=observing, days=7)
    print(companions, [(p.policy_id, p.would_block) for p in report.policies], report.truncated)
    print([(b.tool_name, b.count) for b in policy.blocked(days=7).items])

    decisions = client.decisions.list(
        provider="github",
        decision_result="deny",
        decision_category=None,
        reason_code=None,
        risk_level="high",
        installation_id=None,
        session_id=None,
        from_=None,
        to=None,
        limit=10,
        cursor=None,
    )
    for decision in client.decisions.list_all(limit=100, from_="2026-01-01T00:00:00Z"):
        print(client.decisions.get(decision.id).decision.decision_result, decisions.next_cursor)

    patient = client.with_options(timeout=5.0, max_retries=0, idempotency_key="k1", extra_headers={"x-team": "blue"})
    patient.refresh_token()
    patient.clear_token()
    print(client.base_url, client.user_agent)

    pkce = kontext_management.oauth.create_pkce_challenge()
    url = kontext_management.oauth.build_authorize_url(
        base_url=client.base_url,
        client_id="app_1",
        redirect_uri="http://127.0.0.1:8976/callback",
        code_challenge=pkce.code_challenge,
        scopes=["management:all"],
        state=None,
    )
    tokens: UserTokens = kontext_management.oauth.exchange_code(
        base_url=client.base_url,
        client_id="app_1",
        code="c",
        redirect_uri="http://127.0.0.1:8976/callback",
        code_verifier=pkce.code_verifier,
        client_secret=None,
    )
    device: DeviceAuthorization = kontext_management.oauth.start_device_authorization(
        base_url=client.base_url, client_id="app_1", scopes=["management:policy:read"]
    )
    shown: str = device.verification_uri_complete or f"{device.verification_uri} {device.user_code}"
    tokens = kontext_management.oauth.poll_device_token(
        base_url=shown,
        client_id=device.client_id,
        device_code=device.device_code,
        interval=device.interval,
        expires_in=device.expires_in,
    )
    if tokens.refresh_token is not None:
        tokens = kontext_management.oauth.refresh(
            base_url=client.base_url, client_id="app_1", refresh_token=tokens.refresh_token, client_secret=None
        )
    with ManagementClient(base_url=client.base_url, access_token=tokens.access_token) as user_client:
        print(url.url, url.state, user_client.applications.list().items)


async def non_blocking(client: AsyncManagementClient) -> None:
    page: Page[Application] = await client.applications.list(limit=50)
    async for app in client.applications.list_all(limit=200):
        print(app.name, page.next_cursor)
    async for chunk in client.integrations.list_all().pages():
        print(len(chunk))
    created = await client.applications.create(name="x", oauth={"redirectUris": []})
    app_id = created.application.id
    await client.applications.get(app_id)
    await client.applications.update(app_id, name="y")
    await client.applications.rotate_secret(app_id)
    await client.applications.get_oauth(app_id)
    await client.applications.update_oauth(app_id, pkce_required=False)
    ids = (await client.applications.list_integrations(app_id)).integration_ids
    await client.applications.set_integrations(app_id, integration_ids=ids)
    await client.applications.attach_integration(app_id, ids[0])
    await client.applications.detach_integration(app_id, ids[0])
    await client.applications.revoke_all_agent_sessions(app_id)
    await client.applications.access_graph()
    await client.applications.archive(app_id)

    integration = (await client.integrations.create(name="n", url="https://mcp.example/mcp")).integration
    await client.integrations.list()
    await client.integrations.get(integration.id)
    await client.integrations.update(integration.id, name="m")
    await client.integrations.validate(integration.id)
    await client.integrations.get_oauth_config(integration.id)
    await client.integrations.set_oauth_config(
        integration.id,
        client_id="c",
        client_secret="s",
        authorization_url="https://a.example",
        token_url="https://t.example",
    )
    await client.integrations.delete_oauth_config(integration.id)
    await client.integrations.add_connection(integration.id, token="t")
    await client.integrations.get_connection_status(integration.id)
    await client.integrations.revoke_connection(integration.id)
    await client.integrations.archive(integration.id)

    account = await client.service_accounts.create(name="ci")
    await client.service_accounts.list()
    async for sa in client.service_accounts.list_all():
        print(sa.name)
    await client.service_accounts.get(account.service_account.id)
    await client.service_accounts.rotate_secret(account.service_account.id)
    await client.service_accounts.revoke(account.service_account.id)
    await client.service_accounts.find_by_name("ci")
    async_before = [t async for t in client.scim_tokens.list_all()]
    await client.scim_tokens.create(label="l")
    await client.scim_tokens.reconcile(async_before, "l")
    await client.install_tokens.reconcile([], "ci")
    await client.directory.get_status()
    await client.releases.download("1.4.0", "package")
    await client.organization.get_agent_access()

    await client.agent_sessions.list(app_id)
    await client.agent_sessions.get(app_id, app_id)
    await client.agent_sessions.revoke_all(app_id)
    await client.traces.list()
    async for trace in client.traces.list_all():
        await client.traces.get(trace.trace_id)
    await client.traces.stats(period="24h")
    await client.events.list()
    policy = await client.policy.get()
    await client.policy.update(policy_text=policy.policy.policy_text, etag=policy.etag)
    await client.policy.validate(policy_text="forbid(principal, action, resource);")
    await client.policy.get_deployment()
    await client.policy.update_deployment(policy_version_id=None, rollout_mode="disabled")
    settings = await client.policy.get_settings()
    await client.policy.update_settings(expected_updated_at=settings.settings.updated_at, policy_enabled=False)
    await client.decisions.list()
    async for decision in client.decisions.list_all():
        await client.decisions.get(decision.id)
    await client.with_options(timeout=1.0).refresh_token()
    await client.clear_token()

    pkce = await kontext_management.async_oauth.create_pkce_challenge()
    await kontext_management.async_oauth.build_authorize_url(
        base_url=client.base_url,
        client_id="app_1",
        redirect_uri="http://127.0.0.1:8976/callback",
        code_challenge=pkce.code_challenge,
    )
    tokens = await kontext_management.async_oauth.exchange_code(
        base_url=client.base_url,
        client_id="app_1",
        code="c",
        redirect_uri="http://127.0.0.1:8976/callback",
        code_verifier=pkce.code_verifier,
    )
    await kontext_management.async_oauth.refresh(
        base_url=client.base_url, client_id="app_1", refresh_token=tokens.refresh_token or ""
    )


def errors(client: ManagementClient) -> None:
    try:
        client.applications.get("6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11")
    except kontext_management.NotFoundError as e:
        status: int = e.status_code
        request_id: Optional[str] = e.request_id
        print(status, request_id, e.code, e.message, e.body)
    except kontext_management.RateLimitError as e:
        retry_after: Optional[float] = e.retry_after
        print(retry_after)
    except kontext_management.PermissionDeniedError as e:
        missing: List[str] = e.missing_scopes
        print(missing)
    except kontext_management.OAuthError as e:
        print(e.oauth_error, e.oauth_error_description)
    except kontext_management.InvalidArgumentError as e:
        print(e.argument)
    except (kontext_management.APITimeoutError, kontext_management.APIConnectionError, kontext_management.ConfigError, kontext_management.InternalError) as e:
        print(e.kind)
    except kontext_management.APIError as e:
        print(e.status_code)
    except kontext_management.KontextError as e:
        print(e.docs_url)


async def main() -> None:
    async with AsyncManagementClient(base_url="http://127.0.0.1:4010") as client:
        await non_blocking(client)
    with ManagementClient(max_retries=3, timeout=20.0, scopes=["management:all"]) as sync_client:
        blocking(sync_client)
        errors(sync_client)


if __name__ == "__main__":
    asyncio.run(main())
