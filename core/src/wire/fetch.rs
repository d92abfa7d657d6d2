//! The wasm32 HTTP stack: the runtime's global `fetch` (browsers, workers, Node 18+, Deno, Bun).

use js_sys::wasm_bindgen::{JsCast, JsValue};
use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

use super::{WireRequest, WireResponse};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    /// Sent as `User-Agent` outside browsers (which keep their own; Chromium drops the header,
    /// and elsewhere it would only add to the CORS preflight).
    user_agent: Option<String>,
    /// Sent everywhere: the browser-visible way to name the SDK.
    client_header: String,
}

impl HttpClient {
    pub(crate) fn new(user_agent: &str) -> Result<Self> {
        Ok(Self { user_agent: (!in_browser()).then(|| user_agent.to_owned()), client_header: user_agent.to_owned() })
    }

    /// Sends the request and reads the whole body. Dropping the future (a timeout or the caller's
    /// `AbortSignal`) aborts the fetch; a finished one is left alone.
    pub(crate) async fn send(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        let headers = Headers::new().map_err(connection_error)?;
        let mut set = |name: &str, value: &str| {
            headers.set(name, value).map_err(|_| Error::invalid("headers", format!("{name:?} is not a valid header")))
        };
        if let Some(agent) = &self.user_agent {
            set("user-agent", agent)?;
        }
        set("x-kontext-client", &self.client_header)?;
        for (name, value) in request.headers {
            set(name, value)?;
        }
        if let Some(token) = request.bearer {
            headers
                .set("authorization", &format!("Bearer {token}"))
                .map_err(|_| Error::config("the access token contains characters not allowed in a header"))?;
        }
        let init = RequestInit::new();
        init.set_method(request.method.as_str());
        init.set_headers(&headers);
        if let Some(body) = request.body {
            init.set_body(&Uint8Array::from(body));
        }
        let abort = AbortOnDrop(AbortController::new().ok());
        if let Some(controller) = &abort.0 {
            init.set_signal(Some(&controller.signal()));
        }
        let response: Response =
            JsFuture::from(fetch(request.url, &init)?).await.and_then(JsCast::dyn_into).map_err(connection_error)?;
        let header = |name: &str| response.headers().get(name).ok().flatten();
        let (request_id, etag) = (header("x-request-id"), header("etag"));
        let (retry_after, retry_after_ms) = (header("retry-after"), header("retry-after-ms"));
        let text = response.text().map_err(connection_error)?;
        let body = JsFuture::from(text).await.map_err(connection_error)?.as_string().unwrap_or_default();
        abort.disarm();
        Ok(WireResponse {
            status: response.status(),
            request_id,
            etag,
            retry_after,
            retry_after_ms,
            body: body.into_bytes(),
        })
    }
}

/// `fetch(url, init)` through the global object, which every JS runtime has (a page's `window`,
/// a worker's `self`, Node's `globalThis`).
fn fetch(url: &str, init: &RequestInit) -> Result<Promise> {
    let global = js_sys::global();
    let fetch: Function = Reflect::get(&global, &"fetch".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| Error::config("this JavaScript runtime has no global fetch()"))?;
    fetch.call2(&global, &url.into(), init).map_err(connection_error)?.dyn_into().map_err(connection_error)
}

struct AbortOnDrop(Option<AbortController>);

impl AbortOnDrop {
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }
}

/// A rejected `fetch`: the message of the JS error and of its `cause` (Node: `fetch failed:
/// connect ECONNREFUSED 127.0.0.1:9`). `fetch` does not tell a refused connection from a reset
/// one, so nothing here counts as never sent.
fn connection_error(error: JsValue) -> Error {
    let message = |value: &JsValue| {
        value.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())).or_else(|| value.as_string())
    };
    let mut text = message(&error).unwrap_or_else(|| "fetch failed".to_owned());
    if let Some(cause) = Reflect::get(&error, &"cause".into()).ok().as_ref().and_then(message)
        && !cause.is_empty()
        && !text.contains(&cause)
    {
        text = format!("{text}: {cause}");
    }
    Error::Connection { message: text, not_sent: false }
}

/// Whether this runs in a browser (a page or a web worker): their `navigator.userAgent` starts
/// with `Mozilla/`; Node 21+, Deno, Bun and Cloudflare Workers name themselves, Node 20 has none.
fn in_browser() -> bool {
    let get = |target: &JsValue, key: &str| Reflect::get(target, &key.into()).ok();
    get(&js_sys::global(), "navigator")
        .filter(|navigator| navigator.is_object())
        .and_then(|navigator| get(&navigator, "userAgent"))
        .and_then(|agent| agent.as_string())
        .is_some_and(|agent| agent.starts_with("Mozilla/"))
}
