// The npm package as users get it, from the packed tarballs (`just npm-packed`): the main
// package and the per-platform package of this machine (linux-x64-gnu), installed with
// `npm install --offline <tarballs>` into a fresh project (nothing of ours comes from a
// registry; the other platforms' optional packages are skipped, as on users' machines), then a
// few calls against the emulator in every runtime, checking which engine each one picked:
//   Node (import and require: the addon of the per-platform package), Bun (the addon), Deno (wasm;
//   the addon with KONTEXT_ENGINE=native), workerd (the Workers entry, `init(wasm)`), then the
//   same without the per-platform package (Node and Bun fall back to wasm; a forced native engine
//   reports why at the first client). Plus the published types (tsc as CommonJS and ESM) and
//   the export map under the edge/browser conditions (esbuild). Smoke tests: the shared
//   scenarios run in every runtime in `just test-node` / `just test-wasm`.
//
// Env: KONTEXT_EMULATOR_BIN, NPM_TOOLS (node_modules/.bin with workerd and esbuild),
// RUNTIMES (node_modules/.bin with bun and deno).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile as execFileCb, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { startEmulator } from '../runners/node/harness.mjs';

const execFile = promisify(execFileCb);
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const pkgDir = join(repo, 'packages/npm');
const tools = process.env.NPM_TOOLS ?? join(here, 'npm-tools/node_modules/.bin');
const runtimes = process.env.RUNTIMES ?? join(repo, 'tests/runners/runtimes/node_modules/.bin');
const platform = 'linux-x64-gnu';
const platformPackage = `kontext-management-${platform}`;

let work;
let app;
let emulator;
let tarballs;

/** A probe: loads the package by name, then one write, one read and an OAuth helper. */
const PROBE = `
const env = globalThis.Deno ? Deno.env.toObject() : process.env;
const out = {};
try {
  const client = new k.KontextManagementClient({
    baseUrl: env.KONTEXT_BASE_URL,
    credentials: { clientId: env.KONTEXT_CLIENT_ID, clientSecret: env.KONTEXT_CLIENT_SECRET },
  });
  out.engine = client.userAgent.match(/kontext-management-(node|wasm)\\//)?.[1];
  out.runtime = client.userAgent.split(' ').pop().split('/')[0]; // the last token: node/v20…, bun/1.4.5
  const { application } = await client.applications.create({ name: 'probe-' + env.PROBE_LABEL });
  const { items } = await client.applications.list();
  out.listed = items.some((app) => app.id === application.id);
  out.pkce = (await k.createPkceChallenge()).codeChallengeMethod;
} catch (error) {
  out.error = { config: error instanceof k.ConfigError, message: String(error?.message), cause: String(error?.cause?.message ?? '') };
}
`;

let label = 0;
/** Runs `file` of the app with `command` (+ args); resolves with its JSON answer. */
async function probe(command, args, env = {}) {
  const childEnv = {
    ...process.env,
    KONTEXT_BASE_URL: emulator.baseUrl,
    KONTEXT_CLIENT_ID: emulator.clientId,
    KONTEXT_CLIENT_SECRET: emulator.clientSecret,
    PROBE_LABEL: `${++label}`,
    ...env,
  };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete childEnv[key];
  const { stdout } = await execFile(command, args, { cwd: app, env: childEnv, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop());
}

const WORKS = { listed: true, pkce: 'S256' };
const node = (file, env) => probe(process.execPath, [file], env);
const bun = (env) => probe(join(runtimes, 'bun'), ['probe.mjs'], env);
const deno = (env) => probe(join(runtimes, 'deno'), ['run', '-A', '--node-modules-dir=manual', 'probe.mjs'], env);
const AUTO = { KONTEXT_ENGINE: undefined };

before(async () => {
  emulator = await startEmulator();
  work = mkdtempSync(join(tmpdir(), 'kontext-npm-packed-'));
  const packed = execFileSync(process.execPath, [join(pkgDir, 'scripts/pack.mjs'), '--out', work, platform], {
    encoding: 'utf8',
  });
  tarballs = packed.trim().split('\n');
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n');
  // Offline: our packages come from the tarballs, the optional packages of other platforms are
  // skipped (not fetched). PATH without cargo proves that nothing gets compiled.
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], {
    cwd: app,
    stdio: 'pipe',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
  });
  writeFileSync(
    join(app, 'probe.mjs'),
    `import * as k from 'kontext-management';\n${PROBE}\nconsole.log(JSON.stringify(out));\n`,
  );
  writeFileSync(
    join(app, 'probe.cjs'),
    `const k = require('kontext-management');\n(async () => {\nawait k.init();\n${PROBE}\n` +
      `out.fromPackage = Object.keys(require.cache).some((file) => file.includes('/${platformPackage}/'));\n` +
      'console.log(JSON.stringify(out));\n})();\n',
  );
});

after(async () => {
  await emulator?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  test('the main tarball: no addon, the wasm engine and every entry; optional packages per platform', () => {
    const main = tarballs.find((file) => /kontext-management-\d/.test(file));
    const listing = execFileSync('tar', ['-tzf', main], { encoding: 'utf8' });
    assert.doesNotMatch(listing, /\.node\n/, 'the main package carries no addon');
    for (const file of [
      'wasm/kontext_management_wasm_bg.wasm',
      'wasm-init.mjs',
      'index.deno.mjs',
      'native/loader.cjs',
    ]) {
      assert.ok(listing.includes(`package/${file}\n`), `${file} is in the tarball`);
    }
    const manifest = JSON.parse(readFileSync(join(app, 'node_modules/kontext-management/package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.optionalDependencies).sort(), [
      'kontext-management-darwin-arm64',
      'kontext-management-darwin-x64',
      'kontext-management-linux-arm64-gnu',
      'kontext-management-linux-arm64-musl',
      'kontext-management-linux-x64-gnu',
      'kontext-management-linux-x64-musl',
      'kontext-management-win32-x64-msvc',
    ]);
    assert.ok(Object.values(manifest.optionalDependencies).every((v) => v === manifest.version));
    const addon = JSON.parse(readFileSync(join(app, `node_modules/${platformPackage}/package.json`), 'utf8'));
    assert.deepEqual([addon.os, addon.cpu, addon.libc], [['linux'], ['x64'], ['glibc']]);
  });

  test('Node, import: the addon of the per-platform package', async () => {
    assert.deepEqual(await node('probe.mjs', AUTO), { engine: 'node', runtime: 'node', ...WORKS });
  });

  test('Node, require: the same addon, loaded from the per-platform package', async () => {
    assert.deepEqual(await node('probe.cjs', AUTO), { engine: 'node', runtime: 'node', ...WORKS, fromPackage: true });
  });

  test('Node, KONTEXT_ENGINE=wasm: the wasm engine', async () => {
    assert.deepEqual(await node('probe.mjs', { KONTEXT_ENGINE: 'wasm' }), {
      engine: 'wasm',
      runtime: 'node',
      ...WORKS,
    });
  });

  test('Bun: the addon', async () => {
    assert.deepEqual(await bun(AUTO), { engine: 'node', runtime: 'bun', ...WORKS });
  });

  test('Deno: the wasm engine by default', async () => {
    assert.deepEqual(await deno(AUTO), { engine: 'wasm', runtime: 'deno', ...WORKS });
  });

  test('Deno, KONTEXT_ENGINE=native: the addon of the per-platform package', async () => {
    assert.deepEqual(await deno({ KONTEXT_ENGINE: 'native' }), { engine: 'node', runtime: 'deno', ...WORKS });
  });

  test('musl (faked: no readable ldd, a report without glibc) looks for the musl package, not the gnu one', async () => {
    writeFileSync(
      join(app, 'fake-musl.cjs'),
      `const fs = require('node:fs');
      const readFileSync = fs.readFileSync;
      fs.readFileSync = function (path, ...rest) {
        if (path === '/usr/bin/ldd') throw Object.assign(new Error('ENOENT: /usr/bin/ldd'), { code: 'ENOENT' });
        return readFileSync.call(this, path, ...rest);
      };
      const getReport = process.report.getReport.bind(process.report);
      process.report.getReport = () => {
        const report = getReport();
        delete report.header.glibcVersionRuntime;
        return report;
      };`,
    );
    const musl = (env) => probe(process.execPath, ['--require', './fake-musl.cjs', 'probe.mjs'], env);
    const forced = await musl({ KONTEXT_ENGINE: 'native' });
    assert.equal(forced.error?.config, true, JSON.stringify(forced));
    assert.match(forced.error.cause, /kontext-management-linux-x64-musl/);
    assert.doesNotMatch(forced.error.cause, /linux-x64-gnu/);
    assert.deepEqual(await musl(AUTO), { engine: 'wasm', runtime: 'node', ...WORKS });
  });

  test('workerd: the workerd condition, `import wasm from ".../kontext.wasm"` and init(wasm)', async (t) => {
    const out = await runWorker(t);
    assert.match(out.userAgent, /kontext-management-wasm\//);
    delete out.userAgent;
    assert.deepEqual(out, { moduleIsCompiled: true, beforeInit: 'config-error', engine: 'wasm', ...WORKS });
  });

  test('the export map: edge-light and workerd → wasm-init.mjs; browser and worker → wasm.mjs', async () => {
    const entries = {};
    for (const condition of ['edge-light', 'workerd', 'browser', 'worker']) {
      const result = await bundle({ stdin: "export * from 'kontext-management';", conditions: [condition] });
      entries[condition] = Object.keys(result.metafile.inputs)
        .filter((file) => /node_modules\/kontext-management\/[^/]+\.mjs$/.test(file))
        .map((file) => file.split('/').pop())
        .find((file) => file === 'wasm-init.mjs' || file === 'wasm.mjs');
    }
    assert.deepEqual(entries, {
      'edge-light': 'wasm-init.mjs',
      workerd: 'wasm-init.mjs',
      browser: 'wasm.mjs',
      worker: 'wasm.mjs',
    });
  });

  test('every entry exports the same names (Node: ., ./native, ./wasm, ./wasm/init; Deno: .)', async () => {
    const names = `const names = {}; for (const entry of ENTRIES) names[entry] = Object.keys(await import(entry)).sort().join(' ');
      console.log(JSON.stringify(names));`;
    const entries = [
      'kontext-management',
      'kontext-management/native',
      'kontext-management/wasm',
      'kontext-management/wasm/init',
    ];
    writeFileSync(join(app, 'names.mjs'), names.replace('ENTRIES', JSON.stringify(entries)));
    writeFileSync(join(app, 'names-deno.mjs'), names.replace('ENTRIES', JSON.stringify(['kontext-management'])));
    const inNode = await probe(process.execPath, ['names.mjs'], AUTO);
    const inDeno = await probe(
      join(runtimes, 'deno'),
      ['run', '-A', '--node-modules-dir=manual', 'names-deno.mjs'],
      AUTO,
    );
    const expected = inNode['kontext-management'];
    assert.match(expected, /\bKontextManagementClient\b.*\binit\b/);
    for (const [entry, found] of Object.entries({
      ...inNode,
      'kontext-management (Deno)': inDeno['kontext-management'],
    })) {
      assert.equal(found, expected, entry);
    }
  });

  test('the published types: tsc --strict as an ES module and as CommonJS consumer', () => {
    copyFileSync(join(repo, 'tests/runners/node/typecheck-example.ts'), join(app, 'example.mts'));
    copyFileSync(join(repo, 'tests/runners/node/typecheck-example.ts'), join(app, 'example.cts'));
    const tsc = join(pkgDir, 'node_modules/typescript/bin/tsc');
    const options = ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'nodenext'];
    execFileSync(process.execPath, [tsc, ...options, 'example.mts', 'example.cts'], { cwd: app, stdio: 'pipe' });
  });
});

describe('without the per-platform package (a platform with no prebuilt addon)', () => {
  before(() => rmSync(join(app, 'node_modules', platformPackage), { recursive: true, force: true }));

  test('Node, import: falls back to the wasm engine, and a call works', async () => {
    assert.deepEqual(await node('probe.mjs', AUTO), { engine: 'wasm', runtime: 'node', ...WORKS });
  });

  test('Node, require: falls back to the wasm engine after `await init()`', async () => {
    assert.deepEqual(await node('probe.cjs', AUTO), { engine: 'wasm', runtime: 'node', ...WORKS, fromPackage: false });
  });

  test('Bun: falls back to the wasm engine', async () => {
    assert.deepEqual(await bun(AUTO), { engine: 'wasm', runtime: 'bun', ...WORKS });
  });

  test('KONTEXT_ENGINE=native (Node and Deno): importing works, the first client says why not', async () => {
    for (const out of [
      await node('probe.mjs', { KONTEXT_ENGINE: 'native' }),
      await deno({ KONTEXT_ENGINE: 'native' }),
    ]) {
      assert.equal(out.error?.config, true, JSON.stringify(out));
      assert.match(out.error.message, /native engine could not be loaded/);
      assert.match(out.error.cause, new RegExp(platformPackage));
    }
  });
});

/** esbuild over the installed package (the app's node_modules), in memory, with a metafile. */
async function bundle({ stdin, entry, conditions, plugins = [], outfile }) {
  const { build } = await import(join(tools, '../esbuild/lib/main.js'));
  return build({
    ...(stdin ? { stdin: { contents: stdin, resolveDir: app, loader: 'js' } } : { entryPoints: [entry] }),
    absWorkingDir: app,
    nodePaths: [join(app, 'node_modules')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions,
    metafile: true,
    logLevel: 'error',
    write: Boolean(outfile),
    outfile,
    plugins,
  });
}

/**
 * Bundles npm-worker.mjs as wrangler would (esbuild, the `workerd` condition, `.wasm` imports as
 * separate Wasm modules), runs it in workerd on a free loopback port with outbound access to
 * loopback (the emulator), sends it one request and returns its JSON answer.
 */
async function runWorker(t) {
  const dir = join(work, 'worker');
  mkdirSync(dir);
  const wasmModules = [];
  // `.wasm` imports stay imports of a module named after the file (as wrangler's CompiledWasm rule).
  const wasmPlugin = {
    name: 'wasm-modules',
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, async (args) => {
        if (args.pluginData?.inner) return undefined; // our own lookup below: esbuild resolves it
        const found = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: { inner: true },
        });
        if (found.errors.length) return { errors: found.errors };
        const name = args.path.split('/').pop();
        copyFileSync(found.path, join(dir, name));
        wasmModules.push(name);
        return { path: `./${name}`, external: true };
      });
    },
  };
  copyFileSync(join(here, 'npm-worker.mjs'), join(app, 'worker.mjs'));
  await bundle({
    entry: join(app, 'worker.mjs'),
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [wasmPlugin],
    outfile: join(dir, 'worker.mjs'),
  });
  assert.deepEqual(wasmModules, ['kontext.wasm']);

  const port = await freePort();
  const text = (name, value) => `(name = "${name}", text = ${JSON.stringify(value)})`;
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    # Outbound fetches: loopback too (the emulator); workerd's default allows only public addresses.
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "kontext.wasm", wasm = embed "kontext.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  bindings = [
    ${text('KONTEXT_BASE_URL', emulator.baseUrl)},
    ${text('KONTEXT_CLIENT_ID', emulator.clientId)},
    ${text('KONTEXT_CLIENT_SECRET', emulator.clientSecret)},
  ],
  globalOutbound = "internet",
);
`,
  );
  const child = spawn(join(tools, 'workerd'), ['serve', join(dir, 'config.capnp')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (chunk) => (log += chunk));
  child.stderr.on('data', (chunk) => (log += chunk));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/`);
        const out = await response.json();
        t.diagnostic(`workerd ${execFileSync(join(tools, 'workerd'), ['--version'], { encoding: 'utf8' }).trim()}`);
        return out;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`workerd: ${error.message}\n${log}`);
        await new Promise((done) => setTimeout(done, 200));
      }
    }
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}
