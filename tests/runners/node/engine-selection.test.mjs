// Which engine the Node entries pick (packages/npm/native/select.cjs): the native addon where it
// loads, the wasm engine where it does not (here: a copy of the package without the addon),
// `KONTEXT_ENGINE=native|wasm` to force one. Loading never throws; an engine that cannot run is
// reported by the first client as a ConfigError. Each case runs in a fresh `node` process.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { packageDir, startEmulator } from './harness.mjs';

const run = promisify(execFile);
let emulator;
let withoutAddon;

before(async () => {
  emulator = await startEmulator();
  // The package as a platform without a prebuilt addon sees it.
  withoutAddon = mkdtempSync(join(tmpdir(), 'kontext-no-addon-'));
  cpSync(packageDir, withoutAddon, {
    recursive: true,
    filter: (source) => !source.endsWith('.node') && !source.includes('node_modules'),
  });
});

after(async () => {
  await emulator?.stop();
  if (withoutAddon) rmSync(withoutAddon, { recursive: true, force: true });
});

/**
 * Runs `body` (an async function body over `k`, the loaded entry) in a fresh ES-module `node`
 * process in `dir`; resolves with what it returns (as JSON).
 */
async function probe(dir, load, body, env = {}) {
  const source = `
    const k = ${load};
    const options = ${JSON.stringify({
      baseUrl: emulator.baseUrl,
      credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
    })};
    const engineOf = (client) => client.userAgent.match(/kontext-management-(node|wasm)\\//)?.[1];
    const result = await (async () => { ${body} })();
    console.log(JSON.stringify(result));`;
  const childEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: dir, env: childEnv });
  return JSON.parse(stdout.trim().split('\n').pop());
}

const CALL = `
  const client = new k.KontextManagementClient(options);
  const { items } = await client.applications.list();
  return { engine: engineOf(client), items: items.length };`;

const CONFIG_FAILURE = `
  let built;
  try { new k.KontextManagementClient(options); built = true; } catch (e) {
    built = { config: e instanceof k.ConfigError, message: e.message, cause: String(e.cause?.message ?? '') };
  }
  const oauth = await k.oauth.createPkceChallenge().then(() => 'ok', (e) => e instanceof k.ConfigError);
  return { built, oauth };`;

const ENGINE = { KONTEXT_ENGINE: undefined };

describe('the Node entries pick an engine', () => {
  test('where the addon loads, import and require use it', async () => {
    assert.deepEqual(await probe(packageDir, "await import('./index.node.mjs')", CALL, ENGINE), {
      engine: 'node',
      items: 0,
    });
    const required = "(await import('node:module')).createRequire(process.cwd() + '/')('./index.node.cjs')";
    assert.deepEqual(await probe(packageDir, required, CALL, ENGINE), { engine: 'node', items: 0 });
  });

  test('without the addon, import falls back to the wasm engine and works', async () => {
    assert.deepEqual(await probe(withoutAddon, "await import('./index.node.mjs')", CALL, ENGINE), {
      engine: 'wasm',
      items: 0,
    });
  });

  test('without the addon, require falls back to the wasm engine, ready after `await init()`', async () => {
    const required = "(await import('node:module')).createRequire(process.cwd() + '/')('./index.node.cjs')";
    const body = `
      let early;
      try { new k.KontextManagementClient(options); early = 'built'; } catch (e) {
        early = e instanceof k.ConfigError && /await init\\(\\)/.test(e.message);
      }
      await k.init();
      ${CALL.replace('return {', 'return { early,')}`;
    assert.deepEqual(await probe(withoutAddon, required, body, ENGINE), { early: true, engine: 'wasm', items: 0 });
  });

  test('KONTEXT_ENGINE=wasm picks the wasm engine even where the addon loads', async () => {
    const env = { KONTEXT_ENGINE: 'wasm' };
    assert.deepEqual(await probe(packageDir, "await import('./index.node.mjs')", CALL, env), {
      engine: 'wasm',
      items: 0,
    });
  });

  test('KONTEXT_ENGINE=native without the addon: import works, the first client says why it cannot run', async () => {
    const env = { KONTEXT_ENGINE: 'native' };
    const out = await probe(withoutAddon, "await import('./index.node.mjs')", CONFIG_FAILURE, env);
    assert.equal(out.built.config, true, JSON.stringify(out));
    assert.match(out.built.message, /native engine could not be loaded/);
    assert.match(out.built.cause, /kontext-management\.linux-x64-gnu\.node/);
    assert.equal(out.oauth, true);
  });

  test('the ./native entry without the addon does not fall back either', async () => {
    const out = await probe(withoutAddon, "await import('./native/index.mjs')", CONFIG_FAILURE, ENGINE);
    assert.equal(out.built.config, true, JSON.stringify(out));
    assert.match(out.built.message, /native engine could not be loaded/);
  });

  test('an unknown KONTEXT_ENGINE is a ConfigError at the first client, not at import', async () => {
    const out = await probe(packageDir, "await import('./index.node.mjs')", CONFIG_FAILURE, { KONTEXT_ENGINE: 'gpu' });
    assert.equal(out.built.config, true, JSON.stringify(out));
    assert.match(out.built.message, /KONTEXT_ENGINE must be "native" or "wasm", not "gpu"/);
  });
});
