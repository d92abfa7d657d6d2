"""The main job, end to end, in Python: bootstrap an agent application.

Creates a confidential application with redirect URIs, registers an MCP integration and attaches
it, pages through every application, rotates the client secret, and shows session and trace
statistics; then does the same listing with the asyncio client.

    KONTEXT_BASE_URL=http://127.0.0.1:4010 KONTEXT_CLIENT_ID=sa_local_dev \\
    KONTEXT_CLIENT_SECRET=local-dev-secret python bootstrap_agent_app.py
"""

from __future__ import annotations

import asyncio
import os

import kontext_management


def bootstrap() -> None:
    run = os.getpid()
    with kontext_management.ManagementClient() as client:  # credentials from KONTEXT_* variables
        created = client.applications.create(
            name=f"Support Copilot {run} (python)",
            description="Answers tickets with Linear and GitHub context",
            oauth={
                "type": "confidential",
                "redirect_uris": ["https://copilot.example.com/oauth/callback", "http://127.0.0.1:8976/callback"],
                "scopes": ["mcp:invoke"],
                "allowed_resources": ["mcp-gateway"],
            },
        )
        app = created.application
        print(f"python: created application {app.name!r} ({app.id})")
        print(
            f"python:   oauth client {created.oauth.client_id} ({created.oauth.type}), secret shown once: "
            f"{'received, store it now' if created.oauth.client_secret else 'none'}"
        )
        print(f"python:   repr never shows it: {created.oauth!r}"[:160] + "…")

        integration = client.integrations.create(
            name=f"Linear {run} (python)", url="https://mcp.linear.app/sse", auth_mode="oauth"
        ).integration
        client.applications.attach_integration(app.id, integration.id)
        attached = client.applications.list_integrations(app.id)
        print(f"python: attached {integration.name!r}; the app uses {len(attached.integration_ids)} integration(s)")

        count = sum(1 for _ in client.applications.list_all(limit=100))
        print(f"python: paged through {count} applications (lazily, 100 per request)")

        rotated = client.applications.rotate_secret(app.id)
        print(f"python: rotated the client secret of {rotated.oauth.client_id} (the old one stopped working)")

        sessions = client.agent_sessions.list(app.id, include_inactive=True)
        print(f"python: {len(sessions.items)} agent session(s) for the new app")
        for period in ("1d", "7d", "30d"):
            stats = client.traces.stats(period=period).stats
            print(
                f"python: traces {period:>3}: {stats.total_traces} traces, {stats.total_events} events, "
                f"error rate {stats.error_rate:.1f}%, p95 latency {stats.latency.p95:.0f} ms"
            )

        try:
            client.applications.get("6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11")
        except kontext_management.NotFoundError as e:
            print(f"python: typed errors: {type(e).__name__} {e.status_code} (request id {e.request_id})")


async def concurrently() -> None:
    async with kontext_management.AsyncManagementClient() as client:
        pages = await asyncio.gather(client.applications.list(limit=5), client.integrations.list(limit=5))
        names = [a.name async for a in client.applications.list_all(limit=200)]
        print(f"python (asyncio): {len(pages[0].items)} + {len(pages[1].items)} items in parallel, {len(names)} apps")


if __name__ == "__main__":
    bootstrap()
    asyncio.run(concurrently())
