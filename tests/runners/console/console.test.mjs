// End-to-end tests of the admin console (packages/console) in Debian's headless Chromium,
// driven by playwright-core, against the emulator serving the console at /console/
// (`--console-dir packages/console`). Everything goes through the real UI: sign-in through the
// emulator's consent page, create, paginate, attach, rotate, revoke, archive, errors, 429s and
// expired tokens. Screenshots of every page at 1280 and 390 px land in test-artifacts/console/.
//
// Environment:
//   KONTEXT_EMULATOR_BIN  emulator binary (default target/debug/kontext-management-emulator)
//   CHROMIUM_PATH         browser (default /usr/bin/chromium)
//   CONSOLE_ARTIFACTS     screenshot folder (default test-artifacts/console)
//   CONSOLE_DIR           the console folder the emulator serves (default packages/console)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const artifacts = resolve(process.env.CONSOLE_ARTIFACTS || join(repoRoot, 'test-artifacts/console'));
const WIDTHS = [1280, 390];
const SEED = 42;
/** Per test (a busy 2-core CI machine is slow, but nothing here should ever hang). */
const LIMIT = { timeout: 180_000 };

let emulator;
let context;
let page;
let userDataDir;
let consoleUrl;
let clientId;
const pageErrors = [];
/** Content-Security-Policy violations the browser reported (the console must cause none). */
const cspViolations = [];
/** State the steps hand on to each other. */
const shared = {};

// ---- plumbing ---------------------------------------------------------------------------------

async function startEmulator() {
  const bin = process.env.KONTEXT_EMULATOR_BIN || join(repoRoot, 'target/debug/kontext-management-emulator');
  const child = spawn(bin, ['--port', '0', '--json', '--seed', String(SEED), '--console-dir', resolve(process.env.CONSOLE_DIR || join(repoRoot, 'packages/console'))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const failed = once(child, 'error').then(([e]) => {
    throw new Error(`could not start the emulator at ${bin} (set KONTEXT_EMULATOR_BIN): ${e.message}`);
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the emulator exited with code ${code} before printing its address`);
  });
  const first = once(createInterface({ input: child.stdout }), 'line').then(([line]) => JSON.parse(line));
  const info = await Promise.race([first, failed, exited]);
  failed.catch(() => {});
  exited.catch(() => {});
  return {
    ...info,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Plain HTTP to the emulator (control API, or the API itself with the dev service account). */
async function emu(method, path, body) {
  const res = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

let serviceToken;
async function mintServiceToken() {
  const res = await fetch(`${emulator.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'management:all' }),
  });
  return (await res.json()).access_token;
}

async function api(method, path, body) {
  for (let attempt = 0; ; attempt += 1) {
    serviceToken ??= await mintServiceToken();
    const res = await fetch(`${emulator.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${serviceToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    // The tests revoke every token now and then: mint a new one.
    if (res.status === 401 && attempt === 0) {
      serviceToken = undefined;
      continue;
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
}

async function requestLog(filter) {
  const { items } = await emu('GET', '/_emulator/requests');
  return items.filter(filter);
}

/** Screenshots at every width (full page, or the viewport when a dialog is open), then back to desktop. */
async function shot(name) {
  const dialog = (await page.locator('dialog[open]').count()) > 0;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(artifacts, `${name}-${width}.png`), fullPage: !dialog });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Every visible form control has an accessible name (label, aria-label or aria-labelledby). */
async function assertLabelled() {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
      .filter((el) => el.offsetParent !== null || el.closest('dialog[open]'))
      .filter((el) => {
        if (el.tagName === 'BUTTON') return !el.textContent.trim() && !el.getAttribute('aria-label');
        return !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'));
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabelled, [], 'every control needs a label');
}

async function go(hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

async function approveConsent() {
  await page.waitForURL(/\/oauth2\/auth/);
  await page.locator('#approve').click();
}

// ---- setup ------------------------------------------------------------------------------------

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  emulator = await startEmulator();
  // The console's OAuth client, exactly as `just console` registers it.
  const registered = await new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [join(repoRoot, 'packages/console/register.mjs'), '--origin', emulator.baseUrl, '--client-id', emulator.clientId, '--client-secret', emulator.clientSecret],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(out)) : reject(new Error(`register.mjs exited with ${code}`))));
  });
  consoleUrl = registered.consoleUrl;
  clientId = registered.clientId;
  userDataDir = mkdtempSync(join(tmpdir(), 'kontext-management-console-chromium-'));
  // A fresh profile every run; the flags TOOLCHAIN.md lists for Debian's chromium.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(20_000);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
}, LIMIT);

after(async () => {
  await context?.close().catch(() => {});
  await emulator?.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

// ---- the tests, in order (each builds on the state the previous ones left) ----------------------

test('the emulator serves the console and the SDK files', LIMIT, async () => {
  const index = await fetch(`${emulator.baseUrl}/console/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /text\/html/);
  const wasmEntry = await fetch(`${emulator.baseUrl}/console/npm/wasm.mjs`);
  assert.equal(wasmEntry.status, 200);
  assert.match(wasmEntry.headers.get('content-type'), /javascript/);
});

/** The console's own address (no query), e.g. http://127.0.0.1:PORT/console/. */
const appUrl = () => new URL('/console/', emulator.baseUrl).href;
const storedConfig = () => page.evaluate(() => localStorage.getItem('kontext-management.console.config') ?? '');

test('the console is served with its Content-Security-Policy and cannot be framed', LIMIT, async () => {
  const index = await fetch(appUrl());
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.equal(index.headers.get('x-frame-options'), 'DENY');

  // The browser enforces it: the console cannot reach an origin it was not configured for (a
  // loopback address that refuses connections, should the policy be missing), and says so.
  await page.goto(appUrl());
  await page.getByRole('heading', { name: 'Sign in to Kontext' }).waitFor();
  const outcome = await page.evaluate(() => fetch('http://127.0.0.2:9/').then(() => 'sent', (e) => String(e)));
  assert.match(outcome, /Failed to fetch/);
  for (let i = 0; i < 50 && cspViolations.length === 0; i += 1) await page.waitForTimeout(100);
  assert.match(cspViolations.join('\n'), /connect-src/, 'the refused connection is reported as a CSP violation');
  cspViolations.length = 0;
});

test('a link naming an API origin the console is not configured for is refused and never stored', LIMIT, async () => {
  await page.goto(appUrl());
  await page.evaluate(() => localStorage.clear());
  const evil = new URL(appUrl());
  evil.searchParams.set('origin', 'https://evil.example');
  evil.searchParams.set('clientId', 'app_from_the_link');
  await page.goto(evil.href);
  const refusal = page.getByRole('alert').filter({ hasText: 'not one of the API origins' });
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /https:\/\/evil\.example/);
  assert.doesNotMatch(await storedConfig(), /evil|app_from_the_link/, 'nothing of the link is stored');
  // Only the configured origins (here: the console's own) can be picked.
  const origins = await page.getByLabel('API origin').locator('option').evaluateAll((options) => options.map((o) => o.value));
  assert.deepEqual(origins, [emulator.baseUrl]);
  assert.notEqual(await page.getByLabel('OAuth client id').inputValue(), 'app_from_the_link');
  await shot('00-origin-refused');

  // A remembered origin that is no longer allowed (e.g. stored by an older console) is dropped.
  await page.evaluate(() =>
    localStorage.setItem('kontext-management.console.config', JSON.stringify({ origin: 'https://evil.example', clientId: 'x', scopes: '' })),
  );
  await page.goto(appUrl());
  await page.getByRole('heading', { name: 'Sign in to Kontext' }).waitFor();
  assert.equal(await page.getByLabel('API origin').inputValue(), emulator.baseUrl);
  assert.doesNotMatch(await storedConfig(), /evil/);
});

test('origins configured in index.html can be picked by a link, and are remembered', LIMIT, async () => {
  const configured = 'https://api.configured.example';
  // The operator's configuration: the <meta name="kontext-api-origins"> of index.html.
  const isIndex = (url) => url.pathname === '/console/';
  await page.route(isIndex, async (route) => {
    const response = await route.fetch();
    const original = await response.text();
    const html = original.replace('<meta name="kontext-api-origins" content="">', `<meta name="kontext-api-origins" content="${configured}">`);
    assert.notEqual(html, original, 'index.html has the kontext-api-origins <meta>');
    const headers = response.headers();
    delete headers['content-length'];
    await route.fulfill({ status: response.status(), headers, body: html });
  });
  try {
    const link = new URL(appUrl());
    link.searchParams.set('origin', `${configured}/api/v1`);
    link.searchParams.set('clientId', 'app_configured');
    await page.goto(link.href);
    await page.getByRole('heading', { name: 'Sign in to Kontext' }).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'not one of the API origins' }).count(), 0);
    assert.equal(await page.getByLabel('API origin').inputValue(), configured);
    const origins = await page.getByLabel('API origin').locator('option').evaluateAll((options) => options.map((o) => o.value));
    assert.deepEqual(origins, [configured, emulator.baseUrl]);
    assert.deepEqual(JSON.parse(await storedConfig()), { origin: configured, clientId: 'app_configured', scopes: '' });
  } finally {
    await page.unroute(isIndex);
    await page.evaluate(() => localStorage.clear());
  }
});

/** Starts a sign-in and stops on the consent page; returns the `state` the console sent. */
async function startSignInAndStop() {
  await page.goto(consoleUrl);
  await page.getByRole('button', { name: 'Sign in with Kontext' }).click();
  await page.waitForURL(/\/oauth2\/auth/);
  return new URL(page.url()).searchParams.get('state');
}

test('callback: an `iss` naming another authorization server is refused before the code is used (RFC 9207)', LIMIT, async () => {
  const state = await startSignInAndStop();
  await emu('DELETE', '/_emulator/requests');
  const callback = new URL(appUrl());
  callback.searchParams.set('code', 'ory_ac_stolen');
  callback.searchParams.set('state', state);
  callback.searchParams.set('iss', 'https://evil.example');
  await page.goto(callback.href);
  await page.getByRole('alert').filter({ hasText: 'came from another authorization server' }).waitFor();
  assert.doesNotMatch(page.url(), /code=|state=|iss=/);
  assert.equal((await requestLog((r) => r.path === '/oauth2/token')).length, 0, 'the code was not sent anywhere');
});

test('callback: a `state` that does not match the request is refused before the code is used', LIMIT, async () => {
  await startSignInAndStop();
  await emu('DELETE', '/_emulator/requests');
  const callback = new URL(appUrl());
  callback.searchParams.set('code', 'ory_ac_forged');
  callback.searchParams.set('state', 'not-the-state-that-was-sent');
  callback.searchParams.set('iss', emulator.baseUrl);
  await page.goto(callback.href);
  await page.getByRole('alert').filter({ hasText: 'state mismatch' }).waitFor();
  assert.equal((await requestLog((r) => r.path === '/oauth2/token')).length, 0, 'the code was not sent anywhere');
});

test('sign-in: Authorization Code + PKCE through the consent page, token in memory only', LIMIT, async () => {
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: 'Sign in to Kontext' }).waitFor();
  assert.equal(await page.getByLabel('OAuth client id').inputValue(), clientId);
  await assertLabelled();
  await shot('01-sign-in');

  await page.getByRole('button', { name: 'Sign in with Kontext' }).click();
  await page.waitForURL(/\/oauth2\/auth/);
  const authorize = new URL(page.url());
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(authorize.searchParams.get('code_challenge'));
  assert.ok(authorize.searchParams.get('state'));
  assert.equal(authorize.searchParams.get('client_id'), clientId);
  await shot('02-consent');
  await page.locator('#approve').click();

  await page.locator('#applications-table').waitFor();
  // The code and state are gone from the address bar; the PKCE verifier from sessionStorage.
  assert.doesNotMatch(page.url(), /code=|state=/);
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.doesNotMatch(storage, /ory_at_|ory_rt_|codeVerifier/, 'no token or verifier in web storage');
  // The SDK ran on its WASM engine.
  const wasmLoaded = await page.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('.wasm')));
  assert.ok(wasmLoaded, 'the .wasm engine was fetched');
  const exchanged = await requestLog((r) => r.path === '/oauth2/token' && r.method === 'POST' && r.status === 200);
  assert.ok(exchanged.length >= 1, 'the code was exchanged at the token endpoint');
});

test('applications: paginate with next/previous and page size', LIMIT, async () => {
  await page.getByLabel('Page size').selectOption('10');
  await page.locator('.pager-status', { hasText: 'Page 1' }).waitFor();
  assert.equal(await page.locator('#applications-table tbody tr').count(), 10);
  const firstOnPage1 = await page.locator('#applications-table tbody tr').first().getAttribute('data-id');
  assert.ok(await page.getByRole('button', { name: '← Previous' }).isDisabled());
  await assertLabelled();
  await shot('03-applications');

  await page.getByRole('button', { name: 'Next →' }).click();
  await page.locator('.pager-status', { hasText: 'Page 2' }).waitFor();
  assert.equal(await page.locator('#applications-table tbody tr').count(), 10);
  const firstOnPage2 = await page.locator('#applications-table tbody tr').first().getAttribute('data-id');
  assert.notEqual(firstOnPage2, firstOnPage1);
  await page.getByRole('button', { name: 'Next →' }).click();
  await page.locator('.pager-status', { hasText: 'Page 3' }).waitFor();

  await page.getByRole('button', { name: '← Previous' }).click();
  await page.locator('.pager-status', { hasText: 'Page 2' }).waitFor();
  assert.equal(await page.locator('#applications-table tbody tr').first().getAttribute('data-id'), firstOnPage2);
  await page.getByRole('button', { name: '← Previous' }).click();
  await page.locator('.pager-status', { hasText: 'Page 1' }).waitFor();
  assert.equal(await page.locator('#applications-table tbody tr').first().getAttribute('data-id'), firstOnPage1);

  const listed = await requestLog((r) => r.path === '/api/v1/applications' && r.method === 'GET' && /limit=10/.test(r.query ?? ''));
  assert.ok(listed.some((r) => /cursor=/.test(r.query ?? '')), 'pages after the first use the cursor');
});

test('applications: create (the secret is shown once, with a copy button)', LIMIT, async () => {
  const name = `E2E Agent ${Date.now()}`;
  shared.appName = name;
  // Keyboard only: focus the button and press Enter; the dialog focuses the first field.
  await page.locator('#new-application').focus();
  await page.keyboard.press('Enter');
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.name), 'name');
  await page.keyboard.type(name);
  await dialog.getByLabel('Description (optional)').fill('Created by the console end-to-end test');
  await dialog.getByLabel('Confidential').check();
  await dialog.getByLabel('Redirect URIs').fill('https://agent.example.com/oauth/callback\nhttp://127.0.0.1:8976/callback');
  await dialog.getByLabel('Scopes (optional)').fill('mcp:invoke');
  await assertLabelled();
  await shot('04-create-application');
  await dialog.getByRole('button', { name: 'Create application' }).click();

  const created = page.locator('#application-created');
  await created.waitFor();
  const secret = await created.locator('.secret-value').inputValue();
  assert.ok(secret.length > 10, 'the client secret is shown');
  shared.firstSecret = secret;
  await created.getByText('It is shown only once').waitFor();
  assert.ok(await created.getByRole('button', { name: 'Copy client secret' }).isVisible());
  shared.clientId = await page.locator('#created-client-id').textContent();
  assert.match(shared.clientId, /^app_/);
  await shot('05-application-created');

  await created.getByRole('button', { name: 'Open application' }).click();
  await page.locator('#oauth-settings').waitFor();
  assert.equal(await page.locator('#application-name').textContent(), name);
  shared.appId = new URL(page.url()).hash.split('/').pop();
  // The secret is nowhere on the application page: it was shown once.
  assert.doesNotMatch(await page.content(), new RegExp(secret));
});

test('applications: rename and edit the OAuth settings', LIMIT, async () => {
  const renamed = `${shared.appName} (renamed)`;
  await page.locator('#rename-form').getByLabel('Name').fill(renamed);
  await page.locator('#rename-form').getByRole('button', { name: 'Save' }).click();
  await page.locator('#application-name', { hasText: renamed }).waitFor();
  shared.appName = renamed;

  await page.getByRole('button', { name: 'Edit OAuth settings' }).click();
  const form = page.locator('#oauth-form');
  await form.getByLabel('Scopes').fill('mcp:invoke profile');
  await form.getByLabel('Allowed resources').fill('mcp-gateway');
  await assertLabelled();
  await form.getByRole('button', { name: 'Save OAuth settings' }).click();
  await page.locator('#oauth-settings', { hasText: 'profile' }).waitFor();
  const { body } = await api('GET', `/applications/${shared.appId}/oauth`);
  assert.deepEqual(body.oauth.scopes, ['mcp:invoke', 'profile']);
  assert.deepEqual(body.oauth.allowedResources, ['mcp-gateway']);
});

test('applications: attach and detach an integration', LIMIT, async () => {
  const select = page.getByLabel('Attach integration');
  await select.locator('option').nth(1).waitFor({ state: 'attached' });
  const value = await select.locator('option').nth(1).getAttribute('value');
  await select.selectOption(value);
  await page.locator('#attach-form').getByRole('button', { name: 'Attach' }).click();
  await page.locator(`#attached-integrations li[data-id="${value}"]`).waitFor();
  let { body } = await api('GET', `/applications/${shared.appId}/integrations`);
  assert.deepEqual(body.integrationIds, [value]);
  await shot('06-application');

  await page.locator(`#attached-integrations li[data-id="${value}"]`).getByRole('button', { name: /^Detach/ }).click();
  await page.locator('#attached-integrations-empty').waitFor();
  ({ body } = await api('GET', `/applications/${shared.appId}/integrations`));
  assert.deepEqual(body.integrationIds, []);
});

test('applications: rotate the secret after confirming', LIMIT, async () => {
  await page.locator('#rotate-secret').click();
  const confirm = page.locator('dialog[open]');
  await confirm.getByRole('heading', { name: 'Rotate the client secret?' }).waitFor();
  await shot('07-rotate-confirm');
  // Cancelling does nothing.
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  assert.equal((await requestLog((r) => r.path.endsWith('/rotate-secret'))).length, 0);

  await page.locator('#rotate-secret').click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Rotate secret' }).click();
  const rotated = page.locator('#rotated-secret');
  await rotated.waitFor();
  const secret = await rotated.locator('.secret-value').inputValue();
  assert.ok(secret.length > 10);
  assert.notEqual(secret, shared.firstSecret);
  await rotated.getByText('It is shown only once').waitFor();
  await rotated.getByRole('button', { name: 'Done' }).click();
  assert.equal((await requestLog((r) => r.path === `/api/v1/applications/${shared.appId}/rotate-secret` && r.status === 200)).length, 1);
});

test('integrations: list, create per auth mode, validate, attach to and detach from an application', LIMIT, async () => {
  await go('#/integrations');
  await page.locator('#integrations-table').waitFor();
  await assertLabelled();

  // Validate the first one: the result is shown.
  const firstRow = page.locator('#integrations-table tbody tr').first();
  await firstRow.getByRole('button', { name: /^Validate/ }).click();
  await firstRow.locator('.validation-result .badge', { hasText: /ok|failed/ }).waitFor();
  await firstRow.locator('.validation-result', { hasText: 'checked' }).waitFor();

  // Create one with a server token: the token field appears only for that mode.
  await page.locator('#new-integration').click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByLabel('Name').fill(`E2E Tools ${Date.now()}`);
  await dialog.getByLabel('MCP server URL').fill('https://mcp.e2e.example/mcp');
  assert.equal(await dialog.getByLabel('Token', { exact: true }).count(), 0);
  await dialog.getByLabel(/^OAuth/).check();
  await dialog.getByLabel('Provider').waitFor();
  await dialog.getByLabel(/^Server token/).check();
  await dialog.getByLabel('Token', { exact: true }).fill('srv-token-123456');
  await assertLabelled();
  await shot('08-create-integration');
  await dialog.getByRole('button', { name: 'Create integration' }).click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  const createdLog = await requestLog((r) => r.path === '/api/v1/integrations' && r.method === 'POST' && r.status === 201);
  assert.equal(createdLog.length, 1);
  await page.locator('#integrations-table').waitFor();
  await shot('09-integrations');

  // Attach the first integration to the test's application from here, then detach it.
  const integrationId = await firstRow.getAttribute('data-id');
  await firstRow.getByRole('button', { name: /^Attach/ }).click();
  const attach = page.locator('#attach-dialog');
  await attach.getByLabel('Application').selectOption({ label: shared.appName });
  await page.locator('#attach-integration').click();
  await page.locator('#detach-integration').waitFor();
  let { body } = await api('GET', `/applications/${shared.appId}/integrations`);
  assert.deepEqual(body.integrationIds, [integrationId]);
  await shot('10-attach-integration');
  await page.locator('#detach-integration').click();
  await page.locator('#attach-integration').waitFor();
  ({ body } = await api('GET', `/applications/${shared.appId}/integrations`));
  assert.deepEqual(body.integrationIds, []);
  // Attach again, to leave something for the access graph.
  await page.locator('#attach-integration').click();
  await page.locator('#detach-integration').waitFor();
  await attach.getByRole('button', { name: 'Close' }).click();
});

test('sessions: derived statuses, revoke all after confirming, the count is shown', LIMIT, async () => {
  // The seeded sessions belong to the first seeded application.
  const { body } = await api('GET', '/applications?limit=1');
  const seeded = body.items[0];
  assert.ok(seeded.sessions.live > 0);
  await go(`#/sessions?app=${seeded.id}`);
  await page.locator('#sessions-table').waitFor();
  await page.getByLabel('At most').selectOption('200');
  await page.getByLabel('Show', { exact: true }).selectOption('all');
  await page.locator('#sessions-table tbody tr').first().waitFor();
  const statuses = await page.locator('#sessions-table .badge').allTextContents();
  for (const s of ['active', 'idle', 'expired', 'disconnected']) assert.ok(statuses.includes(s), `a ${s} session is shown`);
  await page.getByLabel('At most').selectOption('25');
  await page.getByLabel('Show', { exact: true }).selectOption('active');
  await page.locator('#sessions-count', { hasText: 'Showing 25 sessions' }).waitFor();
  await assertLabelled();
  await shot('11-sessions');

  await page.locator('#revoke-all').click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Revoke all sessions' }).click();
  const result = page.locator('#revoke-result');
  await result.waitFor();
  const text = await result.textContent();
  const count = Number(text.match(/^([\d,]+) sessions? disconnected/)?.[1].replaceAll(',', ''));
  assert.ok(count >= seeded.sessions.live, `${text} (at least the ${seeded.sessions.live} live ones)`);
  await page.getByText('No live sessions for this application.').waitFor();
  await shot('12-sessions-revoked');
});

test('traces: stats for 1d / 7d / 30d with the SVG charts', LIMIT, async () => {
  await go('#/traces');
  await page.locator('#events-chart').waitFor();
  await page.locator('#latency-chart').waitFor();
  assert.ok((await page.locator('#events-chart rect.bar-fill').count()) >= 2);
  assert.equal(await page.locator('#latency-chart rect.bar-fill').count(), 3);
  assert.match(await page.locator('#events-chart').getAttribute('role'), /img/);
  await shot('13-traces');
  for (const [label, period] of [['24 hours', '1d'], ['30 days', '30d'], ['7 days', '7d']]) {
    await page.locator('.segmented label', { hasText: label }).click();
    await page.locator('#trace-stats[aria-busy]').waitFor({ state: 'detached' });
    await page.locator('#events-chart, #trace-stats .empty').first().waitFor();
    const asked = await requestLog((r) => r.path === '/api/v1/traces/stats' && (r.query ?? '').includes(`period=${period}`));
    assert.ok(asked.length >= 1, `stats for ${period} were requested`);
  }
  // Keyboard: arrow keys move between the periods of the radio group.
  await page.locator('#period-7d').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => location.hash === '#/traces?period=30d');
});

test('errors: an API error is shown in words with its request id, and can be retried', LIMIT, async () => {
  await emu('POST', '/_emulator/faults', {
    method: 'GET',
    path: '/api/v1/integrations',
    status: 404,
    body: { message: 'Injected by the console test', statusCode: 404 },
    times: 1,
  });
  await go('#/integrations');
  const box = page.locator('.error-box');
  await box.waitFor();
  assert.match(await box.textContent(), /It was not found/);
  assert.match(await box.textContent(), /Injected by the console test/);
  const requestId = await box.locator('.request-id').textContent();
  assert.match(requestId, /^req_[0-9a-f]+$/);
  const logged = await requestLog((r) => r.path === '/api/v1/integrations' && r.status === 404);
  assert.equal(logged.length, 1);
  await shot('14-error');
  await box.getByRole('button', { name: 'Try again' }).click();
  await page.locator('#integrations-table').waitFor();

  // A 5xx that outlasts the SDK's retries: also shown with a request id.
  await emu('POST', '/_emulator/faults', { method: 'GET', path: '/api/v1/traces', status: 503, body: { message: 'Down for the test', statusCode: 503 }, times: 10 });
  await go('#/traces');
  const down = page.locator('.error-box', { hasText: 'The server had a problem' });
  await down.waitFor();
  assert.match(await down.locator('.request-id').textContent(), /^req_/);
  await emu('DELETE', '/_emulator/faults');
});

test('429: the SDK retries after Retry-After and the page just loads', LIMIT, async () => {
  await go('#/applications');
  await page.locator('#applications-table').waitFor();
  await emu('DELETE', '/_emulator/requests');
  await emu('POST', '/_emulator/faults', {
    method: 'GET',
    path: '/api/v1/traces/stats',
    status: 429,
    headers: { 'retry-after': '1' },
    body: { message: 'Rate limit exceeded', statusCode: 429 },
    times: 1,
  });
  await go('#/traces');
  await page.locator('#events-chart').waitFor();
  assert.equal(await page.locator('.error-box').count(), 0);
  const stats = await requestLog((r) => r.path === '/api/v1/traces/stats');
  assert.deepEqual(stats.map((r) => r.status), [429, 200]);
});

test('expired token: renewed with the refresh token, else sign in again and come back', LIMIT, async () => {
  // Every access token dies: the console renews it with its refresh token, the page still works.
  await emu('POST', '/_emulator/tokens/revoke', {});
  await go('#/integrations');
  await page.locator('#integrations-table').waitFor();
  const refreshed = await requestLog((r) => r.path === '/oauth2/token' && r.status === 200);
  assert.ok(refreshed.length >= 1);

  // Now the refresh fails too: the console asks to sign in again, then returns to the page.
  await emu('POST', '/_emulator/tokens/revoke', {});
  await emu('POST', '/_emulator/faults', {
    method: 'POST',
    path: '/oauth2/token',
    status: 400,
    body: { error: 'invalid_grant', error_description: 'The refresh token expired' },
    times: 1,
  });
  await go('#/traces');
  await page.getByText('Your session has expired').waitFor();
  await shot('15-session-expired');
  await page.getByRole('button', { name: 'Sign in with Kontext' }).click();
  await approveConsent();
  await page.locator('#events-chart').waitFor();
  assert.match(page.url(), /#\/traces/);
});

test('applications: archive after confirming', LIMIT, async () => {
  await go(`#/applications/${shared.appId}`);
  await page.locator('#archive-application').click();
  const confirm = page.locator('dialog[open]');
  await confirm.getByRole('heading', { name: /^Archive/ }).waitFor();
  await shot('16-archive-confirm');
  await confirm.getByRole('button', { name: 'Archive application' }).click();
  await page.locator('#applications-table').waitFor();
  const { status, body } = await api('GET', `/applications/${shared.appId}`);
  assert.equal(status, 200);
  assert.ok(body.application.archivedAt, 'archived');
  // The archived application shows as such on its page, with the actions disabled.
  await go(`#/applications/${shared.appId}`);
  await page.locator('#application-name').waitFor();
  assert.ok(await page.locator('#archive-application').isDisabled());
  assert.ok(await page.locator('#rotate-secret').isDisabled());
});

test('sign out: the token is dropped and the API is no longer called', LIMIT, async () => {
  await page.locator('#sign-out').click();
  await page.getByText('You are signed out').waitFor();
  await emu('DELETE', '/_emulator/requests');
  await go('#/applications');
  await page.waitForTimeout(300);
  assert.equal((await requestLog((r) => r.path.startsWith('/api/'))).length, 0);
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  assert.deepEqual(cspViolations, [], 'the console works under its Content-Security-Policy');
});
