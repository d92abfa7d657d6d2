//! The main job, end to end: bootstrap an agent application.
//!
//! Creates a confidential application with redirect URIs, registers an MCP integration and
//! attaches it, pages through every application, rotates the client secret, and shows session
//! and trace statistics.
//!
//! ```sh
//! KONTEXT_BASE_URL=http://127.0.0.1:4010 KONTEXT_CLIENT_ID=sa_local_dev \
//! KONTEXT_CLIENT_SECRET=local-dev-secret cargo run -p kontext-management --example bootstrap_agent_app
//! ```

use futures_util::TryStreamExt;
use kontext_management::models::{
    AuthMode, CreateApplication, CreateApplicationOAuth, CreateIntegration, ListApplicationsParams, ListSessionsParams,
    OAuthClientType, StatsPeriod, TraceStatsParams,
};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name} (the emulator prints it: `just emulator`)"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = kontext_management::Client::builder()
        .base_url(env("KONTEXT_BASE_URL"))
        .client_credentials(env("KONTEXT_CLIENT_ID"), env("KONTEXT_CLIENT_SECRET"))
        .user_agent("kontext-management-demo")
        .build()?;
    let run = std::process::id();

    let created = client
        .applications()
        .create(
            CreateApplication::new(format!("Support Copilot {run}"))
                .with_description("Answers tickets with Linear and GitHub context")
                .with_oauth(
                    CreateApplicationOAuth::new([
                        "https://copilot.example.com/oauth/callback",
                        "http://127.0.0.1:8976/callback",
                    ])
                    .with_type(OAuthClientType::Confidential)
                    .with_scopes(["mcp:invoke"])
                    .with_allowed_resources(["mcp-gateway"]),
                ),
        )
        .await?;
    let app = &created.application;
    println!(
        "rust: created application {:?} ({}), request id {}",
        app.name,
        app.id,
        created.request_id().unwrap_or("-")
    );
    println!(
        "rust:   oauth client {} ({}), secret shown once: {}",
        created.oauth.client_id,
        created.oauth.r#type,
        if created.oauth.client_secret.is_some() { "received, store it now" } else { "none" }
    );

    let integration = client
        .integrations()
        .create(
            CreateIntegration::new(format!("Linear {run}"), "https://mcp.linear.app/sse")
                .with_auth_mode(AuthMode::Oauth),
        )
        .await?
        .into_inner()
        .integration;
    client.applications().attach_integration(&app.id, &integration.id).await?;
    let attached = client.applications().list_integrations(&app.id).await?;
    println!(
        "rust: attached integration {:?}; the app now uses {} integration(s)",
        integration.name,
        attached.integration_ids.len()
    );

    let mut apps = client.applications().list_all(ListApplicationsParams { limit: Some(100), ..Default::default() });
    let mut count = 0usize;
    while let Some(_app) = apps.try_next().await? {
        count += 1;
    }
    println!("rust: paged through {count} applications");

    let rotated = client.applications().rotate_secret(&app.id).await?;
    println!("rust: rotated the client secret of {} (the old one stopped working)", rotated.oauth.client_id);

    let sessions = client
        .agent_sessions()
        .list(&app.id, ListSessionsParams { include_inactive: Some(true), ..Default::default() })
        .await?;
    println!("rust: {} agent session(s) for the new app", sessions.items.len());
    for period in [StatsPeriod::OneDay, StatsPeriod::SevenDays, StatsPeriod::ThirtyDays] {
        let stats = client
            .traces()
            .stats(TraceStatsParams { period: Some(period.clone()), ..Default::default() })
            .await?
            .into_inner()
            .stats;
        println!(
            "rust: traces {period:>3}: {} traces, {} events, error rate {:.1}%, p95 latency {:.0} ms",
            stats.total_traces, stats.total_events, stats.error_rate, stats.latency.p95
        );
    }
    Ok(())
}
