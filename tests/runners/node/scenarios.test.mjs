// Every shared scenario through the JS package (native engine by default; KONTEXT_ENGINE=wasm
// for the wasm one), one `test()` per file, against one emulator reset before each scenario —
// or, with KONTEXT_LIVE_BASE_URL/_CLIENT_ID/_CLIENT_SECRET set, the readOnly ones against a
// real organization.

import { after, before, test } from 'node:test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { engineName, loadPackage, scenariosDir, startEmulator } from './harness.mjs';
import { runScenario } from './scenario-engine.mjs';

const files = readdirSync(scenariosDir)
  .filter((f) => f.endsWith('.json'))
  .sort();

const env = (name) => process.env[`KONTEXT_LIVE_${name}`] || undefined;
const live =
  env('BASE_URL') && env('CLIENT_ID') && env('CLIENT_SECRET')
    ? { baseUrl: env('BASE_URL'), clientId: env('CLIENT_ID'), clientSecret: env('CLIENT_SECRET'), live: true }
    : undefined;

let target;
let api;
const tally = { passed: 0, failed: 0 };

before(async () => {
  [target, api] = await Promise.all([live ?? startEmulator(), loadPackage()]);
});

after(async () => {
  await target?.stop?.();
  // The line every runner ends with (SCHEMA.md), next to node:test's own summary.
  console.log(`scenarios (${engineName} engine): ${tally.passed} passed, ${tally.failed} failed`);
});

for (const file of files) {
  const scenario = JSON.parse(readFileSync(join(scenariosDir, file), 'utf8'));
  const skip = live && !scenario.readOnly && 'not readOnly (live mode)';
  test(`${scenario.name} [${engineName}]`, { timeout: 90_000, skip }, async () => {
    try {
      await runScenario(scenario, { api, target });
      tally.passed += 1;
    } catch (error) {
      tally.failed += 1;
      throw error;
    }
  });
}
