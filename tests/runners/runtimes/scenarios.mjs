// The shared scenario suite (tests/scenarios) through the npm package, imported by its name as
// a user would, under whichever runtime runs this file: Bun and Deno (node.just:
// test-node-runtimes), Node too. No test framework (Bun's and Deno's `node:test` differ), just
// one line per scenario and the summary every runner ends with: `N passed, N failed`.
//
//   EXPECT_ENGINE=native|wasm  fail at once unless the package picked that engine
//   KONTEXT_ENGINE=native|wasm the package's own switch (see packages/npm/native/select.cjs)
//   ONLY=<substring>           run only the scenarios whose file name contains it

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { scenariosDir, startEmulator } from '../node/harness.mjs';
import { runScenario } from '../node/scenario-engine.mjs';

const api = await import('@kontext/management');
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`;

const emulator = await startEmulator();
const target = { baseUrl: emulator.baseUrl, clientId: emulator.clientId, clientSecret: emulator.clientSecret };
let passed = 0;
let failed = 0;
try {
  // Which engine the package picked: the user agent names it (kontext-node/… or kontext-wasm/…).
  const probe = new api.KontextManagementClient({ baseUrl: target.baseUrl, accessToken: 'probe' });
  const engine = /kontext-node\//.test(probe.userAgent) ? 'native' : /kontext-wasm\//.test(probe.userAgent) ? 'wasm' : '?';
  console.log(`${runtime}: @kontext/management on the ${engine} engine (${probe.userAgent})`);
  const expected = process.env.EXPECT_ENGINE;
  if (expected && expected !== engine) throw new Error(`expected the ${expected} engine, got ${engine}`);

  const files = readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.json') && f.includes(process.env.ONLY ?? ''))
    .sort();
  for (const file of files) {
    const scenario = JSON.parse(readFileSync(join(scenariosDir, file), 'utf8'));
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out after 90 s')), 90_000);
    });
    try {
      await Promise.race([runScenario(scenario, { api, target }), timeout]);
      passed += 1;
      console.log(`ok ${scenario.name}`);
    } catch (error) {
      failed += 1;
      console.log(`FAILED ${scenario.name}\n${error?.message ?? error}`);
    } finally {
      clearTimeout(timer);
    }
  }
} finally {
  await emulator.stop();
}
console.log(`scenarios (${runtime}): ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
