// Unit tests of the JS layer over a live engine: error classes and guards, lazy listAll,
// cancellation, option validation, secrets. Engine-agnostic except the panic hook (native only).

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { format, inspect } from 'node:util';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';

import { engineName, loadPackage, packageDir, startEmulator } from './harness.mjs';
import { emulatorControl } from './scenario-engine.mjs';

let emulator;
let control;
let api;
const SECRET_MARK = 'zz-top-secret-zz';

before(async () => {
  [emulator, api] = await Promise.all([startEmulator(), loadPackage()]);
  control = emulatorControl(emulator.baseUrl);
});
after(() => emulator?.stop());
beforeEach(() => control.reset());

const client = (extra = {}) =>
  new api.KontextManagementClient({
    baseUrl: emulator.baseUrl,
    credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    ...extra,
  });

const requests = async (method, path) =>
  (await control.requests()).filter((r) => r.method === method && (!path || r.path === path));

const UNKNOWN_ID = '6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11';

test('the package exports every value index.d.ts declares', async () => {
  const declared = [
    ...readFileSync(join(packageDir, 'index.d.ts'), 'utf8').matchAll(
      /^export declare (?:class|function|const) (\w+)/gm,
    ),
  ];
  assert.ok(declared.length > 20);
  for (const [, name] of declared)
    assert.notEqual(api[name], undefined, `${name} is exported by the ${engineName} entry`);
});

describe('errors', () => {
  test('an API error becomes its HttpError subclass with code, status and request id', async () => {
    const error = await client()
      .applications.get(UNKNOWN_ID)
      .catch((e) => e);
    assert.ok(error instanceof api.NotFoundError);
    assert.ok(error instanceof api.HttpError);
    assert.ok(error instanceof api.KontextError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'NotFoundError');
    assert.equal(error.kind, 'not_found');
    assert.equal(error.code, 'kontext_not_found');
    assert.equal(error.statusCode, 404);
    assert.match(error.requestId, /^req_/);
    assert.equal(error.docsUrl, 'https://docs.kontext.security/errors/kontext_not_found');
    assert.ok(api.isKontextError(error));
    assert.ok(!api.isNetworkError(error));
    assert.ok(!api.isUnauthorizedError(error));
    assert.deepEqual(JSON.parse(JSON.stringify(error)).kind, 'not_found');
  });

  test('invalid input is a ValidationError naming the argument, and nothing is sent', async () => {
    const error = await client()
      .applications.get('not-a-uuid')
      .catch((e) => e);
    assert.ok(error instanceof api.ValidationError);
    assert.equal(error.kind, 'invalid_input');
    assert.equal(error.code, 'kontext_invalid_argument');
    assert.equal(error.argument, 'id');
    assert.equal((await control.requests()).length, 0);
  });

  test('refused credentials are an OAuthError that counts as unauthorized', async () => {
    const error = await client({ credentials: { clientId: emulator.clientId, clientSecret: SECRET_MARK } })
      .applications.list()
      .catch((e) => e);
    assert.ok(error instanceof api.OAuthError, String(error));
    assert.equal(error.errorCode, 'invalid_client');
    assert.equal(error.statusCode, 401);
    assert.ok(api.isUnauthorizedError(error));
    assert.ok(!inspect(error).includes(SECRET_MARK) && !JSON.stringify(error).includes(SECRET_MARK));
  });

  test('a closed port is a NetworkError; a slow answer a TimeoutError, also a network error', async () => {
    const refused = await client({ baseUrl: 'http://127.0.0.1:9', maxRetries: 0 })
      .applications.list()
      .catch((e) => e);
    assert.ok(refused instanceof api.NetworkError);
    assert.equal(refused.code, 'kontext_network_error');
    assert.ok(api.isNetworkError(refused));

    await control.expectOk('POST', '/_emulator/faults', {
      path: '/api/v1/applications',
      action: 'delay',
      delayMs: 2000,
    });
    const slow = await client({ maxRetries: 0 })
      .applications.list(undefined, { timeoutMs: 200 })
      .catch((e) => e);
    assert.ok(slow instanceof api.TimeoutError);
    assert.ok(slow instanceof api.NetworkError);
    assert.ok(api.isNetworkError(slow));
    assert.equal(slow.code, 'kontext_timeout');
  });

  test('guards accept errors from another copy of the package and reject everything else', () => {
    const foreign = Object.assign(new Error('x'), { kind: 'not_found' });
    Object.defineProperty(foreign, Symbol.for('kontext-management.KontextError'), { value: true });
    assert.ok(api.isKontextError(foreign));
    for (const value of [new Error('x'), null, undefined, 'kontext_not_found', { kind: 'not_found' }]) {
      assert.ok(!api.isKontextError(value));
      assert.ok(!api.isNetworkError(value));
      assert.ok(!api.isUnauthorizedError(value));
    }
    const made = new api.RateLimitError('slow down', {
      kind: 'rate_limited',
      code: 'kontext_rate_limited',
      status: 429,
      retryAfter: 3,
    });
    assert.equal(made.name, 'RateLimitError');
    assert.equal(made.retryAfter, 3);
    assert.ok(made instanceof api.HttpError);
    assert.equal(made.outcomeUnknown, false);
  });

  test('a 428 is a PreconditionRequiredError; a write that timed out says its outcome is unknown', async () => {
    await control.expectOk('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/api/v1/applications',
      status: 428,
      body: { message: 'If-Match required', statusCode: 428 },
      times: 1,
    });
    const mgmt = client({ maxRetries: 0 });
    const required = await mgmt.applications.create({ name: 'needs-a-tag' }).catch((e) => e);
    assert.ok(required instanceof api.PreconditionRequiredError, String(required));
    assert.equal(required.code, 'kontext_precondition_required');
    assert.equal(required.outcomeUnknown, false);

    await control.expectOk('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/api/v1/applications',
      action: 'delay',
      delayMs: 1000,
      times: 1,
    });
    const slow = await mgmt.applications.create({ name: 'slow-mint' }, { timeoutMs: 200 }).catch((e) => e);
    assert.ok(slow instanceof api.TimeoutError, String(slow));
    assert.equal(slow.outcomeUnknown, true);
    assert.equal(JSON.parse(JSON.stringify(slow)).outcomeUnknown, true);
  });
});

describe('listAll', () => {
  test('fetches nothing until iterated, then one page at a time', async () => {
    await control.expectOk('POST', '/_emulator/seed', { applications: 250 });
    const mgmt = client();
    await mgmt.refreshToken();
    await control.clearRequests();

    const all = mgmt.applications.listAll({ limit: 100 });
    assert.equal((await requests('GET')).length, 0, 'listAll() alone sends nothing');
    const iterator = all[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    assert.equal((await requests('GET', '/api/v1/applications')).length, 1, 'the first item needs one page');
    await iterator.return();

    const pages = [];
    for await (const page of all.pages()) pages.push(page.length);
    assert.deepEqual(pages, [100, 100, 50]);

    let count = 0;
    for await (const app of all) {
      assert.equal(typeof app.id, 'string');
      count += 1;
    }
    assert.equal(count, 250, 'each for-await starts a fresh walk');
  });

  test('errors surface on iteration, typed', async () => {
    const all = client().applications.listAll({ limit: 500 });
    await assert.rejects(
      all[Symbol.asyncIterator]().next(),
      (e) => e instanceof api.ValidationError && e.argument === 'limit',
    );
  });
});

describe('cancellation', () => {
  test('aborting rejects promptly with AbortError while the server is still delaying', async () => {
    const mgmt = client({ maxRetries: 0 });
    await mgmt.refreshToken();
    await control.expectOk('POST', '/_emulator/faults', {
      path: '/api/v1/applications',
      action: 'delay',
      delayMs: 3000,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = await mgmt.applications.list(undefined, { signal: controller.signal }).catch((e) => e);
    const elapsed = performance.now() - started;
    assert.ok(error instanceof api.AbortError, String(error));
    assert.equal(error.name, 'AbortError');
    assert.equal(error.kind, 'aborted');
    assert.equal(error.cause, controller.signal.reason);
    assert.ok(elapsed < 1000, `rejected after ${Math.round(elapsed)} ms`);
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0, 'the listener is removed');
    await mgmt.applications.list(undefined, { timeoutMs: 10_000 });
  });

  test('aborting drops the request in Rust: the connection closes and nothing is written', async () => {
    const mgmt = client({ maxRetries: 0 });
    await mgmt.refreshToken();
    await control.expectOk('POST', '/_emulator/faults', {
      method: 'POST',
      path: '/api/v1/applications',
      action: 'delay',
      delayMs: 1000,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(
      mgmt.applications.create({ name: 'aborted-app' }, { signal: controller.signal }),
      api.AbortError,
    );
    await new Promise((r) => setTimeout(r, 1500));
    // Had the future lived on, the delayed request would have completed and created the app;
    // the emulator drops a request whose client hung up, and logs it without a status.
    const [create] = await requests('POST', '/api/v1/applications');
    assert.equal(create.status, null);
    assert.deepEqual((await mgmt.applications.list()).items, []);
  });

  test('an already aborted signal sends nothing', async () => {
    const error = await client()
      .applications.list(undefined, { signal: AbortSignal.abort() })
      .catch((e) => e);
    assert.ok(error instanceof api.AbortError);
    assert.equal((await control.requests()).length, 0);
  });

  test('a signal reused across calls keeps no listeners behind', async () => {
    const mgmt = client();
    const controller = new AbortController();
    for (let i = 0; i < 20; i += 1) await mgmt.applications.list({ limit: 1 }, { signal: controller.signal });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  });

  test('aborting a listAll page stops the iteration with AbortError', async () => {
    await control.expectOk('POST', '/_emulator/seed', { applications: 5 });
    const mgmt = client({ maxRetries: 0 });
    await mgmt.refreshToken();
    await control.expectOk('POST', '/_emulator/faults', {
      path: '/api/v1/applications',
      action: 'delay',
      delayMs: 3000,
      skip: 1,
    });
    const controller = new AbortController();
    const seen = [];
    const started = performance.now();
    const error = await (async () => {
      for await (const app of mgmt.applications.listAll({ limit: 2 }, { signal: controller.signal })) {
        seen.push(app.id);
        if (seen.length === 2) setTimeout(() => controller.abort(), 100);
      }
    })().catch((e) => e);
    assert.ok(error instanceof api.AbortError, String(error));
    assert.equal(seen.length, 2);
    assert.ok(performance.now() - started < 1500);
  });

  test('OAuth helpers take a signal too', async () => {
    const error = await api.oauth.createPkceChallenge({ signal: AbortSignal.abort() }).catch((e) => e);
    assert.ok(error instanceof api.AbortError);
  });
});

describe('options', () => {
  const badConfigs = {
    'no credentials': { baseUrl: 'https://api.kontext.security' },
    'both credentials and accessToken': {
      baseUrl: 'https://x.example',
      accessToken: 't',
      credentials: { clientId: 'a', clientSecret: 'b' },
    },
    'timeoutMs 0': { baseUrl: 'https://x.example', accessToken: 't', timeoutMs: 0 },
    'timeoutMs NaN': { baseUrl: 'https://x.example', accessToken: 't', timeoutMs: Number.NaN },
    'negative maxRetries': { baseUrl: 'https://x.example', accessToken: 't', maxRetries: -1 },
    'too many retries': { baseUrl: 'https://x.example', accessToken: 't', maxRetries: 99 },
    'unknown key': { baseUrl: 'https://x.example', accessToken: 't', retries: 3 },
    'clear-text http': { baseUrl: 'http://api.example', accessToken: 't' },
    'not an object': 'https://api.kontext.security',
  };
  for (const [name, config] of Object.entries(badConfigs)) {
    test(`bad client config is a ConfigError: ${name}`, () => {
      assert.throws(
        () => new api.KontextManagementClient(config),
        (e) => e instanceof api.ConfigError && e.kind === 'config',
      );
    });
  }

  const badCallOptions = {
    'timeoutMs 0': [{ timeoutMs: 0 }, 'timeoutMs'],
    'timeoutMs Infinity': [{ timeoutMs: Number.POSITIVE_INFINITY }, 'timeoutMs'],
    'reserved header': [{ headers: { Authorization: 'Bearer x' } }, 'headers'],
    'a signal that is not one': [{ signal: { aborted: false } }, 'signal'],
    'options that are not an object': ['fast', 'options'],
    'unknown option': [{ retries: 1 }, 'options'],
  };
  for (const [name, [options, argument]] of Object.entries(badCallOptions)) {
    test(`bad call options are a ValidationError: ${name}`, async () => {
      const error = await client()
        .applications.list(undefined, options)
        .catch((e) => e);
      assert.ok(error instanceof api.ValidationError, String(error));
      assert.equal(error.argument, argument);
    });
  }

  test('withOptions applies defaults to every call and shares the token cache', async () => {
    const base = client();
    await base.applications.list();
    const strict = base.withOptions({ maxRetries: 0, headers: { 'x-team': 'blue' } });
    await control.expectOk('POST', '/_emulator/faults', { path: '/api/v1/applications', status: 503, times: 1 });
    await assert.rejects(strict.applications.list(), api.InternalServerError);
    await strict.applications.list();
    await base.applications.list();
    assert.equal((await requests('POST', '/oauth2/token')).length, 1);
    const tagged = (await requests('GET', '/api/v1/applications')).filter((r) => r.headers['x-team'] === 'blue');
    assert.equal(tagged.length, 2);
    assert.throws(() => base.withOptions({ signal: AbortSignal.abort() }), api.ValidationError);
  });

  test('clearToken and refreshToken control the token cache', async () => {
    const mgmt = client();
    await mgmt.applications.list();
    await mgmt.clearToken();
    await mgmt.applications.list();
    await mgmt.refreshToken();
    assert.equal((await requests('POST', '/oauth2/token')).length, 3);
  });

  test('the user agent names the SDK, the engine and the runtime', () => {
    assert.match(client().userAgent, /kontext-management-rust\/\S+ kontext-management-(node|wasm)\//);
  });
});

describe('secrets', () => {
  test('a client never prints or serializes its credentials or token', () => {
    for (const mgmt of [
      client({ credentials: { clientId: 'sa_x', clientSecret: SECRET_MARK } }),
      client({ credentials: undefined, accessToken: SECRET_MARK }),
    ]) {
      const renderings = [
        String(mgmt),
        `${mgmt}`,
        JSON.stringify(mgmt),
        inspect(mgmt, { showHidden: true, depth: 10 }),
        JSON.stringify(Object.getOwnPropertyNames(mgmt)),
        inspect(mgmt.withOptions({ maxRetries: 1 }), { showHidden: true, depth: 10 }),
      ];
      for (const text of renderings) assert.ok(!text.includes(SECRET_MARK), text);
    }
  });

  /** What `console.log(...values)` prints. */
  const logged = (...values) => {
    let out = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        out += chunk;
        done();
      },
    });
    new Console({ stdout: sink, stderr: sink, colorMode: false }).log(...values);
    return out;
  };

  test('results print their secrets as [redacted] (as Python reprs do) and still hold them', async () => {
    const mgmt = client();
    const created = await mgmt.serviceAccounts.create({ name: 'redaction' });
    const app = await mgmt.applications.create({
      name: 'redaction app',
      oauth: { type: 'confidential', redirectUris: ['https://app.example/cb'] },
    });
    const pkce = await api.createPkceChallenge();
    const secrets = [created.credentials.clientSecret, app.oauth.clientSecret, pkce.codeVerifier];
    for (const secret of secrets) assert.ok(typeof secret === 'string' && secret.length >= 16, 'the value reads as before');

    for (const value of [created, app, pkce, { nested: [app] }]) {
      const renderings = [
        JSON.stringify(value),
        JSON.stringify(value, null, 2),
        inspect(value),
        inspect(value, { depth: Infinity, showHidden: true }),
        format('%o %O %j %s', value, value, value, value),
        logged(value),
        logged('created:', value),
      ];
      for (const text of renderings) {
        for (const secret of secrets) assert.ok(!text.includes(secret), `a secret printed: ${text}`);
        // Shown as "[redacted]", unless inspect's depth limit hid the object altogether.
        if (!text.includes('[Object]')) assert.match(text, /\[redacted\]/);
      }
    }
    assert.match(inspect(pkce), /codeChallenge: '[\w-]{43}'/, 'the rest prints as before');
    assert.equal(JSON.parse(JSON.stringify(app)).application.id, app.application.id);

    // Drop-in compatible: the same fields, enumerable, with their values.
    assert.ok(Object.keys(created.credentials).includes('clientSecret'));
    assert.deepEqual(created.credentials, { clientId: created.credentials.clientId, clientSecret: secrets[0] });
    assert.equal({ ...app.oauth }.clientSecret, secrets[1]);
    assert.equal(structuredClone(app).oauth.clientSecret, secrets[1]);
    // A result given back to the SDK carries its real values: these credentials mint a token.
    const asAccount = new api.KontextManagementClient({ baseUrl: emulator.baseUrl, credentials: created.credentials });
    await asAccount.refreshToken();
    assert.equal((await requests('POST', '/oauth2/token')).at(-1).status, 200);
  });

  test('a misplaced secret does not reach the error message', () => {
    for (const config of [
      { baseUrl: 'https://x.example', credentials: SECRET_MARK },
      { baseUrl: 'https://x.example', credentials: { clientId: 'a', clientSecret: ['nested', SECRET_MARK] } },
    ]) {
      const error = (() => {
        try {
          return new api.KontextManagementClient(config);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(error instanceof api.ConfigError);
      assert.ok(!`${error.message} ${inspect(error)}`.includes(SECRET_MARK), error.message);
    }
  });
});

describe('logging', () => {
  // The native engine queues records to the JS thread, so they may land just after the call.
  const settle = async (records, done) => {
    for (let i = 0; i < 100 && !done(records); i++) await new Promise((r) => setTimeout(r, 10));
    return records;
  };
  const capture = () => {
    const records = [];
    const push = (level) => (message, fields) => records.push({ level, message, fields });
    return { records, logger: { debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') } };
  };
  const responses = (records) => records.filter((r) => r.message === '[kontext_management] response');
  const fault = (rule) => control.expectOk('POST', '/_emulator/faults', rule);

  test('a logger gets every response with its request id, retries and renewals, and never a secret', async () => {
    const { records, logger } = capture();
    const mgmt = client({ logger, logLevel: 'debug' });
    const created = await mgmt.applications.create({ name: 'logged', oauth: { redirectUris: ['https://app.example/cb'] } });
    await fault({ method: 'GET', path: '/api/v1/applications', status: 503, times: 1 });
    await mgmt.applications.list();
    await fault({ method: 'GET', path: '/api/v1/applications', status: 401, times: 1 });
    await mgmt.applications.list();
    for await (const app of mgmt.applications.listAll({ limit: 1 })) assert.ok(app.id);
    await settle(records, (r) => responses(r).length >= 7);
    const seen = responses(records);
    assert.ok(seen.length >= 7, JSON.stringify(records));
    for (const { level, fields } of seen) {
      assert.equal(level, 'debug');
      assert.match(fields.requestId, /^req_/);
      assert.equal(typeof fields.status, 'number');
    }
    assert.ok(seen.some((r) => r.fields.method === 'POST' && r.fields.path === '/applications'));
    assert.ok(records.some((r) => r.message.startsWith('[kontext_management] retrying after') && r.fields.retry === 1));
    assert.ok(records.some((r) => r.message.includes('401: renewing the token')));
    const text = JSON.stringify(records);
    for (const secret of [emulator.clientSecret, created.oauth.clientSecret, 'Bearer ', 'Basic ']) {
      assert.ok(secret && !text.includes(secret), `${secret} in ${text}`);
    }
  });

  test("each client's records go to its own logger", async () => {
    const [first, second] = [capture(), capture()];
    const [a, b] = [client({ logger: first.logger, logLevel: 'debug' }), client({ logger: second.logger, logLevel: 'debug' })];
    const quiet = client();
    await Promise.all([a.applications.list(), b.serviceAccounts.list(), quiet.traces.list(), a.withOptions({}).events.list()]);
    await settle(first.records, (r) => responses(r).length >= 3);
    await settle(second.records, (r) => responses(r).length >= 2);
    const paths = (records) => responses(records).map((r) => r.fields.path);
    assert.deepEqual(paths(first.records).sort(), ['/applications', '/mcp-events', '/oauth2/token']);
    assert.deepEqual(paths(second.records).sort(), ['/oauth2/token', '/service-accounts']);
  });

  test('the level: warn by default, KONTEXT_LOG, off; bad options are ConfigErrors', async () => {
    const byDefault = capture();
    const off = capture();
    await client({ logger: byDefault.logger }).applications.list();
    await client({ logger: off.logger, logLevel: 'off' }).applications.list();
    const fromEnv = capture();
    process.env.KONTEXT_LOG = 'debug';
    try {
      await client({ logger: fromEnv.logger }).applications.list();
    } finally {
      delete process.env.KONTEXT_LOG;
    }
    await settle(fromEnv.records, (r) => responses(r).length >= 2);
    assert.equal(responses(fromEnv.records).length, 2);
    assert.deepEqual([byDefault.records, off.records], [[], []]);
    assert.throws(() => client({ logLevel: 'verbose' }), (e) => e instanceof api.ConfigError && /logLevel/.test(e.message));
    assert.throws(() => client({ logger: 'console' }), (e) => e instanceof api.ConfigError && /logger/.test(e.message));
  });

  test('a logger that throws, or lacks a method, does not disturb the call', async () => {
    let calls = 0;
    const throwing = {
      debug: () => {
        calls++;
        throw new Error('broken logger');
      },
    };
    assert.equal((await client({ logger: throwing, logLevel: 'debug' }).applications.list()).items.length, 0);
    await client({ logger: { error() {} }, logLevel: 'debug' }).applications.list();
    await settle(null, () => calls >= 2);
    assert.equal(calls, 2);
  });
});

describe('engine robustness', { skip: engineName !== 'native' && 'native engine only' }, () => {
  // Security review M6: credentials for a loopback API never go to a proxy (in clear text), while
  // every other host goes through the proxy the environment names.
  test('with proxy variables set, loopback requests go direct and other hosts through the proxy', async () => {
    const { createServer } = await import('node:http');
    const seen = [];
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    // HTTPS through a proxy is a CONNECT tunnel: refused here, so nothing leaves the machine.
    proxy.on('connect', (req, socket) => {
      seen.push(`CONNECT ${req.url}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
    process.env.HTTP_PROXY = proxyUrl;
    process.env.HTTPS_PROXY = proxyUrl;
    try {
      assert.equal((await client().applications.list()).items.length, 0);
      assert.deepEqual(seen, [], 'no loopback request went to the proxy');
      const remote = new api.KontextManagementClient({
        baseUrl: 'https://api.kontext.test',
        credentials: { clientId: 'sa_test', clientSecret: 'not-sent-in-clear' },
        maxRetries: 0,
      });
      await assert.rejects(remote.applications.list(), (e) => api.isNetworkError(e));
      assert.deepEqual(seen, ['CONNECT api.kontext.test:443']);
    } finally {
      delete process.env.HTTP_PROXY;
      delete process.env.HTTPS_PROXY;
      proxy.close();
    }
  });

  const binding = () => createRequire(import.meta.url)(join(packageDir, 'native/engine.cjs')).binding;

  test('a panic in Rust rejects or throws an internal error; Node lives on', async () => {
    process.env.KONTEXT_NODE_TEST_HOOKS = '1';
    try {
      await assert.rejects(binding().__panicForTests(false), (e) => e.kind === 'internal' && /panic/.test(e.message));
      assert.throws(() => binding().__panicForTests(true), /panic/);
    } finally {
      delete process.env.KONTEXT_NODE_TEST_HOOKS;
    }
    assert.throws(() => binding().__panicForTests(false), /disabled/);
    await client().applications.list();
  });
});

describe('threads', () => {
  test('clients in worker threads run on their own loops, beside the main thread, and let workers end', async () => {
    const { Worker } = await import('node:worker_threads');
    const entry = pathToFileURL(join(packageDir, engineName === 'native' ? 'index.node.mjs' : 'wasm.mjs')).href;
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.entry).then(async (api) => {
        const client = new api.KontextManagementClient(workerData.options);
        const created = await client.applications.create({ name: 'from-' + workerData.n });
        const got = await client.applications.get(created.application.id);
        parentPort.postMessage(got.application.name);
      });`;
    const options = {
      baseUrl: emulator.baseUrl,
      credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    };
    const run = (n) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(source, { eval: true, workerData: { entry, options, n } });
        let name;
        worker.on('message', (m) => (name = m));
        worker.on('error', reject);
        // The worker exits by itself once its calls are done: idle connections keep no loop alive.
        worker.on('exit', (code) => (code === 0 ? resolve(name) : reject(new Error(`worker exited with ${code}`))));
      });
    const [a, b, main] = await Promise.all([run(1), run(2), client().applications.list()]);
    assert.deepEqual([a, b], ['from-1', 'from-2']);
    assert.ok(main.items.length >= 0);
    assert.equal((await client().applications.list()).items.length, 2);
  });
});
