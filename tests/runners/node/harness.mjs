// Node-only plumbing shared by the test files: which engine to load, and a private emulator.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '../../..');
export const packageDir = join(repoRoot, 'packages/npm');
export const scenariosDir = join(repoRoot, 'tests/scenarios');

/** `KONTEXT_ENGINE=native` (default) or `wasm`: which entry of the package the tests run on. */
export const engineName = process.env.KONTEXT_ENGINE || 'native';

export async function loadPackage(engine = engineName) {
  const entry = { native: 'index.node.mjs', wasm: 'wasm.mjs' }[engine];
  if (!entry) throw new Error(`KONTEXT_ENGINE must be native or wasm, not ${JSON.stringify(engine)}`);
  return import(pathToFileURL(join(packageDir, entry)).href);
}

/**
 * Starts `kontext-management-emulator --port 0 --json --rate-limit 0` (path from KONTEXT_EMULATOR_BIN, else
 * the workspace's debug build) and resolves with `{ baseUrl, clientId, clientSecret, stop }`.
 */
export async function startEmulator(extraArgs = []) {
  const bin = process.env.KONTEXT_EMULATOR_BIN || join(repoRoot, 'target/debug/kontext-management-emulator');
  const child = spawn(bin, ['--port', '0', '--json', '--rate-limit', '0', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const failed = once(child, 'error').then(([e]) => {
    throw new Error(`could not start the emulator at ${bin} (set KONTEXT_EMULATOR_BIN): ${e.message}`);
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the emulator exited with code ${code} before printing its address`);
  });
  const lines = createInterface({ input: child.stdout });
  const first = once(lines, 'line').then(([line]) => JSON.parse(line));
  const info = await Promise.race([first, failed, exited]);
  exited.catch(() => {});
  failed.catch(() => {});
  return {
    ...info,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
