// The console's shell: configuration, sign-in state, the SDK client, and a hash router over the
// views. Plain ES modules; the only dependency is the npm package's WASM engine.

import { KontextManagementClient, isUnauthorizedError } from './sdk.js';

import { SignInError, appBase, beginSignIn, completeSignIn, isCallback, redirectUri, refreshSession } from './auth.js';
import { allowedOrigin, allowedOrigins, loadConfig, refusalMessage, saveConfig } from './config.js';
import { SessionEnded, errorBox, field, h, loading, mount, toast } from './ui.js';
import * as applications from './views/applications.js';
import * as applicationDetail from './views/application.js';
import * as integrations from './views/integrations.js';
import * as sessions from './views/sessions.js';
import * as traces from './views/traces.js';

const ROUTES = [
  { pattern: /^\/applications\/([^/]+)$/, view: applicationDetail, nav: 'applications' },
  { pattern: /^\/applications$/, view: applications, nav: 'applications' },
  { pattern: /^\/integrations$/, view: integrations, nav: 'integrations' },
  { pattern: /^\/sessions$/, view: sessions, nav: 'sessions' },
  { pattern: /^\/traces$/, view: traces, nav: 'traces' },
];

const NAV = [
  { id: 'applications', label: 'Applications', href: '#/applications' },
  { id: 'integrations', label: 'Integrations', href: '#/integrations' },
  { id: 'sessions', label: 'Sessions', href: '#/sessions' },
  { id: 'traces', label: 'Traces', href: '#/traces' },
];

const loaded = loadConfig();

const state = {
  config: loaded.config,
  /** The origin a link asked for and the configuration refused (shown on the sign-in screen). */
  refusedOrigin: loaded.refused,
  /** `{origin, clientId, accessToken, refreshToken, expiresAt}` — in memory only. */
  session: null,
  client: null,
  renewing: null,
  /** Bumped on every render so late answers of a previous view are dropped. */
  generation: 0,
};

const root = document.getElementById('app');

function makeClient(session) {
  return new KontextManagementClient({
    baseUrl: session.origin,
    accessToken: session.accessToken,
    maxRetries: 3,
    timeoutMs: 30_000,
  });
}

function setSession(session) {
  state.session = session;
  state.client = session ? makeClient(session) : null;
}

/** One renewal at a time; resolves true when the session has a fresh access token. */
function renew() {
  state.renewing ??= (async () => {
    const current = state.session;
    if (!current?.refreshToken) return false;
    try {
      const next = await refreshSession(current);
      if (!next || state.session !== current) return false;
      setSession(next);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    state.renewing = null;
  });
  return state.renewing;
}

/**
 * Runs `fn(client)`. An expired or revoked access token is renewed once with the refresh token;
 * when that is impossible the user is sent to the sign-in screen (and `SessionEnded` thrown).
 */
async function call(fn) {
  if (!state.session) throw new SessionEnded();
  if (state.session.expiresAt && Date.now() > state.session.expiresAt - 15_000) await renew();
  const client = state.client;
  try {
    return await fn(client);
  } catch (error) {
    if (!isUnauthorizedError(error)) throw error;
    if (!state.session) throw new SessionEnded(error);
    // Another call may have renewed already.
    if (state.client !== client || (await renew())) {
      try {
        if (!state.client) throw new SessionEnded(error);
        return await fn(state.client);
      } catch (again) {
        if (!isUnauthorizedError(again)) throw again;
      }
    }
    endSession('Your session has expired. Sign in again to continue where you were.');
    throw new SessionEnded(error);
  }
}

function endSession(message) {
  if (!state.session) return;
  setSession(null);
  renderSignIn({ message, returnTo: location.hash || '#/applications' });
}

function signOut() {
  setSession(null);
  history.replaceState(null, '', appBase.href);
  renderSignIn({ message: 'You are signed out. Your access token was discarded.', tone: 'info' });
}

export function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/applications';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

// ---- sign-in screen -----------------------------------------------------------------------

/** Dialogs belong to the page that opened them. */
function closeDialogs() {
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
}

function renderSignIn({ message, tone = 'warn', error, returnTo } = {}) {
  state.generation += 1;
  closeDialogs();
  document.title = 'Sign in · Kontext admin console';
  const config = state.config;
  // Only the configured origins can be picked (config.js): never a free-form address.
  const origin = h(
    'select',
    { name: 'origin', required: true },
    allowedOrigins().map((o) => h('option', { value: o, selected: o === config.origin }, o)),
  );
  const clientId = h('input', { type: 'text', name: 'clientId', required: true, value: config.clientId, placeholder: 'app_…', autocomplete: 'off', spellcheck: 'false', class: 'mono' });
  const scopes = h('input', { type: 'text', name: 'scopes', value: config.scopes, placeholder: 'management:all', spellcheck: 'false' });
  const status = h('div', { class: 'signin-status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-large' }, 'Sign in with Kontext');
  const form = h(
    'form',
    {
      class: 'card signin-form',
      'aria-labelledby': 'signin-title',
      onsubmit: async (event) => {
        event.preventDefault();
        state.config = { origin: allowedOrigin(origin.value), clientId: clientId.value.trim(), scopes: scopes.value.trim() };
        saveConfig(state.config);
        submit.disabled = true;
        mount(status, loading('Redirecting to the sign-in page…'));
        try {
          await beginSignIn(state.config, returnTo ?? (location.hash || '#/applications'));
        } catch (err) {
          submit.disabled = false;
          mount(status, errorBox(err, { context: 'Could not start the sign-in' }));
        }
      },
    },
    h('h1', { id: 'signin-title' }, 'Sign in to Kontext'),
    h('p', { class: 'muted' }, 'Administer applications, integrations, agent sessions and traces of your organization.'),
    message ? h('p', { class: `notice notice-${tone}`, role: tone === 'warn' ? 'alert' : 'status' }, message) : null,
    error ? errorBox(error, { context: 'Sign-in failed' }) : null,
    field('API origin', origin, 'The Kontext APIs this console is configured for (index.html), and the console\'s own origin.'),
    field('OAuth client id', clientId, 'A public application whose redirect URIs include the address below.'),
    h(
      'details',
      { class: 'advanced' },
      h('summary', {}, 'Advanced'),
      field('Scopes (optional)', scopes, 'Space separated. Empty asks for the server default (management:all on the emulator).'),
    ),
    h('p', { class: 'hint' }, 'Redirect URI to register: ', h('code', { class: 'redirect-uri' }, redirectUri)),
    h('div', { class: 'form-actions' }, submit),
    status,
  );
  mount(
    root,
    h(
      'main',
      { id: 'main', class: 'signin', tabindex: '-1' },
      h('div', { class: 'brand brand-large', 'aria-hidden': 'true' }, h('span', { class: 'logo' }, 'K'), ' Kontext'),
      form,
      h('p', { class: 'muted small' }, 'Your access token stays in this tab\'s memory only; reloading the page signs you out.'),
    ),
  );
  (config.clientId ? submit : clientId).focus();
}

// ---- signed-in shell ----------------------------------------------------------------------

function shell(activeNav) {
  const nav = h(
    'nav',
    { class: 'nav', 'aria-label': 'Sections' },
    h(
      'ul',
      {},
      NAV.map((item) =>
        h('li', {}, h('a', { href: item.href, 'aria-current': item.id === activeNav ? 'page' : null }, item.label)),
      ),
    ),
  );
  const main = h('main', { id: 'main', class: 'content', tabindex: '-1' });
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: '#/applications' }, h('span', { class: 'logo', 'aria-hidden': 'true' }, 'K'), h('span', {}, 'Kontext console')),
    nav,
    h(
      'div',
      { class: 'account' },
      h('span', { class: 'origin muted', title: state.session.origin }, new URL(state.session.origin).host),
      h('button', { type: 'button', class: 'btn btn-small', id: 'sign-out', onclick: signOut }, 'Sign out'),
    ),
  );
  mount(root, header, main);
  return main;
}

let lastPath = null;

function render() {
  if (!state.session) return;
  const { path, query } = parseHash();
  const route = ROUTES.find((r) => r.pattern.test(path));
  if (!route) {
    navigate('#/applications');
    return;
  }
  const generation = ++state.generation;
  closeDialogs();
  const main = shell(route.nav);
  const params = path.match(route.pattern).slice(1).map(decodeURIComponent);
  const ctx = {
    call,
    navigate,
    query,
    params,
    config: state.config,
    session: () => state.session,
    /** False once another view was rendered: drop late answers. */
    alive: () => generation === state.generation,
    rerender: render,
  };
  try {
    route.view.render(main, ctx);
  } catch (error) {
    mount(main, errorBox(error, { context: 'This page failed' }));
  }
  if (lastPath !== path) main.focus({ preventScroll: true });
  lastPath = path;
}

window.addEventListener('hashchange', () => {
  if (state.session) render();
});

// Last-resort: a rejected promise nobody awaited still tells the user.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof SessionEnded) {
    event.preventDefault();
    return;
  }
  toast(`Unexpected error: ${event.reason?.message ?? event.reason}`, 'bad');
});

async function start() {
  if (isCallback()) {
    mount(root, h('main', { id: 'main', class: 'signin' }, loading('Completing the sign-in…')));
    try {
      const session = await completeSignIn();
      state.config = { ...state.config, origin: session.origin, clientId: session.clientId };
      saveConfig(state.config);
      setSession(session);
      render();
      toast('Signed in');
    } catch (error) {
      renderSignIn(error instanceof SignInError ? { message: error.message } : { error });
    }
    return;
  }
  if (state.refusedOrigin !== null) {
    renderSignIn({ message: refusalMessage(state.refusedOrigin) });
    return;
  }
  renderSignIn();
}

start();
