// One addon, one call (`just npm-cross`, the release workflow), against the emulator, with
// KONTEXT_ENGINE=native: the repository's Node entry with the loader pointed at the addon under
// test (NAPI_RS_NATIVE_LIBRARY_PATH), or the Node entry given as the argument (an installed
// package, whose loader finds its per-platform package). Runs in whatever Node runs it: the
// host's, or an arm64 Node under qemu-user. Prints one line.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { startEmulator } from '../runners/node/harness.mjs';

const entry = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : '../../packages/npm/index.node.mjs';

const emulator = await startEmulator();
try {
  const k = await import(entry);
  const client = new k.KontextManagementClient({
    baseUrl: emulator.baseUrl,
    credentials: { clientId: emulator.clientId, clientSecret: emulator.clientSecret },
  });
  const { application } = await client.applications.create({ name: 'addon-smoke' });
  const { items } = await client.applications.list();
  if (!items.some((app) => app.id === application.id)) throw new Error('the created application is not listed');
  console.log(`${process.arch}: ${client.userAgent}: created and listed an application`);
} finally {
  await emulator.stop();
}
