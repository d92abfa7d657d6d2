// Sign-in with Authorization Code + PKCE through the SDK's OAuth helpers (WASM engine).
//
// What is stored where:
// - the configuration (API origin, OAuth client id, scopes): localStorage — nothing secret; see
//   config.js for which API origins are allowed at all;
// - the PKCE verifier and `state`: sessionStorage, only between the redirect and the callback,
//   removed as soon as the callback is handled;
// - access and refresh tokens: this module's memory only. A reload signs you out.

import { buildAuthorizeUrl, createPkceChallenge, exchangeCode, refresh } from './sdk.js';
import { allowedOrigin } from './config.js';

const PENDING_KEY = 'kontext-management.console.pending';

/** The app's base URL (the folder of this module), e.g. `http://127.0.0.1:4010/console/`. */
export const appBase = new URL('./', import.meta.url);

/**
 * Where the authorization server sends the user back: the console's own address (the code and
 * state arrive in the query). Any static file server can host it; no server-side route needed.
 */
export const redirectUri = appBase.href;

function randomState() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
}

/** Starts the redirect to the authorization server. `returnTo` is the hash to come back to. */
export async function beginSignIn(config, returnTo) {
  const origin = allowedOrigin(config.origin);
  if (!origin) throw new SignInError(`The console is not configured to use the API at ${config.origin}.`);
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
  // `state` ties this answer to the request this tab sent (CSRF, RFC 6749 §10.12).
  if (typeof pending.state !== 'string' || !pending.state || q.get('state') !== pending.state) {
    throw new SignInError('The sign-in response does not match the request that was sent (state mismatch). Sign in again.');
  }
  // The origin may have been removed from the configuration since the sign-in started.
  if (!allowedOrigin(pending.origin)) {
    throw new SignInError(`The console is no longer configured to use the API at ${pending.origin}. Sign in again.`);
  }
  // RFC 9207: an authorization server that names itself must be the one the request went to
  // (a Kontext server's issuer is its origin). Anything else is an OAuth mix-up: the code must
  // not be sent anywhere.
  if (q.has('iss') && !sameIssuer(q.get('iss'), pending.origin)) {
    throw new SignInError(
      `The sign-in response came from another authorization server (${q.get('iss')}) than the one the request went to (${pending.origin}). ` +
        'It was refused and the code was not used. Sign in again.',
    );
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

/** Whether the `iss` of an authorization response names the server at `origin` (its issuer). */
function sameIssuer(iss, origin) {
  return String(iss).replace(/\/+$/, '') === origin;
}
