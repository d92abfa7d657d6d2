// The wasm engine's own checks (engine-checks.mjs) in Node, against a private emulator.
//
//   node tests/runners/wasm/node-checks.mjs
//
// Ends with `N passed, N failed`; exits non-zero on any failure.

import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

import { loadPackage, packageDir, startEmulator } from '../node/harness.mjs';
import { runEngineChecks } from './engine-checks.mjs';

const emulator = await startEmulator();
let results;
try {
  const api = await loadPackage('wasm');
  const raw = await import(pathToFileURL(join(packageDir, 'wasm/kontext_management_wasm.js')).href);
  results = await runEngineChecks({ api, raw, target: emulator });
} finally {
  await emulator.stop();
}
for (const r of results) console.log(r.ok ? `✔ ${r.name} [wasm, node]` : `✖ ${r.name} [wasm, node]\n    ${r.error}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`engine checks (wasm engine, node ${process.version}): ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
