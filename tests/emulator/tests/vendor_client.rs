//! Compatibility with the vendor's published Rust client (`kontext-dev-sdk` 0.2.1): its
//! applications, integrations and service-accounts calls work against the emulator.
//!
//!     cargo test -p kontext-management-emulator --features vendor-client --test vendor_client

mod common;

use kontext_dev_sdk::management::{
    CreateApplicationOAuthRequest, CreateApplicationRequest, CreateIntegrationRequest, CreateServiceAccountRequest,
    KontextManagementClient, KontextManagementClientConfig, PaginationParams, ServiceAccountCredentials,
    UpdateApplicationOAuthRequest, UpdateApplicationRequest, UpdateIntegrationRequest,
};

use common::start;

fn client(base: &str, id: &str, secret: &str) -> KontextManagementClient {
    KontextManagementClient::new(KontextManagementClientConfig {
        base_url: base.to_owned(),
        credentials: ServiceAccountCredentials { client_id: id.into(), client_secret: secret.into() },
        token_url: None,
        api_version: None,
        scopes: None,
        audience: None,
    })
}

#[tokio::test]
async fn vendor_client_round_trips() {
    let env = start().await;
    let c = client(&env.base, env.emu.client_id(), env.emu.client_secret());

    // Applications.
    let created = c
        .applications
        .create(CreateApplicationRequest {
            name: "Vendor App".into(),
            oauth: Some(CreateApplicationOAuthRequest {
                oauth_type: None,
                redirect_uris: vec!["https://vendor.test/cb".into()],
                pkce_required: None,
                scopes: Some(vec!["mcp:invoke".into()]),
            }),
        })
        .await
        .expect("create application");
    assert!(created.oauth.client_secret.is_some());
    assert!(created.oauth.pkce_required);
    let id = created.application.id.clone();
    let list = c.applications.list(Some(PaginationParams { limit: Some(10), cursor: None })).await.expect("list");
    assert_eq!(list.items.len(), 1);
    let got = c.applications.get(&id).await.expect("get");
    assert_eq!(got.application.name, "Vendor App");
    let upd = c
        .applications
        .update(&id, UpdateApplicationRequest { name: Some("Vendor App 2".into()) })
        .await
        .expect("update");
    assert_eq!(upd.application.name, "Vendor App 2");
    let oauth = c
        .applications
        .update_oauth(&id, UpdateApplicationOAuthRequest { pkce_required: Some(false), ..Default::default() })
        .await
        .expect("update oauth");
    assert!(!oauth.oauth.pkce_required);
    let rotated = c.applications.rotate_secret(&id).await.expect("rotate");
    assert_ne!(rotated.oauth.client_secret, created.oauth.client_secret);
    c.applications.get_oauth(&id).await.expect("get oauth");

    // Integrations.
    let integration = c
        .integrations
        .create(CreateIntegrationRequest {
            name: "GitHub".into(),
            url: "https://mcp.github.test/mcp".into(),
            auth_mode: Some("server_token".into()),
            server_token: Some("ghp_x".into()),
            confirm_unarchive: None,
        })
        .await
        .expect("create integration");
    let iid = integration.integration.id.clone();
    c.integrations
        .update(&iid, UpdateIntegrationRequest { name: Some("GitHub Enterprise".into()), ..Default::default() })
        .await
        .expect("update integration");
    let listed = c.integrations.list(None).await.expect("list integrations");
    assert_eq!(listed.items.len(), 1);
    c.applications.attach_integration(&id, &iid).await.expect("attach");
    assert_eq!(c.applications.list_integrations(&id).await.expect("links").integration_ids, vec![iid.clone()]);
    let replaced = c.applications.replace_integrations(&id, vec![]).await.expect("replace");
    assert!(replaced.integration_ids.is_empty());
    c.applications.detach_integration(&id, &iid).await.expect("detach");
    c.integrations.archive(&iid).await.expect("archive integration");
    assert!(c.integrations.get(&iid).await.expect("get integration").integration.archived_at.is_some());

    // Service accounts.
    let sa = c
        .service_accounts
        .create(CreateServiceAccountRequest { name: "Vendor SA".into() })
        .await
        .expect("create service account");
    let sa_id = sa.service_account.id.clone();
    let other = client(&env.base, &sa.credentials.client_id, &sa.credentials.client_secret);
    assert_eq!(other.service_accounts.list(None).await.expect("list as new SA").items.len(), 2);
    assert_eq!(c.service_accounts.get(&sa_id).await.expect("get SA").service_account.name, "Vendor SA");
    c.service_accounts.rotate_secret(&sa_id).await.expect("rotate SA");
    c.service_accounts.revoke(&sa_id).await.expect("revoke SA");
    let err = other.service_accounts.list(None).await.expect_err("revoked SA's token is dead");
    assert_eq!(err.status, 401);

    c.applications.archive(&id).await.expect("archive application");
    assert!(c.applications.list(None).await.expect("list").items.is_empty());
    let missing = c.applications.get("9f1c2a44-1111-4222-8333-444455556666").await.expect_err("404");
    assert_eq!(missing.status, 404);
}
