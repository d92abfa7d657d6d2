#!/usr/bin/env node
// Registers the console's OAuth client: a public application (PKCE, no secret) whose redirect
// URI is the console's address. Idempotent: an existing application of that name gets the
// redirect URI added instead. Uses a service account (client credentials), e.g. the emulator's
// development account.
//
//   node packages/console/register.mjs --origin http://127.0.0.1:4010 \
//     --console-url http://127.0.0.1:4010/console/ [--client-id sa_local_dev --client-secret local-dev-secret]
//
// Prints one JSON line: {"clientId", "applicationId", "redirectUri", "consoleUrl"} where
// consoleUrl opens the console with the origin and client id filled in.

import { parseArgs } from 'node:util';

const NAME = 'Kontext admin console';

const { values } = parseArgs({
  options: {
    origin: { type: 'string', default: process.env.KONTEXT_BASE_URL },
    'console-url': { type: 'string' },
    'client-id': { type: 'string', default: process.env.KONTEXT_CLIENT_ID ?? 'sa_local_dev' },
    'client-secret': { type: 'string', default: process.env.KONTEXT_CLIENT_SECRET ?? 'local-dev-secret' },
    name: { type: 'string', default: NAME },
  },
});

function fail(message) {
  console.error(`register: ${message}`);
  process.exit(1);
}

if (!values.origin) fail('--origin (or KONTEXT_BASE_URL) is required');
const origin = values.origin.replace(/\/+$/, '');
const consoleUrl = new URL(values['console-url'] ?? `${origin}/console/`);
consoleUrl.search = '';
consoleUrl.hash = '';
const redirectUri = consoleUrl.href;

async function token() {
  const basic = Buffer.from(`${encodeURIComponent(values['client-id'])}:${encodeURIComponent(values['client-secret'])}`).toString('base64');
  const res = await fetch(`${origin}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'management:all' }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) fail(`token request failed (${res.status}): ${body.error_description ?? body.error ?? ''}`);
  return body.access_token;
}

async function api(accessToken, method, path, body) {
  const res = await fetch(`${origin}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  if (!res.ok) fail(`${method} ${path} failed (${res.status}, request id ${res.headers.get('x-request-id')}): ${json?.message ?? text}`);
  return json;
}

const accessToken = await token();

let existing = null;
let cursor;
do {
  const page = await api(accessToken, 'GET', `/applications?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  existing = page.items.find((a) => a.name === values.name) ?? null;
  cursor = existing ? undefined : page.nextCursor;
} while (cursor);

let applicationId;
let clientId;
if (existing) {
  const { oauth } = await api(accessToken, 'GET', `/applications/${existing.id}/oauth`);
  if (oauth.type !== 'public' || !oauth.redirectUris.includes(redirectUri)) {
    await api(accessToken, 'PATCH', `/applications/${existing.id}/oauth`, {
      type: 'public',
      pkceRequired: true,
      redirectUris: [...new Set([...oauth.redirectUris, redirectUri])],
    });
  }
  applicationId = existing.id;
  clientId = oauth.clientId;
} else {
  const created = await api(accessToken, 'POST', '/applications', {
    name: values.name,
    description: 'The browser admin console (packages/console): signs administrators in with Authorization Code + PKCE.',
    oauth: { type: 'public', redirectUris: [redirectUri], pkceRequired: true },
  });
  applicationId = created.application.id;
  clientId = created.oauth.clientId;
}

const open = new URL(consoleUrl);
open.searchParams.set('origin', origin);
open.searchParams.set('clientId', clientId);
console.log(JSON.stringify({ clientId, applicationId, redirectUri, consoleUrl: open.href }));
