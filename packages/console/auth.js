// Sign-in with Authorization Code + PKCE through the SDK's OAuth helpers (WASM engine).
//
// What is stored where:
// - the configuration (API origin, OAuth client id, scopes): localStorage — nothing secret;
// - the PKCE verifier and `state`: sessionStorage, only between the redirect and the callback,
//   removed as soon as the callback is handled;
// - access and refresh tokens: this module's memory only. A reload signs you out.

import { buildAuthorizeUrl, createPkceChallenge, exchangeCode, refresh } from '@kontext/management';

const CONFIG_KEY = 'kontext.console.config';
const PENDING_KEY = 'kontext.console.pending';

/** The app's base URL (the folder of this module), e.g. `http://127.0.0.1:4010/console/`. */
export const appBase = new URL('./', import.meta.url);

/**
 * Where the authorization server sends the user back: the console's own address (the code and
 * state arrive in the query). Any static file server can host it; no server-side route needed.
 */
export const redirectUri = appBase.href;

/**
 * The configuration: URL query (`?origin=…&clientId=…&scopes=…`, then remembered), else what was
 * remembered, else the page's own origin (the emulator serves the console and the API together).
 */
export function loadConfig() {
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(CONFIG_KEY) ?? '{}') ?? {};
  } catch {
    saved = {};
  }
  const q = new URLSearchParams(location.search);
  const fromQuery = {};
  if (q.get('origin')) fromQuery.origin = q.get('origin');
  if (q.get('clientId')) fromQuery.clientId = q.get('clientId');
  if (q.has('scopes')) fromQuery.scopes = q.get('scopes');
  const config = {
    origin: location.origin,
    clientId: '',
    scopes: '',
    ...saved,
    ...fromQuery,
  };
  if (Object.keys(fromQuery).length) saveConfig(config);
  return config;
}

export function saveConfig(config) {
  const { origin, clientId, scopes } = config;
  localStorage.setItem(CONFIG_KEY, JSON.stringify({ origin, clientId, scopes }));
}

function randomState() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/** Starts the redirect to the authorization server. `returnTo` is the hash to come back to. */
export async function beginSignIn(config, returnTo) {
  const origin = normaliseOrigin(config.origin);
  const pkce = await createPkceChallenge();
  const scopes = String(config.scopes ?? '')
    .split(/[\s,]+/)
    .filter(Boolean);
  const { url, state } = await buildAuthorizeUrl({
    baseUrl: origin,
    clientId: config.clientId.trim(),
    redirectUri,
    codeChallenge: pkce.codeChallenge,
    state: randomState(),
    ...(scopes.length ? { scopes } : {}),
  });
  sessionStorage.setItem(
    PENDING_KEY,
    JSON.stringify({ state, codeVerifier: pkce.codeVerifier, origin, clientId: config.clientId.trim(), redirectUri, returnTo }),
  );
  location.assign(url);
}

/** Whether this page load is the authorization server's redirect back to us. */
export function isCallback() {
  const q = new URLSearchParams(location.search);
  return (q.has('code') || q.has('error')) && q.has('state');
}

export class SignInError extends Error {}

/**
 * Handles the callback: checks `state` against the stored one, exchanges the code (with the PKCE
 * verifier) and returns the session. Always clears the pending state and the query string.
 */
export async function completeSignIn() {
  const q = new URLSearchParams(location.search);
  let pending = null;
  try {
    pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  } catch {
    pending = null;
  }
  sessionStorage.removeItem(PENDING_KEY);
  const returnTo = pending?.returnTo || '#/applications';
  // The code must not stay in the address bar or the history.
  history.replaceState(null, '', new URL(returnTo, appBase).href);
  if (!pending) throw new SignInError('No sign-in was started in this tab (or it was already completed). Sign in again.');
  if (q.get('state') !== pending.state) {
    throw new SignInError('The sign-in response does not match the request that was sent (state mismatch). Sign in again.');
  }
  if (q.get('error')) {
    throw new SignInError(`The authorization server refused the sign-in: ${q.get('error')}${q.get('error_description') ? ` — ${q.get('error_description')}` : ''}.`);
  }
  const code = q.get('code');
  if (!code) throw new SignInError('The authorization server sent no code. Sign in again.');
  const tokens = await exchangeCode({
    baseUrl: pending.origin,
    clientId: pending.clientId,
    code,
    redirectUri: pending.redirectUri,
    codeVerifier: pending.codeVerifier,
  });
  return { ...sessionFrom(pending.origin, pending.clientId, tokens), returnTo };
}

function sessionFrom(origin, clientId, tokens) {
  return {
    origin,
    clientId,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken ?? null,
    scope: tokens.scope ?? null,
    expiresAt: tokens.expiresIn ? Date.now() + tokens.expiresIn * 1000 : null,
  };
}

/** New tokens for a session with a refresh token (the refresh token rotates). */
export async function refreshSession(session) {
  if (!session.refreshToken) return null;
  const tokens = await refresh({ baseUrl: session.origin, clientId: session.clientId, refreshToken: session.refreshToken });
  return sessionFrom(session.origin, session.clientId, tokens);
}

export function normaliseOrigin(origin) {
  const value = String(origin ?? '').trim() || location.origin;
  return value.replace(/\/+$/, '').replace(/\/api\/v\d+$/, '');
}
