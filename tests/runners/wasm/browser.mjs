// Every shared scenario on the WebAssembly engine in headless Chromium.
//
//   node tests/runners/wasm/browser.mjs [NAME_FILTER...]
//
// Starts the emulator (KONTEXT_EMULATOR_BIN, else target/debug/kontext-management-emulator) and a static
// server for the npm package and a test page, both on 127.0.0.1 but on different ports: the page
// calls the emulator cross-origin, as a browser app calls the real API (CORS preflights
// included). Playwright drives Debian's chromium (CHROMIUM_BIN, default /usr/bin/chromium) in a
// fresh profile; each scenario runs inside the page through the Node runner's engine-agnostic
// scenario-engine.mjs (KONTEXT_SCENARIOS_DIR: another folder of scenarios), then the engine's
// own checks (engine-checks.mjs). Ends with the scenarios' `N passed, N failed`; exits non-zero
// on any failure of either.

import { createServer } from 'node:http';
import { once } from 'node:events';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { packageDir, repoRoot, scenariosDir, startEmulator } from '../node/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const SCENARIO_TIMEOUT_MS = 120_000;

const dir = process.env.KONTEXT_SCENARIOS_DIR || scenariosDir;
const scenarios = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')))
  .filter((s) => filters.length === 0 || filters.some((f) => s.name.includes(f)));

// ------------------------------------------------------------------------------------------
// Static files: `/` the page, `/pkg/…` the npm package, `/runners/…` the runners' modules.

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};
const ROOTS = [
  ['/pkg/', packageDir],
  ['/runners/', join(repoRoot, 'tests/runners')],
];

function resolveFile(urlPath) {
  if (urlPath === '/' || urlPath === '/index.html') return join(here, 'page.html');
  for (const [prefix, dir] of ROOTS) {
    if (!urlPath.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(urlPath.slice(prefix.length))));
    if (!file.startsWith(dir + sep)) return undefined; // no `..` escapes
    if (file.includes(`${sep}node_modules${sep}`)) return undefined;
    return file;
  }
  return undefined;
}

const server = createServer((req, res) => {
  const file = resolveFile(new URL(req.url, 'http://x').pathname);
  let size;
  try {
    size = file && statSync(file).isFile() ? statSync(file).size : undefined;
  } catch {
    size = undefined;
  }
  if (req.method !== 'GET' || size === undefined) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-store',
  });
  createReadStream(file).pipe(res);
});

// ------------------------------------------------------------------------------------------

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function main() {
  if (scenarios.length === 0) throw new Error(`no scenario matches ${filters.join(' ')}`);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const pageUrl = `http://127.0.0.1:${server.address().port}/`;

  const emulator = await startEmulator();
  // Playwright gives every launch a fresh temporary profile (--user-data-dir) and removes it.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
  });
  const tally = { passed: 0, failed: 0 };
  let checksFailed = 0;
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
    page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
    await page.goto(pageUrl);
    await page.waitForFunction(() => window.kontextReady || window.kontextLoadError, null, { timeout: 30_000 });
    const loadError = await page.evaluate(() => window.kontextLoadError);
    if (loadError) throw new Error(`the page could not load the package: ${loadError}`);
    const target = { baseUrl: emulator.baseUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret };
    const browserVersion = browser.version();
    const userAgent = await page.evaluate((t) => window.kontextUserAgent(t), target);
    console.log(`chromium ${browserVersion}; page ${pageUrl}; emulator ${emulator.baseUrl}; engine ${userAgent}`);

    for (const scenario of scenarios) {
      const started = performance.now();
      let outcome;
      try {
        outcome = await Promise.race([
          page.evaluate(([s, t]) => window.kontextRun(s, t), [scenario, target]),
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`timed out after ${SCENARIO_TIMEOUT_MS} ms`)), SCENARIO_TIMEOUT_MS).unref(),
          ),
        ]);
      } catch (error) {
        outcome = { ok: false, error: String(error?.stack ?? error) };
      }
      const ms = Math.round(performance.now() - started);
      if (outcome.ok) {
        tally.passed += 1;
        console.log(`✔ ${scenario.name} [wasm, chromium] (${ms} ms)`);
      } else {
        tally.failed += 1;
        console.log(`✖ ${scenario.name} [wasm, chromium] (${ms} ms)\n${indent(outcome.error)}`);
        if (consoleErrors.length) console.log(indent(`browser console:\n${consoleErrors.join('\n')}`));
      }
      consoleErrors.length = 0;
    }

    // The engine's own checks (cancellation, timeouts, panics, init): reported apart from the
    // scenarios, and failing the run like them.
    const checks = await page.evaluate((t) => window.kontextChecks(t), target);
    for (const c of checks) {
      console.log(c.ok ? `✔ ${c.name} [wasm, chromium]` : `✖ ${c.name} [wasm, chromium]\n${indent(c.error)}`);
    }
    const worker = await page.evaluate(
      (t) =>
        new Promise((resolve) => {
          const w = new Worker('/runners/wasm/worker.mjs', { type: 'module' });
          w.onmessage = ({ data }) => resolve(data);
          w.onerror = (e) => resolve({ ok: false, error: e.message });
          w.postMessage(t);
        }),
      target,
    );
    const workerCheck = { name: 'the package loads and calls the API in a module worker', ...worker };
    console.log(
      workerCheck.ok
        ? `✔ ${workerCheck.name} [wasm, chromium worker]`
        : `✖ ${workerCheck.name} [wasm, chromium worker]\n${indent(workerCheck.error)}`,
    );
    checks.push(workerCheck);
    checksFailed = checks.filter((c) => !c.ok).length;
    console.log(`engine checks (wasm engine, chromium): ${checks.length - checksFailed} passed, ${checksFailed} failed`);
  } finally {
    await browser.close().catch(() => {});
    await emulator.stop();
    server.close();
  }
  console.log(`scenarios (wasm engine, chromium): ${tally.passed} passed, ${tally.failed} failed`);
  console.log(`${tally.passed} passed, ${tally.failed} failed`);
  return tally.failed === 0 && checksFailed === 0;
}

const indent = (text) =>
  String(text)
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (error) => {
    console.error(`wasm browser runner failed: ${error?.stack ?? error}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
