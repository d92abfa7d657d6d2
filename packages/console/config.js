// The console's configuration: which Kontext API origins it may talk to, and the settings the
// user picked (API origin, OAuth client id, scopes).
//
// The API origins are the operator's choice, never a link's: the ones listed in
// `<meta name="kontext-api-origins" content="https://api.kontext.security …">` in index.html,
// plus the console's own origin (the emulator serves the console next to its API). A link's
// `?origin=` may pick one of them; any other origin is refused and never stored, because the
// console sends the OAuth code, the PKCE verifier and every token to the origin it uses (an
// attacker's origin would get them: OAuth mix-up, RFC 9700 §4.4). The Content-Security-Policy's
// `connect-src` in index.html must list the same origins (the browser enforces that one).

const CONFIG_KEY = 'kontext-management.console.config';
const ORIGINS_META = 'kontext-api-origins';

/** `https://host[:port]` for an http(s) URL without credentials, else null. Plain http only on loopback. */
export function originOf(value) {
  let url;
  try {
    url = new URL(String(value ?? '').trim());
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === 'https:') return url.origin;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url.origin;
  return null;
}

function isLoopbackHost(host) {
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * The origins the operator configured, then the page's own: the only ones the console talks to.
 * Read from the document each time, so a test (or an operator) editing the tag is honoured.
 */
export function allowedOrigins() {
  const configured = [...document.querySelectorAll(`meta[name="${ORIGINS_META}"]`)]
    .flatMap((meta) => (meta.getAttribute('content') ?? '').split(/[\s,]+/))
    .filter(Boolean)
    .map(originOf)
    .filter(Boolean);
  // The page's own origin as it is (a file: page has none); the SDK itself refuses plain http
  // off loopback with a clear error.
  const own = /^https?:$/.test(location.protocol) ? [location.origin] : [];
  return [...new Set([...configured, ...own])];
}

/**
 * The allowed origin `value` names (an API base URL like `https://api.kontext.security/api/v1`
 * names its origin), or null when it names none of them.
 */
export function allowedOrigin(value) {
  const text = String(value ?? '').trim().replace(/\/+$/, '').replace(/\/api\/v\d+$/, '');
  // Only a bare origin (or the API's base URL): a path elsewhere means something else was meant.
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.pathname !== '/' || url.search || url.hash) return null;
  return allowedOrigins().includes(url.origin) ? url.origin : null;
}

/**
 * The configuration: a link's query (`?origin=…&clientId=…&scopes=…`, then remembered) when its
 * origin is allowed, else what was remembered, else the first allowed origin. A link naming
 * another origin is ignored entirely (nothing of it is stored) and reported in `refused`.
 */
export function loadConfig() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(CONFIG_KEY) ?? '{}') ?? {};
  } catch {
    saved = {};
  }
  // A remembered origin the operator no longer allows (or one stored by an older console that
  // trusted links) is dropped.
  if (saved.origin !== undefined && !allowedOrigin(saved.origin)) {
    delete saved.origin;
    localStorage.removeItem(CONFIG_KEY);
  }
  const q = new URLSearchParams(location.search);
  const fromQuery = {};
  let refused = null;
  if (q.get('origin')) {
    const origin = allowedOrigin(q.get('origin'));
    if (origin) fromQuery.origin = origin;
    else refused = q.get('origin');
  }
  if (!refused) {
    if (q.get('clientId')) fromQuery.clientId = q.get('clientId');
    if (q.has('scopes')) fromQuery.scopes = q.get('scopes');
  }
  const config = {
    origin: allowedOrigins()[0] ?? '',
    clientId: '',
    scopes: '',
    ...saved,
    ...fromQuery,
  };
  if (Object.keys(fromQuery).length) saveConfig(config);
  return { config, refused };
}

export function saveConfig(config) {
  const { origin, clientId, scopes } = config;
  // Belt and braces: only an allowed origin is ever written.
  if (!allowedOrigin(origin)) return;
  localStorage.setItem(CONFIG_KEY, JSON.stringify({ origin, clientId, scopes }));
}

/** The refusal shown for a link that named an origin the console is not configured for. */
export function refusalMessage(asked) {
  const shown = String(asked).length > 120 ? `${String(asked).slice(0, 120)}…` : String(asked);
  return (
    `This link asked the console to use the API at “${shown}”, which is not one of the API origins ` +
    `this console is configured for (${allowedOrigins().join(', ')}). The link was ignored and nothing ` +
    'was saved. If that API is yours, add it to the console’s configuration (index.html).'
  );
}
