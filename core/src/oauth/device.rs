//! The device authorization grant (RFC 8628; spec-2 §10.1, DECISIONS V16): sign-in for a device
//! without a browser of its own (a CLI over SSH). [`start_device_authorization`] asks for a
//! device code and a user code; the user approves the user code in a browser elsewhere while
//! [`poll_device_token`] polls the token endpoint until the answer is tokens, a refusal, or the
//! code's expiry.
//!
//! The polling rules are RFC 8628 §3.5's: wait `interval` (5 s when the server names none)
//! before each poll, add 5 s on each `slow_down`, stop on `access_denied`, `expired_token` or any
//! other error, and give up once `expires_in` (600 s when absent, inferred) has passed. The loop
//! is [`poll_loop`], written over an injected sleep and a poll function, so the timing is
//! unit-tested without waiting or a network.

use std::future::Future;
use std::time::Duration;

use http::Method;
use web_time::Instant;

use super::{discover, endpoint, require};
use crate::args::{At, Fields, FromArg};
use crate::auth::{oauth_error, request_token};
use crate::error::{Error, OAuthError, Result};
use crate::http::{Body, RequestOptions, RequestSpec, Resend};
use crate::models::{DeviceAuthorization, DeviceAuthorizationRequest, DeviceTokenPoll, UserTokens};
use crate::secret::Secret;

/// The device-code grant type (RFC 8628 §3.4).
const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The wait between polls when the server names none (RFC 8628 §3.2).
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// What each `slow_down` adds to the wait (RFC 8628 §3.5).
pub(crate) const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// How long a device code lives when the server does not say (inferred; RFC 8628 requires
/// `expires_in`, the vendor's helper ignores it).
pub(crate) const DEFAULT_EXPIRES_IN: Duration = Duration::from_secs(600);
/// Longest wait between polls the SDK accepts from anyone (a server asking an hour is capped).
const MAX_INTERVAL: Duration = Duration::from_secs(300);
/// Longest life of a device code the SDK polls for.
const MAX_EXPIRES_IN: Duration = Duration::from_secs(24 * 3600);
/// Scopes asked for when the caller names none (as for the PKCE flow, minus the refresh token,
/// which the vendor's device helper ignores).
const DEFAULT_DEVICE_SCOPES: &str = "management:all";

/// The device authorization response (RFC 8628 §3.2), snake case on the wire.
struct DeviceResponse {
    device_code: Option<Secret>,
    user_code: Option<String>,
    verification_uri: Option<String>,
    verification_uri_complete: Option<String>,
    interval: Option<serde_json::Number>,
    expires_in: Option<serde_json::Number>,
}

/// Read like the other models the SDK reads itself (`RawResponse::decode_fields`), written out
/// for the second spelling of one field.
impl FromArg for DeviceResponse {
    fn from_arg(value: serde_json::Value, at: At<'_>) -> Result<Self> {
        let mut fields = Fields::new(value, at)?;
        let mut out = Self::blank();
        fields.take(&mut out.device_code, "device_code");
        fields.take(&mut out.user_code, "user_code");
        fields.take(&mut out.verification_uri, "verification_uri");
        if out.verification_uri.is_none() {
            // Some servers (Google) spell it `verification_url`.
            fields.take(&mut out.verification_uri, "verification_url");
        }
        fields.take(&mut out.verification_uri_complete, "verification_uri_complete");
        fields.take(&mut out.interval, "interval");
        fields.take(&mut out.expires_in, "expires_in");
        fields.finish()?;
        Ok(out)
    }

    fn blank() -> Self {
        Self {
            device_code: None,
            user_code: None,
            verification_uri: None,
            verification_uri_complete: None,
            interval: None,
            expires_in: None,
        }
    }
}

/// Starts a device sign-in: `POST` to the discovered `device_authorization_endpoint` (else
/// `{origin}/oauth2/device/auth`) with `client_id` and `scope`. Show the user
/// `verificationUriComplete` (or `verificationUri` and `userCode`), then call
/// [`poll_device_token`] with the answer.
pub async fn start_device_authorization(request: &DeviceAuthorizationRequest) -> Result<DeviceAuthorization> {
    require("clientId", &request.client_id)?;
    let scope = match &request.scopes {
        Some(scopes) if !scopes.is_empty() => {
            if scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
                return Err(Error::invalid("scopes", "each scope must be non-empty and contain no spaces"));
            }
            scopes.join(" ")
        }
        _ => DEFAULT_DEVICE_SCOPES.to_owned(),
    };
    let metadata = discover(&request.base_url).await?;
    let (origin, transport) = endpoint(&request.base_url)?;
    // `discover` has checked an announced endpoint like the others (https, or loopback http).
    let url = match metadata.extra.get("device_authorization_endpoint").and_then(|v| v.as_str()) {
        Some(url) => url.to_owned(),
        None => format!("{origin}/oauth2/device/auth"),
    };
    let mut spec = RequestSpec::new(Method::POST, url, "/oauth2/device/auth");
    spec.body = Body::Form(vec![("client_id".to_owned(), request.client_id.clone()), ("scope".to_owned(), scope)]);
    // A second device code would be harmless, but a lost answer leaves the user with a code
    // nobody polls for: send once, let the caller start again.
    spec.resend = Resend::OnlyUnsent;
    let raw = match transport.execute(&spec, &RequestOptions::default(), None).await {
        Ok(raw) => raw,
        Err(Error::Api(api)) => return Err(oauth_error(&api)),
        Err(other) => return Err(other),
    };
    let answer: DeviceResponse = raw.decode_fields::<DeviceResponse>()?.into_inner();
    let missing = |field: &str| Error::Decode {
        status: 200,
        message: format!("the device authorization response has no {field}"),
        snippet: String::new(),
        request_id: None,
    };
    let device_code = answer.device_code.filter(|c| !c.expose().is_empty()).ok_or_else(|| missing("device_code"))?;
    let user_code = answer.user_code.filter(|c| !c.is_empty()).ok_or_else(|| missing("user_code"))?;
    let verification_uri =
        answer.verification_uri.filter(|c| !c.is_empty()).ok_or_else(|| missing("verification_uri"))?;
    Ok(DeviceAuthorization {
        base_url: request.base_url.clone(),
        client_id: request.client_id.clone(),
        device_code,
        user_code,
        verification_uri,
        verification_uri_complete: answer.verification_uri_complete.filter(|c| !c.is_empty()),
        interval: seconds(answer.interval.as_ref(), DEFAULT_INTERVAL, MAX_INTERVAL).as_secs_f64(),
        expires_in: seconds(answer.expires_in.as_ref(), DEFAULT_EXPIRES_IN, MAX_EXPIRES_IN).as_secs_f64(),
    })
}

/// A JSON number of seconds as a duration: `default` when absent, negative or not finite;
/// at most `max`. Fractions are kept (an emulator may ask for sub-second polls in tests).
fn seconds(value: Option<&serde_json::Number>, default: Duration, max: Duration) -> Duration {
    value.and_then(serde_json::Number::as_f64).map_or(default, |s| secs_or(s, default).min(max))
}

fn secs_or(value: f64, default: Duration) -> Duration {
    if value.is_finite() && value >= 0.0 { Duration::from_secs_f64(value) } else { default }
}

/// Polls the token endpoint for the device code of [`start_device_authorization`] until the
/// user approves (tokens), denies (`access_denied`), the code expires (`expired_token`), or
/// `expiresIn` has passed; every refusal is an [`Error::OAuth`] naming the OAuth error.
pub async fn poll_device_token(request: &DeviceTokenPoll) -> Result<UserTokens> {
    require("clientId", &request.client_id)?;
    require("deviceCode", request.device_code.expose())?;
    let timing = Timing::of(request)?;
    let metadata = discover(&request.base_url).await?;
    let (_, transport) = endpoint(&request.base_url)?;
    let poll = || {
        let form = vec![
            ("grant_type".to_owned(), GRANT_TYPE.to_owned()),
            ("device_code".to_owned(), request.device_code.expose().to_owned()),
            ("client_id".to_owned(), request.client_id.clone()),
        ];
        // A poll that succeeded spends the code: never re-sent once it may have arrived.
        let transport = &transport;
        let token_endpoint = metadata.token_endpoint.as_str();
        async move {
            let grant = request_token(transport, token_endpoint, form, None, Resend::OnlyUnsent).await?;
            Ok(UserTokens::from(grant))
        }
    };
    poll_loop(timing, crate::runtime::sleep, Instant::now, poll).await
}

/// The waits of one polling run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Timing {
    pub interval: Duration,
    pub expires_in: Duration,
}

impl Timing {
    fn of(request: &DeviceTokenPoll) -> Result<Timing> {
        let check = |argument: &str, value: Option<f64>, default: Duration, max: Duration| match value {
            None => Ok(default),
            Some(s) if s.is_finite() && s >= 0.0 => Ok(Duration::from_secs_f64(s).min(max)),
            Some(_) => Err(Error::invalid(argument, "must be a number of seconds, 0 or more")),
        };
        Ok(Timing {
            interval: check("interval", request.interval, DEFAULT_INTERVAL, MAX_INTERVAL)?,
            expires_in: check("expiresIn", request.expires_in, DEFAULT_EXPIRES_IN, MAX_EXPIRES_IN)?,
        })
    }
}

/// RFC 8628 §3.5 over an injected clock: wait, poll; `authorization_pending` → again,
/// `slow_down` → again with 5 s more; anything else ends the loop. Before each wait, a poll that
/// would come after the code's expiry is not made: the answer is an `expired_token` error
/// without a status (no response said so).
pub(crate) async fn poll_loop<T, S, SF, C, P, PF>(timing: Timing, mut sleep: S, now: C, mut poll: P) -> Result<T>
where
    S: FnMut(Duration) -> SF,
    SF: Future<Output = ()>,
    C: Fn() -> Instant,
    P: FnMut() -> PF,
    PF: Future<Output = Result<T>>,
{
    let started = now();
    let mut interval = timing.interval;
    loop {
        if now().saturating_duration_since(started) + interval > timing.expires_in {
            return Err(Error::OAuth(Box::new(OAuthError {
                status: None,
                error: "expired_token".to_owned(),
                description: Some(format!(
                    "the device code was not approved within its {} s: start the sign-in again",
                    timing.expires_in.as_secs_f64()
                )),
                request_id: None,
            })));
        }
        sleep(interval).await;
        match poll().await {
            Err(Error::OAuth(e)) if e.error == "authorization_pending" => {}
            Err(Error::OAuth(e)) if e.error == "slow_down" => interval += SLOW_DOWN_STEP,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    use super::*;

    fn oauth(error: &str) -> Error {
        Error::OAuth(Box::new(OAuthError {
            status: Some(400),
            error: error.to_owned(),
            description: None,
            request_id: None,
        }))
    }

    /// Runs the loop on a fake clock: each sleep moves it forward (and is recorded); each poll
    /// takes the next scripted answer.
    async fn run(timing: Timing, script: Vec<Result<&'static str>>) -> (Result<&'static str>, Vec<Duration>, usize) {
        let base = Instant::now();
        let clock = Cell::new(Duration::ZERO);
        let waits = RefCell::new(Vec::new());
        let script = RefCell::new(VecDeque::from(script));
        let polls = Cell::new(0);
        let result = poll_loop(
            timing,
            |d| {
                waits.borrow_mut().push(d);
                clock.set(clock.get() + d);
                std::future::ready(())
            },
            || base + clock.get(),
            || {
                polls.set(polls.get() + 1);
                std::future::ready(script.borrow_mut().pop_front().expect("polled past the script"))
            },
        )
        .await;
        (result, waits.into_inner(), polls.get())
    }

    const RFC: Timing = Timing { interval: DEFAULT_INTERVAL, expires_in: DEFAULT_EXPIRES_IN };

    #[tokio::test]
    async fn waits_the_interval_before_every_poll_including_the_first() {
        let (result, waits, polls) =
            run(RFC, vec![Err(oauth("authorization_pending")), Err(oauth("authorization_pending")), Ok("tokens")])
                .await;
        assert_eq!(result.unwrap(), "tokens");
        assert_eq!(waits, vec![Duration::from_secs(5); 3]);
        assert_eq!(polls, 3);
    }

    #[tokio::test]
    async fn slow_down_adds_five_seconds_for_good() {
        let script = vec![
            Err(oauth("slow_down")),
            Err(oauth("authorization_pending")),
            Err(oauth("slow_down")),
            Err(oauth("authorization_pending")),
            Ok("tokens"),
        ];
        let (result, waits, _) = run(RFC, script).await;
        assert_eq!(result.unwrap(), "tokens");
        let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, vec![5, 10, 10, 15, 15]);
    }

    #[tokio::test]
    async fn denial_expiry_and_other_errors_stop_at_once() {
        for error in ["access_denied", "expired_token", "invalid_grant", "invalid_client"] {
            let (result, _, polls) = run(RFC, vec![Err(oauth("authorization_pending")), Err(oauth(error))]).await;
            let e = result.unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::OAuth, "{error}");
            assert!(matches!(&e, Error::OAuth(o) if o.error == error && o.status == Some(400)), "{e}");
            assert_eq!(polls, 2, "{error}");
        }
        // Not an OAuth answer at all (a broken connection): no more polls either.
        let timeout = Error::timeout(Duration::from_secs(1));
        let (result, _, polls) = run(RFC, vec![Err(timeout)]).await;
        assert_eq!(result.unwrap_err().kind(), crate::ErrorKind::Timeout);
        assert_eq!(polls, 1);
    }

    #[tokio::test]
    async fn gives_up_once_the_code_has_expired_without_polling_past_it() {
        // 600 s at 5 s per poll: 120 polls, then the next one would come too late.
        let pending = (0..120).map(|_| Err(oauth("authorization_pending"))).collect();
        let (result, waits, polls) = run(RFC, pending).await;
        assert_eq!(polls, 120);
        assert_eq!(waits.iter().sum::<Duration>(), DEFAULT_EXPIRES_IN);
        let e = result.unwrap_err();
        assert!(matches!(&e, Error::OAuth(o) if o.error == "expired_token" && o.status.is_none()), "{e}");
        // A slow_down that pushes the next poll past the expiry ends it at once.
        let short = Timing { interval: Duration::from_millis(50), expires_in: Duration::from_secs(1) };
        let (result, _, polls) = run(short, vec![Err(oauth("slow_down"))]).await;
        assert_eq!(polls, 1);
        assert!(matches!(result.unwrap_err(), Error::OAuth(o) if o.error == "expired_token"));
    }

    #[test]
    fn timing_defaults_bounds_and_bad_values() {
        let poll = |interval, expires_in| DeviceTokenPoll {
            base_url: "http://127.0.0.1:9".into(),
            client_id: "app_1".into(),
            device_code: Secret::new("d"),
            interval,
            expires_in,
            ..Default::default()
        };
        assert_eq!(Timing::of(&poll(None, None)).unwrap(), RFC);
        let t = Timing::of(&poll(Some(0.05), Some(86_400.0 * 30.0))).unwrap();
        assert_eq!((t.interval, t.expires_in), (Duration::from_millis(50), MAX_EXPIRES_IN));
        for (interval, expires_in, argument) in [(Some(-1.0), None, "interval"), (None, Some(f64::NAN), "expiresIn")] {
            let e = Timing::of(&poll(interval, expires_in)).unwrap_err();
            assert_eq!(e.details().argument.as_deref(), Some(argument));
        }
        let n = |v: serde_json::Value| serde_json::from_value::<serde_json::Number>(v).unwrap();
        assert_eq!(seconds(None, DEFAULT_INTERVAL, MAX_INTERVAL), DEFAULT_INTERVAL);
        assert_eq!(seconds(Some(&n(serde_json::json!(-3))), DEFAULT_INTERVAL, MAX_INTERVAL), DEFAULT_INTERVAL);
        assert_eq!(
            seconds(Some(&n(serde_json::json!(0.25))), DEFAULT_INTERVAL, MAX_INTERVAL),
            Duration::from_millis(250)
        );
        assert_eq!(seconds(Some(&n(serde_json::json!(99_999))), DEFAULT_INTERVAL, MAX_INTERVAL), MAX_INTERVAL);
    }
}
