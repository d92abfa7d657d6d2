// Checks of the WebAssembly engine that the shared scenarios cannot express (cancellation timing,
// panics, initialisation, the user agent), run in Node (node-checks.mjs) and in the Chromium page
// (browser.mjs) alike. Plain ES module without Node imports: the package (`api`, the wasm.mjs
// entry) and the raw wasm-bindgen module (`raw`, for the panic test hook) are passed in.
//
//   const results = await runEngineChecks({ api, raw, target: { baseUrl, clientId, clientSecret } });
//   // → [{ name, ok, error? }]

import { emulatorControl } from '../node/scenario-engine.mjs';

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, got a result');
}

const describe = (error) => `${error?.name} kind=${error?.kind} code=${error?.code}: ${error?.message}`;

export async function runEngineChecks({ api, raw, target }) {
  const control = emulatorControl(target.baseUrl);
  const client = (options = {}) =>
    new api.KontextManagementClient({
      baseUrl: target.baseUrl,
      credentials: { clientId: target.clientId, clientSecret: target.clientSecret },
      ...options,
    });
  const apiRequests = async (method, path) =>
    (await control.requests()).filter((r) => r.method === method && r.path === path);

  const checks = {
    'init() resolves and is idempotent': async () => {
      await api.init();
      await Promise.all([api.init(), api.init()]);
    },

    'the user agent names the core, the wasm engine and the runtime': () => {
      const agent = client({ userAgent: 'my-app/1.0' }).userAgent;
      assert(/^kontext-management-rust\/\S+ kontext-management-wasm\/\S+ (node\/v\S+|browser|\S+\/\S+) my-app\/1\.0$/.test(agent), agent);
    },

    'errors cross as data (kind, code, status, requestId)': async () => {
      const error = await rejection(client().applications.get('6f0f1c1e-3a51-4a9e-9d0f-2f1f6f0a9c11'));
      assert(error instanceof api.NotFoundError, describe(error));
      assert(error.statusCode === 404 && error.code === 'kontext_not_found', describe(error));
      assert(/^req_/.test(error.requestId ?? ''), `requestId ${error.requestId}`);
    },

    'an AbortSignal cancels a request in flight at once': async () => {
      await control.expectOk('POST', '/_emulator/faults', {
        method: 'GET',
        path: '/api/v1/applications',
        action: 'delay',
        delayMs: 3000,
      });
      const mgmt = client({ maxRetries: 0 });
      await mgmt.refreshToken();
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 150);
      const error = await rejection(mgmt.applications.list(undefined, { signal: controller.signal }));
      const elapsed = Date.now() - started;
      assert(error?.name === 'AbortError', describe(error));
      assert(elapsed < 1500, `rejected after ${elapsed} ms, not right after the abort`);
      const items = await mgmt.applications.list();
      assert(Array.isArray(items.items), 'the client works after an abort');
    },

    // `fetch` sends header values as Latin-1 (a ByteString); the engine refuses the rest itself,
    // byte by byte on the UTF-8 text (core/src/wire/fetch.rs, `push_header`), before any request.
    'an access token fetch cannot send is refused before any request': async () => {
      await control.clearRequests();
      for (const token of ['tok_\u0100', 'tok_\u{1F511}', 'tok_a\nb', 'tok_\0']) {
        const error = await rejection(
          new api.KontextManagementClient({ baseUrl: target.baseUrl, accessToken: token }).applications.list(),
        );
        assert(error?.kind === 'config' && /access token/.test(error.message), `${JSON.stringify(token)}: ${describe(error)}`);
      }
      assert((await control.requests()).length === 0, 'a request was sent');
    },

    'an already aborted signal sends nothing': async () => {
      await control.clearRequests();
      const error = await rejection(client().applications.list(undefined, { signal: AbortSignal.abort() }));
      assert(error?.name === 'AbortError', describe(error));
      assert((await control.requests()).length === 0, 'a request was sent');
    },

    'a timeout fires on a JS timer and the request is not retried past its budget': async () => {
      await control.expectOk('POST', '/_emulator/faults', {
        method: 'GET',
        path: '/api/v1/applications',
        action: 'delay',
        delayMs: 3000,
        times: 5,
      });
      const mgmt = client({ maxRetries: 0, timeoutMs: 300 });
      await mgmt.refreshToken();
      const started = Date.now();
      const error = await rejection(mgmt.applications.list());
      const elapsed = Date.now() - started;
      assert(error instanceof api.TimeoutError && error.code === 'kontext_timeout', describe(error));
      assert(elapsed >= 250 && elapsed < 2000, `timed out after ${elapsed} ms (timeoutMs 300)`);
      await control.send('DELETE', '/_emulator/faults');
    },

    'leaving a listAll loop early stops fetching pages': async () => {
      await control.expectOk('POST', '/_emulator/seed', { applications: 120 });
      await control.clearRequests();
      let seen = 0;
      for await (const app of client().applications.listAll({ limit: 50 })) {
        seen += app ? 1 : 0;
        if (seen === 3) break;
      }
      assert((await apiRequests('GET', '/api/v1/applications')).length === 1, 'more than one page was fetched');
    },

    'a panic rejects its call with an internal error and the engine stays usable': async () => {
      const error = await rejection(raw.__panicForTests());
      assert(error?.kind === 'internal' && error?.code === 'kontext_internal_error', describe(error));
      const pkce = await api.createPkceChallenge();
      assert(pkce.codeChallengeMethod === 'S256' && pkce.codeVerifier.length === 43, JSON.stringify(pkce));
    },
  };

  const results = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      await control.reset();
      await check();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: String(error?.stack ?? error) });
    }
  }
  return results;
}
