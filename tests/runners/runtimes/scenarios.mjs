// The shared scenario suite (tests/scenarios) through the npm package, imported by its name as
// a user would, under whichever runtime runs this file: Bun and Deno (node.just:
// test-node-runtimes), Node too. No test framework (Bun's and Deno's `node:test` differ), just
// one line per scenario and the summary every runner ends with: `N passed, N failed`.
//
//   EXPECT_ENGINE=native|wasm  fail at once unless the package picked that engine
//   KONTEXT_ENGINE=native|wasm the package's own switch (see packages/npm/native/select.cjs)
//   ONLY=<substring>           run only the scenarios whose file name contains it
//   KNOWN_FAILURES=a,b         scenarios known to fail under this runtime (the recipe says why):
//                              each must still fail, or the run fails (so a fix is noticed)

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { scenariosDir, startEmulator } from '../node/harness.mjs';
import { runScenario } from '../node/scenario-engine.mjs';

const api = await import('kontext-management');
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`;

const emulator = await startEmulator();
const target = { baseUrl: emulator.baseUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret };
const known = new Set((process.env.KNOWN_FAILURES ?? '').split(',').filter(Boolean));
let passed = 0;
let failed = 0;
let knownFailed = 0;
try {
  // Which engine the package picked: the user agent names it (kontext-management-node/… or kontext-management-wasm/…).
  const probe = new api.KontextManagementClient({ baseUrl: target.baseUrl, accessToken: 'probe' });
  const engine = /kontext-management-node\//.test(probe.userAgent) ? 'native' : /kontext-management-wasm\//.test(probe.userAgent) ? 'wasm' : '?';
  console.log(`${runtime}: kontext-management on the ${engine} engine (${probe.userAgent})`);
  const expected = process.env.EXPECT_ENGINE;
  if (expected && expected !== engine) throw new Error(`expected the ${expected} engine, got ${engine}`);

  const files = readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.json') && f.includes(process.env.ONLY ?? ''))
    .sort();
  const scenarios = files.map((file) => JSON.parse(readFileSync(join(scenariosDir, file), 'utf8')));
  for (const name of known) {
    if (!process.env.ONLY && !scenarios.some((scenario) => scenario.name === name)) {
      failed += 1;
      console.log(`FAILED KNOWN_FAILURES names ${name}, which is no scenario`);
    }
  }
  for (const scenario of scenarios) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out after 90 s')), 90_000);
    });
    try {
      await Promise.race([runScenario(scenario, { api, target }), timeout]);
      if (known.has(scenario.name)) {
        failed += 1;
        console.log(`FAILED ${scenario.name}: passed, but KNOWN_FAILURES lists it (remove it there)`);
      } else {
        passed += 1;
        console.log(`ok ${scenario.name}`);
      }
    } catch (error) {
      if (known.has(scenario.name)) {
        knownFailed += 1;
        console.log(`known failure ${scenario.name}: ${String(error?.message ?? error).split('\n')[0]}`);
        continue;
      }
      failed += 1;
      console.log(`FAILED ${scenario.name}\n${error?.message ?? error}`);
    } finally {
      clearTimeout(timer);
    }
  }
} finally {
  await emulator.stop();
}
if (known.size) console.log(`known failures (KNOWN_FAILURES): ${knownFailed} of ${known.size} failed as known`);
console.log(`scenarios (${runtime}): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
