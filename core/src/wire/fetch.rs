//! The wasm32 HTTP stack: the runtime's global `fetch` (browsers, workers, Node 18+, Deno, Bun).
//!
//! One exchange is driven by a few lines of JavaScript ([`Exchange`] below, shipped by
//! wasm-bindgen as a snippet next to the generated glue): the headers, the `AbortController`, the
//! attempt's timeout timer, `fetch`, the response headers and the body all stay on the JS side,
//! and Rust crosses the boundary a handful of times per attempt instead of ~40 (each `Headers`
//! call, each `Reflect` lookup, a promise and two closures for the timer, one more for `text()`).
//!
//! As on the native stack, a redirect is never followed (`redirect: "manual"`; a browser then
//! hands back an `opaqueredirect` response with its status hidden) and a body is read only up
//! to `maxResponseBytes`: a `Content-Length` above it fails before reading, and a body of unknown
//! or encoded length is read chunk by chunk and cancelled once it passes the limit.

use js_sys::wasm_bindgen::prelude::wasm_bindgen;
use js_sys::wasm_bindgen::{JsCast, JsValue};
use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen_futures::JsFuture;

use super::{WireRequest, WireResponse};
use crate::error::{Error, Result};

#[wasm_bindgen(wasm_bindgen = js_sys::wasm_bindgen, inline_js = r#"
const SUCCESS_HEADERS = ['x-request-id', 'etag'];
const FAILURE_HEADERS = ['x-request-id', 'etag', 'retry-after', 'retry-after-ms', 'x-should-retry'];
const REDIRECT_HEADERS = ['x-request-id', 'location'];
const EMPTY = new Uint8Array(0);

// Deno's fetch silently sends a request again on a new connection when a reused one is closed
// before the answer (checked with a bare fetch: a server that drops a POST gets it twice; Node's
// and Bun's fetch report the error). For a POST or PATCH that could mint a second credential or
// spend a single-use grant twice, so those go out on a connection of their own, never reused.
let denoFreshConnections;
function freshConnections() {
  const deno = globalThis.Deno;
  if (typeof deno?.createHttpClient !== 'function') return undefined;
  return (denoFreshConnections ??= deno.createHttpClient({ poolMaxIdlePerHost: 0 }));
}

// The body of `response`, at most `limit` bytes; past that, what was read and `tooLarge` set.
async function readCapped(response, limit, exchange) {
  const reader = response.body?.getReader();
  if (reader === undefined) return EMPTY;
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limit) {
      exchange.tooLarge = true;
      reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    size += value.byteLength;
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

export class Exchange {
  // `headers`: names and values separated by "\n" (neither may contain one), set in order.
  constructor(method, url, headers, body, timeoutMs, maxBytes) {
    this.head = '';
    this.timedOut = false;
    this.tooLarge = false;
    this.timer = undefined;
    this.controller = undefined;
    this.promise = undefined;
    const fetch = globalThis.fetch;
    if (typeof fetch !== 'function') return;
    // A record, not a `Headers`: fetch copies it in one pass. Names are case-insensitive, and a
    // later header replaces an earlier one (`Headers.set`); no prototype, so any name is a key.
    const fields = Object.create(null);
    const parts = headers.split('\n');
    for (let i = 0; i + 1 < parts.length; i += 2) fields[parts[i].toLowerCase()] = parts[i + 1];
    // Never follow a redirect: a 307/308 would re-send the body (maybe a secret) elsewhere.
    const init = { method, headers: fields, redirect: 'manual' };
    // A copy: `body` is a view of the wasm memory, which may move while fetch reads it.
    if (body !== undefined) init.body = body.slice();
    if (method === 'POST' || method === 'PATCH') {
      const client = freshConnections();
      if (client !== undefined) init.client = client;
    }
    const controller = new AbortController();
    init.signal = controller.signal;
    this.controller = controller;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      controller.abort();
    }, timeoutMs);
    this.promise = fetch(url, init)
      .then((response) => {
        // The status, then the headers the SDK reads, in the request's `name\nvalue\n` form: one
        // string crosses into wasm instead of a call per field.
        const headers = response.headers;
        const status = response.status;
        const redirect = response.type === 'opaqueredirect' || (status >= 300 && status < 400 && status !== 304);
        let head = `${status}\n`;
        const names = response.ok ? SUCCESS_HEADERS : redirect ? REDIRECT_HEADERS : FAILURE_HEADERS;
        for (let i = 0; i < names.length; i++) {
          const value = headers.get(names[i]);
          if (value !== null) head += `${names[i]}\n${value}\n`;
        }
        this.head = head;
        const length = headers.get('content-length');
        if (redirect || (length !== null && Number(length) > maxBytes)) {
          this.tooLarge = !redirect;
          response.body?.cancel().catch(() => {});
          return EMPTY;
        }
        // A stated length bounds the body unless it is encoded (fetch decompresses): one read.
        // (A browser hides `content-encoding` cross-origin; the check after reading remains.)
        if (length !== null && headers.get('content-encoding') === null) return response.arrayBuffer();
        return readCapped(response, maxBytes, this);
      })
      .then(
        (buffer) => {
          clearTimeout(this.timer);
          const body = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
          if (body.byteLength > maxBytes) {
            this.tooLarge = true;
            return body.subarray(0, 512);
          }
          return body;
        },
        (error) => {
          clearTimeout(this.timer);
          if (this.timedOut) return undefined;
          throw error;
        },
      );
  }
  abort() {
    clearTimeout(this.timer);
    this.controller?.abort();
  }
}
"#)]
extern "C" {
    /// One `fetch` with its timeout, started by the constructor.
    type Exchange;
    #[wasm_bindgen(constructor, catch)]
    fn new(
        method: &str,
        url: &str,
        headers: &str,
        body: Option<&[u8]>,
        timeout_ms: f64,
        max_bytes: f64,
    ) -> Result<Exchange, JsValue>;
    /// Resolves with the body (a `Uint8Array`), or `undefined` when the timeout aborted the
    /// exchange; `undefined` itself when the runtime has no global `fetch`.
    #[wasm_bindgen(method, getter)]
    fn promise(this: &Exchange) -> Option<Promise>;
    /// The status and the response headers the SDK reads, as `status\n` then `name\nvalue\n`
    /// for each one present (header values never hold a line feed).
    #[wasm_bindgen(method, getter)]
    fn head(this: &Exchange) -> String;
    /// Whether the body passed the size limit: the promise then resolved with its start.
    #[wasm_bindgen(method, getter, js_name = tooLarge)]
    fn too_large(this: &Exchange) -> bool;
    /// Clears the timer and aborts the `fetch` (and the body being read).
    #[wasm_bindgen(method)]
    fn abort(this: &Exchange);
}

#[derive(Debug, Clone)]
pub(crate) struct HttpClient {
    /// The headers every request starts with, in the `name\nvalue\n` form [`Exchange`] takes:
    /// `x-kontext-client` everywhere (the browser-visible way to name the SDK) and, outside
    /// browsers, `user-agent` (browsers keep their own; Chromium drops the header, and elsewhere
    /// it would only add to the CORS preflight). `Err(name)`: that header's value cannot be sent,
    /// which every request reports (as `Headers.set` refusing it did).
    fixed_headers: std::result::Result<String, &'static str>,
    max_response_bytes: u64,
}

impl HttpClient {
    /// The same client, reading at most `limit` bytes of a response body.
    pub(crate) fn with_max_response_bytes(self, limit: u64) -> Self {
        Self { max_response_bytes: limit, ..self }
    }

    /// `fetch` has no pool of ours to separate.
    pub(crate) fn with_own_connections(&self, _user_agent: &str) -> Result<Self> {
        Ok(self.clone())
    }

    pub(crate) fn new(user_agent: &str) -> Result<Self> {
        let mut headers = String::new();
        let browser = in_browser();
        let fixed_headers = (if browser { Ok(()) } else { push_header(&mut headers, "user-agent", user_agent) })
            .map_err(|()| "user-agent")
            .and_then(|()| push_header(&mut headers, "x-kontext-client", user_agent).map_err(|()| "x-kontext-client"))
            .map(|()| headers);
        Ok(Self { fixed_headers, max_response_bytes: crate::config::DEFAULT_MAX_RESPONSE_BYTES })
    }

    /// Sends the request and reads the whole body within `request.timeout`. Dropping the future
    /// (the caller's `AbortSignal`) aborts the fetch; a finished one is left alone.
    pub(crate) async fn send(&self, request: WireRequest<'_>) -> Result<WireResponse> {
        let fixed = self.fixed_headers.as_deref().map_err(|name| invalid_header(name))?;
        let mut headers = String::with_capacity(fixed.len() + 256);
        headers.push_str(fixed);
        for (name, value) in request.headers {
            push_header(&mut headers, name, value).map_err(|()| invalid_header(name))?;
        }
        if let Some(token) = request.bearer {
            let mut value = String::with_capacity(7 + token.len());
            value.push_str("Bearer ");
            value.push_str(token);
            push_header(&mut headers, "authorization", &value)
                .map_err(|_| Error::config("the access token contains characters not allowed in a header"))?;
        }
        // setTimeout takes a signed 32-bit delay (longer ones fire at once); ~24.8 days is "forever".
        let timeout_ms = request.timeout.as_millis().min(i32::MAX as u128) as f64;
        // Throws only where `fetch` itself throws instead of rejecting (the header checks above
        // are those of `fetch`).
        // Exact up to 2^53, past any memory a JS runtime has.
        let max_bytes = self.max_response_bytes as f64;
        let exchange =
            Exchange::new(request.method.as_str(), request.url, &headers, request.body, timeout_ms, max_bytes)
                .map_err(connection_error)?;
        let Some(promise) = exchange.promise() else {
            return Err(Error::config("this JavaScript runtime has no global fetch()"));
        };
        let exchange = AbortOnDrop(Some(exchange));
        let outcome = JsFuture::from(promise).await;
        let Some(exchange) = exchange.disarm() else {
            unreachable!("armed until here");
        };
        let body = outcome.map_err(connection_error)?;
        if body.is_undefined() {
            return Err(Error::timeout(request.timeout));
        }
        let (mut response, location) = read_head(&exchange.head());
        let body = body.unchecked_into::<Uint8Array>().to_vec();
        // Status 0: a browser's `opaqueredirect`, whose status it hides.
        if response.status == 0 || super::is_redirect(response.status) {
            return Err(super::redirect_error(response.status, location.as_deref(), response.request_id));
        }
        if exchange.too_large() {
            return Err(super::too_large(response.status, self.max_response_bytes, &body, response.request_id));
        }
        response.body = without_bom(body);
        Ok(response)
    }
}

/// The response (without its body) from [`Exchange`]'s `head`, and the `Location` of a redirect.
fn read_head(head: &str) -> (WireResponse, Option<String>) {
    let mut lines = head.split('\n');
    let status = lines.next().and_then(|status| status.parse().ok()).unwrap_or(0);
    let mut response = WireResponse {
        status,
        request_id: None,
        etag: None,
        retry_after: None,
        retry_after_ms: None,
        should_retry: None,
        body: Vec::new(),
    };
    let mut location = None;
    while let (Some(name), Some(value)) = (lines.next(), lines.next()) {
        let field = match name {
            "x-request-id" => &mut response.request_id,
            "etag" => &mut response.etag,
            "retry-after" => &mut response.retry_after,
            "retry-after-ms" => &mut response.retry_after_ms,
            "x-should-retry" => &mut response.should_retry,
            "location" => &mut location,
            _ => continue,
        };
        *field = Some(value.to_owned());
    }
    (response, location)
}

fn invalid_header(name: &str) -> Error {
    Error::invalid("headers", format!("{name:?} is not a valid header"))
}

/// Appends `name\nvalue\n`, refusing what `Headers.set` refuses: a name that is not an HTTP
/// token, a value with NUL, CR or LF or a character beyond U+00FF (a ByteString). Neither can
/// then hold the separator.
///
/// On bytes (every request checks its bearer token here): in UTF-8, a character beyond U+00FF is
/// exactly one whose first byte is 0xC4 or more (continuation bytes are 0x80-0xBF, and U+0080 to
/// U+00FF start with 0xC2 or 0xC3).
fn push_header(out: &mut String, name: &str, value: &str) -> std::result::Result<(), ()> {
    let bad_value = |b: u8| matches!(b, b'\0' | b'\n' | b'\r') || b >= 0xC4;
    if name.is_empty() || name.bytes().any(|b| !is_token_byte(b)) || value.bytes().any(bad_value) {
        return Err(());
    }
    out.push_str(name);
    out.push('\n');
    out.push_str(value);
    out.push('\n');
    Ok(())
}

/// RFC 9110 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The body without a leading UTF-8 byte-order mark, which `Response.text()` drops too. Whether
/// the rest is UTF-8 is checked where it is decoded, as for the native stacks.
fn without_bom(mut body: Vec<u8>) -> Vec<u8> {
    if body.starts_with(b"\xEF\xBB\xBF") {
        body.drain(..3);
    }
    body
}

struct AbortOnDrop(Option<Exchange>);

impl AbortOnDrop {
    fn disarm(mut self) -> Option<Exchange> {
        self.0.take()
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(exchange) = self.0.take() {
            exchange.abort();
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
    Error::connection(text, false)
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
