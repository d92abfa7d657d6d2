//! User tokens through the authorization-code flow with PKCE (RFC 7636), and the authorization
//! server's discovery document (RFC 8414).

use kontext_management_derive::FromArg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Secret;

/// A PKCE verifier and its challenge. Keep the verifier until the code exchange; put the
/// challenge in the authorize URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct PkceChallenge {
    /// The random verifier (43–128 characters), sent with the code exchange.
    pub code_verifier: Secret,
    /// `BASE64URL(SHA-256(verifier))`, sent in the authorize URL.
    pub code_challenge: String,
    /// Always `S256`.
    pub code_challenge_method: String,
}

/// Input of `oauth.buildAuthorizeUrl`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeUrlRequest {
    /// API origin (e.g. `https://api.kontext.security`); the authorize endpoint is read from
    /// its discovery document.
    pub base_url: String,
    /// The application's OAuth client id (`app_…`).
    pub client_id: String,
    /// Where the authorization server sends the user back (must be registered).
    pub redirect_uri: String,
    /// The PKCE challenge ([`PkceChallenge::code_challenge`]).
    pub code_challenge: String,
    /// Scopes to request; the SDK's default applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Anti-CSRF `state`; a random one is generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// Result of `oauth.buildAuthorizeUrl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeUrl {
    /// The URL to open in the user's browser.
    pub url: String,
    /// The `state` in the URL; check that the redirect carries the same value.
    pub state: String,
}

/// Input of `oauth.exchangeCode` (authorization code → tokens).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct ExchangeCode {
    /// API origin; the token endpoint is read from its discovery document.
    pub base_url: String,
    /// The application's OAuth client id.
    pub client_id: String,
    /// The `code` from the redirect.
    pub code: String,
    /// The same redirect URI as in the authorize URL.
    pub redirect_uri: String,
    /// The PKCE verifier whose challenge was in the authorize URL.
    pub code_verifier: Secret,
    /// Client secret, for confidential applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    /// The redirect's `iss` parameter, when it has one (RFC 9207). It must name the issuer of
    /// `baseUrl`'s discovery document, or the code is not sent (a mix-up attack).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

/// Input of `oauth.refresh` (refresh token → new tokens).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct RefreshUserToken {
    /// API origin; the token endpoint is read from its discovery document.
    pub base_url: String,
    /// The application's OAuth client id.
    pub client_id: String,
    /// The refresh token.
    pub refresh_token: Secret,
    /// Client secret, for confidential applications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
}

/// Tokens from a code exchange or refresh (camelCase here; the token endpoint's snake case
/// answer is mapped into it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct UserTokens {
    /// The access token (a bearer token for the Management API).
    pub access_token: Secret,
    /// Token type, normally `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds, when the server said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Refresh token, when one was issued (e.g. with `offline_access`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// Granted scopes, space-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// The authorization server's metadata (`GET /.well-known/oauth-authorization-server`,
/// RFC 8414). Snake case on the wire, unlike the rest of the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
pub struct AuthServerMetadata {
    /// Issuer identifier: the origin the document was read from (checked by discovery).
    /// Absent in the document reads as empty, which discovery refuses with a clear error.
    #[serde(default)]
    pub issuer: String,
    /// Where to send users to authorize.
    pub authorization_endpoint: String,
    /// Where to exchange codes and refresh tokens.
    pub token_endpoint: String,
    /// Where the signing keys are published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Every other metadata field (`grant_types_supported`, `code_challenge_methods_supported`, …).
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

/// Input of `oauth.startDeviceAuthorization` (the device authorization grant, RFC 8628).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorizationRequest {
    /// API origin; the device and token endpoints are read from its discovery document.
    pub base_url: String,
    /// The OAuth client id of the application signing in (a public client, e.g. a CLI).
    pub client_id: String,
    /// Scopes to request; the SDK's default applies when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
}

/// Result of `oauth.startDeviceAuthorization`: show the user `verificationUriComplete` (or
/// `verificationUri` and `userCode`), then pass this whole object to `oauth.pollDeviceToken`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorization {
    /// The API origin it was started against.
    pub base_url: String,
    /// The client id it was started for.
    pub client_id: String,
    /// The device code the SDK polls with (a secret: never show or log it).
    pub device_code: Secret,
    /// The code the user types at `verificationUri`.
    pub user_code: String,
    /// Where the user approves the request.
    pub verification_uri: String,
    /// `verificationUri` with the user code filled in, when the server gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_uri_complete: Option<String>,
    /// Seconds to wait between polls (the server's `interval`; 5 when it gives none).
    pub interval: f64,
    /// Seconds the device code lives (the server's `expires_in`; 600 when it gives none).
    pub expires_in: f64,
}

/// Input of `oauth.pollDeviceToken`: the answer of `oauth.startDeviceAuthorization` (its other
/// fields are ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromArg)]
#[cfg_attr(feature = "describe", derive(kontext_management_derive::Describe))]
#[serde(rename_all = "camelCase")]
pub struct DeviceTokenPoll {
    /// API origin; the token endpoint is read from its discovery document.
    pub base_url: String,
    /// The client id the authorization was started for.
    pub client_id: String,
    /// The device code from `oauth.startDeviceAuthorization`.
    pub device_code: Secret,
    /// Seconds between polls (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<f64>,
    /// Seconds after which polling gives up (default 600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<f64>,
    /// Ignored: accepted so that the answer of `oauth.startDeviceAuthorization` can be passed
    /// as it is (as keyword arguments in Python).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_code: Option<String>,
    /// Ignored, like `userCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_uri: Option<String>,
    /// Ignored, like `userCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_uri_complete: Option<String>,
}

impl From<&DeviceAuthorization> for DeviceTokenPoll {
    fn from(auth: &DeviceAuthorization) -> Self {
        DeviceTokenPoll {
            base_url: auth.base_url.clone(),
            client_id: auth.client_id.clone(),
            device_code: auth.device_code.clone(),
            interval: Some(auth.interval),
            expires_in: Some(auth.expires_in),
            user_code: None,
            verification_uri: None,
            verification_uri_complete: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pkce_challenge_shape_and_redaction() {
        let p = PkceChallenge {
            code_verifier: Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
            code_challenge_method: "S256".into(),
        };
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            json!({"codeVerifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
                   "codeChallenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                   "codeChallengeMethod": "S256"})
        );
        assert!(!format!("{p:?}").contains("dBjftJeZ4CVP"));
    }

    #[test]
    fn request_inputs_decode_from_camel_case() {
        let r: AuthorizeUrlRequest = serde_json::from_value(json!({"baseUrl": "http://127.0.0.1:4010",
            "clientId": "app_1", "redirectUri": "http://127.0.0.1:8976/callback", "codeChallenge": "c"}))
        .unwrap();
        assert_eq!(r.scopes, None);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"baseUrl": "http://127.0.0.1:4010", "clientId": "app_1",
                   "redirectUri": "http://127.0.0.1:8976/callback", "codeChallenge": "c"})
        );

        let x: ExchangeCode = serde_json::from_value(json!({"baseUrl": "b", "clientId": "app_1", "code": "code1",
            "redirectUri": "r", "codeVerifier": "VERIFIER_SECRET", "clientSecret": "CLIENT_SECRET"}))
        .unwrap();
        assert_eq!(x.code_verifier.expose(), "VERIFIER_SECRET");
        let dump = format!("{x:?}");
        assert!(!dump.contains("VERIFIER_SECRET") && !dump.contains("CLIENT_SECRET"), "{dump}");

        let r: RefreshUserToken =
            serde_json::from_value(json!({"baseUrl": "b", "clientId": "c", "refreshToken": "RT_SECRET"})).unwrap();
        assert!(r.client_secret.is_none());
        assert!(!format!("{r:?}").contains("RT_SECRET"));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"baseUrl": "b", "clientId": "c", "refreshToken": "RT_SECRET"})
        );
    }

    #[test]
    fn user_tokens_are_camel_case_and_redacted() {
        let t = UserTokens {
            access_token: Secret::new("ory_at_ACCESS"),
            token_type: "Bearer".into(),
            expires_in: Some(3600),
            refresh_token: Some(Secret::new("ory_rt_REFRESH")),
            scope: None,
        };
        assert_eq!(
            serde_json::to_value(&t).unwrap(),
            json!({"accessToken": "ory_at_ACCESS", "tokenType": "Bearer", "expiresIn": 3600,
                   "refreshToken": "ory_rt_REFRESH"})
        );
        let dump = format!("{t:?}");
        assert!(!dump.contains("ory_at_ACCESS") && !dump.contains("ory_rt_REFRESH"), "{dump}");
        let authorize = AuthorizeUrl { url: "https://x/oauth2/auth?state=s".into(), state: "s".into() };
        assert_eq!(
            serde_json::to_value(&authorize).unwrap(),
            json!({"url": "https://x/oauth2/auth?state=s", "state": "s"})
        );
    }

    #[test]
    fn device_authorizations_redact_the_device_code_and_feed_the_poll() {
        let auth: DeviceAuthorization = serde_json::from_value(json!({"baseUrl": "b", "clientId": "c",
            "deviceCode": "DEVICE_SECRET", "userCode": "BCDF-GHJK", "verificationUri": "https://x/device",
            "interval": 5, "expiresIn": 600}))
        .unwrap();
        assert!(!format!("{auth:?}").contains("DEVICE_SECRET"));
        let poll = DeviceTokenPoll::from(&auth);
        assert_eq!(poll.device_code.expose(), "DEVICE_SECRET");
        assert_eq!((poll.interval, poll.expires_in), (Some(5.0), Some(600.0)));
        assert!(!format!("{poll:?}").contains("DEVICE_SECRET"));
    }

    #[test]
    fn metadata_is_snake_case_and_keeps_extra() {
        let value = json!({
            "issuer": "http://127.0.0.1:4010",
            "authorization_endpoint": "http://127.0.0.1:4010/oauth2/auth",
            "token_endpoint": "http://127.0.0.1:4010/oauth2/token",
            "jwks_uri": "http://127.0.0.1:4010/.well-known/jwks.json",
            "grant_types_supported": ["client_credentials", "authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"]
        });
        let m: AuthServerMetadata = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(m.authorization_endpoint, "http://127.0.0.1:4010/oauth2/auth");
        assert_eq!(m.extra["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(serde_json::to_value(&m).unwrap(), value);
    }
}
